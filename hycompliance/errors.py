"""Error codes and messages, in one place.

A user sees one line: ``<file>: <CODE> <message>``; never a traceback. Codes are stable and documented
in the README. ``HyError`` is the only exception the library raises on purpose for bad input.
"""

from __future__ import annotations

import json
import re
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hycompliance.models import ParseWarning


class Code(str, Enum):
    # E1xx: reading files
    E101_NOT_FOUND = "E101"
    E102_EMPTY = "E102"
    E103_TOO_LARGE = "E103"
    E104_UNSUPPORTED = "E104"
    E105_WRONG_EXTENSION = "E105"
    E106_CORRUPT_PDF = "E106"
    E107_ENCRYPTED = "E107"
    E108_SCANNED = "E108"
    E109_CORRUPT_DOCX = "E109"
    E110_ZIP_BOMB = "E110"
    E111_LEGACY_DOC = "E111"
    E112_BINARY = "E112"
    E113_ENCODING = "E113"
    E114_OCR_FAILED = "E114"
    E115_TOO_MANY_PAGES = "E115"
    # E116 (retired): a special file named to the readers; now E122 at both moments, discovery and reading
    E117_DOCX_ELEMENTS = "E117"
    E118_TIME_BUDGET = "E118"
    E119_MEMORY_BUDGET = "E119"
    E125_UNREADABLE = "E125"
    # E12x: what a scan skips without reading (files must stay inside the folders given)
    E120_IS_DIRECTORY = "E120"
    E121_SYMLINK = "E121"
    E122_SPECIAL_FILE = "E122"  # a FIFO, device or socket: skipped by discovery, refused by the readers, never opened
    E123_OUTSIDE = "E123"
    E124_HIDDEN = "E124"
    # E2xx: structure
    E201_NO_STRUCTURE = "E201"
    E202_TOO_MANY_CLAUSES = "E202"
    E203_TABLE_TOO_LARGE = "E203"
    E204_TOO_MANY_PAIRS = "E204"
    # E3xx: database, batch and catalogue
    E301_DB = "E301"
    E302_NO_PLAN = "E302"
    E303_CATALOGUE = "E303"
    E304_NO_DOCUMENT = "E304"
    E305_NO_REQUIREMENT = "E305"
    E306_INTERNAL = "E306"
    E307_NO_FILES = "E307"
    E308_NO_DATABASE = "E308"
    E309_CATALOGUE_TOO_SMALL = "E309"
    E311_DASK = "E311"
    E312_DB_UNREACHABLE = "E312"
    # E32x: several parent plans in one database
    E321_SEVERAL_PLANS = "E321"
    E322_NO_SUCH_PLAN = "E322"
    E323_DOCUMENT_PLANS = "E323"
    # E9xx: usage
    E901_USAGE = "E901"


MESSAGES: dict[Code, str] = {
    Code.E101_NOT_FOUND: "file not found",
    Code.E102_EMPTY: "file is empty",
    Code.E103_TOO_LARGE: "file is larger than the limit of {limit} MB",
    Code.E104_UNSUPPORTED: "unsupported file type {ext!r} (expected .pdf, .docx or .txt)",
    Code.E105_WRONG_EXTENSION: "content is {actual}, but the extension says {ext}",
    Code.E106_CORRUPT_PDF: "PDF is damaged or truncated ({detail})",
    Code.E107_ENCRYPTED: "PDF is encrypted (password protected); save an unprotected copy",
    Code.E108_SCANNED: "PDF has no text layer (scanned image); install tesseract with Vietnamese data (tesseract-ocr-vie) to OCR it",
    Code.E109_CORRUPT_DOCX: "DOCX is damaged or not a Word document ({detail})",
    Code.E110_ZIP_BOMB: "DOCX expands to more than {limit} MB; refused as a possible zip bomb",
    Code.E111_LEGACY_DOC: "{format} format; save it as .docx",
    Code.E112_BINARY: "file is binary data, not text",
    Code.E113_ENCODING: "text encoding not recognised ({detail})",
    Code.E114_OCR_FAILED: "OCR failed ({detail})",
    Code.E115_TOO_MANY_PAGES: "document has {pages} pages, more than the limit of {limit}",
    Code.E117_DOCX_ELEMENTS: "DOCX text has more than {limit} XML elements; refused as a possible XML bomb",
    Code.E118_TIME_BUDGET: "analysing the file took longer than the budget of {limit} s",
    Code.E119_MEMORY_BUDGET: "analysing the file needs more than the budget of {limit} MB of memory",
    Code.E125_UNREADABLE: "cannot read the file ({detail})",
    Code.E120_IS_DIRECTORY: "is a directory, not a file",
    Code.E121_SYMLINK: "symbolic link not followed (files must be inside the scanned folders)",
    Code.E122_SPECIAL_FILE: "not a regular file ({kind}); not opened",
    Code.E123_OUTSIDE: "resolves outside the scanned folders; skipped",
    Code.E124_HIDDEN: "hidden or temporary file; skipped",
    Code.E201_NO_STRUCTURE: "no plan structure found (no sections, items or bullets)",
    Code.E202_TOO_MANY_CLAUSES: "document has {count} clauses, more than the budget of {limit}",
    Code.E203_TABLE_TOO_LARGE: "a table has {count} cells, more than the budget of {limit}",
    Code.E204_TOO_MANY_PAIRS: "matching would compare {count} requirement-clause pairs, more than the budget of {limit}",
    Code.E301_DB: "database error ({detail})",
    Code.E311_DASK: "the Dask cluster cannot run the scan ({detail})",
    Code.E312_DB_UNREACHABLE: "cannot use the PostgreSQL database ({detail})",
    Code.E302_NO_PLAN: "no parent plan in the database; run scan with --plan first",
    Code.E303_CATALOGUE: "requirement catalogue is invalid ({detail})",
    Code.E304_NO_DOCUMENT: "no such document in the database (give its name, path or id)",
    Code.E305_NO_REQUIREMENT: "no requirement {detail!r} in the parent plan's catalogue",
    Code.E306_INTERNAL: "internal error while analysing the file ({detail}); please report it",
    Code.E307_NO_FILES: "no .pdf, .docx or .txt files found",
    Code.E308_NO_DATABASE: "no coverage database here; create it with 'hycompliance scan --plan PLAN --db FILE ...'",
    Code.E321_SEVERAL_PLANS: "the database holds several parent plans ({detail}); choose one with --parent",
    Code.E322_NO_SUCH_PLAN: "no parent plan {wanted!r} in the database (it holds: {detail})",
    Code.E323_DOCUMENT_PLANS: "the document is checked against several parent plans ({detail}); choose one with --parent",
    Code.E309_CATALOGUE_TOO_SMALL: (
        "the parent plan gives {found} requirements for {words} words of body (at least {needed} expected): "
        "its tasks, targets and duties were not found; see `requirements --explain`"
    ),
    Code.E901_USAGE: "{detail}",
}

# The exit status of every command, by what went wrong (README "Exit status"). 0 = done; 1 = done, but some
# input files failed or a lint found errors (decided by the command, not by a code).
EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_UNREADABLE = 4
EXIT_DATABASE = 5
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

_EXIT_BY_CODE: dict[Code, int] = {
    Code.E101_NOT_FOUND: EXIT_NOT_FOUND,
    Code.E120_IS_DIRECTORY: EXIT_NOT_FOUND,
    Code.E307_NO_FILES: EXIT_NOT_FOUND,
    Code.E308_NO_DATABASE: EXIT_NOT_FOUND,
    Code.E301_DB: EXIT_SOME_FAILED,  # issue 11: a database failure is exit 1, nothing half-written
    Code.E311_DASK: EXIT_SOME_FAILED,  # the run stops; what was stored stays, the next scan goes on from there
    Code.E312_DB_UNREACHABLE: EXIT_SOME_FAILED,  # a database failure (E301): nothing written
    Code.E302_NO_PLAN: EXIT_DATABASE,
    Code.E303_CATALOGUE: EXIT_DATABASE,
    Code.E309_CATALOGUE_TOO_SMALL: EXIT_DATABASE,
    Code.E304_NO_DOCUMENT: EXIT_USAGE,
    Code.E305_NO_REQUIREMENT: EXIT_USAGE,
    Code.E321_SEVERAL_PLANS: EXIT_USAGE,
    Code.E322_NO_SUCH_PLAN: EXIT_USAGE,
    Code.E323_DOCUMENT_PLANS: EXIT_USAGE,
    Code.E306_INTERNAL: EXIT_INTERNAL,
    Code.E901_USAGE: EXIT_USAGE,
}


def exit_status(code: Code) -> int:
    """The exit status a command ends with when it stops on ``code`` (every other E1xx/E2xx: unreadable)."""
    return _EXIT_BY_CODE.get(code, EXIT_UNREADABLE)


class WarningCode(str, Enum):
    """Warnings a reader or the structure stage attaches to a document it could read."""

    W109_DAMAGED_TEXT = "W109"


WARNING_MESSAGES: dict[WarningCode, str] = {
    WarningCode.W109_DAMAGED_TEXT: "text may be damaged by extraction ({where}: {sign}); check it against the file",
}


def warning(code: WarningCode, *, page: str, sign: str) -> "ParseWarning":
    """A ``ParseWarning`` with its message; ``page`` is a page number or a range ("1–12") for the whole document."""
    from hycompliance.models import ParseWarning

    return ParseWarning(code.value, WARNING_MESSAGES[code].format(where=f"page {page}", sign=sign),
                        (("page", page), ("sign", sign)))


# What a person reads on a page, in a report or a spreadsheet (the CLI and logs keep the English above).
MESSAGES_VI: dict[Code, str] = {
    Code.E101_NOT_FOUND: "không tìm thấy tệp",
    Code.E102_EMPTY: "tệp rỗng",
    Code.E103_TOO_LARGE: "tệp lớn hơn giới hạn {limit} MB",
    Code.E104_UNSUPPORTED: "không hỗ trợ loại tệp {ext!r} (chỉ nhận .pdf, .docx hoặc .txt)",
    Code.E105_WRONG_EXTENSION: "nội dung là {actual} nhưng phần mở rộng là {ext}",
    Code.E106_CORRUPT_PDF: "tệp PDF bị hỏng hoặc không trọn vẹn ({detail})",
    Code.E107_ENCRYPTED: "tệp PDF có mật khẩu; hãy lưu một bản không đặt mật khẩu",
    Code.E108_SCANNED: "tệp PDF không có lớp chữ (bản quét); cần cài tesseract có dữ liệu tiếng Việt để nhận dạng",
    Code.E109_CORRUPT_DOCX: "tệp DOCX bị hỏng hoặc không phải văn bản Word ({detail})",
    Code.E110_ZIP_BOMB: "tệp DOCX khi giải nén lớn hơn {limit} MB; bị từ chối vì có thể là tệp độc hại",
    Code.E111_LEGACY_DOC: "định dạng {format}; hãy lưu lại thành .docx",
    Code.E112_BINARY: "tệp là dữ liệu nhị phân, không phải văn bản",
    Code.E113_ENCODING: "không nhận ra bảng mã của văn bản ({detail})",
    Code.E114_OCR_FAILED: "nhận dạng chữ thất bại ({detail})",
    Code.E115_TOO_MANY_PAGES: "văn bản có {pages} trang, vượt giới hạn {limit} trang",
    Code.E117_DOCX_ELEMENTS: "nội dung DOCX có hơn {limit} phần tử XML; bị từ chối vì có thể là tệp độc hại",
    Code.E118_TIME_BUDGET: "phân tích tệp lâu hơn giới hạn {limit} giây",
    Code.E119_MEMORY_BUDGET: "phân tích tệp cần nhiều hơn giới hạn {limit} MB bộ nhớ",
    Code.E125_UNREADABLE: "không đọc được tệp ({detail})",
    Code.E120_IS_DIRECTORY: "là một thư mục, không phải tệp",
    Code.E121_SYMLINK: "liên kết tượng trưng không được theo (tệp phải nằm trong thư mục quét)",
    Code.E122_SPECIAL_FILE: "không phải tệp thông thường ({kind}); không mở tệp này",
    Code.E123_OUTSIDE: "trỏ ra ngoài thư mục quét; bỏ qua",
    Code.E124_HIDDEN: "tệp ẩn hoặc tệp tạm; bỏ qua",
    Code.E201_NO_STRUCTURE: "không tìm thấy cấu trúc kế hoạch (không có phần, mục hay gạch đầu dòng)",
    Code.E202_TOO_MANY_CLAUSES: "văn bản có {count} đoạn, vượt giới hạn {limit}",
    Code.E203_TABLE_TOO_LARGE: "một bảng có {count} ô, vượt giới hạn {limit}",
    Code.E204_TOO_MANY_PAIRS: "việc đối chiếu cần so {count} cặp yêu cầu – đoạn, vượt giới hạn {limit}",
    Code.E301_DB: "lỗi cơ sở dữ liệu ({detail})",
    Code.E311_DASK: "cụm máy Dask không chạy được lượt quét ({detail})",
    Code.E312_DB_UNREACHABLE: "không dùng được cơ sở dữ liệu PostgreSQL ({detail})",
    Code.E302_NO_PLAN: "cơ sở dữ liệu chưa có kế hoạch cấp trên; hãy quét với --plan trước",
    Code.E303_CATALOGUE: "danh mục yêu cầu không hợp lệ ({detail})",
    Code.E304_NO_DOCUMENT: "không có văn bản này trong cơ sở dữ liệu",
    Code.E305_NO_REQUIREMENT: "kế hoạch cấp trên không có yêu cầu {detail!r}",
    Code.E306_INTERNAL: "lỗi nội bộ khi phân tích tệp ({detail}); xin báo lại cho quản trị",
    Code.E307_NO_FILES: "không tìm thấy tệp .pdf, .docx hoặc .txt nào",
    Code.E308_NO_DATABASE: "không có cơ sở dữ liệu đối chiếu ở đây; hãy tạo bằng lệnh quét với --plan và --db",
    Code.E309_CATALOGUE_TOO_SMALL: ("kế hoạch cấp trên chỉ cho {found} yêu cầu trên {words} từ nội dung (cần ít nhất {needed}): "
                                    "không tìm thấy nhiệm vụ, chỉ tiêu và phân công của nó"),
    Code.E321_SEVERAL_PLANS: "cơ sở dữ liệu có nhiều kế hoạch cấp trên ({detail}); hãy chọn một kế hoạch",
    Code.E322_NO_SUCH_PLAN: "không có kế hoạch cấp trên {wanted!r} trong cơ sở dữ liệu (hiện có: {detail})",
    Code.E323_DOCUMENT_PLANS: "văn bản được đối chiếu với nhiều kế hoạch cấp trên ({detail}); hãy chọn một kế hoạch",
    Code.E901_USAGE: "{detail}",
}

# Warnings about a file that was read (``models.ParseWarning``), for people; ``details`` fill them in.
WARNINGS_VI: dict[str, str] = {
    "W105": "nội dung là {actual} nhưng phần mở rộng là {ext}; đã đọc như {actual}",
    "W108": "trang {page} không có lớp chữ (bản quét?); nội dung trang này bị thiếu",
    "W201": "số thứ tự {label} lặp lại trong {where}: ghi nhận là {kept}",
    "W202": "không tìm thấy phần, mục hay gạch đầu dòng",
    "W109": "văn bản có thể bị lỗi trích xuất ở trang {page} ({sign}); hãy đối chiếu với tệp gốc",
    "W110": "trang {pages} được nhận dạng bằng OCR; hãy kiểm tra tên và số liệu",
}


# Words that fill the English messages' {actual} and {ext}, as a Vietnamese page says them.
DETAIL_WORDS_VI: dict[str, str] = {
    "text": "văn bản thuần", "binary data": "dữ liệu nhị phân", "a ZIP archive": "tệp nén ZIP",
    "legacy Word .doc": "Word .doc cũ", "empty": "rỗng", "(none)": "(không có)",
    # what a refused file is (``ingest.refused_format``, ``web.uploads.FORM_NAMES``)
    "RTF (Rich Text Format)": "RTF", "OpenDocument text (.odt)": "văn bản OpenDocument (.odt)",
    "OpenDocument spreadsheet (.ods)": "bảng tính OpenDocument (.ods)",
    "OpenDocument presentation (.odp)": "trình chiếu OpenDocument (.odp)",
    "Excel workbook (.xlsx)": "bảng tính Excel (.xlsx)", "PowerPoint presentation (.pptx)": "trình chiếu PowerPoint (.pptx)",
    "an OpenDocument file": "tệp OpenDocument", "an Office file that is not a Word document": "tệp Office không phải Word",
    # the kinds of special file (``discovery.special_kind``)
    "FIFO": "đường ống có tên (FIFO)", "character device": "thiết bị ký tự", "block device": "thiết bị khối",
    "socket": "điểm kết nối (socket)", "not a file": "không phải tệp",
    # W109: the sign of damaged text (hycompliance.quality)
    "punctuation": "dấu câu tách thành dòng riêng", "syllables": "nhiều từ không phải âm tiết tiếng Việt",
    "labels": "mất cấu trúc mục, khoản", "disagreement": "thiếu chữ so với lớp văn bản của tệp",
    # why an upload's scan ended without a result (``web.uploads``)
    "the server stopped while this file was being scanned; upload it again":
        "máy chủ dừng khi đang phân tích tệp này; hãy tải tệp lên lại",
}

# Set to "1" in a command's environment, ``hycompliance.cli.main`` also writes its error as one JSON line
# (``HyError.as_json``) after the English line: the web app runs scans as commands and shows the error in
# Vietnamese.
ERROR_JSON_ENV = "HYCOMPLIANCE_ERROR_JSON"
# ``scan --db`` read from the environment: how the web app hands a PostgreSQL URL (which may hold a
# password) to its upload scans without putting it on a command line every local user can list.
DB_ENV = "HYCOMPLIANCE_DB"


# Causes of a database failure (``database.cause``) as a page says them; {0} is the number in the cause.
DETAIL_PATTERNS_VI: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"database is busy: another writer kept it locked for more than (\S+) s"),
     "cơ sở dữ liệu đang bận: một tiến trình khác giữ quyền ghi quá {0} giây"),
    (re.compile(r"disk is full"), "ổ đĩa đã đầy"),
    (re.compile(r"database is read-only"), "cơ sở dữ liệu chỉ cho phép đọc"),
    (re.compile(r"another scan \(process (\S+)\) holds the database; waited (\S+) s"),
     "một lần quét khác (tiến trình {0}) đang giữ cơ sở dữ liệu; đã chờ {1} giây"),
    (re.compile(r"the worker process died \(exit (\S+)\)"), "tiến trình phân tích dừng đột ngột (mã thoát {0})"),
)


def _detail_vi(value: str, words: dict[str, str]) -> str:
    if value in words:
        return words[value]
    for pattern, template in DETAIL_PATTERNS_VI:
        found = pattern.fullmatch(value)
        if found:
            return template.format(*found.groups())
    return value


class _Blank(dict):
    """Details for a message; one that was not recorded shows as "?" rather than as a placeholder."""

    def __missing__(self, key: str) -> str:
        return "?"


def _filled(template: str, details: dict[str, object], words: dict[str, str] | None = None) -> str:
    shown = {k: _detail_vi(v, words) if isinstance(v, str) and words is not None else v for k, v in details.items()}
    try:
        return template.format_map(_Blank(shown))
    except (KeyError, IndexError):
        return template


def message_vi(code: str, details: dict[str, object], fallback: str = "") -> str:
    """A stored error or warning (code and details) in Vietnamese; ``fallback`` when the code is unknown."""
    if code in WARNINGS_VI:
        return _filled(WARNINGS_VI[code], details, DETAIL_WORDS_VI)
    try:
        return _filled(MESSAGES_VI[Code(code)], details, DETAIL_WORDS_VI)
    except ValueError:
        return fallback


class HyError(Exception):
    """Bad input or a failed operation, with a stable code and the file it concerns."""

    def __init__(self, code: Code, path: str | None = None, **details: object) -> None:
        self.code = code
        self.path = path
        self.details = details
        super().__init__(self.line())

    @property
    def message(self) -> str:
        template = MESSAGES[self.code]
        try:
            return template.format(**self.details)
        except (KeyError, IndexError):
            return template

    def line(self) -> str:
        """The one line a user sees on the command line and in logs."""
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.code.value} {self.message}"

    def line_vi(self, path: str | None = None) -> str:
        """The same line for a page or a report, in Vietnamese (``path``: the name to show instead)."""
        shown = path if path is not None else self.path
        where = f"{shown}: " if shown else ""
        template = MESSAGES_VI.get(self.code, MESSAGES[self.code])
        return f"{where}{self.code.value} {_filled(template, self.details, DETAIL_WORDS_VI)}"

    def as_json(self) -> str:
        """The error as one JSON line (code, file, details) that ``from_json`` reads back."""
        details = {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v) for k, v in self.details.items()}
        return json.dumps({"code": self.code.value, "path": self.path, "details": details}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> HyError | None:
        """The error ``as_json`` wrote, or None when ``text`` is not one."""
        try:
            data = json.loads(text)
            return cls(Code(data["code"]), data.get("path"), **dict(data.get("details") or {}))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

"""Error codes and messages, in one place.

A user sees one line: ``<file>: <CODE> <message>``; never a traceback. Codes are stable and documented
in the README. ``HyError`` is the only exception the library raises on purpose for bad input.
"""

from __future__ import annotations

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
    # E12x: what a scan skips without reading (files must stay inside the folders given)
    E120_IS_DIRECTORY = "E120"
    E121_SYMLINK = "E121"
    E122_SPECIAL_FILE = "E122"
    E123_OUTSIDE = "E123"
    E124_HIDDEN = "E124"
    # E2xx: structure
    E201_NO_STRUCTURE = "E201"
    # E3xx: database, batch and catalogue
    E301_DB = "E301"
    E302_NO_PLAN = "E302"
    E303_CATALOGUE = "E303"
    E304_NO_DOCUMENT = "E304"
    E305_NO_REQUIREMENT = "E305"
    E306_INTERNAL = "E306"
    E307_NO_FILES = "E307"
    E308_NO_DATABASE = "E308"
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
    Code.E111_LEGACY_DOC: "legacy Word .doc format; save it as .docx",
    Code.E112_BINARY: "file is binary data, not text",
    Code.E113_ENCODING: "text encoding not recognised ({detail})",
    Code.E114_OCR_FAILED: "OCR failed ({detail})",
    Code.E115_TOO_MANY_PAGES: "document has {pages} pages, more than the limit of {limit}",
    Code.E120_IS_DIRECTORY: "is a directory, not a file",
    Code.E121_SYMLINK: "symbolic link not followed (files must be inside the scanned folders)",
    Code.E122_SPECIAL_FILE: "not a regular file ({kind}); skipped",
    Code.E123_OUTSIDE: "resolves outside the scanned folders; skipped",
    Code.E124_HIDDEN: "hidden or temporary file; skipped",
    Code.E201_NO_STRUCTURE: "no plan structure found (no sections, items or bullets)",
    Code.E301_DB: "database error ({detail})",
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
    Code.E301_DB: EXIT_DATABASE,
    Code.E302_NO_PLAN: EXIT_DATABASE,
    Code.E303_CATALOGUE: EXIT_DATABASE,
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


def warning(code: WarningCode, *, page: int, sign: str) -> "ParseWarning":
    """A ``ParseWarning`` with its message; ``page`` 0 means the whole document."""
    from hycompliance.models import ParseWarning

    where = f"page {page}" if page else "whole document"
    return ParseWarning(code.value, WARNING_MESSAGES[code].format(where=where, sign=sign), page=page or None, sign=sign)


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
        """The one line a user sees."""
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.code.value} {self.message}"

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
    Code.E201_NO_STRUCTURE: "no plan structure found (no sections, items or bullets)",
    Code.E301_DB: "database error ({detail})",
    Code.E302_NO_PLAN: "no parent plan in the database; run scan with --plan first",
    Code.E303_CATALOGUE: "requirement catalogue is invalid ({detail})",
    Code.E304_NO_DOCUMENT: "no such document in the database (give its name, path or id)",
    Code.E305_NO_REQUIREMENT: "no requirement {detail!r} in the parent plan's catalogue",
    Code.E306_INTERNAL: "internal error while analysing the file ({detail}); please report it",
    Code.E307_NO_FILES: "no .pdf, .docx or .txt files found",
    Code.E901_USAGE: "{detail}",
}


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

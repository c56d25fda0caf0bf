"""File → ``Document`` of ``Block``s: sniff the real type from the content, then dispatch.

>>> from hycompliance.ingest import read
>>> doc = read("corpora/87-KH-UBND-2023.docx")  # doctest: +SKIP
>>> doc.form, doc.blocks[0].region  # doctest: +SKIP
('docx', 'header')

The extension is only a hint: a PDF named ``.docx`` is read as a PDF with a ``W105`` warning, a ``.pdf``
that is really text is read as text. Every failure is a ``HyError`` naming the file.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from hycompliance.errors import Code, HyError
from hycompliance.models import Document, ParseWarning

MB = 1024 * 1024

Kind = Literal["pdf", "docx", "zip", "ole", "text"]

# Magic bytes. A PDF starts with "%PDF-" (after whitespace or a BOM some tools leave in front).
PDF_MAGIC = b"%PDF-"
LEADING_NOISE = b" \t\r\n\x00\xef\xbb\xbf"
SNIFF_BYTES = 1024
ZIP_MAGIC = b"PK\x03\x04"
# OLE2 compound file: legacy Word .doc (and .xls/.ppt).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCX_MAIN_PART = "word/document.xml"
# What each content kind should be called, and the extensions that name it.
FORM_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "docx": (".docx", ".docm", ".dotx"),
    "txt": (".txt", ".text", ".md", ".csv", ".tsv", ".htm", ".html", ""),
}
# Office files that are not Word documents: refused as unsupported rather than as a damaged .doc/.docx.
OTHER_OFFICE_EXTENSIONS = frozenset({".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".msg", ".zip"})
KNOWN_EXTENSIONS = frozenset(ext for exts in FORM_EXTENSIONS.values() for ext in exts if ext) | {".doc"}
WARN_WRONG_EXTENSION = "W105"


@dataclass(frozen=True)
class Limits:
    """Size limits a reader refuses beyond; pass smaller ones in tests or for a web upload.

    >>> Limits().max_bytes // MB, Limits(max_pages=10).max_pages
    (50, 10)
    """

    max_bytes: int = 50 * MB
    max_docx_uncompressed: int = 200 * MB
    max_pages: int = 2000


DEFAULT_LIMITS = Limits()


def read(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a plan file (PDF, DOCX or text) into blocks; ``HyError`` on any bad input.

    Sizes are checked with ``stat`` before a byte is read.
    """
    name = str(path)
    size = _file_size(Path(path), name)
    if size == 0:
        raise HyError(Code.E102_EMPTY, path=name)
    if size > limits.max_bytes:
        raise HyError(Code.E103_TOO_LARGE, path=name, limit=_megabytes(limits.max_bytes))
    kind = sniff(Path(path), name)
    ext = Path(path).suffix.lower()
    if kind in ("ole", "zip") and ext in OTHER_OFFICE_EXTENSIONS:
        raise HyError(Code.E104_UNSUPPORTED, path=name, ext=ext)
    if kind == "ole":
        raise HyError(Code.E111_LEGACY_DOC, path=name)
    if kind == "zip":
        raise HyError(Code.E109_CORRUPT_DOCX, path=name, detail=f"a zip archive without {DOCX_MAIN_PART}")
    form = "txt" if kind == "text" else kind
    if form == "txt" and ext in (".docx", ".pdf"):
        try:
            document = _dispatch(name, form, limits)
        except HyError as exc:  # binary junk named .docx/.pdf: say what the file claims to be
            if exc.code is not Code.E112_BINARY:
                raise
            if ext == ".docx":
                raise HyError(Code.E109_CORRUPT_DOCX, path=name, detail="not a zip archive") from None
            raise HyError(Code.E106_CORRUPT_PDF, path=name, detail="no PDF header") from None
    else:
        document = _dispatch(name, form, limits)
    if document.form != "pdf":  # the PDF reader checks its own, against pdfium's plain text
        from hycompliance.quality import check_text

        document = replace(document, warnings=document.warnings + check_text(document.blocks))
    warning = _extension_warning(form, ext)
    if warning is not None:
        document = replace(document, warnings=(warning, *document.warnings))
    return document


def _file_size(path: Path, name: str) -> int:
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise HyError(Code.E101_NOT_FOUND, path=name) from None
    except OSError as exc:
        raise HyError(Code.E104_UNSUPPORTED, path=name, ext=f"unreadable: {exc.strerror}") from None
    if path.is_dir():
        raise HyError(Code.E120_IS_DIRECTORY, path=name)
    if not path.is_file():
        raise HyError(Code.E101_NOT_FOUND, path=name)
    return stat.st_size


def _megabytes(n: int) -> str:
    """``52428800`` → ``"50"``; ``1000`` → ``"0.001"`` (small test limits stay readable)."""
    value = n / MB
    return f"{value:.0f}" if value >= 1 else f"{value:.3g}"


def sniff(path: Path, name: str) -> Kind:
    """The real type of a file from its first bytes (and the zip directory for DOCX)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise HyError(Code.E104_UNSUPPORTED, path=name, ext=f"unreadable: {exc.strerror}") from None
    if head.startswith(ZIP_MAGIC):
        return "docx" if _zip_has(path, DOCX_MAIN_PART) else "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.lstrip(LEADING_NOISE).startswith(PDF_MAGIC):
        return "pdf"
    return "text"


def _zip_has(path: Path, member: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return member in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _dispatch(name: str, form: str, limits: Limits) -> Document:
    if form == "pdf":
        from hycompliance.ingest.pdf import read_pdf

        return read_pdf(name, limits)
    if form == "docx":
        from hycompliance.ingest.docx import read_docx

        return read_docx(name, limits)
    return _read_text_file(name, limits)


def _read_text_file(name: str, limits: Limits) -> Document:
    from hycompliance.ingest.encoding import decode_bytes
    from hycompliance.ingest.text import read_text

    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise HyError(Code.E104_UNSUPPORTED, path=name, ext=f"unreadable: {exc.strerror}") from None
    return read_text(name, decode_bytes(data, name), limits)


def _extension_warning(form: str, ext: str) -> ParseWarning | None:
    """``W105`` when the content is not what the extension says (unknown extensions on text pass)."""
    if ext in FORM_EXTENSIONS[form]:
        return None
    if form == "txt" and ext not in KNOWN_EXTENSIONS:
        return None
    shown = ext or "(none)"
    actual = {"pdf": "PDF", "docx": "DOCX", "txt": "text"}[form]
    return ParseWarning(WARN_WRONG_EXTENSION, f"content is {actual}, but the extension says {shown}; read as {actual}")


__all__ = ["DEFAULT_LIMITS", "Limits", "read", "sniff"]


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MB chunks: what "unchanged" means for a submitted file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()

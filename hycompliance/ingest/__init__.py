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
import os
import stat
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, Literal

from hycompliance.discovery import NOT_A_FILE, special_kind
from hycompliance.errors import Code, HyError
from hycompliance.ingest.limits import DEFAULT_LIMITS, DOCX_MAIN_PART, MB, Limits  # noqa: F401  (re-exported)
from hycompliance.models import Document, ParseWarning

Kind = Literal["pdf", "docx", "zip", "ole", "rtf", "odf", "ooxml", "text"]

# Magic bytes. A PDF starts with "%PDF-" (after whitespace or a BOM some tools leave in front).
PDF_MAGIC = b"%PDF-"
LEADING_NOISE = b" \t\r\n\x00\xef\xbb\xbf"
SNIFF_BYTES = 1024
ZIP_MAGIC = b"PK\x03\x04"
# OLE2 compound file: legacy Word .doc (and .xls/.ppt).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# RTF starts with "{\\rtf" (Word, WordPad, LibreOffice all write it), whatever the file is called.
RTF_MAGIC = b"{\\rtf"
# OpenDocument (LibreOffice): a zip whose first member "mimetype" says which kind.
ODF_MIMETYPE = b"application/vnd.oasis.opendocument."
# Office Open XML packages that are not Word documents: their main parts.
OOXML_OTHER_PARTS = {"xl/workbook.xml": "Excel workbook (.xlsx)", "ppt/presentation.xml": "PowerPoint presentation (.pptx)"}
# What each refused format is called in the E111 line.
REFUSED_FORMATS = {"ole": "legacy Word .doc", "rtf": "RTF (Rich Text Format)"}
ODF_NAMES = {"text": "OpenDocument text (.odt)", "spreadsheet": "OpenDocument spreadsheet (.ods)",
             "presentation": "OpenDocument presentation (.odp)"}
# What each content kind should be called, and the extensions that name it.
FORM_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "docx": (".docx", ".docm", ".dotx"),
    "txt": (".txt", ".text", ".md", ".csv", ".tsv", ".htm", ".html", ""),
}
# Office files that are not Word documents: refused as unsupported rather than as a damaged .doc/.docx.
# (An .odt is a word-processor document: it is told apart by content and refused with E111, like RTF.)
OTHER_OFFICE_EXTENSIONS = frozenset({".xls", ".xlsx", ".ppt", ".pptx", ".ods", ".odp", ".msg", ".zip"})
KNOWN_EXTENSIONS = frozenset(ext for exts in FORM_EXTENSIONS.values() for ext in exts if ext) | {".doc"}
WARN_WRONG_EXTENSION = "W105"




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
    if kind in ("ole", "zip", "ooxml", "odf") and ext in OTHER_OFFICE_EXTENSIONS:
        raise HyError(Code.E104_UNSUPPORTED, path=name, ext=ext)
    if kind in ("ole", "rtf", "odf", "ooxml"):
        raise HyError(Code.E111_LEGACY_DOC, path=name, format=refused_format(Path(path), kind))
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
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise HyError(Code.E101_NOT_FOUND, path=name) from None
    except OSError as exc:
        raise HyError(Code.E125_UNREADABLE, path=name, detail=exc.strerror or str(exc)) from None
    if stat.S_ISDIR(st.st_mode):
        raise HyError(Code.E120_IS_DIRECTORY, path=name)
    if not stat.S_ISREG(st.st_mode):
        raise HyError(Code.E122_SPECIAL_FILE, path=name, kind=special_kind(st.st_mode) or NOT_A_FILE)
    return st.st_size


def open_regular(path: str | Path) -> BinaryIO:
    """Open a file for reading only if it is a regular file; ``E122`` otherwise (``discovery.special_kind``).

    The mode is checked before opening, and again on the open descriptor (opened non-blocking, so a FIFO
    put in the file's place in between does not hang): a special file is never read.
    """
    name = str(path)
    _file_size(Path(path), name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise HyError(Code.E125_UNREADABLE, path=name, detail=exc.strerror or str(exc)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise HyError(Code.E122_SPECIAL_FILE, path=name, kind=special_kind(mode) or NOT_A_FILE)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _megabytes(n: int) -> str:
    """``52428800`` → ``"50"``; ``1000`` → ``"0.001"`` (small test limits stay readable)."""
    value = n / MB
    return f"{value:.0f}" if value >= 1 else f"{value:.3g}"


def sniff(path: Path, name: str) -> Kind:
    """The real type of a file from its first bytes (and the zip directory for DOCX)."""
    try:
        with open_regular(path) as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise HyError(Code.E125_UNREADABLE, path=name, detail=exc.strerror or str(exc)) from None
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.lstrip(LEADING_NOISE).startswith(RTF_MAGIC):
        return "rtf"
    if head.lstrip(LEADING_NOISE).startswith(PDF_MAGIC):
        return "pdf"
    return "text"


def _zip_kind(path: Path) -> Kind:
    """docx, odf (an OpenDocument file), ooxml (an Excel or PowerPoint package) or zip (anything else)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if DOCX_MAIN_PART in names:
                return "docx"
            if any(part in names for part in OOXML_OTHER_PARTS):
                return "ooxml"
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                if archive.read("mimetype").startswith(ODF_MIMETYPE):
                    return "odf"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        pass
    return "zip"


def refused_format(path: Path, kind: Kind) -> str:
    """What a refused office file is, for the E111 line ("RTF (Rich Text Format)", "OpenDocument text (.odt)")."""
    if kind in REFUSED_FORMATS:
        return REFUSED_FORMATS[kind]
    with zipfile.ZipFile(path) as archive:
        if kind == "ooxml":
            names = set(archive.namelist())
            return next(label for part, label in OOXML_OTHER_PARTS.items() if part in names)
        subtype = archive.read("mimetype")[len(ODF_MIMETYPE):].decode("ascii", "replace")
    return ODF_NAMES.get(subtype, f"OpenDocument {subtype}")


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
        with open_regular(name) as fh:
            data = fh.read()
    except OSError as exc:
        raise HyError(Code.E125_UNREADABLE, path=name, detail=exc.strerror or str(exc)) from None
    return read_text(name, decode_bytes(data, name), limits)


def _extension_warning(form: str, ext: str) -> ParseWarning | None:
    """``W105`` when the content is not what the extension says (unknown extensions on text pass)."""
    if ext in FORM_EXTENSIONS[form]:
        return None
    if form == "txt" and ext not in KNOWN_EXTENSIONS:
        return None
    shown = ext or "(none)"
    actual = {"pdf": "PDF", "docx": "DOCX", "txt": "text"}[form]
    return ParseWarning(WARN_WRONG_EXTENSION, f"content is {actual}, but the extension says {shown}; read as {actual}",
                        (("actual", actual.replace("text", "văn bản thuần")), ("ext", shown)))


__all__ = ["DEFAULT_LIMITS", "Limits", "read", "sniff"]


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MB chunks: what "unchanged" means for a submitted file."""
    digest = hashlib.sha256()
    with open_regular(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()

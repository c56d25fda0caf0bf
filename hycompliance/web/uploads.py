"""Uploaded plans: checked, stored out of every served folder, scanned in the background.

A file is accepted only when its size is within the limit and its first bytes say what its extension
says (``%PDF-`` for .pdf; a ZIP holding ``word/document.xml`` for .docx; text without NUL bytes for
.txt). It is stored as ``<uploads>/<random token>/<slug>.<form>``: the folder name is generated, the file
name is the original name folded to ``[a-z0-9-]``, so nothing from the request picks a path.

The scan is the batch's own (``hycompliance.scan.scan``) on that one file, run by the app's single
background worker thread; the ``uploads`` row says where it is (queued, scanning, done, error).
"""

from __future__ import annotations

import io
import re
import secrets
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from sqlite_utils import Database

from hycompliance.errors import Code, HyError
from hycompliance.inventory import document_at
from hycompliance.scan import scan
from hycompliance.store import SUPPORTED, current_plan, fold, now
from hycompliance.web.schema import connect

MAX_UPLOAD_MB = 20
CHUNK = 1 << 16
TEXT_PROBE = 1 << 16
FORM_NAMES = {"pdf": "PDF", "docx": "DOCX", "txt": "text", "doc": "legacy Word .doc", "zip": "a ZIP archive",
              "binary": "binary data", "empty": "empty"}


def sniff(path: Path) -> str:
    """What the bytes are: pdf, docx, txt, or doc/zip/binary/empty for what is refused."""
    with open(path, "rb") as fh:
        head = fh.read(TEXT_PROBE)
    if not head:
        return "empty"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                return "docx" if "word/document.xml" in z.namelist() else "zip"
        except zipfile.BadZipFile:
            return "binary"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM: NUL bytes are expected
        return "txt"
    if b"\x00" in head:
        return "binary"
    return "txt"


def slug(original: str) -> str:
    """A safe file stem from the browser's file name ("Kế hoạch Văn Lâm.docx" -> "ke-hoach-van-lam")."""
    stem = Path(original.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    text = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")[:60].strip("-")
    return text or "van-ban"


def receive(chunks: Iterable[bytes], original: str, folder: Path, limit_mb: int = MAX_UPLOAD_MB) -> tuple[Path, str, int]:
    """Write an upload into a new folder under ``folder``; return (stored path, form, size) or raise HyError.

    Nothing is left behind when the file is refused.
    """
    ext = Path(original).suffix.lower()
    if ext not in SUPPORTED:
        raise HyError(Code.E104_UNSUPPORTED, original, ext=ext or "(none)")
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(8)
    target_dir = folder / token
    target_dir.mkdir()
    incoming = target_dir / "incoming.part"
    size = 0
    try:
        with open(incoming, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit_mb * 1024 * 1024:
                    raise HyError(Code.E103_TOO_LARGE, original, limit=limit_mb)
                out.write(chunk)
        form = sniff(incoming)
        if form == "empty":
            raise HyError(Code.E102_EMPTY, original)
        if form == "doc" and ext == ".docx":
            raise HyError(Code.E111_LEGACY_DOC, original)
        if form != ext.lstrip("."):
            raise HyError(Code.E105_WRONG_EXTENSION, original, actual=FORM_NAMES[form], ext=ext)
        stored = target_dir / f"{slug(original)}.{form}"
        incoming.rename(stored)
        return stored, form, size
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)
        raise


def file_chunks(fh: BinaryIO) -> Iterable[bytes]:
    while chunk := fh.read(CHUNK):
        yield chunk


def record(db: Database, stored: Path, original: str, form: str, size: int, user: str,
           parent: str | None = None) -> int:
    """Queue an upload; ``parent`` is the key of the parent plan it is checked against (default: the
    server's ``--plan``, else the database's only parent)."""
    row = {"token": stored.parent.name, "original": Path(original.replace("\\", "/")).name[:200],
           "path": str(stored.resolve()), "size": size, "form": form, "state": "queued", "uploaded_by": user,
           "at": now(), "parent": parent}
    with db.atomic():
        return int(db["uploads"].insert(row).last_pk)


def get(db: Database, upload_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM uploads WHERE id = ?", [upload_id]))
    return rows[0] if rows else None


def recent(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM uploads ORDER BY id DESC LIMIT ?", [limit]))


def unfinished(db: Database) -> list[int]:
    """Uploads still queued or scanning (the server stopped before it scanned them), oldest first."""
    return [r["id"] for r in db.query("SELECT id FROM uploads WHERE state IN ('queued', 'scanning') ORDER BY id")]


def _update(db: Database, upload_id: int, **fields: Any) -> None:
    with db.atomic():
        db["uploads"].update(upload_id, fields)


def _shown(line: str, stored: str, original: str) -> str:
    """An error line naming the file as the user knows it, not where it is stored."""
    return line.replace(stored, original)


def run_upload(db_path: str, plan_path: str | None, upload_id: int) -> None:
    """Scan one uploaded file with the batch's code and record the outcome (runs in the worker thread)."""
    with connect(db_path) as db:
        up = get(db, upload_id)
        if up is None:
            return
        _update(db, upload_id, state="scanning")
        try:
            chosen = up.get("parent")
            parent = current_plan(db, chosen)["path"] if chosen else plan_path or current_plan(db)["path"]
            summary = scan(db_path, parent, [up["path"]], workers=1, log=io.StringIO(), progress=False)
            doc = document_at(db, up["path"], current_plan(db, summary["plan"])["id"])
            if doc is None:
                raise HyError(Code.E306_INTERNAL, up["original"], detail="the scan recorded no document")
            if doc["status"] == "ok":
                _update(db, upload_id, state="done", document_id=doc["id"], run_id=summary["run"], finished_at=now())
            else:
                _update(db, upload_id, state="error", document_id=doc["id"], run_id=summary["run"], finished_at=now(),
                        error_line=_shown(doc["error_line"] or "", up["path"], up["original"]))
        except HyError as exc:
            _update(db, upload_id, state="error", error_line=_shown(exc.line(), up["path"], up["original"]),
                    finished_at=now())
        except Exception as exc:  # a bug must not leave the upload "scanning" forever
            error = HyError(Code.E306_INTERNAL, up["original"], detail=f"{type(exc).__name__}: {exc}")
            _update(db, upload_id, state="error", error_line=error.line(), finished_at=now())

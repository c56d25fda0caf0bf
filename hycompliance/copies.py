"""The stored copy of every scanned file: what the web app serves for download, never a scanned path.

A scan copies each file it reads into ``<database stem>-files/<sha256>.<form>`` beside the database
(content-addressed: one copy per content, whatever its names). The copy is written from the bytes the scan
hashed — opened without following links — and kept only when its hash is the document's, so the web app
can hand it out without ever touching the submitted folders again (where a file could since have been
swapped for a link to ``/etc/passwd``).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from hycompliance.database import side_path
from hycompliance.database_pg import is_url

FOLDER_MODE = 0o750
FILE_MODE = 0o640
CHUNK = 1 << 20


def copies_dir(db_path: str | Path) -> Path:
    """``<database stem>-files`` beside a SQLite file (``database.side_path``: in the current folder, under
    the database's name, for a PostgreSQL database)."""
    return side_path(db_path if is_url(str(db_path)) else Path(db_path).resolve(), "-files")


def copy_path(folder: Path, content_hash: str, form: str) -> Path:
    if not all(c in "0123456789abcdef" for c in content_hash) or not form.isalnum():
        raise ValueError(f"not a content hash and form: {content_hash!r}, {form!r}")
    return folder / f"{content_hash}.{form}"


def keep_copy(source: Path, folder: Path, content_hash: str, form: str) -> bool:
    """Make sure ``folder`` holds the copy of ``source``; False when its bytes no longer hash to ``content_hash``
    (the file changed since it was hashed: the next scan will copy it)."""
    target = copy_path(folder, content_hash, form)
    if target.is_file():
        return True
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    partial = folder / f".{secrets.token_hex(8)}.part"
    digest = hashlib.sha256()
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        with os.fdopen(fd, "rb") as src, open(partial, "wb") as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != content_hash:
            partial.unlink()
            return False
        os.chmod(partial, FILE_MODE)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return True


def stored_copy(db_path: str | Path, content_hash: str | None, form: str) -> Path | None:
    """The stored copy of a document's content, or None when there is none (never a link)."""
    if not content_hash:
        return None
    path = copy_path(copies_dir(db_path), content_hash, form)
    return path if path.is_file() and not path.is_symlink() else None

"""Uploaded plans: checked, stored out of every served folder, scanned in the background.

A file is accepted only when its size is within the limit and its first bytes say what its extension
says (``%PDF-`` for .pdf; a ZIP holding ``word/document.xml`` for .docx; text without NUL bytes for
.txt). It is stored as ``<uploads>/<random token>/<slug>.<form>``: the folder name is generated, the file
name is the original name folded to ``[a-z0-9-]``, so nothing from the request picks a path.

The scan is the batch's own (``hycompliance scan`` on that one file) run as a separate process, never in
the server's: its worker is bounded in time and memory like the nightly batch's, it takes its turn with
other scans of the database, and it dies with the server. The app's single background thread starts it and
waits; the ``uploads`` row says where it is (queued, scanning, done, error). A server that stops while a
file is being scanned does not scan it again at its next start (the file may be what stopped it): the
upload is marked failed, to be uploaded again.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from sqlite_utils import Database

from hycompliance import ingest
from hycompliance.budgets import budgets
from hycompliance.database import writing
from hycompliance.errors import DB_ENV, ERROR_JSON_ENV, Code, HyError
from hycompliance.ingest.encoding import looks_binary, sniff_utf16
from hycompliance.inventory import document_at
from hycompliance.store import SUPPORTED, current_plan, fold, now
from hycompliance.web.schema import connect

MAX_UPLOAD_MB = 20
# Seconds an upload's scan process may take beyond its file budget and its wait for another scan: starting
# Python and reading the parent plan.
SCAN_STARTUP_SECONDS = 300
CHUNK = 1 << 16
TEXT_PROBE = 1 << 16
FORM_NAMES = {"pdf": "PDF", "docx": "DOCX", "txt": "text", "doc": "legacy Word .doc", "zip": "a ZIP archive",
              "binary": "binary data", "empty": "empty", "rtf": "RTF (Rich Text Format)",
              "odf": "an OpenDocument file", "ooxml": "an Office file that is not a Word document"}


def sniff(path: Path) -> str:
    """What the bytes are, by the readers' own sniffer (``ingest.sniff``, ``encoding.looks_binary``): pdf,
    docx, txt, or doc/zip/binary/empty for what is refused."""
    with open(path, "rb") as fh:
        head = fh.read(TEXT_PROBE)
    if not head:
        return "empty"
    kind = ingest.sniff(path, path.name)
    if kind == "text":
        return "txt" if sniff_utf16(head) or not looks_binary(head) else "binary"
    return {"ole": "doc"}.get(kind, kind)


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
        office = ingest.sniff(incoming, original)
        if office in ("ole", "rtf", "odf", "ooxml") and (office != "ole" or ext == ".docx"):
            raise HyError(Code.E111_LEGACY_DOC, original, format=ingest.refused_format(incoming, office))
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
    with writing(db):
        return int(db["uploads"].insert(row).last_pk)


def get(db: Database, upload_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM uploads WHERE id = ?", [upload_id]))
    return rows[0] if rows else None


def recent(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM uploads ORDER BY id DESC LIMIT ?", [limit]))


def requeue(db: Database) -> list[int]:
    """At start-up: uploads still queued (never started), oldest first, to scan now. Uploads left "scanning"
    (the server stopped mid-scan) are marked failed instead of being scanned again."""
    stopped = HyError(Code.E306_INTERNAL, None, detail="the server stopped while this file was being scanned; upload it again")
    with writing(db):
        for row in list(db.query("SELECT id, original FROM uploads WHERE state = 'scanning'")):
            db["uploads"].update(row["id"], {"state": "error", "finished_at": now(),
                                             "error_line": stopped.line_vi(row["original"])})
    return [r["id"] for r in db.query("SELECT id FROM uploads WHERE state = 'queued' ORDER BY id")]


def _update(db: Database, upload_id: int, **fields: Any) -> None:
    with writing(db):
        db["uploads"].update(upload_id, fields)


def _shown(line: str, stored: str, original: str) -> str:
    """An error line naming the file as the user knows it, not where it is stored."""
    return line.replace(stored, original)


def scan_command(db_path: str, parent: str, path: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one upload's scan. The database goes in the environment, never on
    the command line: a ``postgresql://`` URL may carry a password, and any local user can list commands."""
    command = [sys.executable, "-m", "hycompliance", "scan", "--plan", parent, "--workers", "1", path]
    env = dict(os.environ, HYCOMPLIANCE_PARENT_PID=str(os.getpid()), **{ERROR_JSON_ENV: "1", DB_ENV: db_path})
    return command, env


def _scan_process(db_path: str, parent: str, path: str) -> tuple[int, str, HyError | None]:
    """Run ``hycompliance scan`` on one file in its own process; (exit code, stdout, the error that stopped
    it: read from the command's JSON error line; for a process that died without one, its last line of
    stderr; None when the scan ran to its end)."""
    b = budgets()
    command, env = scan_command(db_path, parent, path)
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env,
                              timeout=b.scan_wait_seconds + b.file_seconds + SCAN_STARTUP_SECONDS)
    except subprocess.TimeoutExpired:
        return -1, "", HyError(Code.E118_TIME_BUDGET, path, limit=f"{b.file_seconds:g}")
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    error = next((e for e in map(HyError.from_json, reversed(lines)) if e is not None), None)
    if error is None and done.returncode not in (0, 1):
        error = HyError(Code.E306_INTERNAL, path, detail=lines[-1] if lines else f"scan exited with {done.returncode}")
    return done.returncode, done.stdout, error


def run_upload(db_path: str, plan_path: str | None, upload_id: int) -> None:
    """Scan one uploaded file with the batch's command and record the outcome (runs in the worker thread)."""
    with connect(db_path) as db:
        up = get(db, upload_id)
        if up is None:
            return
        try:
            _update(db, upload_id, state="scanning")
            chosen = up.get("parent")
            parent = current_plan(db, chosen)["path"] if chosen else plan_path or current_plan(db)["path"]
            code, out, failure = _scan_process(db_path, parent, up["path"])
            summary = json.loads(out) if code in (0, 1) and out.strip() else None
            doc = document_at(db, up["path"], current_plan(db, summary["plan"])["id"]) if summary else None
            if doc is not None and doc["status"] in ("ok", "error"):
                if doc["status"] == "ok":
                    _update(db, upload_id, state="done", document_id=doc["id"], run_id=summary["run"], finished_at=now())
                else:
                    _update(db, upload_id, state="error", document_id=doc["id"], run_id=summary["run"], finished_at=now(),
                            error_line=_shown(doc["error_text"] or doc["error_line"] or "", up["path"], up["original"]))
            else:
                failure = failure or HyError(Code.E306_INTERNAL, up["path"], detail=f"scan exited with {code}")
                _update(db, upload_id, state="error", error_line=_shown(failure.line_vi(), up["path"], up["original"]),
                        finished_at=now())
        except HyError as exc:
            _update(db, upload_id, state="error", error_line=_shown(exc.line_vi(), up["path"], up["original"]),
                    finished_at=now())
        except Exception as exc:  # a bug must not leave the upload "scanning" forever
            error = HyError(Code.E306_INTERNAL, up["original"], detail=f"{type(exc).__name__}: {exc}")
            _update(db, upload_id, state="error", error_line=error.line_vi(), finished_at=now())

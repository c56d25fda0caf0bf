"""SQLite access that waits its turn and fails with one line: write transactions, errors, read-only opening.

- ``writing(db)``: a write transaction that takes the write lock first (``BEGIN IMMEDIATE``), waiting for
  another writer up to ``database.lock_wait_seconds`` (``rules/limits.yaml``). A deferred transaction that
  reads and then writes fails at once with "database is locked" when another connection wrote in between
  (SQLite cannot wait there); taking the lock first is what makes the busy timeout apply. When the wait
  runs out, or the disk is full, or the file is read-only, the caller gets ``E301`` with the cause.
- ``db_errors(path)``: turns any ``sqlite3.Error`` inside it into ``E301`` naming the database.
- ``open_readonly(path)``: a connection that never writes (``mode=ro``; ``immutable=1`` on read-only media,
  where SQLite could not even create its shared-memory file), for ``matrix``, ``report`` and ``serve``.

The same three work on a PostgreSQL database (``hycompliance.database_pg``, a ``postgresql://`` URL given
to ``--db``): ``writing`` is then a ``BEGIN``/``COMMIT`` transaction (PostgreSQL's row locks let several
writers in at once; a failed statement rolls the whole transaction back) and any ``psycopg.Error`` becomes
``E301`` naming the URL without its password.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from typing import Any
from pathlib import Path
from urllib.parse import quote

import psycopg
from sqlite_utils import Database

from hycompliance.budgets import budgets
from hycompliance.database_pg import database_name, is_url, masked, pg_cause
from hycompliance.errors import Code, HyError


def lock_wait_ms() -> int:
    return int(budgets().lock_wait_seconds * 1000)


def set_busy_timeout(db: Database, milliseconds: int | None = None) -> None:
    """Make every lock wait up to ``milliseconds`` (default: the configured budget)."""
    db.execute(f"PRAGMA busy_timeout = {int(milliseconds if milliseconds is not None else lock_wait_ms())}")


def cause(exc: sqlite3.Error) -> str:
    """A short, plain cause for an E301 line."""
    text = str(exc).strip() or type(exc).__name__
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"database is busy: another writer kept it locked for more than {budgets().lock_wait_seconds:g} s"
    if "readonly" in lowered or "read-only" in lowered:
        return "database is read-only"
    if "full" in lowered:
        return "disk is full"
    return text


def _db_name(db: Database) -> str | None:
    try:
        row = db.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return None
    return row[2] if row and row[2] else None


@contextlib.contextmanager
def writing(db: Database) -> Iterator[Database]:
    """One write transaction holding the write lock from its start; E301 (nothing written) on failure.

    Nested use (already in a transaction) becomes a savepoint of the outer one.
    """
    if getattr(db, "is_postgres", False):
        with _writing_pg(db):
            yield db
        return
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise HyError(Code.E301_DB, _db_name(db), detail=cause(exc)) from None
    try:
        yield db
    except BaseException as exc:
        if db.conn.in_transaction:
            db.conn.rollback()
        if isinstance(exc, sqlite3.Error):
            raise HyError(Code.E301_DB, _db_name(db), detail=cause(exc)) from None
        raise
    try:
        db.conn.commit()
    except sqlite3.Error as exc:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise HyError(Code.E301_DB, _db_name(db), detail=cause(exc)) from None


@contextlib.contextmanager
def _writing_pg(db: Any) -> Iterator[None]:
    try:
        with db.atomic():
            yield
    except psycopg.Error as exc:
        raise HyError(Code.E301_DB, db.shown, detail=pg_cause(exc, db.url)) from None


@contextlib.contextmanager
def db_errors(path: str | Path | None) -> Iterator[None]:
    """Any SQLite or PostgreSQL failure inside becomes ``E301`` naming the database (no traceback, exit 1)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise HyError(Code.E301_DB, shown(path), detail=cause(exc)) from None
    except psycopg.Error as exc:
        raise HyError(Code.E301_DB, shown(path), detail=pg_cause(exc, str(path))) from None


def side_path(target: str | Path, suffix: str) -> Path:
    """Where a file or folder that belongs to the database lives (its file copies ``-files``, uploads
    ``-uploads``, the web app's vault ``.secrets.db``): beside a SQLite file (``coverage-files`` for
    ``coverage.db``); for a PostgreSQL database, which has no folder, in the current folder under the
    database's name (so the scan and the web app run from the same folder)."""
    if is_url(str(target)):
        return (Path.cwd() / f"{database_name(str(target))}{suffix}").resolve()
    db = Path(target)
    return db.with_name(f"{db.stem}{suffix}")


def shown(target: str | Path | None) -> str | None:
    """The database as a message names it: a path, or a URL without its password."""
    if not target:
        return None
    return masked(str(target)) if is_url(str(target)) else str(target)


def writable(path: str | Path) -> bool:
    """Can this process write the database file and create its journal files beside it? (A PostgreSQL
    database: yes; the server says otherwise with E301 when a write is refused.)"""
    if is_url(str(path)):
        return True
    p = Path(path)
    return os.access(p, os.W_OK) and os.access(p.parent, os.W_OK)


def open_readonly(path: str | Path) -> Database:
    """A connection that only reads. ``immutable=1`` when the folder cannot be written either (read-only
    media: SQLite could not create the WAL index there), else ``mode=ro``."""
    p = Path(path).resolve()
    if not p.is_file():
        raise HyError(Code.E101_NOT_FOUND, str(path))
    flags = "mode=ro" if os.access(p.parent, os.W_OK) and _wal_files_usable(p) else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"file:{quote(str(p))}?{flags}", uri=True, check_same_thread=False)
        db = Database(conn)
        db.execute("PRAGMA query_only = 1")
        set_busy_timeout(db)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise HyError(Code.E301_DB, str(path), detail=cause(exc)) from None
    return db


def _wal_files_usable(p: Path) -> bool:
    """A read-only connection to a WAL database needs its -shm file writable (or creatable)."""
    shm = p.with_name(p.name + "-shm")
    return not shm.exists() or os.access(shm, os.W_OK)

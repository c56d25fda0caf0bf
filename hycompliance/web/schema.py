"""The web app's own tables, as named migrations recorded in the store's ``migrations`` table.

``open_web_db(path)`` applies the store's migrations first (``store.open_db``) and then these, so one
database file serves the batch and the web app. Names start with ``web_`` and never change once shipped.

Tables:

- ``users``: id, name (unique), role (viewer|reviewer|admin), salt (hex), hash (hex, scrypt of the
  password), created_at, active (0 = cannot sign in).
- ``uploads``: id, token (random, names the folder the file is stored in), original (the file name the
  browser sent, shown only), path (stored file), size, form (pdf|docx|txt, by magic bytes), state
  (queued|scanning|done|error), error_line, document_id → documents, run_id → runs, uploaded_by, at,
  finished_at.
- ``web_secrets``: name, value — the key that signs session cookies (made once per database, so sessions
  survive a restart and every server process on the same database agrees).

``connect(path)`` is the cheap per-request connection (WAL is a property of the file; this only sets
the pragmas a connection needs).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path

from sqlite_utils import Database
from starlette.requests import Request

from hycompliance.database import open_readonly, set_busy_timeout, writable
from hycompliance.migrations import Migration, migrate
from hycompliance.store import open_db, open_for_reading



def _users(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
            salt TEXT NOT NULL,
            hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        );
        """
    )


def _uploads(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE uploads (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            original TEXT NOT NULL,
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            form TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'scanning', 'done', 'error')),
            error_line TEXT,
            document_id INTEGER REFERENCES documents(id),
            run_id INTEGER REFERENCES runs(id),
            uploaded_by TEXT NOT NULL,
            at TEXT NOT NULL,
            finished_at TEXT
        );
        """
    )


def _secret(db: Database) -> None:
    db.execute("CREATE TABLE web_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO web_secrets (name, value) VALUES ('session', ?)", [secrets.token_urlsafe(48)])


def _upload_parent(db: Database) -> None:
    """The parent plan (its key) an upload is checked against, when the database holds several."""
    db.execute("ALTER TABLE uploads ADD COLUMN parent TEXT")


WEB_MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("web_0001_users", _users),
    ("web_0002_uploads", _uploads),
    ("web_0003_secret", _secret),
    ("i9b_web_upload_parent", _upload_parent),
)


def migrate_web(db: Database) -> list[str]:
    """Apply the web migrations this database lacks (after the store's); return their names."""
    return migrate(db, WEB_MIGRATIONS)


def open_web_db(path: str | Path) -> Database:
    """The store's database with the web tables added (used at start-up and by ``user add``)."""
    db = open_db(path)
    migrate_web(db)
    return db


def open_web_readable(path: str | Path) -> Database:
    """``open_web_db`` when the database can be written; a read-only connection (read-only file or media)
    otherwise, where the web app shows everything and every write answers E301."""
    if writable(path):
        return open_web_db(path)
    return _with_web_tables(open_for_reading(path))


@lru_cache(maxsize=1)
def _web_table_sql() -> tuple[tuple[str, str], ...]:
    """(name, CREATE statement) of each web table, as the web migrations make them."""
    scratch = Database(memory=True)
    migrate(scratch, WEB_MIGRATIONS)
    rows = scratch.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN "
                           "('users', 'uploads', 'web_secrets')").fetchall()
    scratch.close()
    return tuple((name, sql) for name, sql in rows)


def _with_web_tables(db: Database) -> Database:
    """A read-only database a scan made but the web app never opened has no web tables: give this
    connection empty temporary ones (no accounts, no uploads), so every page reads as usual."""
    missing = [sql for name, sql in _web_table_sql() if name not in set(db.table_names())]
    if missing:
        db.execute("PRAGMA query_only = 0")  # the file stays read-only (mode=ro); only the temp schema is written
        for sql in missing:
            db.execute(sql.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))
        db.execute("PRAGMA query_only = 1")
    return db


def session_secret_or_new(db: Database) -> str:
    """The database's session key; a key for this process only when a read-only database has none."""
    if "web_secrets" in db.table_names():
        return session_secret(db)
    return secrets.token_urlsafe(48)


@contextmanager
def connect(path: str | Path) -> Iterator[Database]:
    """One short-lived connection (a request, a background job); closed on exit. Read-only when the
    database cannot be written."""
    if not writable(path):
        db = _with_web_tables(open_readonly(path))
    else:
        db = Database(path)
        db.execute("PRAGMA foreign_keys = ON")
        set_busy_timeout(db)
    try:
        yield db
    finally:
        db.close()


def session_secret(db: Database) -> str:
    return str(db.execute("SELECT value FROM web_secrets WHERE name = 'session'").fetchone()[0])


def request_db(request: Request) -> AbstractContextManager[Database]:
    """The connection for one request to this app's database."""
    return connect(request.app.state.settings.db_path)

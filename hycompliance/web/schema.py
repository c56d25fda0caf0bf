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
from pathlib import Path

from sqlite_utils import Database
from starlette.requests import Request

from hycompliance.migrations import Migration, migrate
from hycompliance.store import open_db



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


@contextmanager
def connect(path: str | Path) -> Iterator[Database]:
    """One short-lived connection (a request, a background job); closed on exit."""
    db = Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 10000")
    try:
        yield db
    finally:
        db.close()


def session_secret(db: Database) -> str:
    return str(db.execute("SELECT value FROM web_secrets WHERE name = 'session'").fetchone()[0])


def request_db(request: Request) -> AbstractContextManager[Database]:
    """The connection for one request to this app's database."""
    return connect(request.app.state.settings.db_path)

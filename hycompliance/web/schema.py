"""The web app's own tables, as named migrations recorded in the store's ``migrations`` table.

``open_web_db(path)`` applies the store's migrations first (``store.open_db``) and then these, so one
database file serves the batch and the web app. Names start with ``web_`` (or an issue prefix such as
``i12_``) and never change once shipped.

Accounts, sessions and the session key are not here: they live in the vault (``hycompliance.web.vault``),
a file only its owner can read. The first steps below once created ``users`` and ``web_secrets`` in this
database; ``i12_secrets_out`` drops them again after ``open_web_db`` copied the accounts to the vault.

Tables:

- ``uploads``: id, token (random, names the folder the file is stored in), original (the file name the
  browser sent, shown only), path (stored file), size, form (pdf|docx|txt, by magic bytes), state
  (queued|scanning|done|error), error_line, document_id → documents, run_id → runs, uploaded_by, at,
  finished_at.

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

from hycompliance.data_version import PG_WEB_BODY, create_web_sqlite
from hycompliance.database import open_readonly, set_busy_timeout, writable
from hycompliance.database_pg import connect as pg_connect, is_url
from hycompliance.migrations import Migration, migrate
from hycompliance.migrations_pg import pg_ddl
from hycompliance.store import existing_db, open_db, open_for_reading
from hycompliance.web.vault import USERS_TABLE, default_path, move_out, open_vault



def _users(db: Database) -> None:
    db.executescript(USERS_TABLE)  # the same statement the vault uses (shipped: its text never changes)


def _uploads(db: Database) -> None:
    db.executescript(UPLOADS_TABLE)


UPLOADS_TABLE = """
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


def _secret(db: Database) -> None:
    db.execute("CREATE TABLE web_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO web_secrets (name, value) VALUES ('session', ?)", [secrets.token_urlsafe(48)])


def _upload_parent(db: Database) -> None:
    """The parent plan (its key) an upload is checked against, when the database holds several."""
    db.execute("ALTER TABLE uploads ADD COLUMN parent TEXT")


def _secrets_out(db: Database) -> None:
    """Drop the accounts and the session key (``open_web_db`` copied the accounts to the vault first).

    ``secure_delete`` overwrites the freed pages, so the hashes and the key do not linger in the file."""
    db.execute("PRAGMA secure_delete = ON")
    db.execute("DROP TABLE IF EXISTS users")
    db.execute("DROP TABLE IF EXISTS web_secrets")


WEB_MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("web_0001_users", _users),
    ("web_0002_uploads", _uploads),
    ("web_0003_secret", _secret),
    ("i9b_web_upload_parent", _upload_parent),
    ("i12_secrets_out", _secrets_out),
    ("i11_web_data_version", create_web_sqlite),  # uploads move the pages' version (``hycompliance.data_version``)
)


# On PostgreSQL (``migrations_pg``): no PostgreSQL database ever held accounts or a session key (they were in
# the vault before PostgreSQL support), so the steps that made them and the one that moved them out create
# nothing there; ``uploads`` is made as on SQLite.
WEB_PG_BODIES: dict[str, str] = {
    "web_0001_users": "",
    "web_0002_uploads": pg_ddl(UPLOADS_TABLE),
    "web_0003_secret": "",
    "i9b_web_upload_parent": "ALTER TABLE uploads ADD COLUMN parent TEXT",
    "i12_secrets_out": "",
    "i11_web_data_version": PG_WEB_BODY,
}


def migrate_web(db: Database) -> list[str]:
    """Apply the web migrations this database lacks (after the store's); return their names."""
    ran = migrate(db, WEB_MIGRATIONS, pg=WEB_PG_BODIES)
    if "i12_secrets_out" in ran and not getattr(db, "is_postgres", False) and db.journal_mode == "wal":
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the dropped pages leave the write-ahead log too
    return ran


def open_web_db(path: str | Path, *, secrets_path: str | Path | None = None) -> Database:
    """The store's database with the web tables added, its accounts (if any) moved to the vault.

    ``path`` must exist (``hycompliance scan`` creates a database); the vault is created when missing."""
    db = open_db(existing_db(path))
    store = open_vault(secrets_path or default_path(path))
    try:
        move_out(db, store)
    finally:
        store.close()
    migrate_web(db)
    return db


def open_web_readable(path: str | Path, *, secrets_path: str | Path | None = None) -> Database:
    """``open_web_db`` when the database can be written; a read-only connection (read-only file or media)
    otherwise, where the web app shows everything and every write answers E301."""
    if writable(path):
        return open_web_db(path, secrets_path=secrets_path)
    return _with_web_tables(open_for_reading(existing_db(path)))


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


@contextmanager
def connect(path: str | Path) -> Iterator[Database]:
    """One short-lived connection (a request, a background job); closed on exit. Read-only when the
    database cannot be written. On PostgreSQL, a connection from this process's pool."""
    if is_url(str(path)):
        db = pg_connect(str(path), pooled=True)
    elif not writable(path):
        db = _with_web_tables(open_readonly(path))
    else:
        db = Database(path)
        db.execute("PRAGMA foreign_keys = ON")
        set_busy_timeout(db)
    try:
        yield db
    finally:
        db.close()


def request_db(request: Request) -> AbstractContextManager[Database]:
    """The connection for one request to this app's database."""
    return connect(request.app.state.settings.db_path)

"""Secrets kept apart from the coverage database: accounts, sessions, sign-in failures and the session key.

The coverage database is meant to be read by many (Datasette, copies sent around); nothing in it may let
a reader sign in. Everything that does lives in the *vault*, a small SQLite file created with owner-only
permissions (0600) — by default beside the coverage database (``coverage.db`` → ``coverage.secrets.db``),
or at ``$HYCOMPLIANCE_SECRETS`` / ``serve --secrets PATH``. The session key may instead come from the
environment (``$HYCOMPLIANCE_SESSION_KEY``).

Tables (named migrations ``vault_*`` recorded in the vault's own ``migrations`` table):

- ``users``: id, name (unique), role (viewer|reviewer|admin), salt (hex), hash (hex, scrypt of the
  password), created_at, active (0 = deactivated: cannot sign in).
- ``sessions``: id (sha256 of the random token the cookie carries), user, created_at. Signing out,
  a password reset and deactivation delete the rows, so the cookie stops working at once.
- ``sign_in_failures``: name, address, at — wrong passwords, for throttling (``user unlock`` clears them).
- ``keys``: name, value — the key that signs the session cookie (``session``).

Older coverage databases held ``users`` and ``web_secrets``; ``move_out`` copies the accounts here and
the web migration ``i12_secrets_out`` drops both tables (the old session key is not kept: whoever could read
the old file could forge cookies with it).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database

from hycompliance.database import side_path, writing
from hycompliance.errors import Code, HyError
from hycompliance.migrations import Migration, migrate

SECRETS_ENV = "HYCOMPLIANCE_SECRETS"
SESSION_KEY_ENV = "HYCOMPLIANCE_SESSION_KEY"
OWNER_ONLY = 0o600


def default_path(db_path: str | Path) -> Path:
    """Where the vault of a coverage database lives unless configured: ``coverage.secrets.db`` beside it."""
    env = os.environ.get(SECRETS_ENV)
    if env:
        return Path(env)
    return side_path(db_path, ".secrets.db")


# The accounts table, as the coverage database once held it (web migration ``web_0001_users``) and as the
# vault holds it now (``vault_0001_accounts``): one statement for both, so ``move_out`` copies like to like.
USERS_TABLE = """
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


def _accounts(db: Database) -> None:
    db.executescript(
        USERS_TABLE + """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            user TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE INDEX idx_sessions_user ON sessions(user);
        CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            address TEXT NOT NULL,
            at REAL NOT NULL
        );
        CREATE INDEX idx_failures_name ON sign_in_failures(name, at);
        CREATE INDEX idx_failures_address ON sign_in_failures(address, at);
        """
    )


def _session_key(db: Database) -> None:
    db.execute("CREATE TABLE keys (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO keys (name, value) VALUES ('session', ?)", [secrets.token_urlsafe(48)])


VAULT_MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("vault_0001_accounts", _accounts),
    ("vault_0002_session_key", _session_key),
)


def _owner_only(path: Path) -> None:
    """Create ``path`` empty with mode 0600, or take group and world access away from an existing one."""
    if str(path) == ":memory:":
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY)
        os.close(fd)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, OWNER_ONLY)


def open_vault(path: str | Path) -> Database:
    """Open (creating with mode 0600 if needed) a vault and bring its schema up to date."""
    path = Path(path)
    try:
        _owner_only(path)
        db = Database(path)
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("PRAGMA secure_delete = ON")
        migrate(db, VAULT_MIGRATIONS)
    except HyError:
        raise
    except Exception as exc:  # sqlite3 errors, permissions
        raise HyError(Code.E301_DB, str(path), detail=str(exc)) from exc
    return db


@contextmanager
def vault(path: str | Path) -> Iterator[Database]:
    """One short-lived connection to the vault (a request); closed on exit. A vault that does not exist (a
    read-only database whose folder could not hold one) reads as an empty one: no accounts, a session key for
    this process only."""
    if str(path) != ":memory:" and not Path(path).exists():
        db = Database(memory=True)
        migrate(db, VAULT_MIGRATIONS)
    else:
        db = Database(path)
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("PRAGMA secure_delete = ON")
    try:
        yield db
    finally:
        db.close()


def session_key(db: Database) -> str:
    """The key that signs session cookies: ``$HYCOMPLIANCE_SESSION_KEY`` when set, else the vault's."""
    env = os.environ.get(SESSION_KEY_ENV)
    if env:
        return env
    return str(db.execute("SELECT value FROM keys WHERE name = 'session'").fetchone()[0])


def move_out(coverage: Database, target: Database) -> int:
    """Copy the accounts an older coverage database held into the vault; return how many were new."""
    if "users" not in coverage.table_names():
        return 0
    moved = 0
    with writing(target):
        for row in coverage.query("SELECT name, role, salt, hash, created_at, active FROM users"):
            if not list(target.query("SELECT 1 FROM users WHERE name = ?", [row["name"]])):
                target["users"].insert(row)
                moved += 1
    return moved

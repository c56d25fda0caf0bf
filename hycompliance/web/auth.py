"""Who is asking and what they may do: users, password hashes, sessions, roles, throttling and CSRF tokens.

Accounts and sessions live in the vault (``hycompliance.web.vault``), never in the coverage database.

- Passwords: ``hashlib.scrypt`` with a random 16-byte salt per user; compared with ``hmac.compare_digest``.
- Sessions: Starlette's ``SessionMiddleware`` (a signed cookie whose signature carries a timestamp; the
  cookie is refused after ``max_age``). The cookie holds a random session token and a CSRF token; the
  vault holds the token's hash, so signing out, a password reset or deactivation ends the session on the
  server, whatever the browser keeps.
- Throttling: wrong passwords are counted per account and per address over a window; past the limit the
  account (or address) is locked until the window passes or an admin runs ``hycompliance user unlock``.
  A locked account is refused even with the right password.
- Roles are ordered: viewer (read) < reviewer (record decisions) < admin (upload, manage users).
- Local mode: when the server is bound to a loopback address and the vault has no active account, a
  request from the same machine acts with every right (a one-person office machine). Its decisions carry
  the configured reviewer name (``serve --reviewer`` or ``$HYCOMPLIANCE_REVIEWER``). Any other set-up
  requires signing in.
- CSRF: every POST carries the session's token (form field ``csrf`` or header ``X-CSRF-Token``); a missing
  or wrong token is rejected with 403 before the request does anything.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from hycompliance.database import writing
from hycompliance.errors import Code, HyError
from hycompliance.store import now
from hycompliance.web.messages import message
from hycompliance.web.vault import vault

Role = Literal["viewer", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "reviewer", "admin")
ROLE_WORDS = {"viewer": "Người xem", "reviewer": "Người rà soát", "admin": "Quản trị"}
LOCAL_NAME = "local"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SESSION_FIELD = "sid"
NAME_PATTERN = re.compile(r"[\w.@-]{2,64}")
MIN_PASSWORD = 8
# scrypt cost: 16 MiB of memory, about 50 ms; stored hashes are recomputed with these parameters.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class Throttle:
    """How many wrong passwords within ``window_minutes`` lock an account, or an address."""

    per_account: int = 5
    per_address: int = 20
    window_minutes: int = 15


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    local: bool = False

    def can(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class SignInRequired(Exception):
    """Raised by ``require`` for an anonymous request; the app answers with the sign-in page."""


class Locked(Exception):
    """Too many wrong passwords for this account or from this address: sign-in refused for now."""


def hash_password(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32).hex()


def add_user(db: Database, name: str, role: str, password: str) -> dict[str, object]:
    """Create a user, or reset the role and password of an existing one (ending their sessions).

    ``db`` is the vault. Returns the row without secrets."""
    if not NAME_PATTERN.fullmatch(name):
        raise HyError(Code.E901_USAGE, detail=f"user name {name!r}: 2-64 letters, digits, '.', '@', '-' or '_'")
    if role not in ROLES:
        raise HyError(Code.E901_USAGE, detail=f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD:
        raise HyError(Code.E901_USAGE, detail=f"password must have at least {MIN_PASSWORD} characters")
    salt = secrets.token_bytes(16)
    row = {"name": name, "role": role, "salt": salt.hex(), "hash": hash_password(password, salt),
           "created_at": now(), "active": 1}
    with writing(db):
        existing = list(db.query("SELECT id FROM users WHERE name = ?", [name]))
        if existing:
            db["users"].update(existing[0]["id"], row)
        else:
            db["users"].insert(row)
        db.execute("DELETE FROM sessions WHERE user = ?", [name])
    return {"name": name, "role": role}


def _known(db: Database, name: str) -> None:
    if not list(db.query("SELECT 1 FROM users WHERE name = ?", [name])):
        raise HyError(Code.E901_USAGE, detail=f"no user {name!r}")


def deactivate(db: Database, name: str) -> None:
    """The account can no longer sign in, and its open sessions end now."""
    _known(db, name)
    with writing(db):
        db.execute("UPDATE users SET active = 0 WHERE name = ?", [name])
        db.execute("DELETE FROM sessions WHERE user = ?", [name])


def unlock(db: Database, *, name: str | None = None, address: str | None = None) -> int:
    """Lift a lockout: forget the wrong passwords of an account and/or an address. Returns how many."""
    if name is None and address is None:
        raise HyError(Code.E901_USAGE, detail="give a user name or --address")
    if name is not None:
        _known(db, name)
    with writing(db):
        cleared = 0
        if name is not None:
            cleared += db.execute("DELETE FROM sign_in_failures WHERE name = ?", [name]).rowcount
        if address is not None:
            cleared += db.execute("DELETE FROM sign_in_failures WHERE address = ?", [address]).rowcount
    return cleared


def list_users(db: Database) -> list[dict[str, object]]:
    return list(db.query("SELECT name, role, created_at, active FROM users ORDER BY name"))


def has_users(db: Database) -> bool:
    return db.execute("SELECT EXISTS (SELECT 1 FROM users WHERE active = 1)").fetchone()[0] == 1


def verify(db: Database, name: str, password: str) -> User | None:
    """The user when the password is right, else None (same work either way, so timing tells nothing)."""
    rows = list(db.query("SELECT name, role, salt, hash FROM users WHERE name = ? AND active = 1", [name]))
    salt = bytes.fromhex(str(rows[0]["salt"])) if rows else secrets.token_bytes(16)
    computed = hash_password(password, salt)
    expected = str(rows[0]["hash"]) if rows else secrets.token_hex(32)
    if rows and hmac.compare_digest(computed, expected):
        return User(str(rows[0]["name"]), rows[0]["role"])
    return None


def locked(db: Database, name: str, address: str, throttle: Throttle, at: float | None = None) -> bool:
    """Whether the account or the address has had too many wrong passwords within the window."""
    since = (time.time() if at is None else at) - throttle.window_minutes * 60
    by_name = db.execute("SELECT count(*) FROM sign_in_failures WHERE name = ? AND at > ?", [name, since]).fetchone()[0]
    by_address = db.execute("SELECT count(*) FROM sign_in_failures WHERE address = ? AND at > ?",
                            [address, since]).fetchone()[0]
    return by_name >= throttle.per_account or by_address >= throttle.per_address


def attempt(db: Database, name: str, password: str, address: str, throttle: Throttle) -> User | None:
    """One sign-in attempt: the user, or None for a wrong password (counted); ``Locked`` when throttled."""
    if locked(db, name, address, throttle):
        raise Locked()
    user = verify(db, name, password)
    with writing(db):
        if user is None:
            db["sign_in_failures"].insert({"name": name, "address": address, "at": time.time()})
        else:
            db.execute("DELETE FROM sign_in_failures WHERE name = ?", [name])
    return user


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _vault_path(request: Request) -> str:
    return str(request.app.state.settings.secrets_path)


def local_mode(request: Request, db: Database) -> bool:
    """Bound to loopback, asked from this machine, and nobody has an account (``db`` is the vault)."""
    client = request.client.host if request.client else ""
    return bool(request.app.state.settings.loopback and client in LOOPBACK_HOSTS and not has_users(db))


def current_user(request: Request) -> User | None:
    """The user of this request's live session; the local user in local mode; else None."""
    token = request.session.get(SESSION_FIELD)
    max_age = request.app.state.settings.session_hours * 3600
    with vault(_vault_path(request)) as db:
        if token:
            rows = list(db.query(
                "SELECT u.name, u.role FROM sessions s JOIN users u ON u.name = s.user "
                "WHERE s.id = ? AND u.active = 1 AND s.created_at > ?", [_token_id(str(token)), time.time() - max_age]))
            if rows:
                return User(str(rows[0]["name"]), rows[0]["role"])
            request.session.pop(SESSION_FIELD, None)
        if local_mode(request, db):
            return User(LOCAL_NAME, "admin", local=True)  # one person on their own machine: uploads too
    return None


def require(request: Request, role: Role) -> User:
    """The signed-in user if they hold ``role``; anonymous → sign in; too weak a role → 403."""
    user = current_user(request)
    if user is None:
        raise SignInRequired()
    if not user.can(role):
        raise HTTPException(403, detail=message("forbidden"))
    return user


def reviewer_name(request: Request, user: User) -> str:
    """Whose name a decision carries: the signed-in user, or in local mode the configured reviewer."""
    if not user.local:
        return user.name
    configured = request.app.state.settings.reviewer
    if not configured:
        raise HTTPException(400, detail=message("reviewer_missing"))
    return str(configured)


def sign_in(request: Request, user: User) -> None:
    """A new server-side session for ``user`` (the old cookie's content is dropped)."""
    token = secrets.token_urlsafe(32)
    with vault(_vault_path(request)) as db, writing(db):
        db["sessions"].insert({"id": _token_id(token), "user": user.name, "created_at": time.time()})
    request.session.clear()
    request.session[SESSION_FIELD] = token
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    """End the session on the server and in the cookie."""
    token = request.session.get(SESSION_FIELD)
    if token:
        with vault(_vault_path(request)) as db, writing(db):
            db.execute("DELETE FROM sessions WHERE id = ?", [_token_id(str(token))])
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return str(token)


async def checked_form(request: Request) -> FormData:
    """The POSTed form, once its CSRF token matched the session's; 403 otherwise."""
    form = await request.form(max_files=1, max_fields=20)
    sent = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD) or ""
    expected = request.session.get(CSRF_FIELD) or ""
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent.encode(), str(expected).encode()):
        await form.close()
        raise HTTPException(403, detail=message("csrf"))
    return form

"""Who is asking and what they may do: users, password hashes, sessions, roles and CSRF tokens.

- Passwords: ``hashlib.scrypt`` with a random 16-byte salt per user; compared with ``hmac.compare_digest``.
- Sessions: Starlette's ``SessionMiddleware`` (a signed cookie whose signature carries a timestamp; the
  cookie is refused after ``max_age``). The session holds the user's name and a CSRF token.
- Roles are ordered: viewer (read) < reviewer (record decisions) < admin (upload, manage users).
- Local mode: when the server is bound to a loopback address and the users table is empty, a request from
  the same machine acts as ``local``, with every right (a one-person office machine). Any other set-up requires signing in.
- CSRF: every POST carries the session's token (form field ``csrf`` or header ``X-CSRF-Token``); a missing
  or wrong token is rejected with 403 before the request does anything.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from hycompliance.database import writing
from hycompliance.errors import Code, HyError
from hycompliance.store import now

Role = Literal["viewer", "reviewer", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "reviewer", "admin")
ROLE_WORDS = {"viewer": "Người xem", "reviewer": "Người rà soát", "admin": "Quản trị"}
LOCAL_NAME = "local"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
NAME_PATTERN = re.compile(r"[\w.@-]{2,64}")
MIN_PASSWORD = 8
# scrypt cost: 16 MiB of memory, about 50 ms; stored hashes are recomputed with these parameters.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    local: bool = False

    def can(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class SignInRequired(Exception):
    """Raised by ``require`` for an anonymous request; the app answers with the sign-in page."""


def hash_password(password: str, salt: bytes) -> str:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32).hex()


def add_user(db: Database, name: str, role: str, password: str) -> dict[str, object]:
    """Create a user, or reset the role and password of an existing one. Returns the row without secrets."""
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
    return {"name": name, "role": role}


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


def local_mode(request: Request, db: Database) -> bool:
    """Bound to loopback, asked from this machine, and nobody has an account."""
    client = request.client.host if request.client else ""
    return bool(request.app.state.loopback and client in LOOPBACK_HOSTS and not has_users(db))


def current_user(request: Request, db: Database) -> User | None:
    name = request.session.get("user")
    if name:
        rows = list(db.query("SELECT name, role FROM users WHERE name = ? AND active = 1", [name]))
        if rows:
            return User(str(rows[0]["name"]), rows[0]["role"])
        request.session.pop("user", None)
    if local_mode(request, db):
        return User(LOCAL_NAME, "admin", local=True)  # one person on their own machine: uploads too
    return None


def require(request: Request, db: Database, role: Role) -> User:
    """The signed-in user if they hold ``role``; anonymous → sign in; too weak a role → 403."""
    user = current_user(request, db)
    if user is None:
        raise SignInRequired()
    if not user.can(role):
        raise HTTPException(403, detail="Tài khoản của bạn không có quyền thực hiện thao tác này.")
    return user


def sign_in(request: Request, user: User) -> None:
    request.session.clear()
    request.session["user"] = user.name
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
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
        raise HTTPException(403, detail="Phiên làm việc không hợp lệ hoặc đã hết hạn (CSRF). Hãy tải lại trang và thử lại.")
    return form

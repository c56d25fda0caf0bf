"""Web app safety: password hashes, sign-in, sessions that expire, roles, CSRF, local mode, the CLI."""

from __future__ import annotations

import html
import sqlite3
from pathlib import Path

import itsdangerous
import pytest
from starlette.routing import Route
from typer.testing import CliRunner

from hycompliance.cli import _load_commands
from hycompliance.cli.app import app as cli
from hycompliance.errors import HyError
from hycompliance.migrations import MIGRATIONS
from hycompliance.web.app import SESSION_HOURS, create_app
from hycompliance.web.auth import add_user, hash_password, verify
from hycompliance.web.routes import ROUTES
from hycompliance.web.schema import WEB_MIGRATIONS, open_web_db
from tests.browser.harness import accounts, client, csrf_of, sign_in

USERS = {"viewer": ("vy", "mat-khau-vy"), "reviewer": ("rin", "mat-khau-rin"), "admin": ("an", "mat-khau-an")}
_load_commands()




@pytest.fixture()
def with_users(db_path: Path) -> Path:
    db = accounts(db_path)
    for role, (name, password) in USERS.items():
        add_user(db, name, role, password)
    db.close()
    return db_path


def _reviews(db_path: Path) -> int:
    with sqlite3.connect(db_path) as con:
        return int(con.execute("SELECT count(*) FROM reviews").fetchone()[0])


def _doc_id(db_path: Path, name: str = "soct-kh-2023") -> int:
    with sqlite3.connect(db_path) as con:
        return int(con.execute("SELECT id FROM documents WHERE name = ?", [name]).fetchone()[0])


def test_web_migrations_follow_the_store_s(db_path: Path) -> None:
    open_web_db(db_path).close()
    with sqlite3.connect(db_path) as con:
        names = [r[0] for r in con.execute("SELECT name FROM migrations ORDER BY rowid")]
    store = [n for n, _ in MIGRATIONS]
    assert store[:3] == ["0001_core_tables", "0002_clause_search", "0003_matrix_view"]
    assert names == store + ["web_0001_users", "web_0002_uploads", "web_0003_secret", "i9b_web_upload_parent",
                             "i12_secrets_out", "i11_web_data_version"]
    assert [n for n, _ in WEB_MIGRATIONS] == names[len(store):]


def test_passwords_are_salted_scrypt_hashes(db_path: Path) -> None:
    db = accounts(db_path)
    add_user(db, "mot", "viewer", "cung-mat-khau")
    add_user(db, "hai", "viewer", "cung-mat-khau")
    rows = {r["name"]: r for r in db.query("SELECT name, salt, hash FROM users")}
    assert rows["mot"]["salt"] != rows["hai"]["salt"] and rows["mot"]["hash"] != rows["hai"]["hash"]
    assert rows["mot"]["hash"] == hash_password("cung-mat-khau", bytes.fromhex(rows["mot"]["salt"]))
    assert "cung-mat-khau" not in str(rows)
    assert verify(db, "mot", "cung-mat-khau").role == "viewer"
    assert (verify(db, "mot", "sai"), verify(db, "khong-co", "cung-mat-khau")) == (None, None)
    db.close()


@pytest.mark.parametrize(("name", "role", "password", "message"), [
    ("x", "viewer", "mat-khau-dai", "user name 'x': 2-64 letters, digits, '.', '@', '-' or '_'"),
    ("lan", "boss", "mat-khau-dai", "role must be one of viewer, reviewer, admin, not 'boss'"),
    ("lan", "viewer", "ngan", "password must have at least 8 characters"),
])
def test_add_user_refuses(db_path: Path, name: str, role: str, password: str, message: str) -> None:
    db = accounts(db_path)
    with pytest.raises(HyError) as info:
        add_user(db, name, role, password)
    db.close()
    assert info.value.line() == f"E901 {message}"


def test_sign_in_with_a_wrong_then_the_right_password(with_users: Path) -> None:
    c = client(create_app(with_users, host="0.0.0.0", allowed_hosts=("hy.example",)), "10.1.2.3")
    assert c.get("/").headers["location"] == "/login?next=/"
    token = csrf_of(c.get("/login").text)
    wrong = c.post("/login", data={"name": "an", "password": "sai-mat-khau", "csrf": token, "next": "/"})
    assert wrong.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in wrong.text
    right = c.post("/login", data={"name": "an", "password": "mat-khau-an", "csrf": token, "next": "/documents/1"})
    assert (right.status_code, right.headers["location"]) == (303, "/documents/1")
    page = c.get("/")
    assert page.status_code == 200 and "<span>an</span>" in page.text
    out = c.post("/logout", data={"csrf": csrf_of(page.text)})
    assert out.headers["location"] == "/login"
    assert c.get("/").status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "\\\\evil"])
def test_sign_in_never_redirects_off_site(with_users: Path, target: str) -> None:
    c = client(create_app(with_users, host="0.0.0.0", allowed_hosts=("hy.example",)), "10.1.2.3")
    token = csrf_of(c.get("/login").text)
    response = c.post("/login", data={"name": "vy", "password": "mat-khau-vy", "csrf": token, "next": target})
    assert response.headers["location"] == "/"


def test_session_expires(with_users: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = sign_in(client(create_app(with_users, host="0.0.0.0", allowed_hosts=("hy.example",)), "10.1.2.3"), "vy", "mat-khau-vy")
    assert c.get("/").status_code == 200
    signed_at = itsdangerous.TimestampSigner.get_timestamp(itsdangerous.TimestampSigner("k"))
    later = signed_at + SESSION_HOURS * 3600 + 5
    monkeypatch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: later)
    assert c.get("/").headers["location"] == "/login?next=/"


# (role, method, path, expected status); a POST carries a valid CSRF token.
ROLE_CASES = [
    ("viewer", "GET", "/", 200),
    ("viewer", "GET", "/export.csv", 200),
    ("viewer", "POST", "/documents/{doc}/decisions", 403),
    ("viewer", "GET", "/upload", 403),
    ("reviewer", "POST", "/documents/{doc}/decisions", 303),
    ("reviewer", "GET", "/upload", 403),
    ("reviewer", "POST", "/upload", 403),
    ("reviewer", "GET", "/users", 403),
    ("admin", "GET", "/upload", 200),
    ("admin", "GET", "/users", 200),
    ("admin", "POST", "/documents/{doc}/decisions", 303),
]


@pytest.mark.parametrize(("role", "method", "path", "status"), ROLE_CASES)
def test_roles(with_users: Path, role: str, method: str, path: str, status: int) -> None:
    c = sign_in(client(create_app(with_users, host="0.0.0.0", allowed_hosts=("hy.example",)), "10.1.2.3"), *USERS[role])
    url = path.format(doc=_doc_id(with_users))
    if method == "GET":
        assert c.get(url).status_code == status
        return
    token = csrf_of(c.get("/").text)
    before = _reviews(with_users)
    response = c.post(url, data={"csrf": token, "requirement": "III.1.1", "status": "covered", "note": ""})
    assert response.status_code == status
    assert _reviews(with_users) - before == (1 if status == 303 else 0)


def _post_routes() -> list[str]:
    return sorted({r.path for r in ROUTES if isinstance(r, Route) and "POST" in (r.methods or ())})


def test_the_post_routes_are_known() -> None:
    assert _post_routes() == ["/documents/{doc_id:int}/decisions", "/login", "/logout", "/upload", "/users"]


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
@pytest.mark.parametrize("path", _post_routes())
def test_every_post_without_the_session_s_csrf_token_is_refused(db_path: Path, path: str, token: str | None) -> None:
    c = client(create_app(db_path))  # local mode: the request would otherwise be allowed
    csrf_of(c.get("/").text)  # the session now has a token
    data = {"requirement": "III.1.1", "status": "covered", "name": "x", "password": "y", "role": "admin"}
    if token is not None:
        data["csrf"] = token
    response = c.post(path.replace("{doc_id:int}", str(_doc_id(db_path))), data=data)
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert _reviews(db_path) == 0


def test_csrf_token_in_the_header_is_accepted(db_path: Path) -> None:
    c = client(create_app(db_path, reviewer="lan.nguyen"))
    token = csrf_of(c.get("/").text)
    response = c.post(f"/documents/{_doc_id(db_path)}/decisions", headers={"X-CSRF-Token": token},
                      data={"requirement": "III.1.1", "status": "missing", "note": "thiếu"})
    assert response.status_code == 303
    assert _reviews(db_path) == 1


# (bound host, client address, users exist, expected status of GET /)
LOCAL_CASES = [
    ("127.0.0.1", "127.0.0.1", False, 200),
    ("127.0.0.1", "127.0.0.1", True, 303),
    ("127.0.0.1", "10.1.2.3", False, 303),
    ("0.0.0.0", "127.0.0.1", False, 303),
]


@pytest.mark.parametrize(("host", "address", "users", "status"), LOCAL_CASES)
def test_local_mode_only_on_loopback_without_accounts(db_path: Path, host: str, address: str, users: bool,
                                                       status: int) -> None:
    if users:
        db = accounts(db_path)
        add_user(db, "an", "admin", "mat-khau-an")
        db.close()
    assert client(create_app(db_path, host=host, allowed_hosts=("hy.example",)), address).get("/").status_code == status


def test_local_mode_has_every_right_and_decides_in_the_configured_name(db_path: Path) -> None:
    c = client(create_app(db_path, reviewer="lan.nguyen"))
    page = c.get("/")
    assert "<span>local (máy này)</span>" in page.text
    doc = _doc_id(db_path)
    c.post(f"/documents/{doc}/decisions", data={"csrf": csrf_of(page.text), "requirement": "III.2.1",
                                                  "status": "partial", "note": "ghi chú"})
    with sqlite3.connect(db_path) as con:
        assert con.execute("SELECT reviewer, status, note FROM reviews").fetchall() == [
            ("lan.nguyen", "partial", "ghi chú")]
    assert c.get("/upload").status_code == 200  # one person on their own machine may upload too


def test_local_mode_without_a_reviewer_name_records_nothing(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HYCOMPLIANCE_REVIEWER", raising=False)
    c = client(create_app(db_path))
    token = csrf_of(c.get("/").text)
    response = c.post(f"/documents/{_doc_id(db_path)}/decisions",
                      data={"csrf": token, "requirement": "III.2.1", "status": "partial", "note": ""})
    assert response.status_code == 400
    assert "hycompliance serve --reviewer" in html.unescape(response.text)
    assert _reviews(db_path) == 0


def test_cli_user_add_reads_the_password_from_stdin(db_path: Path) -> None:
    result = CliRunner().invoke(cli, ["user", "add", "lan", "--role", "reviewer", "--db", str(db_path),
                                      "--password-stdin"], input="mat-khau-lan\n")
    assert result.exit_code == 0, result.output
    assert result.output == f"user lan (reviewer) saved in {db_path.with_name('coverage.secrets.db')}\n"
    db = accounts(db_path)
    assert verify(db, "lan", "mat-khau-lan").role == "reviewer"
    db.close()


def test_cli_serve_refuses_other_hosts_without_accounts(db_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--db", str(db_path), "--host", "0.0.0.0"])
    assert isinstance(result.exception, HyError)
    assert result.exception.line() == (
        f"E901 serving on 0.0.0.0 requires sign-in: create an account first with "
        f"'hycompliance user add NAME --role admin --db {db_path}'")

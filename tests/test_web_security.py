"""The browser is not a way in: secrets out of the coverage database, Host and Origin, throttled sign-in,
sessions ended on the server, ids checked, no caching, Secure cookies and HSTS."""

from __future__ import annotations

import html
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hycompliance.cli import _load_commands
from hycompliance.cli.app import app as cli
from hycompliance.migrations import migrate
from hycompliance.store import open_db
from hycompliance.web.app import create_app
from hycompliance.web.auth import Throttle, add_user, hash_password, verify
from hycompliance.web.schema import WEB_MIGRATIONS, open_web_db
from hycompliance.web.vault import default_path, open_vault, session_key
from tests.browser.harness import accounts, client, csrf_of, sign_in

_load_commands()
PEOPLE = {"an": ("admin", "mat-khau-an"), "rin": ("reviewer", "mat-khau-rin")}
REMOTE = {"host": "0.0.0.0", "allowed_hosts": ("hy.example",)}


@pytest.fixture()
def with_people(db_path: Path) -> Path:
    db = accounts(db_path)
    for name, (role, password) in PEOPLE.items():
        add_user(db, name, role, password)
    db.close()
    return db_path


def _tables(db_path: Path) -> set[str]:
    with sqlite3.connect(db_path) as con:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _bytes_of(db_path: Path) -> bytes:
    """Everything SQLite keeps on disk for a database: the file, its WAL and shared memory."""
    return b"".join(p.read_bytes() for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")) if p.exists())


def test_a_new_database_holds_no_secret(db_path: Path) -> None:
    app = create_app(db_path)
    vault_path = app.state.settings.secrets_path
    assert vault_path == db_path.with_name("coverage.secrets.db").resolve()
    assert {"users", "web_secrets", "sessions", "keys"} & _tables(db_path) == set()
    with open_vault(vault_path) as vault_db:
        key = session_key(vault_db)
        add_user(vault_db, "an", "admin", "mat-khau-an")
        stored_hash = vault_db.execute("SELECT hash FROM users").fetchone()[0]
    assert key.encode() not in _bytes_of(db_path) and stored_hash.encode() not in _bytes_of(db_path)
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o600


def test_an_old_database_gives_its_accounts_to_the_vault_and_drops_them(tmp_path: Path) -> None:
    db_path = tmp_path / "cu.db"
    old = open_db(db_path)
    migrate(old, WEB_MIGRATIONS[:3])  # the schema before the vault: users and web_secrets in the database
    salt = bytes.fromhex("00112233445566778899aabbccddeeff")
    old_hash = hash_password("mat-khau-cu", salt)
    old["users"].insert({"name": "lan", "role": "reviewer", "salt": salt.hex(), "hash": old_hash,
                         "created_at": "2026-11-01T08:00:00+00:00", "active": 1})
    old_key = old.execute("SELECT value FROM web_secrets").fetchone()[0]
    old.close()
    assert {"users", "web_secrets"} <= _tables(db_path)

    open_web_db(db_path).close()
    assert {"users", "web_secrets"} & _tables(db_path) == set()
    data = _bytes_of(db_path)
    assert old_hash.encode() not in data and old_key.encode() not in data
    with open_vault(tmp_path / "cu.secrets.db") as vault_db:
        assert verify(vault_db, "lan", "mat-khau-cu").role == "reviewer"
        assert session_key(vault_db) != old_key  # the exposed key is not reused


def test_the_vault_can_live_elsewhere_and_the_key_in_the_environment(db_path: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "rieng" / "tai-khoan.db"
    monkeypatch.setenv("HYCOMPLIANCE_SECRETS", str(elsewhere))
    monkeypatch.setenv("HYCOMPLIANCE_SESSION_KEY", "khoa-tu-moi-truong-" + "x" * 40)
    assert default_path(db_path) == elsewhere
    create_app(db_path)
    assert elsewhere.is_file() and not db_path.with_name("coverage.secrets.db").exists()
    with open_vault(elsewhere) as vault_db:
        assert session_key(vault_db) == "khoa-tu-moi-truong-" + "x" * 40


def test_a_world_readable_vault_is_made_owner_only(db_path: Path) -> None:
    vault_path = db_path.with_name("coverage.secrets.db")
    open_vault(vault_path).close()
    os.chmod(vault_path, 0o644)
    open_vault(vault_path).close()
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o600


# (bound host, configured names, Host header sent, expected status of GET /)
HOST_CASES = [
    ("127.0.0.1", (), "127.0.0.1:8000", 200),
    ("127.0.0.1", (), "localhost:8000", 200),
    ("127.0.0.1", (), "[::1]:8000", 200),
    ("127.0.0.1", (), "rebind.attacker.example:8000", 400),  # DNS rebinding: the name now points at 127.0.0.1
    ("127.0.0.1", (), "127.0.0.1.attacker.example", 400),
    ("127.0.0.1", ("hy.so-khdt.vn",), "hy.so-khdt.vn", 200),
    ("0.0.0.0", ("hy.so-khdt.vn",), "HY.so-khdt.vn:443", 303),  # allowed; sign-in required
    ("0.0.0.0", ("hy.so-khdt.vn",), "10.0.0.5:8000", 400),
    ("10.0.0.5", (), "10.0.0.5:8000", 303),
    ("10.0.0.5", (), "localhost", 400),
]


@pytest.mark.parametrize(("host", "names", "header", "status"), HOST_CASES)
def test_host_header_must_name_this_server(db_path: Path, host: str, names: tuple, header: str, status: int) -> None:
    c = client(create_app(db_path, host=host, allowed_hosts=names))
    response = c.get("/", headers={"Host": header})
    assert response.status_code == status
    if status == 400:
        assert "Địa chỉ máy chủ (Host) không được phép" in response.text


def test_a_wildcard_bind_needs_configured_names(db_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--db", str(db_path), "--host", "0.0.0.0"])
    assert "requires sign-in" in str(result.exception)  # no accounts: refused before the names are asked for
    with pytest.raises(Exception, match="give --allowed-host NAME"):
        create_app(db_path, host="0.0.0.0")


@pytest.mark.parametrize(("origin", "status"), [
    ("http://127.0.0.1:8000", 303),
    ("http://localhost:8000", 303),
    ("http://rebind.attacker.example:8000", 403),
    ("null", 403),
])
def test_a_post_from_another_site_is_refused(db_path: Path, origin: str, status: int) -> None:
    c = client(create_app(db_path, reviewer="lan.nguyen"))
    token = csrf_of(c.get("/").text)
    with sqlite3.connect(db_path) as con:
        doc = con.execute("SELECT id FROM documents WHERE name = 'soct-kh-2023'").fetchone()[0]
    response = c.post(f"/documents/{doc}/decisions", headers={"Origin": origin},
                      data={"csrf": token, "requirement": "III.1.1", "status": "covered", "note": ""})
    assert response.status_code == status
    with sqlite3.connect(db_path) as con:
        assert con.execute("SELECT count(*) FROM reviews").fetchone()[0] == (1 if status == 303 else 0)


def _try(c, name: str, password: str) -> int:
    token = csrf_of(c.get("/login").text)
    return c.post("/login", data={"name": name, "password": password, "csrf": token, "next": "/"}).status_code


def test_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(with_people: Path) -> None:
    app = create_app(with_people, throttle=Throttle(per_account=3, per_address=50, window_minutes=15), **REMOTE)
    c = client(app, "10.1.2.3")
    assert [_try(c, "rin", "sai-mat-khau") for _ in range(3)] == [401, 401, 401]
    locked = c.post("/login", data={"name": "rin", "password": "mat-khau-rin", "csrf": csrf_of(c.get("/login").text)})
    assert locked.status_code == 429 and "tạm bị khoá" in html.unescape(locked.text)
    assert _try(client(app, "10.9.9.9"), "rin", "mat-khau-rin") == 429  # the account, from anywhere
    assert _try(client(app, "10.9.9.9"), "an", "mat-khau-an") == 303  # other accounts are not affected
    result = CliRunner().invoke(cli, ["user", "unlock", "rin", "--db", str(with_people)])
    assert result.exit_code == 0, result.output
    assert result.output == "unlocked rin: 3 failed attempt(s) forgotten\n"
    assert _try(c, "rin", "mat-khau-rin") == 303


def test_wrong_passwords_from_one_address_lock_that_address(with_people: Path) -> None:
    app = create_app(with_people, throttle=Throttle(per_account=50, per_address=4, window_minutes=15), **REMOTE)
    c = client(app, "10.6.6.6")
    assert [_try(c, name, "doan-bua") for name in ("an", "rin", "lan", "vy")] == [401] * 4
    assert _try(c, "an", "mat-khau-an") == 429
    assert _try(client(app, "10.1.2.3"), "an", "mat-khau-an") == 303
    CliRunner().invoke(cli, ["user", "unlock", "--address", "10.6.6.6", "--db", str(with_people)])
    assert _try(c, "an", "mat-khau-an") == 303


def _replay(app, cookie: str):
    other = client(app, "10.1.2.3")
    other.cookies.set("hyc_session", cookie)
    return other.get("/")


@pytest.mark.parametrize("how", ["logout", "password reset", "deactivate"])
def test_a_session_ends_on_the_server(with_people: Path, how: str) -> None:
    app = create_app(with_people, **REMOTE)
    c = sign_in(client(app, "10.1.2.3"), "rin", "mat-khau-rin")
    page = c.get("/")
    cookie = c.cookies["hyc_session"]
    assert _replay(app, cookie).status_code == 200
    if how == "logout":
        c.post("/logout", data={"csrf": csrf_of(page.text)})
    elif how == "password reset":
        result = CliRunner().invoke(cli, ["user", "add", "rin", "--role", "reviewer", "--db", str(with_people),
                                          "--password-stdin"], input="mat-khau-moi\n")
        assert result.exit_code == 0, result.output
    else:
        result = CliRunner().invoke(cli, ["user", "deactivate", "rin", "--db", str(with_people)])
        assert result.output == "user rin deactivated; their sessions ended\n"
    assert _replay(app, cookie).headers["location"] == "/login?next=/"


@pytest.mark.parametrize("path", [
    "/documents/9223372036854775808",
    "/documents/99999999999999999999999/file",
    "/documents/0/report",
    "/upload/18446744073709551616/status",
])
def test_ids_out_of_range_are_not_found(db_path: Path, path: str) -> None:
    assert client(create_app(db_path)).get(path).status_code == 404


@pytest.mark.parametrize(("path", "no_store"), [
    ("/", True), ("/export.csv", True), ("/export.xlsx", True), ("/search?q=duong", True), ("/login", True),
    ("/static/app.css", False),
])
def test_pages_and_exports_are_not_cached(db_path: Path, path: str, no_store: bool) -> None:
    response = client(create_app(db_path)).get(path)
    assert response.status_code == 200
    assert (response.headers.get("cache-control") == "no-store") == no_store


@pytest.mark.parametrize("secure", [False, True])
def test_secure_cookies_and_hsts_when_served_over_tls(with_people: Path, secure: bool) -> None:
    c = client(create_app(with_people, secure=secure, **REMOTE), "10.1.2.3")
    token = csrf_of(c.get("/login").text)
    response = c.post("/login", data={"name": "an", "password": "mat-khau-an", "csrf": token, "next": "/"})
    assert ("secure" in response.headers["set-cookie"].lower().split("; ")) == secure
    assert ("strict-transport-security" in response.headers) == secure


def test_the_coverage_database_is_not_world_readable(tmp_path: Path) -> None:
    previous = os.umask(0o002)  # even a permissive umask gives the world nothing
    try:
        db = open_db(tmp_path / "moi.db")
        db["t"].insert({"x": 1})
        files = [tmp_path / "moi.db", tmp_path / "moi.db-wal", tmp_path / "moi.db-shm"]
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files if p.exists()}
        db.close()
    finally:
        os.umask(previous)
    assert modes["moi.db"] == 0o660 and "moi.db-wal" in modes
    assert all(mode & 0o007 == 0 for mode in modes.values()), modes


# (serve options, what uvicorn is asked for, whether the app marks cookies Secure and sends HSTS)
SERVE_CASES = [
    ([], {"proxy_headers": False, "forwarded_allow_ips": None, "ssl_certfile": None}, False),
    (["--behind-proxy"], {"proxy_headers": True, "forwarded_allow_ips": "127.0.0.1", "ssl_certfile": None}, True),
    (["--behind-proxy", "--forwarded-allow-ips", "10.0.0.2"],
     {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.2", "ssl_certfile": None}, True),
    (["--secure-cookies"], {"proxy_headers": False, "forwarded_allow_ips": None, "ssl_certfile": None}, True),
    (["--certfile", "{cert}", "--keyfile", "{key}"],
     {"proxy_headers": False, "forwarded_allow_ips": None, "ssl_certfile": "{cert}"}, True),
]


@pytest.mark.parametrize(("options", "expected", "secure"), SERVE_CASES)
def test_serve_behind_a_tls_proxy_or_with_its_own_certificate(db_path: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch, options: list[str],
                                                              expected: dict, secure: bool) -> None:
    import uvicorn

    files = {"cert": str(tmp_path / "cert.pem"), "key": str(tmp_path / "key.pem")}
    for f in files.values():
        Path(f).write_text("-----BEGIN-----\n", encoding="utf-8")
    calls: list[tuple] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    result = CliRunner().invoke(cli, ["serve", "--db", str(db_path), *[o.format(**files) for o in options]])
    assert result.exit_code == 0, result.output
    (app, kw), = calls
    assert {k: kw[k] for k in expected} == {k: v.format(**files) if isinstance(v, str) else v
                                           for k, v in expected.items()}
    assert app.state.settings.secure is secure
    response = client(app).get("/login")
    assert ("strict-transport-security" in response.headers) is secure


def test_serve_needs_both_certificate_files(db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "cert.pem").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--db", str(db_path), "--certfile", str(tmp_path / "cert.pem")])
    assert str(result.exception) == "E901 give both --certfile and --keyfile"

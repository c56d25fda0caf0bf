"""What the web tests share: a database of real dev plans scanned by the real batch against 87/KH-UBND,
and a few HTTP client steps (CSRF token, signing in).

Imported explicitly by the HTTP tests (tests/test_web_*.py) and the browser tests; each builds its own copy.
"""

from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from sqlite_utils import Database

from hycompliance.scan import scan
from hycompliance.web.schema import open_web_db
from hycompliance.web.vault import default_path, open_vault
from tests.conftest import DEV, ROOT

PARENT = ROOT / "corpora" / "87-KH-UBND-2023.txt"
SCANNED = ("phucu-kh-2023", "soct-kh-2023")
SCRIPT = "<script>alert(1)</script>"
XSS_NAME = "myhao-xss"
UPLOAD_DOCX = DEV / "vanlam-kh-2023.docx"


def xss_plan(folder: Path) -> Path:
    """A real plan (Mỹ Hào) with a script tag written into its title and into one of its tasks."""
    lines = (DEV / "myhao-kh-2023.txt").read_text(encoding="utf-8").splitlines()
    title = next(i for i, line in enumerate(lines) if line.strip() == "KẾ HOẠCH") + 1
    lines[title] = f"{lines[title]} {SCRIPT}"
    bullet = next(i for i, line in enumerate(lines) if line.startswith("- ") and i > title + 5)
    lines[bullet] = f"{lines[bullet]} {SCRIPT}"
    path = folder / f"{XSS_NAME}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_db(folder: Path) -> Path:
    """Scan two dev plans and the script-tag plan into ``folder/coverage.db``."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "coverage.db"
    plans = [DEV / f"{name}.txt" for name in SCANNED] + [xss_plan(folder)]
    summary = scan(db, PARENT, plans, workers=1, log=io.StringIO(), progress=False)
    assert (summary["scanned"], summary["failed"]) == (3, 0), summary
    return db


def copy_db(source: Path, target: Path) -> Path:
    """A consistent copy of a database (SQLite's backup API, WAL included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


def accounts(db_path: Path) -> Database:
    """The vault of a coverage database (accounts live there, not in the database itself)."""
    open_web_db(db_path).close()
    return open_vault(default_path(db_path))


def csrf_of(html: str) -> str:
    """The CSRF token a page carries in its <meta name="csrf-token">."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def client(app: Any, address: str = "127.0.0.1") -> TestClient:
    """A test client whose requests come from ``address`` and name the server by the first name it answers to
    (``127.0.0.1`` in local mode); redirects are not followed."""
    name = sorted(app.state.settings.allowed_hosts)[0]
    return TestClient(app, base_url=f"http://{name}", client=(address, 50000), follow_redirects=False)


def sign_in(c: TestClient, name: str, password: str) -> TestClient:
    token = csrf_of(c.get("/login").text)
    response = c.post("/login", data={"name": name, "password": password, "csrf": token, "next": "/"})
    assert response.status_code == 303, response.text
    return c

"""Uploads: checked by size and magic bytes, stored under a generated folder, scanned by the batch's code."""

from __future__ import annotations

import io
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest
from markupsafe import escape

from hycompliance.errors import HyError
from hycompliance.web.app import create_app
from hycompliance.web.auth import add_user
from hycompliance.web.schema import open_web_db
from hycompliance.web.uploads import get, receive, record, scan_command, slug
from tests.browser.harness import accounts, client, copy_db, csrf_of, sign_in, wait_for_upload
from tests.conftest import DEV

ADMIN = ("an", "mat-khau-an")


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "<x/>")
    return buf.getvalue()


# (file name, content, the one line shown, or the form stored)
RECEIVE_CASES = [
    ("junk.pdf", b"\x89\x01\x02 not a pdf \x00\xff", "junk.pdf: E105 content is binary data, but the extension says .pdf"),
    ("empty.txt", b"", "empty.txt: E102 file is empty"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
     "old.doc: E104 unsupported file type '.doc' (expected .pdf, .docx or .txt)"),
    ("renamed.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "renamed.docx: E111 legacy Word .doc format; save it as .docx"),
    ("archive.docx", _zip(["a.txt"]), "archive.docx: E105 content is a ZIP archive, but the extension says .docx"),
    ("plan.txt", b"%PDF-1.7\n", "plan.txt: E105 content is PDF, but the extension says .txt"),
    ("noext", b"abc", "noext: E104 unsupported file type '(none)' (expected .pdf, .docx or .txt)"),
    ("big.txt", b"a" * (1024 * 1024 + 1), "big.txt: E103 file is larger than the limit of 1 MB"),
    ("Kế hoạch Văn Lâm.txt", "I. MỤC ĐÍCH\n".encode(), "txt"),
    ("scan.pdf", b"%PDF-1.4\n%\xe2\xe3\n", "pdf"),
    ("word.docx", _zip(["[Content_Types].xml", "word/document.xml"]), "docx"),
]


@pytest.mark.parametrize(("name", "content", "expected"), RECEIVE_CASES)
def test_receive_checks_size_and_magic_bytes(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    folder = tmp_path / "uploads"
    chunks = [content[i:i + 65536] for i in range(0, len(content), 65536)]
    if ":" in expected:
        with pytest.raises(HyError) as info:
            receive(chunks, name, folder, limit_mb=1)
        assert info.value.line() == expected
        assert list(folder.rglob("*")) == []  # nothing left behind
        return
    stored, form, size = receive(chunks, name, folder, limit_mb=1)
    assert (form, size, stored.read_bytes()) == (expected, len(content), content)
    assert stored.parent.parent == folder and len(stored.parent.name) == 16
    assert stored.name == f"{slug(name)}.{expected}"


@pytest.mark.parametrize(("original", "stem"), [
    ("Kế hoạch Văn Lâm.docx", "ke-hoach-van-lam"),
    ("../../etc/passwd.txt", "passwd"),
    ("C:\\Users\\lan\\KH 112.pdf", "kh-112"),
    ("....txt", "van-ban"),
])
def test_slug_keeps_only_safe_characters(original: str, stem: str) -> None:
    assert slug(original) == stem



@pytest.fixture()
def admin(built: Path, tmp_path: Path):
    db_path = copy_db(built, tmp_path / "coverage.db")
    db = accounts(db_path)
    add_user(db, *ADMIN[:1], "admin", ADMIN[1])
    db.close()
    app = create_app(db_path, host="0.0.0.0", allowed_hosts=("hy.example",), uploads_dir=tmp_path / "uploads")
    with client(app, "10.1.2.3") as c:  # the context runs the app's lifespan (its worker thread)
        yield sign_in(c, *ADMIN), db_path, tmp_path / "uploads"


def _upload(c, name: str, content: bytes, json: bool = True):
    token = csrf_of(c.get("/upload").text)
    headers = {"X-CSRF-Token": token}
    if json:
        headers["Accept"] = "application/json"
    return c.post("/upload", files={"file": (name, content)}, headers=headers)


def test_junk_upload_shows_its_one_line_error(admin) -> None:
    c, db_path, uploads = admin
    response = _upload(c, "junk.pdf", b"\x00\x01garbage\xff" * 10)
    assert (response.status_code, response.json()) == (
        400, {"error": "junk.pdf: E105 nội dung là dữ liệu nhị phân nhưng phần mở rộng là .pdf"})
    page = _upload(c, "junk.pdf", b"\x00\x01garbage\xff" * 10, json=False)
    assert page.status_code == 400
    assert '<p class="error-line">junk.pdf: E105 nội dung là dữ liệu nhị phân nhưng phần mở rộng là .pdf</p>' in page.text
    assert not uploads.exists() or list(uploads.rglob("*")) == []


def test_a_plan_upload_is_scanned_into_the_matrix(admin) -> None:
    c, db_path, uploads = admin
    content = (DEV / "vanlam-kh-2023.txt").read_bytes()
    response = _upload(c, "Văn Lâm 112.txt", content)
    assert response.status_code == 202
    state = wait_for_upload(c, response.json()["status"])
    with sqlite3.connect(db_path) as con:
        doc_id, name, path, issuer = con.execute(
            "SELECT id, name, path, issuer FROM documents WHERE name = 'van-lam-112'").fetchone()
    assert state == {"id": response.json()["id"], "file": "Văn Lâm 112.txt", "state": "done", "label": "Đã xong",
                     "step": 3, "steps": 3, "error": None, "document": f"/documents/{doc_id}"}
    assert Path(path).read_bytes() == content and Path(path).parent.parent == uploads.resolve()
    assert issuer == "UBND huyện Văn Lâm"
    assert '<a href="/documents/%d">van-lam-112</a>' % doc_id in c.get("/").text
    assert "Văn Lâm 112.txt" in c.get("/upload").text


def test_an_unreadable_plan_shows_the_scan_s_one_line_error(admin) -> None:
    c, db_path, uploads = admin
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:  # passes the magic-byte check, fails in the DOCX reader
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document")
    response = _upload(c, "hỏng.docx", buf.getvalue())
    state = wait_for_upload(c, response.json()["status"])
    assert (state["state"], state["label"], state["document"]) == ("error", "Không phân tích được", None)
    assert state["error"].startswith("hỏng.docx: E109 tệp DOCX bị hỏng hoặc không phải văn bản Word (")
    assert str(uploads) not in state["error"] and "\n" not in state["error"]
    assert str(escape(state["error"])) in c.get("/upload").text


def test_uploads_left_queued_are_scanned_when_the_server_starts(built: Path, tmp_path: Path) -> None:
    db_path = copy_db(built, tmp_path / "coverage.db")
    content = (DEV / "sokhcn-kh-2023.txt").read_bytes()
    stored, form, size = receive([content], "sokhcn.txt", tmp_path / "uploads")
    db = open_web_db(db_path)
    upload_id = record(db, stored, "sokhcn.txt", form, size, "an")
    db.close()
    with client(create_app(db_path, uploads_dir=tmp_path / "uploads")):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            db = open_web_db(db_path)
            state = get(db, upload_id)
            db.close()
            if state and state["state"] in ("done", "error"):
                break
            time.sleep(0.2)
    assert (state["state"], state["error_line"], state["uploaded_by"]) == ("done", None, "an")


# A scan of an upload that stops as a whole (not the file's own error): the upload page shows the command's
# error in Vietnamese, naming what failed. (what goes wrong, the line expected with {db} {pid} {parent} filled)
SCAN_FAILURES = [
    ("another scan holds the database",
     "{db}: E301 lỗi cơ sở dữ liệu (một lần quét khác (tiến trình {pid}) đang giữ cơ sở dữ liệu; đã chờ 0.5 giây)"),
    ("the parent plan's file is gone", "{parent}: E101 không tìm thấy tệp"),
]


@pytest.mark.parametrize(("failure", "expected"), SCAN_FAILURES, ids=["scan-lock", "parent-gone"])
def test_a_failed_scan_of_an_upload_shows_its_vietnamese_line(built: Path, tmp_path: Path, monkeypatch,
                                                               failure: str, expected: str) -> None:
    import fcntl
    import os

    from hycompliance.web.uploads import run_upload
    from tests.test_reliability_scan import with_limits

    db_path = copy_db(built, tmp_path / "coverage.db")
    stored, form, size = receive([(DEV / "sokhcn-kh-2023.txt").read_bytes()], "Sở KHCN.txt", tmp_path / "uploads")
    db = open_web_db(db_path)
    upload_id = record(db, stored, "Sở KHCN.txt", form, size, "an")
    db.close()
    with_limits(tmp_path, monkeypatch, database__scan_wait_seconds=0.5)  # the scan command reads it too
    parent = tmp_path / "gone" / "87-KH-UBND-2023.txt"
    with open(f"{db_path}.scan-lock", "a+", encoding="ascii") as lock:
        if failure == "another scan holds the database":
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            lock.write(str(os.getpid()))
            lock.flush()
            parent = None  # the parent the database holds, whose file is there
        run_upload(str(db_path), str(parent) if parent else None, upload_id)
    db = open_web_db(db_path)
    row = get(db, upload_id)
    db.close()
    assert (row["state"], row["error_line"]) == ("error", expected.format(db=db_path, pid=os.getpid(), parent=parent))


@pytest.mark.parametrize("db, secret", [
    ("/srv/hyc/coverage.db", "/srv/hyc/coverage.db"),
    ("postgresql://hyc:Mat-khau-2026@db.so-khdt.local:5432/coverage", "Mat-khau-2026"),
])
def test_an_upload_scan_keeps_the_database_off_its_command_line(db, secret):
    command, env = scan_command(db, "/srv/hyc/ke-hoach-cap-tren.pdf", "/srv/hyc/uploads/ke-hoach-xa.pdf")
    assert not any(secret in part for part in command)
    assert env["HYCOMPLIANCE_DB"] == db
    assert command[-1] == "/srv/hyc/uploads/ke-hoach-xa.pdf"

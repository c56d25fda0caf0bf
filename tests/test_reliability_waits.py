"""Two failures issue 11 reported that had no test of their own: a nightly scan that gave up after 1.5 s
while another writer held the database (it must wait its turn and store everything), and an upload the
server was scanning when it stopped (it must be marked failed, in Vietnamese, and never scanned again)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from hycompliance.scan import scan
from hycompliance.web.app import create_app
from hycompliance.web.schema import open_web_db
from hycompliance.web.uploads import get, receive, record
from tests.browser.harness import client, copy_db
from tests.conftest import DEV
from tests.conftest_db import PARENT_TXT
from tests.test_reliability_web import _hold_lock

HELD_SECONDS = 3.0


def test_a_scan_waits_out_another_writer_holding_the_database(tmp_path: Path) -> None:
    first, later = tmp_path / "dot-1", tmp_path / "dot-2"
    first.mkdir(), later.mkdir()
    shutil.copy(DEV / "vanlam-kh-2023.txt", first)
    shutil.copy(DEV / "myhao-kh-2023.txt", later)
    db = tmp_path / "cov.db"
    assert scan(db, PARENT_TXT, [first], workers=1, progress=False, log=open(os.devnull, "w"))["scanned"] == 1
    held = threading.Event()
    locker = threading.Thread(target=_hold_lock, args=(db, HELD_SECONDS, held))
    locker.start()
    held.wait(10)
    started = time.monotonic()
    summary = scan(db, PARENT_TXT, [first, later], workers=1, progress=False, log=open(os.devnull, "w"))
    waited = time.monotonic() - started
    locker.join()
    assert (summary["scanned"], summary["skipped"], summary["failed"]) == (1, 1, 0)
    assert waited >= HELD_SECONDS - 0.5  # it waited for the writer instead of failing at once
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT name, status FROM documents ORDER BY name").fetchall() == [
            ("myhao-kh-2023", "ok"), ("vanlam-kh-2023", "ok")]
        assert conn.execute("SELECT status FROM runs ORDER BY id").fetchall() == [("done",), ("done",)]
    finally:
        conn.close()


def test_an_upload_the_server_was_scanning_when_it_stopped_is_failed_not_scanned_again(built: Path,
                                                                                       tmp_path: Path) -> None:
    db_path = copy_db(built, tmp_path / "coverage.db")
    stored, form, size = receive([(DEV / "sokhcn-kh-2023.txt").read_bytes()], "Sở KHCN 2023.txt", tmp_path / "uploads")
    db = open_web_db(db_path)
    upload_id = record(db, stored, "Sở KHCN 2023.txt", form, size, "an")
    db["uploads"].update(upload_id, {"state": "scanning"})  # as a server killed in the middle of its scan left it
    db.close()
    with client(create_app(db_path, uploads_dir=tmp_path / "uploads")) as c:  # the next start
        page = c.get("/upload").text
    db = open_web_db(db_path)
    row = get(db, upload_id)
    documents = db.execute("SELECT count(*) FROM documents WHERE path = ?", [str(stored.resolve())]).fetchone()[0]
    db.close()
    line = "Sở KHCN 2023.txt: E306 lỗi nội bộ khi phân tích tệp (máy chủ dừng khi đang phân tích tệp này; hãy tải tệp lên lại); xin báo lại cho quản trị"
    assert (row["state"], row["error_line"], documents) == ("error", line, 0)
    assert "máy chủ dừng khi đang phân tích tệp này" in page

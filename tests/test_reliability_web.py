"""Writers wait their turn in the web app: decisions and uploads while a scan writes, a locked database waited
out, and what a writer says when the wait budget runs out (503 with E301, nothing half-written)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hycompliance.web.app import create_app
from tests.browser.harness import PARENT, client, csrf_of
from tests.conftest import DEV
from tests.conftest_db import ROOT
from tests.test_reliability_scan import with_limits

NOTES = ("Đã đối chiếu mục III.2", "Huyện đã giải trình bằng văn bản", "Chưa thấy nội dung tương ứng",
         "Có trong phụ lục kèm theo", "Đề nghị bổ sung chỉ tiêu")
STATUSES = ("covered", "justified", "missing", "partial", "covered")


class Queue:
    """Stands in for the app's upload thread: the upload's scan is tested in test_web_upload; here only
    what the request itself writes counts."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def submit(self, fn, db_path, plan_path, upload_id):  # noqa: ANN001
        self.queued.append(upload_id)

    def shutdown(self, **kw) -> None:  # noqa: ANN003
        pass


def _app(db_path: Path, tmp_path: Path):
    app = create_app(db_path, plan_path=PARENT, uploads_dir=tmp_path / "uploads", reviewer="Lan")
    app.state.jobs = Queue()
    return app


def _cells(db_path: Path) -> tuple[int, list[str]]:
    conn = sqlite3.connect(db_path)
    doc = conn.execute("SELECT id FROM documents WHERE name = 'phucu-kh-2023'").fetchone()[0]
    codes = [r[0] for r in conn.execute(
        "SELECT r.code FROM matches m JOIN requirements r ON r.id = m.requirement_id "
        "WHERE m.document_id = ? AND r.kind = 'task' ORDER BY r.position", [doc])]
    conn.close()
    return doc, codes


def _decide(app, doc: int, requirement: str, status: str, note: str):  # noqa: ANN001
    with client(app) as c:
        token = csrf_of(c.get(f"/documents/{doc}").text)
        return c.post(f"/documents/{doc}/decisions",
                      data={"csrf": token, "requirement": requirement, "status": status, "note": note})


def _upload(app, name: str, content: bytes):  # noqa: ANN001
    with client(app) as c:
        token = csrf_of(c.get("/upload").text)
        return c.post("/upload", data={"csrf": token}, files={"file": (name, content, "text/plain")},
                      headers={"accept": "application/json"})


def _hog(db_path: Path, stop: threading.Event, hold: float, every: float) -> None:
    """Another writer that keeps taking the write lock and holding it (a scan writing a big document)."""
    conn = sqlite3.connect(db_path, timeout=60)
    while not stop.is_set():
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE runs SET seconds = seconds WHERE id = (SELECT max(id) FROM runs)")
        time.sleep(hold)
        conn.commit()
        time.sleep(every)
    conn.close()


def test_decisions_and_uploads_while_a_scan_writes_are_all_kept(db_path, tmp_path):
    doc, codes = _cells(db_path)
    app = _app(db_path, tmp_path)
    plans = tmp_path / "nightly"
    plans.mkdir()
    for name in ("myhao-kh-2023.txt", "vanlam-kh-2023.txt"):
        (plans / name).write_bytes((DEV / name).read_bytes())
    scan = subprocess.Popen([sys.executable, "-m", "hycompliance", "scan", "--plan", str(PARENT), "--db", str(db_path),
                             "--workers", "2", str(plans)], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()
    hog = threading.Thread(target=_hog, args=(db_path, stop, 1.0, 0.2))
    hog.start()
    decisions = [(codes[(8 * k + i) % len(codes)], STATUSES[i], f"{NOTES[i]} ({k}-{i})") for k in range(8) for i in range(5)]
    uploads = [(f"ke-hoach-xa-{i}.txt", (DEV / "myhao-kh-2023.txt").read_bytes() + f"\nBản số {i}.\n".encode())
               for i in range(4)]
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            decided = list(pool.map(lambda d: _decide(app, doc, *d).status_code, decisions))
            uploaded = [r.status_code for r in pool.map(lambda u: _upload(app, *u), uploads)]
    finally:
        stop.set()
        hog.join()
    out, err = scan.communicate(timeout=300)
    assert scan.returncode == 0, err[-2000:]
    assert decided == [303] * 40
    assert uploaded == [202] * 4
    conn = sqlite3.connect(db_path)
    stored = {(r, s, n) for r, s, n in conn.execute("SELECT requirement, status, note FROM reviews WHERE document_id = ?", [doc])}
    assert {(r, s, n) for r, s, n in decisions} <= stored and len(stored) >= 40
    rows = conn.execute("SELECT original, path, state FROM uploads ORDER BY original").fetchall()
    conn.close()
    assert [(o, s) for o, _, s in rows] == [(name, "queued") for name, _ in uploads]
    assert all(Path(p).is_file() for _, p, _ in rows)
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == sorted(Path(p).parent.name for _, p, _ in rows)


def _hold_lock(db_path: Path, seconds: float, held: threading.Event) -> None:
    conn = sqlite3.connect(db_path, timeout=60)
    conn.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    conn.commit()
    conn.close()


def test_a_decision_waits_out_a_locked_database(db_path, tmp_path):
    doc, codes = _cells(db_path)
    app = _app(db_path, tmp_path)
    held = threading.Event()
    locker = threading.Thread(target=_hold_lock, args=(db_path, 2.0, held))
    with client(app) as c:
        token = csrf_of(c.get(f"/documents/{doc}").text)
        locker.start()
        held.wait(10)
        started = time.monotonic()
        response = c.post(f"/documents/{doc}/decisions",
                          data={"csrf": token, "requirement": codes[0], "status": "justified", "note": NOTES[1]})
        waited = time.monotonic() - started
    locker.join()
    assert response.status_code == 303 and waited >= 1.5
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT status, note FROM reviews WHERE document_id = ? AND requirement = ?",
                        [doc, codes[0]]).fetchall() == [("justified", NOTES[1])]
    conn.close()


def test_past_the_wait_budget_a_writer_says_e301_and_keeps_nothing(db_path, tmp_path, monkeypatch):
    with_limits(tmp_path, monkeypatch, database__lock_wait_seconds=0.5)
    doc, codes = _cells(db_path)
    app = _app(db_path, tmp_path)
    held = threading.Event()
    locker = threading.Thread(target=_hold_lock, args=(db_path, 4.0, held))
    with client(app) as c:
        token = csrf_of(c.get(f"/documents/{doc}").text)
        upload_token = csrf_of(c.get("/upload").text)
        locker.start()
        held.wait(10)
        decided = c.post(f"/documents/{doc}/decisions",
                         data={"csrf": token, "requirement": codes[0], "status": "covered", "note": NOTES[0]})
        uploaded = c.post("/upload", data={"csrf": upload_token},
                          files={"file": ("ke-hoach.txt", (DEV / "myhao-kh-2023.txt").read_bytes(), "text/plain")},
                          headers={"accept": "application/json"})
    locker.join()
    assert decided.status_code == 503 and "E301" in decided.text and "busy" in decided.text
    assert uploaded.status_code == 503 and "E301" in uploaded.json()["error"]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM reviews WHERE document_id = ?", [doc]).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM uploads").fetchone()[0] == 0
    conn.close()
    assert not (tmp_path / "uploads").exists() or list((tmp_path / "uploads").iterdir()) == []

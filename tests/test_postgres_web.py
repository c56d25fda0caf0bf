"""The web app on PostgreSQL: the same pages and exports as on SQLite, and reviewers' decisions from several
``hycompliance serve`` processes at once while a scan writes, every one kept and seen by every process.

The server is the session's throwaway PostgreSQL (``conftest.pg_server``); skipped with the reason without it.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest

from hycompliance.scan import scan
from hycompliance.web.app import create_app
from tests.browser.harness import PARENT, client, csrf_of
from tests.conftest import DEV
from tests.conftest_db import ROOT

CSRF = re.compile(r'(?<=<meta name="csrf-token" content=")[^"]+')
# when each store's decision was taken: the two are minutes apart when the run crosses a minute boundary
WHEN = re.compile(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b")
PLANS = [DEV / "phucu-kh-2023.txt", DEV / "soct-kh-2023.txt"]
NOTES = ("Đã đối chiếu mục III.2", "Huyện đã giải trình bằng văn bản", "Chưa thấy nội dung tương ứng",
         "Có trong phụ lục kèm theo", "Đề nghị bổ sung chỉ tiêu")
STATUSES = ("covered", "justified", "missing", "partial", "covered")


def scanned(db: str) -> str:
    summary = scan(db, PARENT, PLANS, workers=1, log=io.StringIO(), progress=False)
    assert (summary["scanned"], summary["failed"]) == (2, 0), summary
    return db


def document_id(db_url: str, name: str) -> int:
    with psycopg.connect(db_url) as conn:
        return int(conn.execute("SELECT id FROM documents WHERE name = %s", [name]).fetchone()[0])


def task_codes(db_url: str, doc: int) -> list[str]:
    with psycopg.connect(db_url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT r.code FROM matches m JOIN requirements r ON r.id = m.requirement_id "
            "WHERE m.document_id = %s AND r.kind = 'task' ORDER BY r.position", [doc])]


def test_pages_and_exports_are_the_same_on_both_stores(pg_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    pages = {}
    for name, db in (("sqlite", str(tmp_path / "coverage.db")), ("postgresql", pg_url)):
        app = create_app(scanned(db), plan_path=PARENT, uploads_dir=tmp_path / f"uploads-{name}", reviewer="Lan")
        with client(app) as c:
            doc = next(d for d in (1, 2) if "phucu-kh-2023" in c.get(f"/documents/{d}").text)
            token = csrf_of(c.get(f"/documents/{doc}").text)
            decided = c.post(f"/documents/{doc}/decisions", data={
                "csrf": token, "requirement": "III.1.1", "status": "justified", "note": "Huyện đã giải trình bằng văn bản"})
            assert decided.status_code == 303
            pages[name] = {path: c.get(path) for path in ("/export.csv", "/requirements/III.1.1",
                                                           f"/documents/{doc}", "/search?q=duong")}
    for path, response in pages["postgresql"].items():
        assert response.status_code == 200, path
    assert pages["postgresql"]["/export.csv"].content == pages["sqlite"]["/export.csv"].content
    for page in ("/requirements/III.1.1", "/search?q=duong"):  # the same HTML but for each session's CSRF token
        same = {name: WHEN.sub("<when>", re.sub(CSRF, "", pages[name][page].text)) for name in pages}
        assert same["postgresql"] == same["sqlite"] != pages["sqlite"][page].text
    assert WHEN.search(pages["postgresql"]["/requirements/III.1.1"].text)
    assert "Huyện đã giải trình bằng văn bản" in pages["postgresql"]["/requirements/III.1.1"].text
    assert "đường" in pages["postgresql"]["/search?q=duong"].text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(db_url: str, folder: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "hycompliance", "serve", "--db", db_url, "--port", str(port),
                             "--plan", str(PARENT), "--reviewer", "Lan"], cwd=folder,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    return proc, f"http://127.0.0.1:{port}"


def _wait_up(base: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            if httpx.get(base + "/", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError(f"{base} did not answer in time")


def _decide(base: str, doc: int, decisions: list[tuple[str, str, str]]) -> list[int]:
    with httpx.Client(base_url=base, timeout=60) as c:
        token = csrf_of(c.get(f"/documents/{doc}").text)
        return [c.post(f"/documents/{doc}/decisions",
                       data={"csrf": token, "requirement": r, "status": s, "note": n}).status_code
                for r, s, n in decisions]


def test_decisions_from_two_serve_processes_while_a_scan_writes_are_all_kept(pg_url: str, tmp_path: Path,
                                                                               monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # the scans and the servers share the folder of the database's side files
    scanned(pg_url)
    doc = document_id(pg_url, "phucu-kh-2023")
    codes = task_codes(pg_url, doc)
    servers = [_serve(pg_url, tmp_path) for _ in range(2)]
    nightly = tmp_path / "nightly"
    nightly.mkdir()
    for name in ("myhao-kh-2023.txt", "vanlam-kh-2023.txt"):
        (nightly / name).write_bytes((DEV / name).read_bytes())
    try:
        for proc, base in servers:
            _wait_up(base, proc)
            before = httpx.get(f"{base}/requirements/{codes[0]}", timeout=60)  # now in each process's page cache
            assert before.status_code == 200 and NOTES[0] not in before.text
        nightly_scan = subprocess.Popen([sys.executable, "-m", "hycompliance", "scan", "--plan", str(PARENT), "--db",
                                         pg_url, "--workers", "2", str(nightly)], cwd=tmp_path,
                                        env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        decisions = [(codes[(7 * k + i) % len(codes)], STATUSES[i], f"{NOTES[i]} ({k}-{i})")
                     for k in range(6) for i in range(5)]
        batches = [(servers[k % 2][1], decisions[k::6]) for k in range(6)]  # three client threads per process
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = [code for codes_ in pool.map(lambda b: _decide(b[0], doc, b[1]), batches) for code in codes_]
        out, err = nightly_scan.communicate(timeout=600)
        assert nightly_scan.returncode == 0, err[-2000:]
        assert answers == [303] * 30
        with psycopg.connect(pg_url) as conn:
            stored = set(conn.execute("SELECT requirement, status, note FROM reviews WHERE document_id = %s", [doc]))
            latest = conn.execute("SELECT note FROM reviews WHERE id = (SELECT max(id) FROM reviews WHERE requirement = %s)",
                                  [codes[0]]).fetchone()[0]
            names = {r[0] for r in conn.execute("SELECT name FROM documents WHERE status = 'ok'")}
        assert stored == set(decisions)
        assert names == {"phucu-kh-2023", "soct-kh-2023", "myhao-kh-2023", "vanlam-kh-2023"}
        # Each process shows the latest decision, whichever process recorded it (its page cache follows the
        # server's writes).
        for _, base in servers:
            assert latest in httpx.get(f"{base}/requirements/{codes[0]}", timeout=60).text
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=30)

"""A full disk while writing: the command says E301 with the cause, exits 1, and loses nothing stored before.

The disk is made "full" with SQLite's own ceiling on the database's size (``PRAGMA max_page_count`` set on
every connection the program opens to the size the file already has): the next write that needs one more
page fails with SQLITE_FULL, "database or disk is full", as on a full disk, without a tiny filesystem.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hycompliance.web.app import create_app
from tests.browser.harness import PARENT, client, copy_db, csrf_of
from tests.conftest import DEV
from tests.conftest_db import ROOT

# Runs the real CLI with every SQLite connection capped at {pages} pages.
CAPPED_CLI = """
import sqlite3, sys
_connect = sqlite3.connect
def connect(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    conn.execute("PRAGMA max_page_count = {pages}")
    return conn
sqlite3.connect = connect
sys.argv[0] = "hycompliance"
from hycompliance.cli import main
main()
"""
# What the first scan stored, per table: the rows that must survive the failed writes unchanged.
STORED = {
    "documents": "SELECT name, content_hash, status, error_code FROM documents ORDER BY id",
    "clauses": "SELECT document_id, clause_id, text FROM clauses ORDER BY id",
    "matches": "SELECT document_id, requirement_id, status, score, evidence FROM matches ORDER BY id",
    "citations": "SELECT document_id, as_written FROM citations ORDER BY id",
    "reviews": "SELECT document_id, requirement, status, note, reviewer FROM reviews ORDER BY id",
}
LONG_NOTE = " ".join(["Huyện đã giải trình đầy đủ về nhiệm vụ này; đề nghị giữ nguyên kết luận."] * 26)  # < 2,000
assert len(LONG_NOTE) <= 2000  # the longest note a decision keeps (web.routes.documents.MAX_NOTE)


def _pages(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    return int(pages)


def _stored(db_path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {table: conn.execute(sql).fetchall() for table, sql in STORED.items()}
    finally:
        conn.close()


def _cli(*args: str, pages: int | None = None) -> subprocess.CompletedProcess:
    head = [sys.executable, "-c", CAPPED_CLI.replace("{pages}", str(pages))] if pages else [
        sys.executable, "-m", "hycompliance"]
    return subprocess.run([*head, *args], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                          text=True, timeout=600)


def test_a_scan_that_fills_the_disk_says_e301_exits_1_and_keeps_what_was_stored(tmp_path):
    first, second = tmp_path / "dot-1", tmp_path / "dot-2"
    first.mkdir()
    second.mkdir()
    (first / "phucu-kh-2023.txt").write_bytes((DEV / "phucu-kh-2023.txt").read_bytes())
    (second / "vanlam-kh-2023.txt").write_bytes((DEV / "vanlam-kh-2023.txt").read_bytes())
    db_path = tmp_path / "coverage.db"
    done = _cli("scan", "--plan", str(PARENT), "--db", str(db_path), "-j", "1", str(first))
    assert done.returncode == 0, done.stderr
    requirement = sqlite3.connect(db_path).execute(
        "SELECT r.code FROM matches m JOIN requirements r ON r.id = m.requirement_id ORDER BY r.position").fetchone()[0]
    decided = _cli("review", "phucu-kh-2023", requirement, "--status", "justified", "--note", "Đã giải trình",
                   "--reviewer", "Lan", "--db", str(db_path))
    assert decided.returncode == 0, decided.stderr
    before = _stored(db_path)
    assert before["clauses"] and before["matches"] and len(before["reviews"]) == 1

    full = _cli("scan", "--plan", str(PARENT), "--db", str(db_path), "-j", "1", str(first), str(second),
                pages=_pages(db_path))
    assert full.returncode == 1, full.stderr
    lines = [line for line in full.stderr.splitlines() if "E301" in line]
    assert lines and all("disk is full" in line for line in lines), full.stderr
    assert str(db_path) in lines[-1]
    assert "Traceback" not in full.stderr
    after = _stored(db_path)
    # nothing stored before was lost or changed; the new file is at most queued (pending), never half-stored
    assert after["documents"][:len(before["documents"])] == before["documents"]
    assert [d[2] for d in after["documents"][len(before["documents"]):]] in ([], ["pending"])
    assert {table: rows for table, rows in after.items() if table != "documents"} == {
        table: rows for table, rows in before.items() if table != "documents"}

    again = _cli("scan", "--plan", str(PARENT), "--db", str(db_path), "-j", "1", str(first), str(second))
    assert again.returncode == 0, again.stderr  # room again: the scan completes, the decision still there
    after = _stored(db_path)
    assert [(d[0], d[2]) for d in after["documents"]] == [("phucu-kh-2023", "ok"), ("vanlam-kh-2023", "ok")]
    assert after["reviews"] == before["reviews"]


@pytest.fixture()
def capped(monkeypatch):
    """``cap(pages)``: from now on every SQLite connection this process opens holds at most ``pages`` pages."""
    real = sqlite3.connect

    def cap(pages: int) -> None:
        def connect(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            conn = real(*args, **kwargs)
            conn.execute(f"PRAGMA max_page_count = {pages}")
            return conn

        monkeypatch.setattr(sqlite3, "connect", connect)

    yield cap
    monkeypatch.setattr(sqlite3, "connect", real)


def test_a_decision_on_a_full_disk_says_e301_and_keeps_every_earlier_decision(built, tmp_path, capped, monkeypatch):
    db_path = copy_db(built, tmp_path / "coverage.db")
    app = create_app(db_path, plan_path=PARENT, uploads_dir=tmp_path / "uploads", reviewer="Lan")
    conn = sqlite3.connect(db_path)
    doc = conn.execute("SELECT id FROM documents WHERE name = 'phucu-kh-2023'").fetchone()[0]
    codes = [r[0] for r in conn.execute(
        "SELECT r.code FROM matches m JOIN requirements r ON r.id = m.requirement_id WHERE m.document_id = ? "
        "AND r.kind = 'task' ORDER BY r.position LIMIT 30", [doc])]
    conn.execute("VACUUM")  # no free pages left to reuse: the file's size is all there is
    conn.close()
    with client(app) as c:
        token = csrf_of(c.get(f"/documents/{doc}").text)
        kept = c.post(f"/documents/{doc}/decisions",
                      data={"csrf": token, "requirement": codes[0], "status": "justified", "note": "Đã giải trình"})
        assert kept.status_code == 303
        capped(_pages(db_path))
        before = _stored(db_path)
        answers = []
        for code in codes[1:]:  # long notes until the file would have to grow
            answers.append((code, c.post(f"/documents/{doc}/decisions",
                                         data={"csrf": token, "requirement": code, "status": "missing", "note": LONG_NOTE})))
            if answers[-1][1].status_code != 303:
                break
        refused_code, refused = answers[-1]
        assert refused.status_code == 503, [a.status_code for _, a in answers]
        assert "E301 lỗi cơ sở dữ liệu (ổ đĩa đã đầy)" in refused.text  # the cause, in the reviewer's words
        full = _stored(db_path)
        monkeypatch.undo()  # room again
        saved = c.post(f"/documents/{doc}/decisions",
                       data={"csrf": token, "requirement": refused_code, "status": "missing", "note": LONG_NOTE})
        assert saved.status_code == 303
    accepted = [(doc, code, "missing", LONG_NOTE, "Lan") for code, _ in answers[:-1]]
    assert full["reviews"] == before["reviews"] + accepted  # every decision answered 303 is kept, the refused one is not
    assert {t: rows for t, rows in full.items() if t != "reviews"} == {t: rows for t, rows in before.items() if t != "reviews"}
    assert _stored(db_path)["reviews"] == before["reviews"] + accepted + [(doc, refused_code, "missing", LONG_NOTE, "Lan")]

"""The key pages are cached by (``hycompliance.data_version``, ``web.cache``), on both stores.

It must stay while the data people see stays (a WAL checkpoint, a VACUUM: each would have changed the old key
of file sizes and times, or PostgreSQL's WAL position) and move with each write people see (a decision, a
scan, an upload), after which the page shows the new data. Computations are counted through ``PageData``.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from hycompliance.data_version import STORE_TABLES, UNTRACKED, WEB_TABLES
from hycompliance.reviews import add_review
from hycompliance.scan import scan
from hycompliance.web.app import create_app
from hycompliance.web.cache import _file_state, database_state
from hycompliance.web.schema import connect, open_web_readable
from hycompliance.web.warm import Warmer
from tests.browser.harness import PARENT, client, csrf_of, wait_for_upload
from tests.conftest import DEV
from tests.test_web_warm import Counting

FIRST = ("phucu-kh-2023.txt", "soct-kh-2023.txt")
NOTE = "Huyện đã giải trình bằng văn bản số 112"


def _scanned(db: str, names: tuple[str, ...]) -> str:
    summary = scan(db, PARENT, [DEV / n for n in names], workers=1, log=io.StringIO(), progress=False)
    assert (summary["scanned"], summary["failed"]) == (len(names), 0), summary
    return db


def _is_pg(db: str) -> bool:
    return db.startswith("postgresql")


def _app(db: str, tmp_path: Path) -> tuple[Any, Counting]:
    """The app over ``db`` with its pages' data counted; its warmer never started (no lifespan): every
    computation is a request's."""
    app = create_app(db, plan_path=PARENT, uploads_dir=tmp_path / "uploads", reviewer="Lan")
    counting = Counting(db)
    app.state.warmer = Warmer(app.state.warmer.cache, counting.data())
    return app, counting


def _doc_id(db: str, name: str) -> int:
    with connect(db) as c:
        return int(c.execute("SELECT id FROM documents WHERE name = ?", [name]).fetchone()[0])


def _old_key(db: str) -> Any:
    """What the cache was keyed by before: the files' sizes and times, or the server's WAL position."""
    if _is_pg(db):
        with psycopg.connect(db) as conn:
            return conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]
    return _file_state(db)


def _sqlite(sql: str) -> Callable[[str], None]:
    def run(db: str) -> None:
        con = sqlite3.connect(db, isolation_level=None)
        try:
            con.execute(sql).fetchall()
        finally:
            con.close()
    return run


def _pg(sql: str) -> Callable[[str], None]:
    def run(db: str) -> None:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(sql)
    return run


MAINTENANCE = {  # store -> what an operator or SQLite itself does that changes no data people see
    "sqlite": [_sqlite("PRAGMA wal_checkpoint(TRUNCATE)"), _sqlite("VACUUM"), _sqlite("PRAGMA wal_checkpoint(TRUNCATE)")],
    "postgresql": [_pg("CHECKPOINT"), _pg("VACUUM FULL documents"), _pg("VACUUM ANALYZE")],
}


def test_a_checkpoint_or_vacuum_keeps_the_cached_pages(db_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = _scanned(db_url, FIRST)
    app, counting = _app(db, tmp_path)
    c = client(app)
    doc = _doc_id(db, "phucu-kh-2023")
    assert "Mới có một phần" not in c.get(f"/documents/{doc}").text
    with connect(db) as conn:  # a write in the WAL (the cache's connection keeps it), for the checkpoint to move
        add_review(conn, str(doc), "III.1.1", "partial", "Mới có một phần", reviewer="Lan")
    first = c.get(f"/documents/{doc}")
    assert first.status_code == 200 and "Mới có một phần" in first.text
    assert counting.documents() == {doc: 2}
    for step in MAINTENANCE["postgresql" if _is_pg(db) else "sqlite"]:
        key, old = database_state(db), _old_key(db)
        step(db)
        assert _old_key(db) != old  # the old key would have thrown every page away
        assert database_state(db) == key
        again = c.get(f"/documents/{doc}")
        assert again.status_code == 200 and again.text == first.text
    assert counting.documents() == {doc: 2}  # once per version


def _decision(db: str, c: Any, tmp_path: Path) -> tuple[str, str]:
    doc = _doc_id(db, "soct-kh-2023")
    with connect(db) as conn:
        add_review(conn, str(doc), "III.1.1", "justified", NOTE, reviewer="Nguyễn Văn An")
    return f"/documents/{doc}", NOTE


def _scan(db: str, c: Any, tmp_path: Path) -> tuple[str, str]:
    _scanned(db, ("myhao-kh-2023.txt",))
    return "/", f'<a href="/documents/{_doc_id(db, "myhao-kh-2023")}">myhao-kh-2023</a>'


def _upload(db: str, c: Any, tmp_path: Path) -> tuple[str, str]:
    token = csrf_of(c.get("/upload").text)
    response = c.post("/upload", files={"file": ("Văn Lâm 112.txt", (DEV / "vanlam-kh-2023.txt").read_bytes())},
                      headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert response.status_code == 202, response.text
    assert wait_for_upload(c, response.json()["status"])["state"] == "done"
    return "/", f'<a href="/documents/{_doc_id(db, "van-lam-112")}">van-lam-112</a>'


CHANGES = [_decision, _scan, _upload]  # each returns the page that shows it and what that page now holds


def test_a_decision_a_scan_and_an_upload_each_move_the_key_and_show(db_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = _scanned(db_url, FIRST)
    app, counting = _app(db, tmp_path)
    c = client(app)
    open_web_readable(db).close()  # the web tables (uploads)
    pages = ["/", *(f"/documents/{_doc_id(db, Path(n).stem)}" for n in FIRST)]
    for change in CHANGES:
        for page in pages:
            assert c.get(page).status_code == 200
        made, key = len(counting.calls), database_state(db)
        before = {page: c.get(page).text for page in pages}
        path, shown = change(db, c, tmp_path)
        assert database_state(db) != key, change.__name__
        assert shown not in before[path]
        page = c.get(path)
        assert page.status_code == 200 and shown in page.text, change.__name__
        assert len(counting.calls) > made


def _sqlite_triggers(db: str) -> dict[str, set[str]]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_version_%'")
        out: dict[str, set[str]] = {}
        for table, sql in rows:
            out.setdefault(table, set()).add(sql.split(" ON ")[0].rsplit(" ", 1)[1])
        return out
    finally:
        con.close()


def test_every_table_pages_read_moves_the_version(db_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = _scanned(db_url, FIRST)
    open_web_readable(db).close()
    with connect(db) as conn:
        tables = set(conn.table_names())
    assert set(STORE_TABLES) | set(WEB_TABLES) <= tables
    if _is_pg(db):
        with psycopg.connect(db) as conn:
            rows = conn.execute("SELECT event_object_table, event_manipulation FROM information_schema.triggers "
                                "WHERE trigger_name LIKE 'data_version_%%' AND action_timing = 'BEFORE' "
                                "AND action_orientation = 'STATEMENT'").fetchall()
        triggered: dict[str, set[str]] = {}
        for table, op in rows:
            triggered.setdefault(table, set()).add(op)
    else:
        triggered = _sqlite_triggers(db)
    untracked = {t for t in tables if t not in triggered}
    assert untracked <= set(UNTRACKED), f"tables no trigger moves the version for: {untracked - set(UNTRACKED)}"
    assert all(ops == {"INSERT", "UPDATE", "DELETE"} for ops in triggered.values()), triggered
    assert not set(triggered) & set(UNTRACKED)


# One write of each kind, each on a table of its own (with raw SQL: a write that bypasses the store moves it too).
WRITES = [
    ("UPDATE documents SET title = 'Kế hoạch thực hiện (bản sửa đổi)' WHERE name = 'phucu-kh-2023'", 1),
    ("UPDATE matches SET suspect = 1 WHERE document_id = (SELECT id FROM documents WHERE name = 'soct-kh-2023')", 1),
    ("DELETE FROM findings WHERE document_id = (SELECT id FROM documents WHERE name = 'soct-kh-2023')", 1),
    ("INSERT INTO registry_mentions (key, date, origin) VALUES ('123/KH-UBND', '2023-05-02', 'tay') "
     "ON CONFLICT DO NOTHING", 1),
    ("UPDATE requirements SET text = text WHERE id < 0", 0),  # no row written: nothing moves on SQLite
]


@pytest.mark.parametrize("sql, sqlite_moves", WRITES)
def test_a_raw_write_moves_the_version_in_its_own_transaction(db_url: str, tmp_path: Path, monkeypatch, sql: str,
                                                              sqlite_moves: int) -> None:
    """On PostgreSQL every writing statement moves it (a statement trigger), once per transaction."""
    monkeypatch.chdir(tmp_path)
    db = _scanned(db_url, FIRST)
    key = database_state(db)
    if _is_pg(db):
        with psycopg.connect(db) as conn:  # one transaction: uncommitted, the key has not moved
            conn.execute(sql.replace("?", "%s"))
            conn.execute(sql.replace("?", "%s"))
            assert database_state(db) == key
        moved = database_state(db)
        assert moved[-1] == key[-1] + 1  # once per transaction, however many statements
    else:
        con = sqlite3.connect(db)
        try:
            con.execute(sql)
            assert database_state(db) == key  # not committed yet
            con.commit()
        finally:
            con.close()
        moved = database_state(db)
        assert (moved[-1] > key[-1]) == bool(sqlite_moves)

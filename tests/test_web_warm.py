"""Pages' data made before anyone asks (``web.warm``) and computed once however many ask (``web.cache``).

Computations are counted through ``PageData`` (the seam both the routes and the warmer compute through);
nothing here measures time: the warmer is waited for by the state it finished, with a generous bound only so
that a broken warmer fails the test instead of hanging it.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from hycompliance.reviews import add_review
from hycompliance.store import open_db
from hycompliance.web import cache as cache_module
from hycompliance.web.app import create_app
from hycompliance.web.cache import DATA_ENTRIES, PageCache, database_state
from hycompliance.web.detail import document_page
from hycompliance.web.dashboard import dashboard
from hycompliance.web.schema import connect, open_web_readable
from hycompliance.web.warm import PageData, Warmer, document_key
from tests.browser.harness import client

BOUND = 120  # seconds: a safety net against a hang, not a measurement
CSRF = re.compile(r'(?<=<meta name="csrf-token" content=")[^"]+')


def _without_token(page: str) -> str:
    """The page without its session's CSRF token (in its meta tag and its forms)."""
    return page.replace(CSRF.search(page).group(0), "")


class Counting:
    """PageData whose computations are recorded as (page, id, database state when it began)."""

    def __init__(self, db_path: Path, on_document: Any = None) -> None:
        self.db_path, self.on_document = str(db_path), on_document
        self.calls: list[tuple[str, Any, tuple]] = []
        self.lock = threading.Lock()

    def document(self, db: Any, doc_id: int) -> dict[str, Any]:
        with self.lock:
            self.calls.append(("document", doc_id, database_state(self.db_path)))
        if self.on_document is not None:
            self.on_document(doc_id)
        return document_page(db, doc_id)

    def dashboard(self, db: Any, filters: Any) -> dict[str, Any]:
        with self.lock:
            self.calls.append(("dashboard", filters, database_state(self.db_path)))
        return dashboard(db, filters)

    def data(self) -> PageData:
        return PageData(document=self.document, dashboard=self.dashboard)

    def documents(self, state: tuple | None = None) -> Counter:
        return Counter(i for page, i, s in self.calls if page == "document" and (state is None or s == state))


def _documents_newest_first(db_path: Path) -> list[int]:
    """Makes the web tables (as the app does), gives the documents distinct processing times (the first id
    processed last) and returns their ids newest first."""
    open_web_readable(db_path).close()
    with closing(sqlite3.connect(db_path)) as con, con:  # closed: the last connection checkpoints its writes
        ids = [r[0] for r in con.execute("SELECT id FROM documents ORDER BY id")]
        for n, doc_id in enumerate(ids):
            con.execute("UPDATE documents SET processed_at = ? WHERE id = ?", [f"2026-11-{30 - n:02d}T22:00:00", doc_id])
    return ids


def _decide(db_path: Path, doc_id: int) -> None:
    with connect(db_path) as db:
        doc = db.execute("SELECT id, plan_id FROM documents WHERE id = ?", [doc_id]).fetchone()
        code = db.execute("SELECT code FROM requirements WHERE plan_id = ? AND active = 1 ORDER BY id LIMIT 1",
                          [doc[1]]).fetchone()[0]
        add_review(db, str(doc[0]), code, "justified", "Huyện đã giải trình bằng văn bản", reviewer="Nguyễn Văn An",
                   plan_id=doc[1])


def _retitle(db_path: Path, doc_id: int) -> None:
    with closing(sqlite3.connect(db_path)) as con, con:
        con.execute("UPDATE documents SET title = ? WHERE id = ?", ["Kế hoạch thực hiện (bản sửa đổi)", doc_id])


@pytest.mark.parametrize("change", [_decide, _retitle], ids=["decision", "document-rewritten"])
def test_every_document_is_warmed_after_each_state_change_without_a_request(db_path: Path, change: Any) -> None:
    ids = _documents_newest_first(db_path)
    counting = Counting(db_path)
    warmer = Warmer(PageCache(db_path, entries=DATA_ENTRIES), counting.data(), pause=0)
    warmer.start()
    try:
        assert warmer.wait_warm(BOUND)
        first = database_state(str(db_path))
        assert counting.documents(first) == Counter({i: 1 for i in ids})
        assert [i for page, i, _ in counting.calls if page == "document"] == ids  # most recent first
        change(db_path, ids[-1])
        warmer.poke()
        assert warmer.wait_warm(BOUND)
        second = database_state(str(db_path))
        assert second != first
        assert counting.documents(second) == Counter({i: 1 for i in ids})
        assert [p for p, _, s in counting.calls if p == "dashboard" and s == second] == ["dashboard"]
        before = len(counting.calls)
        with connect(db_path) as db:  # served from what the warmer made: no computation, the new state's data
            page = warmer.document_data(db, ids[-1])
        assert len(counting.calls) == before
        with connect(db_path) as db:
            assert page == document_page(db, ids[-1])
    finally:
        warmer.stop()


class CountingEvent(threading.Event):
    """An Event that counts the threads waiting on it (to know every follower is waiting)."""

    waiting = 0
    changed = threading.Condition()

    def wait(self, timeout: float | None = None) -> bool:
        with CountingEvent.changed:
            CountingEvent.waiting += 1
            CountingEvent.changed.notify_all()
        return super().wait(timeout)


@pytest.mark.parametrize("readers", [2, 8, 20])
def test_concurrent_cold_requests_for_one_document_compute_it_once(db_path: Path, readers: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CountingEvent, "waiting", 0)
    monkeypatch.setattr(cache_module, "_Flight", _counting_flight())
    doc_id = _documents_newest_first(db_path)[0]
    release = threading.Event()
    counting = Counting(db_path, on_document=lambda _: release.wait(BOUND))
    warmer = Warmer(PageCache(db_path, entries=DATA_ENTRIES), counting.data())  # never started: requests only
    results: list[Any] = [None] * readers

    def read(k: int) -> None:
        with connect(db_path) as db:
            results[k] = warmer.document_data(db, doc_id)

    threads = [threading.Thread(target=read, args=(k,)) for k in range(readers)]
    for t in threads:
        t.start()
    with CountingEvent.changed:  # the first computes (blocked on release), the others wait for it
        assert CountingEvent.changed.wait_for(lambda: CountingEvent.waiting == readers - 1, BOUND)
    release.set()
    for t in threads:
        t.join(BOUND)
    assert counting.documents() == Counter({doc_id: 1})
    assert all(r is results[0] for r in results) and results[0]["document"]["id"] == doc_id


def _counting_flight() -> type:
    from dataclasses import dataclass, field

    @dataclass
    class Flight:
        done: threading.Event = field(default_factory=CountingEvent)
        value: Any = None
        ok: bool = False

    return Flight


def test_a_state_change_while_warming_abandons_the_stale_pass(db_path: Path) -> None:
    ids = _documents_newest_first(db_path)
    written: list[tuple] = []

    def write_once(doc_id: int) -> None:  # a decision recorded while the warmer computes the newest document
        if not written:
            written.append(database_state(str(db_path)))
            _decide(db_path, ids[-1])

    counting = Counting(db_path, on_document=write_once)
    cache = PageCache(db_path, entries=DATA_ENTRIES)
    warmer = Warmer(cache, counting.data(), pause=0)
    warmer.start()
    try:
        assert warmer.wait_warm(BOUND)
        new = database_state(str(db_path))
        assert written and written[0] != new
        assert counting.documents(written[0]) == Counter({ids[0]: 1})  # the stale pass stopped after it
        assert counting.documents(new) == Counter({i: 1 for i in ids})  # the new state: every document
        assert all(cache.holds(document_key(i), new) for i in ids)
        assert not any(cache.holds(document_key(i), written[0]) for i in ids)
    finally:
        warmer.stop()


def test_pages_are_the_same_with_and_without_warming(db_path: Path) -> None:
    ids = _documents_newest_first(db_path)
    paths = ["/", "/?kind=district", *(f"/documents/{i}" for i in ids)]
    warmed_app, cold_app = create_app(db_path), create_app(db_path)
    counting = Counting(db_path)
    warmed_app.state.warmer = Warmer(warmed_app.state.warmer.cache, counting.data(), pause=0)
    with client(warmed_app) as c:  # its lifespan starts the warmer
        assert warmed_app.state.warmer.wait_warm(BOUND)
        made = len(counting.calls)
        warmed = {path: c.get(path) for path in paths}
    assert len(counting.calls) == made + 1  # only the filtered dashboard, which is not warmed, was computed
    cold_client = client(cold_app)  # no lifespan: no warmer, each page computed when asked
    for path in paths:
        cold = cold_client.get(path)
        assert warmed[path].status_code == cold.status_code == 200
        assert _without_token(warmed[path].text) == _without_token(cold.text)


def test_a_database_without_plans_is_warmed_without_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db_path = tmp_path / "trong.db"
    open_db(db_path).close()  # the store's tables, nothing scanned
    open_web_readable(db_path).close()
    counting = Counting(db_path)
    warmer = Warmer(PageCache(db_path, entries=DATA_ENTRIES), counting.data(), pause=0)
    warmer.start()
    try:
        assert warmer.wait_warm(BOUND)
    finally:
        warmer.stop()
    assert [page for page, _, _ in counting.calls] == ["dashboard"]
    assert "warming the pages failed" not in caplog.text

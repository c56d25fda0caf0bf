"""Pages' data made before anyone asks: after the server starts and whenever the database changes (a scan
finished, a decision, an upload), one background thread computes the dashboard's data and every document's
into the shared ``data`` cache (``web.cache``), the most recently processed documents first.

The thread is a daemon of low priority: it pauses between pages, abandons a pass as soon as the database
changes again (and starts one for the new state) and stops with the app. A request for a page not warmed yet
computes it itself, as it would without the warmer; the warmer only reads what the store holds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from hycompliance.errors import HyError
from hycompliance.web.cache import PageCache
from hycompliance.web.dashboard import Filters, dashboard, parent_plans
from hycompliance.web.detail import document_page
from hycompliance.web.schema import connect

log = logging.getLogger(__name__)

PAUSE_SECONDS = 0.005  # between two pages: requests come first
POLL_SECONDS = 1.0  # how often the database's state is looked at when nothing pokes the warmer


@dataclass(frozen=True)
class PageData:
    """How each shared page's data is computed: one place for the routes and the warmer."""
    document: Callable[[Database, int], dict[str, Any]] = document_page
    dashboard: Callable[[Database, Filters], dict[str, Any]] = dashboard


def document_key(doc_id: int) -> Hashable:
    return ("document", doc_id)


def dashboard_key(filters: Filters) -> Hashable:
    return ("dashboard", filters)


def _recent_documents(db: Database, limit: int) -> list[int]:
    return [r["id"] for r in db.query(
        "SELECT id FROM documents ORDER BY processed_at IS NULL, processed_at DESC, id DESC LIMIT ?", [limit])]


class Warmer:
    """The background thread that fills ``cache`` with the data of the pages readers open first."""

    def __init__(self, cache: PageCache, data: PageData, *, pause: float = PAUSE_SECONDS,
                 poll: float = POLL_SECONDS) -> None:
        self.cache, self.data, self.pause, self.poll = cache, data, pause, poll
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._warmed = threading.Condition()
        self._warmed_state: tuple[int | str, ...] | None = None
        self._thread: threading.Thread | None = None
        self._life = threading.Lock()

    def document_data(self, db: Database, doc_id: int) -> dict[str, Any]:
        """A document page's data at the database's current state, shared by every reader."""
        return self.cache.get(document_key(doc_id), lambda: self.data.document(db, doc_id))

    def dashboard_data(self, db: Database, filters: Filters) -> dict[str, Any]:
        """The dashboard's data for ``filters`` at the database's current state, shared by every reader."""
        return self.cache.get(dashboard_key(filters), lambda: self.data.dashboard(db, filters))

    def start(self) -> None:
        """Starts the thread (once: an app's lifespan may be entered again, or by several test clients)."""
        with self._life:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stop,), name="hyc-warm", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._life:
            thread, self._thread = self._thread, None
            self._stop.set()
            self._wake.set()
        if thread is not None:
            thread.join(timeout)

    def poke(self) -> None:
        """The database was just written (a decision): look at its state now rather than at the next poll."""
        self._wake.set()

    def wait_warm(self, timeout: float) -> bool:
        """Whether a pass finished for the database's current state within ``timeout`` seconds."""
        with self._warmed:
            return self._warmed.wait_for(lambda: self._warmed_state == self.cache.state(), timeout)

    def _run(self, stop: threading.Event) -> None:
        failed: tuple[int | str, ...] | None = None  # a state whose pass failed: not tried again
        while not stop.is_set():
            state = None
            try:
                state = self.cache.state()
                if state not in (self._warmed_state, failed) and self._warm(state, stop):
                    with self._warmed:
                        self._warmed_state = state
                        self._warmed.notify_all()
                    continue
            except Exception:  # the thread must outlive a database unreachable or changed under it: requests
                log.exception("warming the pages failed")  # compute their pages; the next state is warmed
                failed = state
            self._wake.wait(self.poll)
            self._wake.clear()

    def _pages(self, db: Database) -> Iterator[Callable[[], Any]]:
        """Each page to warm, as a thunk: the dashboard (each parent's when there are several), then documents."""
        yield lambda: self.dashboard_data(db, Filters())
        parents = parent_plans(db)
        for parent in parents if len(parents) > 1 else []:  # the dashboard asks which one first
            yield lambda f=Filters(parent=parent["key"]): self.dashboard_data(db, f)
        for doc_id in _recent_documents(db, max(0, self.cache.entries - len(parents) - 8)):
            yield lambda d=doc_id: self.document_data(db, d)

    def _warm(self, state: tuple[int | str, ...], stop: threading.Event) -> bool:
        """One pass over the pages for ``state``; False when stopped or the database changed meanwhile."""
        with connect(self.cache.db_path) as db:
            for page in self._pages(db):
                if stop.is_set() or self.cache.state() != state:
                    return False
                try:
                    page()
                except HyError:  # a document removed meanwhile: its page says so when asked
                    pass
                if stop.wait(self.pause):
                    return False
        return self.cache.state() == state

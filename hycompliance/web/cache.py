"""Pages kept between requests until the database changes (the dashboard and document pages are the same for
every reader until the next scan, decision or upload; under load they must not be recomputed).

Two levels, each a ``PageCache`` on ``app.state``: ``data`` holds a page's data (``document_page``, the
dashboard's), shared by every reader and filled ahead of requests by ``web.warm.Warmer``; ``pages`` holds the
HTML per (template, page, reader's account). A key that nobody holds yet is computed once however many
requests ask for it at the same time (single-flight): the first computes, the others wait for its value.

The key of the database's state is its files' modification times and sizes (on PostgreSQL, the server's
write-ahead log position): every commit writes the WAL (or, after a checkpoint, the file itself), so any
write anywhere (a scan, a decision, an upload) makes every entry stale; entries of an older state are dropped
when the first entry of the new one is kept.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hycompliance.database_pg import is_url, write_position

ENTRIES = 512  # rendered pages (per reader's account)
DATA_ENTRIES = 1024  # pages' data (shared): the dashboard and every document of a province's scan


def database_state(db_path: str) -> tuple[int | str, ...]:
    """(mtime_ns, size) of the database file and of its WAL when the WAL holds anything: changes with every
    commit. (An empty WAL is made and removed as readers come and go; it says nothing.) On PostgreSQL: the
    server's write-ahead log position, which moves with every commit (``database_pg.write_position``)."""
    if is_url(db_path):
        return (write_position(db_path),)
    out: list[int | str] = []
    for path in (db_path, f"{db_path}-wal"):
        try:
            st = os.stat(path)
        except OSError:
            out += [0, 0]
            continue
        out += [st.st_mtime_ns, st.st_size] if st.st_size else [0, 0]
    return tuple(out)


@dataclass
class _Flight:
    """One computation under way; those asking for the same key meanwhile wait for it."""
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    ok: bool = False


class PageCache:
    """A bounded map (page key, database state) -> computed value, with one computation per absent key."""

    def __init__(self, db_path: str | Path, entries: int = ENTRIES) -> None:
        self.db_path = str(db_path)
        self.entries = entries
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._state: tuple[int | str, ...] | None = None
        self._lock = threading.Lock()

    def state(self) -> tuple[int | str, ...]:
        return database_state(self.db_path)

    def holds(self, key: Hashable, state: tuple[int | str, ...]) -> bool:
        with self._lock:
            return (key, state) in self._data

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value for ``key`` at the database's current state. When absent, the first caller
        computes it and those asking meanwhile get that value; kept when nothing was written meanwhile."""
        state = self.state()
        full = (key, state)
        with self._lock:
            if full in self._data:
                self._data.move_to_end(full)
                return self._data[full]
            flight = self._flights.get(full)
            leader = flight is None
            if flight is None:
                flight = self._flights[full] = _Flight()
        if not leader:
            flight.done.wait()
            return flight.value if flight.ok else compute()  # the first caller failed: try it here
        try:
            flight.value = compute()
            flight.ok = True
            if self.state() == state:  # nothing was written while it was computed
                self._keep(full, state, flight.value)
            return flight.value
        finally:
            with self._lock:
                del self._flights[full]
            flight.done.set()

    def _keep(self, full: Hashable, state: tuple[int | str, ...], value: Any) -> None:
        with self._lock:
            if state != self._state:  # the database moved on: what was kept is stale
                self._data.clear()
                self._state = state
            self._data[full] = value
            while len(self._data) > self.entries:
                self._data.popitem(last=False)


def cached_html(request: Any, key: Hashable, template: str, context: Callable[[], dict[str, Any]], user: Any,
                csrf: str) -> str:
    """A page's HTML, rendered once per (page, reader's name and role, database state) and shared by every
    reader with that account: the session's CSRF token is put in afterwards, in place of a per-app slot."""
    state = request.app.state

    def render() -> str:
        values = dict(context(), request=request, user=user, csrf=state.csrf_slot)
        return state.templates.env.get_template(template).render(values)

    return state.pages.get(("html", template, key, user), render).replace(state.csrf_slot, csrf)

"""Pages kept between requests until the database changes (the dashboard and document pages are the same for
every reader until the next scan, decision or upload; under load they must not be recomputed).

Two levels, each a ``PageCache`` on ``app.state``: ``data`` holds a page's data (``document_page``, the
dashboard's), shared by every reader and filled ahead of requests by ``web.warm.Warmer``; ``pages`` holds the
HTML per (template, page, reader's account). A key that nobody holds yet is computed once however many
requests ask for it at the same time (single-flight): the first computes, the others wait for its value.

The key of the database's state is its data version (``hycompliance.data_version``): a number the store's
triggers move in the same transaction as any write to a table pages are made from (a scan, a decision, an
upload), and that nothing else moves: a WAL checkpoint, a VACUUM or a reader coming and going keep every
entry. On SQLite the key also holds the file's identity (a file put in place of the old one starts afresh).
Entries of an older state are dropped when the first entry of the new one is kept.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hycompliance.data_version import read_version
from hycompliance.database import open_readonly
from hycompliance.database_pg import connect as pg_connect, is_url
from hycompliance.errors import HyError

ENTRIES = 512  # rendered pages (per reader's account)
DATA_ENTRIES = 1024  # pages' data (shared): the dashboard and every document of a province's scan


def _file_state(db_path: str) -> tuple[int | str, ...]:
    """(mtime_ns, size) of the database file and of its WAL when the WAL holds anything: the key of a
    read-only database no migration could give a data version (it changes with every commit, and also with
    a checkpoint)."""
    out: list[int | str] = ["files"]
    for path in (db_path, f"{db_path}-wal"):
        try:
            st = os.stat(path)
        except OSError:
            out += [0, 0]
            continue
        out += [st.st_mtime_ns, st.st_size] if st.st_size else [0, 0]
    return tuple(out)


class DatabaseState:
    """Reads the key of the database's state. On SQLite through one read-only connection kept open (the key
    is read twice per request: opening a connection each time would cost more than the read), opened again
    when another file takes the database's name; on PostgreSQL through a connection of the process's pool."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self._lock = threading.Lock()
        self._conn: Any = None
        self._inode: tuple[int, int] | None = None

    def read(self) -> tuple[int | str, ...]:
        if is_url(self.db_path):
            db = pg_connect(self.db_path, pooled=True)
            try:
                return ("version", read_version(db.conn))
            finally:
                db.close()
        try:
            st = os.stat(self.db_path)
        except OSError:
            return _file_state(self.db_path)
        inode = (st.st_dev, st.st_ino)
        with self._lock:
            try:
                if self._conn is None or inode != self._inode:
                    self._close()
                    self._conn, self._inode = open_readonly(self.db_path).conn, inode
                version = read_version(self._conn)
            except (HyError, sqlite3.Error):
                version = None
        if version is None:
            return _file_state(self.db_path)
        return ("version", inode[0], inode[1], version)

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = self._inode = None


def database_state(db_path: str) -> tuple[int | str, ...]:
    """The key of the database's state now (``DatabaseState``, read once)."""
    reader = DatabaseState(db_path)
    try:
        return reader.read()
    finally:
        reader.close()


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
        self._reader = DatabaseState(self.db_path)

    def state(self) -> tuple[int | str, ...]:
        return self._reader.read()

    def close(self) -> None:
        """Closes the connection the key is read through (opened again when asked after)."""
        self._reader.close()

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

"""Page data kept between requests until the database changes (the dashboard and document pages are the
same for every reader until the next scan, decision or upload; under load they must not be recomputed).

The key of the database's state is its files' modification times and sizes (on PostgreSQL, the server's
write-ahead log position): every commit writes the WAL
(or, after a checkpoint, the file itself), so any write anywhere (a scan, a decision, an upload) makes
every entry stale. A ``PageCache`` lives on ``app.state``; entries are computed outside the lock.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from hycompliance.database_pg import is_url, write_position

ENTRIES = 256


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


class PageCache:
    """A bounded map (page key, database state) -> computed page data."""

    def __init__(self, db_path: str | Path, entries: int = ENTRIES) -> None:
        self.db_path = str(db_path)
        self.entries = entries
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value for ``key`` at the database's current state, computing it when absent."""
        full = (key, database_state(self.db_path))
        with self._lock:
            if full in self._data:
                self._data.move_to_end(full)
                return self._data[full]
        value = compute()
        if database_state(self.db_path) == full[1]:  # nothing was written while it was computed
            with self._lock:
                self._data[full] = value
                while len(self._data) > self.entries:
                    self._data.popitem(last=False)
        return value


def cached_html(request: Any, key: Hashable, template: str, context: Callable[[], dict[str, Any]], user: Any,
                csrf: str) -> str:
    """A page's HTML, rendered once per (page, reader's name and role, database state) and shared by every
    reader with that account: the session's CSRF token is put in afterwards, in place of a per-app slot."""
    state = request.app.state

    def render() -> str:
        values = dict(context(), request=request, user=user, csrf=state.csrf_slot)
        return state.templates.env.get_template(template).render(values)

    return state.pages.get(("html", template, key, user), render).replace(state.csrf_slot, csrf)

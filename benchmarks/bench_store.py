"""The scan into each store: SQLite and PostgreSQL, the same batch, the same local engine (2 workers).

Every run is a full scan of ``bench_scan.build_batch`` (``HYCOMPLIANCE_BENCH_STORE_N`` plans, default 40) into
a fresh database, then a rescan of the unchanged batch. "write ms/doc" is the writer's time per stored
document (``write_seconds`` of the run summary: one transaction per document, the registry included), the
figure that bounds one writer (``docs/scale.md``). PostgreSQL is the server at ``$HYCOMPLIANCE_BENCH_PG`` (a
``postgresql://`` URL of an empty database), else a throwaway one started like the tests' (``tests.pg_server``);
without either the row says why it was left out.
"""

from __future__ import annotations

import io
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.bench_scan import PARENT, WORK, build_batch
from hycompliance.copies import copies_dir
from hycompliance.errors import HyError
from hycompliance.scan import scan
from tests.pg_server import Unavailable

WORKERS = 2


@contextmanager
def _postgresql() -> Iterator[str]:
    given = os.environ.get("HYCOMPLIANCE_BENCH_PG")
    if given:
        yield given
        return
    import psycopg

    from tests.pg_server import start  # noqa: PLC0415 (only when no server is given)

    server = start()
    try:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
        yield server.database_url(name)
    finally:
        server.stop()


def _run(db: str, folder: Path, n: int, store: str) -> dict[str, Any]:
    full = scan(db, PARENT, [folder], workers=WORKERS, log=io.StringIO(), progress=False)
    started = time.perf_counter()
    again = scan(db, PARENT, [folder], workers=WORKERS, log=io.StringIO(), progress=False)
    stored = full["scanned"] + full["failed"]
    return {"store": store, "files": n, "scanned": full["scanned"], "failed": full["failed"],
            "seconds": round(full["seconds"], 2), "plans/s": round(stored / full["seconds"], 2),
            "write ms/doc": round(1000 * full["write_seconds"] / max(stored, 1), 1),
            "rescan s": round(time.perf_counter() - started, 2), "rescan skipped": again["skipped"]}


def bench_store() -> list[dict[str, Any]]:
    n = int(os.environ.get("HYCOMPLIANCE_BENCH_STORE_N", "40"))
    folder = build_batch(n)
    work = WORK / "store"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "coverage.db"
    rows = [_run(str(db), folder, n, "sqlite")]
    cwd = os.getcwd()
    os.chdir(work)  # a PostgreSQL database's file copies go to the current folder
    try:
        with _postgresql() as url:
            rows.append(_run(url, folder, n, "postgresql"))
            shutil.rmtree(copies_dir(url), ignore_errors=True)
    except (Unavailable, HyError) as exc:  # no server here: a row saying why, not a failed make bench
        rows.append({"store": "postgresql", "files": n, "scanned": f"left out: {exc}"})
    finally:
        os.chdir(cwd)
    return rows


if __name__ == "__main__":
    for r in bench_store():
        print(r)

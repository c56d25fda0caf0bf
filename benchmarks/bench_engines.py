"""Throughput of the scan engines on this machine: the local process pool and Dask with 1 and 2 workers.

Every run is a full scan of the same batch (``bench_scan.build_batch``: DOCX and PDF plans rendered from the
labelled dev plans, distinct contents) into a fresh database with the real pipeline. ``HYCOMPLIANCE_BENCH_
ENGINES_N`` sets the batch size (default 100). "plans/s" counts the whole run (a Dask run includes starting
its local cluster and warming every worker up on the parent plan); "steady plans/s" leaves that start out
(files done / seconds between the first and the last file stored), the rate a long nightly run approaches.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_scan import PARENT, WORK, build_batch
from hycompliance.copies import copies_dir
from hycompliance.scan import scan

RUNS = (("local", 1), ("local", 2), ("dask", 1), ("dask", 2))
STORED = re.compile(r"^\[(\d+)/(\d+)\] ")


class _Clock(io.StringIO):
    """The scan's progress log, timing each stored file."""

    def __init__(self) -> None:
        super().__init__()
        self.stamps: list[float] = []

    def write(self, text: str) -> int:
        if STORED.match(text):
            self.stamps.append(time.perf_counter())
        return super().write(text)

    def isatty(self) -> bool:
        return False


def bench_engines() -> list[dict[str, Any]]:
    n = int(os.environ.get("HYCOMPLIANCE_BENCH_ENGINES_N", "100"))
    folder = build_batch(n)
    rows = []
    for engine, workers in RUNS:
        db = WORK / f"engines-{engine}-{workers}.db"
        for suffix in ("", "-wal", "-shm", ".scan-lock"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(copies_dir(db), ignore_errors=True)  # every run stores its copies anew
        clock = _Clock()
        summary = scan(db, PARENT, [folder], workers=workers, engine=engine, log=clock, progress=False)
        done = summary["scanned"] + summary["failed"]
        steady = (len(clock.stamps) - 1) / (clock.stamps[-1] - clock.stamps[0]) if len(clock.stamps) > 2 else 0.0
        rows.append({"engine": engine, "workers": workers, "files": n, "scanned": summary["scanned"],
                     "failed": summary["failed"], "seconds": round(summary["seconds"], 2),
                     "plans/s": round(done / summary["seconds"], 2), "steady plans/s": round(steady, 2),
                     "cores": os.cpu_count() or 1})
    return rows


if __name__ == "__main__":
    for r in bench_engines():
        print(r)

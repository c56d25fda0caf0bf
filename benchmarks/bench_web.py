"""The web app under load: dashboard and document pages with 20 concurrent clients (goal: p95 <= 0.5 s).

A database of ``HYCOMPLIANCE_BENCH_WEB_DOCS`` documents (default 200) is made under ``benchmarks/_work/``:
four dev plans scanned by the real batch, their rows then copied under new names (every copy a full
document: clauses, citations, findings, matches). ``hycompliance serve`` runs it in its own process, as in
production; clients are threads here, each asking for a page, waiting for it, and asking again, for
``HYCOMPLIANCE_BENCH_WEB_SECONDS`` (default 20) seconds. Half the requests are the dashboard, half a random
document's page. Pages are kept until the database changes (``hycompliance.web.cache``) and their data is computed
ahead of requests (``hycompliance.web.warm``): the "cold" round starts on a freshly started server (nothing
cached, its warmer just begun: readers arrive at once); the "warm" round follows it. The "cold, data warmed"
round starts on another fresh server once it is idle (its warmer done), as when readers arrive after a nightly
scan: each page's data is made, its HTML is not. Goals are printed
beside the numbers, never asserted.
"""

from __future__ import annotations

import io
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from hycompliance.scan import scan

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work"
PARENT = ROOT / "corpora" / "87-KH-UBND-2023.txt"
SHARED = Path(os.environ.get("HYCOMPLIANCE_SHARED", ROOT.parent / "shared"))
DEV = SHARED / "corpus" / "dev"
SOURCES = ("myhao-kh-2023.txt", "phucu-kh-2023.txt", "soct-kh-2023.txt", "vanlam-kh-2023.txt")
CHILD_TABLES = ("clauses", "citations", "findings", "matches")
CLIENTS = 20
GOAL_P95 = 0.5


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "id"]


def build_db(docs: int) -> Path:
    """The benchmark database with ``docs`` documents (made once, reused)."""
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / f"web-{docs}.db"
    if db.exists():
        return db
    partial = WORK / f"web-{docs}.partial.db"
    for leftover in WORK.glob(f"web-{docs}.partial.db*"):
        leftover.unlink()
    summary = scan(partial, PARENT, [DEV / name for name in SOURCES], workers=2, log=io.StringIO(), progress=False)
    assert summary["failed"] == 0, summary["errors"]
    conn = sqlite3.connect(partial)
    doc_cols = _columns(conn, "documents")
    originals = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]
    child_cols = {t: [c for c in _columns(conn, t) if c != "document_id"] for t in CHILD_TABLES}
    copy = 0
    with conn:
        while conn.execute("SELECT count(*) FROM documents").fetchone()[0] < docs:
            source = originals[copy % len(originals)]
            copy += 1
            select = ", ".join(f"path || '#{copy}'" if c == "path" else f"name || '-{copy}'" if c == "name" else c
                               for c in doc_cols)
            new_id = conn.execute(f"INSERT INTO documents ({', '.join(doc_cols)}) SELECT {select} FROM documents "
                                  "WHERE id = ?", [source]).lastrowid
            for table, cols in child_cols.items():
                names = ", ".join(cols)
                conn.execute(f"INSERT INTO {table} (document_id, {names}) SELECT ?, {names} FROM {table} "
                             "WHERE document_id = ?", [new_id, source])
    conn.close()
    partial.rename(db)
    return db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "hycompliance", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _wait_idle(pid: int, limit: float = 120) -> None:
    """Until the server stops using CPU (its warmer is done): under 0.05 s of CPU in a second."""
    deadline = time.monotonic() + limit
    before = _cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        now = _cpu_seconds(pid)
        if now - before < 0.05:
            return
        before = now


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _load(base: str, doc_ids: list[int], clients: int, seconds: float) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"dashboard": [], "document": []}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        rng = random.Random(k)
        with httpx.Client(base_url=base, timeout=60) as c:
            n = k
            while time.monotonic() < stop:
                page = "dashboard" if n % 2 == 0 else "document"
                url = "/" if page == "dashboard" else f"/documents/{rng.choice(doc_ids)}"
                started = time.perf_counter()
                response = c.get(url)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: HTTP {response.status_code}")
                with lock:
                    times[page].append(elapsed)
                n += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def bench_web() -> list[dict[str, Any]]:
    docs = int(os.environ.get("HYCOMPLIANCE_BENCH_WEB_DOCS", "200"))
    seconds = float(os.environ.get("HYCOMPLIANCE_BENCH_WEB_SECONDS", "20"))
    db = build_db(docs)
    conn = sqlite3.connect(db)
    doc_ids = [r[0] for r in conn.execute("SELECT id FROM documents WHERE status = 'ok'")]
    conn.close()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(db, port)
    try:
        alone = _load(base, doc_ids, 1, 5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    server = _serve(db, port)  # a fresh server: nothing cached, its warmer just started
    try:
        cold = _load(base, doc_ids, CLIENTS, seconds)  # readers at once: most pages seen for the first time
        warm = _load(base, doc_ids, CLIENTS, seconds)  # the same database, pages seen before
    finally:
        server.terminate()
        server.wait(timeout=30)
    server = _serve(db, port)  # a fresh server left alone until its warmer is done, as after a nightly scan
    try:
        _wait_idle(server.pid)
        warmed = _load(base, doc_ids, CLIENTS, seconds)  # each page's data made; its HTML not yet
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = []
    for label, clients, times in (("1 client", 1, alone), (f"{CLIENTS} clients, cold", CLIENTS, cold),
                                  (f"{CLIENTS} clients, cold, data warmed", CLIENTS, warmed),
                                  (f"{CLIENTS} clients, warm", CLIENTS, warm)):
        for page in ("dashboard", "document"):
            values = times[page]
            p95 = _percentile(values, 0.95)
            rows.append({"load": label, "page": page, "documents": len(doc_ids), "requests": len(values),
                         "p50 s": statistics.median(values), "p95 s": p95, "max s": max(values),
                         "goal": f"p95 <= {GOAL_P95} s" if clients == CLIENTS else "",
                         "met": ("yes" if p95 <= GOAL_P95 else "NO") if clients == CLIENTS else ""})
    return rows

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
scan: each page's data is made, its HTML is not. The "after a decision" round follows it on that server: one
decision is posted, then the readers come at once (every page is made again for the new state). The rounds
run on a copy of the database (the decision is not kept). Goals are printed
beside the numbers, never asserted. Beside the wall-clock figures (which follow the machine's load), each round
prints the server's CPU seconds (user + system, from /proc) and "ready s", the CPU the server spent before
answering its first page (imports, migrations, the dashboard's data): those follow the code, not the load.
"""

from __future__ import annotations

import io
import os
import random
import re
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
    """A ``hycompliance serve`` process answering its first page."""
    proc = subprocess.Popen([sys.executable, "-m", "hycompliance", "serve", "--db", str(db), "--port", str(port),
                             "--reviewer", "Bench"],
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


def _decide(base: str, doc_id: int, requirement: str) -> None:
    """One decision through the page's form, as a reviewer posts it."""
    with httpx.Client(base_url=base, timeout=60) as c:
        page = c.get(f"/documents/{doc_id}").text
        token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
        answer = c.post(f"/documents/{doc_id}/decisions", data={
            "csrf": token, "requirement": requirement, "status": "justified", "note": "Đã giải trình bằng văn bản"})
        if answer.status_code != 303:
            raise RuntimeError(f"decision: HTTP {answer.status_code}")


def bench_web() -> list[dict[str, Any]]:
    docs = int(os.environ.get("HYCOMPLIANCE_BENCH_WEB_DOCS", "200"))
    seconds = float(os.environ.get("HYCOMPLIANCE_BENCH_WEB_SECONDS", "20"))
    db = WORK / f"web-{docs}.run.db"
    for leftover in WORK.glob(f"web-{docs}.run.db*"):
        leftover.unlink()
    source, conn = sqlite3.connect(build_db(docs)), sqlite3.connect(db)
    with conn:
        source.backup(conn)
    source.close()
    doc_ids = [r[0] for r in conn.execute("SELECT id FROM documents WHERE status = 'ok'")]
    decided = conn.execute("SELECT m.document_id, m.requirement FROM matrix m WHERE m.kind = 'task' "
                           "ORDER BY m.document_id, m.position LIMIT 1").fetchone()
    conn.close()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cpu: dict[str, float] = {}

    def measured(label: str, server: subprocess.Popen, clients: int) -> dict[str, list[float]]:
        before = _cpu_seconds(server.pid)
        times = _load(base, doc_ids, clients, seconds if clients > 1 else 5)
        cpu[label] = _cpu_seconds(server.pid) - before
        return times

    server = _serve(db, port)
    ready = {"1 client": _cpu_seconds(server.pid)}
    try:
        alone = measured("1 client", server, 1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    server = _serve(db, port)  # a fresh server: nothing cached, its warmer just started
    ready["cold"] = _cpu_seconds(server.pid)
    try:
        cold = measured("cold", server, CLIENTS)  # readers at once: most pages seen for the first time
        warm = measured("warm", server, CLIENTS)  # the same database, pages seen before
    finally:
        server.terminate()
        server.wait(timeout=30)
    server = _serve(db, port)  # a fresh server left alone until its warmer is done, as after a nightly scan
    try:
        _wait_idle(server.pid)
        warmed = measured("cold, data warmed", server, CLIENTS)  # each page's data made; its HTML not yet
        _wait_idle(server.pid)
        _decide(base, *decided)
        decision = measured("after a decision", server, CLIENTS)  # every page made again for the new state
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = []
    for label, clients, times in (("1 client", 1, alone), ("cold", CLIENTS, cold),
                                  ("cold, data warmed", CLIENTS, warmed), ("warm", CLIENTS, warm),
                                  ("after a decision", CLIENTS, decision)):
        for page in ("dashboard", "document"):
            values = times[page]
            p95 = _percentile(values, 0.95)
            rows.append({"load": label if clients == 1 else f"{CLIENTS} clients, {label}", "page": page,
                         "documents": len(doc_ids), "requests": len(values),
                         "p50 s": statistics.median(values), "p95 s": p95, "max s": max(values),
                         "server CPU s": cpu[label] if page == "dashboard" else None,
                         "ready s": ready.get(label) if page == "dashboard" else None,
                         "goal": f"p95 <= {GOAL_P95} s" if clients == CLIENTS else "",
                         "met": ("yes" if p95 <= GOAL_P95 else "NO") if clients == CLIENTS else ""})
    return rows

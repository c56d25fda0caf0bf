"""One file fails alone, processes and runs end: budgets, unreadable and special files, kill -9, two scans."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from hycompliance.errors import HyError
from hycompliance.scan import scan
from hycompliance.store import open_db
from tests.conftest_db import PARENT_TXT, ROOT, SOKHCN_TXT, analyze_hostile, load_test_context

RULES = ROOT / "hycompliance" / "rules"


def plans(folder: Path, names: list[str]) -> list[Path]:
    """Distinct copies of a real district plan (a numbered closing line makes each content different)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SOKHCN_TXT.read_text(encoding="utf-8")
    out = []
    for i, name in enumerate(names):
        f = folder / name
        f.write_text(text + f"\nNơi nhận: đơn vị số {i}.\n", encoding="utf-8")
        out.append(f)
    return out


def with_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **changes: float) -> Path:
    """An edited copy of the rules whose ``limits.yaml`` has ``changes`` ("file__seconds": 1 sets file.seconds)."""
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    limits = yaml.safe_load((copy / "limits.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        section, name = key.split("__")
        limits[section][name] = value
    (copy / "limits.yaml").write_text(yaml.safe_dump(limits), encoding="utf-8")
    monkeypatch.setenv("HYCOMPLIANCE_RULES", str(copy))
    return copy


def run(db: Path, paths, **kw):
    kw.setdefault("workers", 2)
    return scan(db, PARENT_TXT, paths, loader=load_test_context, analyze=analyze_hostile, progress=False,
                log=open(os.devnull, "w"), **kw)


def statuses(db_path: Path) -> dict[str, tuple[str, str | None]]:
    db = open_db(db_path)
    try:
        return {r["name"]: (r["status"], r["error_code"]) for r in db.query("SELECT name, status, error_code FROM documents")}
    finally:
        db.close()


@pytest.mark.parametrize("hostile, seconds, code, words", [
    ("slow-plan.txt", 1, "E118", "longer than the budget of 1 s"),      # interrupted by the worker's alarm
    ("stuck-plan.txt", 1, "E118", "longer than the budget of 1 s"),     # deaf to the alarm: killed by the scan
    ("greedy-plan.txt", 30, "E119", "more than the budget of 300 MB"),  # MemoryError under the address-space cap
    ("crash-plan.txt", 30, "E306", "the worker process died"),          # a segfault takes only its own worker
])
def test_a_file_over_its_budget_fails_alone_and_the_batch_completes(tmp_path, monkeypatch, hostile, seconds, code,
                                                                     words):
    with_limits(tmp_path, monkeypatch, file__seconds=seconds, file__worker_memory_mb=300)
    folder = tmp_path / "plans"
    plans(folder, ["a-plan.txt", hostile, "z-plan.txt"])
    started = time.monotonic()
    summary = run(tmp_path / "c.db", [folder])
    assert time.monotonic() - started < 60
    assert (summary["scanned"], summary["failed"]) == (2, 1)
    [error] = summary["errors"]
    assert (Path(error["file"]).name, error["code"]) == (hostile, code)
    assert words in error["message"]
    stem = hostile.removesuffix(".txt")
    assert statuses(tmp_path / "c.db") == {"a-plan": ("ok", None), stem: ("error", code), "z-plan": ("ok", None)}


def _without_root_powers() -> list[str]:
    """Root reads any file: drop the capabilities that let it, so a mode-000 file is really unreadable."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_unreadable_and_special_files_fail_alone_through_the_cli(tmp_path):
    """A mode-000 file, a FIFO, a device and a socket named on the command line: each is one error line, the
    FIFO is never opened (the scan would hang), the other plans are stored, exit 1."""
    folder = tmp_path / "plans"
    good = plans(folder, ["vanlam.txt", "myhao.txt"])
    locked, named_locked = plans(folder, ["khoa.txt"])[0], plans(tmp_path, ["khoa-2.txt"])[0]
    locked.chmod(0)  # one in the folder (the nightly batch), one named on the command line
    named_locked.chmod(0)
    fifo = tmp_path / "ong.txt"
    os.mkfifo(fifo)
    sock_path = tmp_path / "socket.txt"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(sock_path))
    named = [folder, named_locked, fifo, sock_path]
    # unreadable files fail alone (an error row each); special files are never opened: the scan's discovery
    # skips them with E122 and names each in the run summary (issue 12)
    expected = {str(locked): "E125", str(named_locked): "E125"}
    special = {str(fifo), str(sock_path)}
    if os.geteuid() == 0:  # only root may make a device node: /dev/zero's, which never ends when read
        device = tmp_path / "thiet-bi.txt"
        os.mknod(device, 0o644 | stat.S_IFCHR, os.makedev(1, 5))
        named.append(device)
        special.add(str(device))
    script = ("import sys\nfrom hycompliance.cli import main\nsys.argv = ['hycompliance'] + sys.argv[1:]\nmain()\n")
    try:
        proc = subprocess.run(
            _without_root_powers() + [sys.executable, "-c", script, "scan", "--plan", str(PARENT_TXT), "--db",
                                      str(tmp_path / "c.db"), "--workers", "2", *map(str, named)],
            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=240)
    finally:
        sock.close()
    assert proc.returncode == 1, proc.stderr[-2000:]
    summary = json.loads(proc.stdout)
    assert (summary["scanned"], summary["failed"]) == (len(good), len(expected))
    assert {e["file"]: e["code"] for e in summary["errors"]} == expected
    assert {Path(e["file"]).name: e["code"] for e in summary["ignored_files"]} == {Path(p).name: "E122" for p in special}
    assert "Permission denied" in next(e["message"] for e in summary["errors"] if e["file"] == str(locked))
    lines = [ln for ln in proc.stderr.splitlines() if "failed" in ln]
    assert len(lines) == len(expected) and all("Traceback" not in ln for ln in proc.stderr.splitlines())
    assert all(any(Path(p).name in ln for ln in proc.stderr.splitlines() if "skipped" in ln) for p in special)
    assert statuses(tmp_path / "c.db") == {
        "vanlam": ("ok", None), "myhao": ("ok", None), "khoa": ("error", "E125"), "khoa-2": ("error", "E125")}


SLOW_SCAN = """
import os, sys
from hycompliance.scan import scan
from tests.conftest_db import PARENT_TXT, analyze_slow, load_test_context
scan(sys.argv[1], PARENT_TXT, [sys.argv[2]], workers=2, loader=load_test_context, analyze=analyze_slow,
     progress=False, log=open(os.devnull, "w"))
"""


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _count(db_path: Path, sql: str) -> int:
    try:  # read-only: the watcher must not touch the database it watches
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0


def _start_slow_scan(tmp_path: Path, n: int) -> tuple[subprocess.Popen, Path, Path]:
    folder = tmp_path / "plans"
    plans(folder, [f"plan-{i:02d}.txt" for i in range(n)])
    db = tmp_path / "c.db"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_SCAN, str(db), str(folder)], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    return proc, db, folder


def test_kill_9_of_the_scan_leaves_no_worker_and_the_next_scan_closes_the_run(tmp_path):
    proc, db, folder = _start_slow_scan(tmp_path, 16)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _count(db, "SELECT count(*) FROM documents WHERE status = 'ok'") < 2:
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert len(workers) == 2, "the scan should be running two workers"
    os.kill(proc.pid, signal.SIGKILL)  # the scan only, not its process group
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert [w for w in workers if _alive(w)] == []
    assert _count(db, "SELECT count(*) FROM runs WHERE status = 'running'") == 1
    summary = run(db, [folder])
    assert summary["interrupted"] == 1 and summary["scanned"] + summary["skipped"] == 16
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM runs ORDER BY id").fetchall() == [("interrupted",), ("done",)]
    conn.close()


def test_a_second_scan_of_one_database_waits_or_says_another_scan_holds_it(tmp_path, monkeypatch):
    proc, db, folder = _start_slow_scan(tmp_path, 12)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _count(db, "SELECT count(*) FROM runs WHERE status = 'running'") < 1:
        time.sleep(0.05)
    with_limits(tmp_path, monkeypatch, database__scan_wait_seconds=0.5)
    with pytest.raises(HyError) as refused:
        run(db, [folder])
    assert refused.value.code.value == "E301" and f"another scan (process {proc.pid}) holds the database" in str(refused.value)
    with_limits(tmp_path / "long", monkeypatch, database__scan_wait_seconds=120)
    waited = run(db, [folder])  # waits for the first scan, then has nothing left to do but check
    assert proc.wait(timeout=60) == 0
    assert waited["interrupted"] == 0 and waited["scanned"] + waited["skipped"] == 12
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM runs ORDER BY id").fetchall() == [("done",), ("done",)]
    conn.close()

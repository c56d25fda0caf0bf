"""The scan on Dask (``--engine dask``): the same database as the local engine, crash safety, failures alone.

Each test starts a local Dask cluster of two worker processes (127.0.0.1), as ``scan --engine dask
--workers 2`` does without ``--scheduler``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hycompliance.cli import _load_commands
from hycompliance.cli.app import app
from hycompliance.scan import scan
from tests.conftest_db import EXAMPLES, PARENT_TXT, ROOT, analyze_hostile, analyze_test, load_test_context
from tests.test_reliability_scan import _alive, _children, _count, plans, with_limits
from tests.test_scan import batch, snapshot

pytest.importorskip("distributed")
_load_commands()
runner = CliRunner()


def run(db: Path, paths, *, analyze=analyze_test, **kw):
    return scan(db, PARENT_TXT, paths, loader=load_test_context, analyze=analyze, progress=False,
                log=open(os.devnull, "w"), **kw)


def relative_snapshot(folder: Path) -> dict[str, list]:
    """``snapshot`` of ``folder/c.db`` with the folder left out of the error lines."""
    return {table: sorted(row.replace(str(folder), "") for row in rows)
            for table, rows in snapshot(folder / "c.db").items()}


def test_dask_scan_stores_what_the_local_engine_stores(tmp_path):
    for side in ("local", "dask"):
        batch(tmp_path / side / "plans", 5)
        (tmp_path / side / "plans" / "empty.txt").write_text("")  # one bad file: its error the same too
    local = run(tmp_path / "local" / "c.db", [tmp_path / "local" / "plans"], workers=2)
    dask = run(tmp_path / "dask" / "c.db", [tmp_path / "dask" / "plans"], workers=2, engine="dask")
    keys = ("scanned", "skipped", "failed", "discovered", "ignored", "suspect", "interrupted")
    assert {k: dask[k] for k in keys} == {k: local[k] for k in keys} == {
        "scanned": 5, "skipped": 0, "failed": 1, "discovered": 6, "ignored": 0, "suspect": 0, "interrupted": 0}
    assert [(Path(e["file"]).name, e["code"]) for e in dask["errors"]] == [("empty.txt", "E102")]
    assert relative_snapshot(tmp_path / "dask") == relative_snapshot(tmp_path / "local")
    # Unchanged documents are skipped before anything is sent to a worker: no cluster is even started.
    again = run(tmp_path / "dask" / "c.db", [tmp_path / "dask" / "plans"], workers=2, engine="dask")
    assert (again["scanned"], again["skipped"], again["failed"]) == (0, 5, 1)


def counting_loader(parent_path: str, catalogue_path: str | None = None):
    """``load_test_context``, noting which process built the context (in ``$HYC_TEST_LOADS``)."""
    with open(os.environ["HYC_TEST_LOADS"], "a", encoding="ascii") as fh:
        fh.write(f"{os.getpid()}\n")
    return load_test_context(parent_path, catalogue_path)


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_the_parent_context_is_built_once_per_scan_not_per_worker(tmp_path, monkeypatch, engine):
    parent = tmp_path / "parent.txt"
    shutil.copy(PARENT_TXT, parent)
    loads = tmp_path / "loads.txt"
    monkeypatch.setenv("HYC_TEST_LOADS", str(loads))
    batch(tmp_path / "plans", 4)
    summary = scan(tmp_path / "c.db", parent, [tmp_path / "plans"], workers=2, engine=engine,
                   loader=counting_loader, analyze=analyze_test, progress=False, log=open(os.devnull, "w"))
    assert summary["scanned"] == 4
    assert loads.read_text(encoding="ascii").split() == [str(os.getpid())]


def test_cli_dask_scan_gives_the_matrix_of_the_default_scan(tmp_path):
    """The real pipeline through the CLI on the bundled example plans (PDF, DOCX, text)."""
    outputs = {}
    for engine in ("local", "dask"):
        db = tmp_path / f"{engine}.db"
        result = runner.invoke(app, ["scan", "--plan", str(PARENT_TXT), "--db", str(db), "--workers", "2",
                                     "--engine", engine, str(EXAMPLES)])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.stdout)
        assert (summary["scanned"], summary["failed"], summary["errors"]) == (4, 0, [])
        matrix = runner.invoke(app, ["matrix", "--db", str(db), "--format", "csv"])
        assert matrix.exit_code == 0, matrix.output
        outputs[engine] = matrix.stdout
    assert outputs["dask"] == outputs["local"]
    assert outputs["dask"].count("\n") > 100  # a real matrix, not two empty ones


@pytest.mark.parametrize("args, message", [
    (["--engine", "spark"], "--engine must be one of local, dask, not 'spark'"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --engine dask"),
])
def test_cli_engine_usage_errors(tmp_path, args, message):
    result = runner.invoke(app, ["scan", "--plan", str(PARENT_TXT), "--db", str(tmp_path / "c.db"), *args,
                                 str(EXAMPLES)])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_cli_unreachable_scheduler_is_one_line_and_exit_1(tmp_path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = runner.invoke(app, ["scan", "--plan", str(PARENT_TXT), "--db", str(tmp_path / "c.db"), "--engine",
                                 "dask", "--scheduler", f"tcp://127.0.0.1:{port}", str(EXAMPLES)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"tcp://127.0.0.1:{port}: E311 the Dask cluster cannot run the scan (cannot reach")
    assert "Traceback" not in result.output


def test_a_slow_or_crashing_file_fails_alone_on_dask(tmp_path, monkeypatch):
    # A budget of a few seconds: the crash must be seen as a crash, and the nanny's report that its worker
    # died takes over a second on a loaded machine (with 1 s the crash was read as over the budget).
    with_limits(tmp_path, monkeypatch, file__seconds=4)
    folder = tmp_path / "plans"
    plans(folder, ["a.txt", "slow-plan.txt", "crash-plan.txt", "b.txt"])
    summary = run(tmp_path / "c.db", [folder], workers=2, engine="dask", analyze=analyze_hostile)
    assert (summary["scanned"], summary["failed"]) == (2, 2)
    assert [(Path(e["file"]).name, e["code"]) for e in summary["errors"]] == [
        ("crash-plan.txt", "E306"), ("slow-plan.txt", "E118")]
    crash = next(e for e in summary["errors"] if e["code"] == "E306")
    assert "Dask worker" in crash["message"]


DASK_SCAN = """
import os, sys
from hycompliance.scan import scan
from tests.conftest_db import PARENT_TXT, analyze_slow, load_test_context
scan(sys.argv[1], PARENT_TXT, [sys.argv[2]], workers=2, engine="dask", loader=load_test_context,
     analyze=analyze_slow, progress=False, log=open(os.devnull, "w"))
"""


def kill_dask_scan_midway(db: str, folder: Path, cwd: Path, stored: Callable[[], int]) -> int:
    """Start a 2-worker Dask scan of ``folder`` into ``db`` in its own process, ``kill -9`` it once ``stored()``
    says 3 documents are stored, and check that its Dask workers end with it; the number stored by then."""
    proc = subprocess.Popen([sys.executable, "-c", DASK_SCAN, db, str(folder)],
                            cwd=cwd, env=dict(os.environ, PYTHONPATH=str(ROOT)), start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline and proc.poll() is None and done < 3:
            time.sleep(0.05)
            done = stored()
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)  # the scan only: its Dask workers must end with it
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert len(workers) >= 2 and [w for w in workers if _alive(w)] == []
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    return done


def test_kill_9_of_a_dask_scan_then_rescan_equals_a_clean_scan(tmp_path):
    batch(tmp_path / "a" / "plans", 24)
    batch(tmp_path / "b" / "plans", 24)
    killed_db, clean_db = tmp_path / "a" / "c.db", tmp_path / "b" / "c.db"
    done = kill_dask_scan_midway(str(killed_db), tmp_path / "a" / "plans", ROOT,
                                 lambda: _count(killed_db, "SELECT count(*) FROM documents WHERE status = 'ok'"))
    assert 3 <= done < 24, f"the scan was not killed mid-run ({done} documents done)"
    with sqlite3.connect(f"file:{killed_db}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT status FROM runs").fetchall() == [("running",)]
    resumed = run(killed_db, [tmp_path / "a" / "plans"], workers=2, engine="dask")
    assert resumed["interrupted"] == 1 and resumed["skipped"] >= 3
    assert resumed["scanned"] + resumed["skipped"] == 24
    run(clean_db, [tmp_path / "b" / "plans"], workers=2, engine="dask")
    assert snapshot(killed_db) == snapshot(clean_db)


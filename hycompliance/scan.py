"""The batch: find plans, skip the unchanged ones, analyse the rest in worker processes, store each result.

``scan(db_path, parent_path, paths)`` is the whole batch; the CLI's ``scan`` command is a thin wrapper.

- Incremental: a document whose content hash, parent-plan fingerprint, rules version and tool version are
  what the database recorded is skipped without parsing. Results computed under another parent plan or
  rules are first marked ``suspect``, then rescanned.
- Parallel: ``workers`` processes (default ``os.cpu_count()``) compute, each file within the time and
  memory budgets of ``rules/limits.yaml`` (``hycompliance.workers``), or, with ``engine="dask"``, the
  workers of a Dask cluster (``hycompliance.dask_engine``); the parent context is built once, here, and
  shared with every worker. Only this process writes the
  database, one transaction per document, so killing the scan at any moment loses at most the documents in
  flight and a rerun finishes the job with the same result. Workers die with the scan (``kill -9`` too).
- One scan per database at a time: a second one waits for the first (``database.scan_wait_seconds``),
  then says another scan holds it (E301). A run a killed scan left "running" is closed as "interrupted"
  by the next scan.
- One bad file is recorded (``documents.status = 'error'`` with its code and line) and the batch goes on:
  unreadable files, special files (a FIFO, a device: never opened), files over a budget, a crashed worker.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TextIO

from hycompliance import __version__, rules
from hycompliance.budgets import budgets
from hycompliance.copies import copies_dir, keep_copy
from hycompliance.database import db_errors, shown
from hycompliance.database_pg import connect, is_url, masked
from hycompliance.discovery import Discovery, discover
from hycompliance.inventory import DocState, withdraw_missing
from hycompliance.errors import Code, HyError
from hycompliance.scope_store import scope_overrides
from hycompliance.references.in_force import refresh_validity
from hycompliance.references.learnt import learnt_rows, record as record_learnt
from hycompliance.results import Stamp, error_rows, result_rows
from hycompliance.store import (
    close_interrupted_runs,
    file_hash,
    finish_run,
    mark_suspect,
    open_db,
    register_documents,
    save_plan,
    start_run,
    write_document,
)
from hycompliance.workers import Outcome, TimeBudget, run_bounded

ENGINES = ("local", "dask")
# The key of a task's rows that carries what the registry learns from the document (not a store table).
LEARNT = "learnt"

ContextLoader = Callable[[str, "str | None"], Any]
Analyzer = Callable[..., Any]  # (path, context[, scope_override=bool]) -> a pipeline.DocumentResult


def _pipeline_loader(parent_path: str, catalogue_path: str | None) -> Any:
    from hycompliance.pipeline import load_context

    return load_context(parent_path, catalogue_path)


def _pipeline_analyze(path: str, context: Any, *, scope_override: bool | None = None) -> Any:
    from hycompliance.pipeline import analyze

    return analyze(path, context, scope_override=scope_override)


def _one_path_per_document(files: Sequence[Path], states: dict[str, DocState]) -> list[Path]:
    """The file to read for each document: its recorded path when found, else the first of its paths."""
    chosen: dict[int, Path] = {}
    for f in files:
        state = states[str(f)]
        if state.id not in chosen or str(f) == state.path:
            chosen[state.id] = f
    return sorted(chosen.values())


def _file_state(path: str | None) -> tuple[int, int] | None:
    if path is None:
        return None
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=4)
def _cached_context(loader: ContextLoader, parent_path: str, catalogue_path: str | None, _state: tuple) -> tuple[Any, tuple]:
    context = loader(parent_path, catalogue_path)
    return context, tuple(context.requirements)


def parent_context(loader: ContextLoader, parent_path: str, catalogue_path: str | None) -> tuple[Any, tuple]:
    """The parent context and its full catalogue (with reference requirements), loaded once per process
    and again when the parent plan, the catalogue file or the rules change."""
    state = (_file_state(parent_path), _file_state(catalogue_path), rules.rules_version())
    return _cached_context(loader, parent_path, catalogue_path, state)


@dataclass(frozen=True)
class Task:
    """One file to analyse; what it is checked against (the parent context) is given beside it, once."""

    doc_id: int
    path: str
    content_hash: str
    size: int
    stamp: Stamp
    requirement_ids: dict[str, int]
    analyze: Analyzer
    memory_mb: int = 0  # the worker's memory budget, for the E119 line
    scope_override: bool | None = None  # a reviewer's decision on whether it implements the parent


@dataclass(frozen=True)
class Engine:
    """Where the per-document work runs: ``local`` (forked worker processes, the default) or ``dask`` (the
    cluster at ``scheduler``, else a local Dask cluster of ``workers`` processes)."""

    kind: str = "local"
    workers: int = 0  # 0: one per CPU
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ENGINES:
            raise HyError(Code.E901_USAGE, detail=f"--engine must be one of {', '.join(ENGINES)}, not {self.kind!r}")
        if self.scheduler and self.kind != "dask":
            raise HyError(Code.E901_USAGE, detail="--scheduler needs --engine dask")
        if self.workers < 0:
            raise HyError(Code.E901_USAGE, detail=f"--workers must be positive, not {self.workers}")

    @property
    def processes(self) -> int:
        return self.workers or os.cpu_count() or 1

    def describe(self) -> str:
        if self.scheduler:
            return f"the Dask cluster at {self.scheduler}"
        return f"{self.processes} {'Dask ' if self.kind == 'dask' else ''}worker(s)"


def run_task(task: Task, context: Any) -> tuple[int, dict[str, Any], float]:
    """Analyse one file (in a worker) against the parent context: its rows, ready for ``write_document``,
    and the seconds it took."""
    started = time.perf_counter()
    try:
        if task.scope_override is None:
            result = task.analyze(task.path, context)
        else:
            result = task.analyze(task.path, context, scope_override=task.scope_override)
        rows = result_rows(task.doc_id, result.plan, result.citations, result.findings, result.cells,
                           task.requirement_ids, task.stamp, task.content_hash, task.size, scope=result.scope)
        rows[LEARNT] = learnt_rows(result.plan, task.path)
    except TimeBudget:
        raise  # the worker reports it
    except HyError as exc:
        rows = error_rows(task.stamp, exc, task.content_hash, task.size)
    except MemoryError:
        error = HyError(Code.E119_MEMORY_BUDGET, task.path, limit=task.memory_mb)
        rows = error_rows(task.stamp, error, task.content_hash, task.size)
    except Exception as exc:  # a bug must not stop the batch: record it against the file
        error = HyError(Code.E306_INTERNAL, task.path, detail=f"{type(exc).__name__}: {exc}")
        rows = error_rows(task.stamp, error, task.content_hash, task.size)
    return task.doc_id, rows, time.perf_counter() - started


class Progress:
    """A Rich progress bar on a terminal; plain log lines otherwise (both on stderr)."""

    def __init__(self, total: int, stream: TextIO, fancy: bool) -> None:
        self.total, self.stream, self.done = total, stream, 0
        self.bar = None
        if fancy and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeRemainingColumn

            self.bar = Bar(TextColumn("scan"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                           TextColumn("{task.description}"), console=Console(file=stream), transient=True)
            self.bar.start()
            self.task_id = self.bar.add_task("", total=total)

    def log(self, message: str) -> None:
        if self.bar is not None:
            self.bar.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=self.stream, flush=True)

    def advance(self, name: str, error: str | None) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(self.task_id, advance=1, description=name)
            if error:
                self.log(error)
        else:
            self.log(f"[{self.done}/{self.total}] {error or 'ok ' + name}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _error_entry(rows: dict[str, Any], path: str) -> dict[str, str]:
    line = rows["document"]["error_line"]
    code = rows["document"]["error_code"]
    message = line.split(f"{code} ", 1)[1] if f"{code} " in line else line
    text = rows["document"].get("error_text") or line
    # ``message`` for logs and the JSON summary; ``text`` (Vietnamese) for the web app's run report
    return {"file": path, "code": code, "message": message,
            "text": text.split(f"{code} ", 1)[1] if f"{code} " in text else text}


def _failed_rows(task: Task, outcome: Outcome, value: Any, seconds: float) -> dict[str, Any]:
    """Error rows for a file whose worker did not answer with rows (over a budget, or it died)."""
    if outcome == "time":
        error = HyError(Code.E118_TIME_BUDGET, task.path, limit=f"{seconds:g}")
    elif outcome == "memory" or value == -9:  # SIGKILL that was not ours: the kernel's out-of-memory killer
        error = HyError(Code.E119_MEMORY_BUDGET, task.path, limit=task.memory_mb)
    elif isinstance(value, str):  # the Dask engine says what happened to the worker
        error = HyError(Code.E306_INTERNAL, task.path, detail=value)
    else:
        error = HyError(Code.E306_INTERNAL, task.path, detail=f"the worker process died (exit {value})")
    return error_rows(task.stamp, error, task.content_hash, task.size)


def _execute(tasks: Sequence[Task], context: Any, engine: Engine,
             on_done: Callable[[Task, dict[str, Any], float], None]) -> None:
    """Run tasks on the engine's workers within the budgets; hand each result (or its error) to ``on_done``
    here. The parent context is built once, before: forked local workers inherit it, Dask workers receive
    it once (``hycompliance.dask_engine``)."""
    if not tasks:
        return
    budget = budgets()

    def finished(task: Task, outcome: Outcome, value: Any) -> None:
        if outcome == "ok":
            _, rows, seconds = value
            on_done(task, rows, seconds)
        else:
            on_done(task, _failed_rows(task, outcome, value, budget.file_seconds), 0.0)

    if engine.kind == "dask":
        from hycompliance.dask_engine import run_on_dask

        run_on_dask(tasks, run_task, context, finished, analyze=tasks[0].analyze,
                    scheduler=engine.scheduler, workers=engine.processes, seconds=budget.file_seconds,
                    memory_mb=budget.worker_memory_mb)
        return
    run_bounded(tasks, partial(run_task, context=context), finished, workers=engine.processes,
                seconds=budget.file_seconds, memory_mb=budget.worker_memory_mb)


@contextlib.contextmanager
def scan_lock(db_path: str | Path, wait_seconds: float) -> Iterator[None]:
    """Hold the database's scan lock (a lock file beside it, released by the system even on kill -9); wait
    up to ``wait_seconds`` for another scan, then E301 saying which process holds it. On PostgreSQL the lock
    is a session advisory lock, released by the server when the scan's connection goes (kill -9 too)."""
    if is_url(db_path):
        with _pg_scan_lock(str(db_path), wait_seconds):
            yield
        return
    lock_path = Path(f"{db_path}.scan-lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(lock_path, "a+", encoding="ascii")
    except OSError as exc:
        raise HyError(Code.E301_DB, str(db_path), detail=f"cannot create the scan lock: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "?"
                    raise HyError(Code.E301_DB, str(db_path), detail=(
                        f"another scan (process {holder}) holds the database; waited {wait_seconds:g} s")) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()  # releases the lock


SCAN_LOCK = 0x68796373  # "hycs": the advisory lock a scan holds on a PostgreSQL database


@contextlib.contextmanager
def _pg_scan_lock(url: str, wait_seconds: float) -> Iterator[None]:
    lock = connect(url)
    try:
        with db_errors(url):
            deadline = time.monotonic() + wait_seconds
            while not lock.execute("SELECT pg_try_advisory_lock(?)", [SCAN_LOCK]).fetchone()[0]:
                if time.monotonic() >= deadline:
                    holder = lock.execute("SELECT string_agg(pid::text, ', ') FROM pg_locks WHERE locktype = 'advisory' "
                                          "AND objid = ? AND granted", [SCAN_LOCK]).fetchone()[0]
                    raise HyError(Code.E301_DB, masked(url), detail=(
                        f"another scan (server process {holder or '?'}) holds the database; waited {wait_seconds:g} s"))
                time.sleep(0.2)
        yield
    finally:
        lock.close()  # ends the session: releases the lock


def scan(
    db_path: str | Path,
    parent_path: str | Path,
    paths: Sequence[str | Path],
    *,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    catalogue_path: str | Path | None = None,
    log: TextIO | None = None,
    progress: bool | None = None,
    loader: ContextLoader = _pipeline_loader,
    analyze: Analyzer = _pipeline_analyze,
) -> dict[str, Any]:
    """Scan plans into the database; return the run summary (see the module docstring).

    ``loader`` and ``analyze`` default to ``hycompliance.pipeline.load_context`` and ``analyze``; they must
    be module-level functions (workers receive them by name). ``engine`` is where the per-document work
    runs: "local" (``workers`` forked processes) or "dask" (the cluster at ``scheduler``, else a local Dask
    cluster of ``workers`` processes); everything else, the writer included, is the same for both.
    """
    started = time.perf_counter()
    stream = log or sys.stderr
    where = Engine(engine, workers or 0, scheduler)
    parent = str(Path(parent_path).resolve())
    if Path(parent).is_dir():
        raise HyError(Code.E120_IS_DIRECTORY, str(parent_path))
    if not Path(parent).is_file():
        raise HyError(Code.E101_NOT_FOUND, str(parent_path))
    catalogue_arg = str(Path(catalogue_path).resolve()) if catalogue_path else None
    found = discover(paths)
    context, catalogue = parent_context(loader, parent, catalogue_arg)
    budget = budgets()
    with scan_lock(db_path, budget.scan_wait_seconds), db_errors(db_path):
        db = open_db(db_path)
        try:
            return _scan_into(db, db_path, parent, catalogue_arg, paths, found, context, catalogue,
                              engine=where, stream=stream, progress=progress, analyze=analyze,
                              started=started, memory_mb=budget.worker_memory_mb)
        finally:
            db.close()


def _scan_into(db: Any, db_path: str | Path, parent: str, catalogue_arg: str | None, paths: Sequence[str | Path],
               found: Discovery, context: Any, catalogue: tuple, *, engine: Engine, stream: TextIO,
               progress: bool | None, analyze: Analyzer, started: float,
               memory_mb: int) -> dict[str, Any]:
    """The batch once the scan lock is held and the database open."""
    files, ignored = found.files, len(found.skipped)
    interrupted = close_interrupted_runs(db)
    plan = save_plan(db, parent, context.plan, catalogue, context.fingerprint)
    record_learnt(db, learnt_rows(context.plan, parent))  # the registry learns from the parent too
    suspect = mark_suspect(db, plan)
    hashes: dict[str, str] = {}
    sizes: dict[str, int] = {}
    unread: list[tuple[Path, HyError]] = []
    for f in files:
        try:  # a file that cannot be read (permissions, a FIFO) is its own error, found before any worker
            hashes[str(f)], sizes[str(f)] = file_hash(f), f.stat().st_size
        except HyError as exc:
            unread.append((f, exc))
        except OSError as exc:
            unread.append((f, HyError(Code.E125_UNREADABLE, str(f), detail=exc.strerror or str(exc))))
    states = register_documents(db, files, plan.id, hashes)
    moved = withdraw_missing(db, found.roots, files)
    run_id = start_run(db, plan, [str(p) for p in paths], engine.processes)
    stamp = Stamp(plan.id, context.fingerprint, rules.rules_version(), __version__, run_id)
    tasks: list[Task] = []
    overrides = scope_overrides(db)
    skipped = 0
    copies = copies_dir(db_path)
    for f in _one_path_per_document([f for f in files if str(f) in hashes], states):
        state, digest = states[str(f)], hashes[str(f)]
        keep_copy(f, copies, digest, f.suffix.lstrip(".").lower())
        if state.current(digest, stamp.fingerprint, stamp.rules_version, stamp.tool_version):
            skipped += 1
            continue
        tasks.append(Task(state.id, str(f), digest, sizes[str(f)], stamp, plan.requirement_ids, analyze, memory_mb,
                          overrides.get(state.id)))
    fancy = progress if progress is not None else stream.isatty()
    bar = Progress(len(tasks) + len(unread), stream, fancy)
    if interrupted:
        bar.log(f"{interrupted} earlier run(s) were killed before they finished: closed as interrupted")
    if suspect:
        bar.log(f"{suspect} document(s) computed under another parent plan, rules or tool version: marked suspect")
    for entry in found.skipped:
        bar.log(f"skipped {entry.line}")
    for name in moved["withdrawn"]:
        bar.log(f"withdrawn {name}: its file is no longer in the scanned folders")
    bar.log(f"{len(files)} file(s): {skipped} unchanged, {len(tasks)} to scan with {engine.describe()}"
            + (f"; {ignored} other file(s) skipped (listed above)" if ignored else ""))
    errors: list[dict[str, str]] = []
    scanned = 0
    writing = 0.0

    def record(doc_id: int, path: str, rows: dict[str, Any], seconds: float) -> None:
        nonlocal scanned, writing
        t0 = time.perf_counter()
        learnt = rows.pop(LEARNT, None)
        write_document(db, doc_id, rows)
        if learnt:
            record_learnt(db, learnt)  # the registry learns from every document the scan reads
        writing += time.perf_counter() - t0
        name = states[path].name
        if rows["document"]["status"] == "error":
            errors.append(_error_entry(rows, path))
            bar.advance(name, f"failed {rows['document']['error_line']}")
        else:
            scanned += 1
            bar.advance(f"{name} ({seconds:.2f}s)", None)

    try:
        for f, exc in unread:
            record(states[str(f)].id, str(f), error_rows(stamp, exc, None, None), 0.0)
        _execute(tasks, context, engine, lambda task, rows, seconds: record(task.doc_id, task.path, rows, seconds))
    finally:
        bar.close()
    # what the documents read say of those the plans cite (repealed, amended) reaches every plan's findings:
    # the documents written now, and all of them when the registry learnt something
    in_force = refresh_validity(db, plan.id, context.registry)
    summary = {"run": run_id, "plan": plan.key, "scanned": scanned, "skipped": skipped, "failed": len(errors),
               "errors": sorted(errors, key=lambda e: e["file"]), "seconds": round(time.perf_counter() - started, 3),
               "discovered": len(files), "ignored": ignored,
               "ignored_files": [entry.as_dict() for entry in found.skipped], "suspect": suspect,
               "interrupted": interrupted, "withdrawn": moved["withdrawn"], "restored": moved["restored"],
               "db": shown(db_path), "write_seconds": round(writing, 3), "validity_findings": in_force.findings,
               "validity_judged": in_force.judged}
    finish_run(db, run_id, summary)
    return summary

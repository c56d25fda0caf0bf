"""The batch: find plans, skip the unchanged ones, analyse the rest in worker processes, store each result.

``scan(db_path, parent_path, paths)`` is the whole batch; the CLI's ``scan`` command is a thin wrapper.

- Incremental: a document whose content hash, parent-plan fingerprint, rules version and tool version are
  what the database recorded is skipped without parsing. Results computed under another parent plan or
  rules are first marked ``suspect``, then rescanned.
- Parallel: ``workers`` processes (default ``os.cpu_count()``) compute; only this process writes the
  database, one transaction per document, so killing the scan at any moment loses at most the documents in
  flight and a rerun finishes the job with the same result.
- One bad file is recorded (``documents.status = 'error'`` with its code and line) and the batch goes on.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from hycompliance import __version__, rules
from hycompliance.copies import copies_dir, keep_copy
from hycompliance.discovery import discover
from hycompliance.inventory import DocState, withdraw_missing
from hycompliance.errors import Code, HyError
from hycompliance.reference_coverage import with_reference_requirements
from hycompliance.store import (
    Stamp,
    error_rows,
    file_hash,
    finish_run,
    mark_suspect,
    open_db,
    register_documents,
    result_rows,
    save_plan,
    start_run,
    write_document,
)

ContextLoader = Callable[[str, "str | None"], Any]
Analyzer = Callable[[str, Any], Any]


def _pipeline_loader(parent_path: str, catalogue_path: str | None) -> Any:
    from hycompliance.pipeline import load_context

    return load_context(parent_path, catalogue_path)


def _pipeline_analyze(path: str, context: Any) -> Any:
    from hycompliance.pipeline import analyze

    return analyze(path, context)


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
    return context, tuple(with_reference_requirements(context))


def parent_context(loader: ContextLoader, parent_path: str, catalogue_path: str | None) -> tuple[Any, tuple]:
    """The parent context and its full catalogue (with reference requirements), loaded once per process
    and again when the parent plan, the catalogue file or the rules change."""
    state = (_file_state(parent_path), _file_state(catalogue_path), rules.rules_version())
    return _cached_context(loader, parent_path, catalogue_path, state)


@dataclass(frozen=True)
class Task:
    doc_id: int
    path: str
    content_hash: str
    size: int
    stamp: Stamp
    requirement_ids: dict[str, int]
    parent_path: str
    catalogue_path: str | None
    loader: ContextLoader
    analyze: Analyzer


def run_task(task: Task) -> tuple[int, dict[str, Any], float]:
    """Analyse one file (in a worker): its rows, ready for ``write_document``, and the seconds it took."""
    started = time.perf_counter()
    try:
        context, catalogue = parent_context(task.loader, task.parent_path, task.catalogue_path)
        result = task.analyze(task.path, context)
        rows = result_rows(task.doc_id, result.plan, result.citations, result.findings, result.matches, catalogue,
                           task.requirement_ids, task.stamp, task.content_hash, task.size)
    except HyError as exc:
        rows = error_rows(task.stamp, exc, task.content_hash, task.size)
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
    return {"file": path, "code": code, "message": message}


def _execute(tasks: Sequence[Task], workers: int, on_done: Callable[[Task, dict[str, Any], float], None]) -> None:
    """Run tasks in ``workers`` processes (in this process when 1); hand each result to ``on_done`` here."""
    if workers <= 1 or len(tasks) <= 1:
        for t in tasks:
            _, rows, seconds = run_task(t)
            on_done(t, rows, seconds)
        return
    broken: list[Task] = []
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        pending: dict[Future, Task] = {pool.submit(run_task, t): t for t in tasks}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                t = pending.pop(fut)
                try:
                    _, rows, seconds = fut.result()
                except BrokenProcessPool:
                    broken.append(t)
                    continue
                on_done(t, rows, seconds)
    for t in broken:  # a worker died (crash, out of memory): retry each alone to find the culprit
        try:
            with ProcessPoolExecutor(max_workers=1) as pool:
                _, rows, seconds = pool.submit(run_task, t).result()
        except BrokenProcessPool:
            error = HyError(Code.E306_INTERNAL, t.path, detail="the worker process died")
            rows, seconds = error_rows(t.stamp, error, t.content_hash, t.size), 0.0
        on_done(t, rows, seconds)


def scan(
    db_path: str | Path,
    parent_path: str | Path,
    paths: Sequence[str | Path],
    *,
    workers: int | None = None,
    catalogue_path: str | Path | None = None,
    log: TextIO | None = None,
    progress: bool | None = None,
    loader: ContextLoader = _pipeline_loader,
    analyze: Analyzer = _pipeline_analyze,
) -> dict[str, Any]:
    """Scan plans into the database; return the run summary (see the module docstring).

    ``loader`` and ``analyze`` default to ``hycompliance.pipeline.load_context`` and ``analyze``; they must
    be module-level functions (workers receive them by name).
    """
    started = time.perf_counter()
    stream = log or sys.stderr
    workers = workers or os.cpu_count() or 1
    parent = str(Path(parent_path).resolve())
    if Path(parent).is_dir():
        raise HyError(Code.E120_IS_DIRECTORY, str(parent_path))
    if not Path(parent).is_file():
        raise HyError(Code.E101_NOT_FOUND, str(parent_path))
    catalogue_arg = str(Path(catalogue_path).resolve()) if catalogue_path else None
    found = discover(paths)
    files, ignored = found.files, len(found.skipped)
    context, catalogue = parent_context(loader, parent, catalogue_arg)
    db = open_db(db_path)
    try:
        plan = save_plan(db, parent, context.plan, catalogue, context.fingerprint)
        suspect = mark_suspect(db, plan.id, context.fingerprint)
        hashes = {str(f): file_hash(f) for f in files}
        states = register_documents(db, files, plan.id, hashes)
        moved = withdraw_missing(db, found.roots, files)
        run_id = start_run(db, plan, [str(p) for p in paths], workers)
        stamp = Stamp(plan.id, context.fingerprint, rules.rules_version(), __version__, run_id)
        tasks: list[Task] = []
        skipped = 0
        copies = copies_dir(db_path)
        for f in _one_path_per_document(files, states):
            state, digest = states[str(f)], hashes[str(f)]
            keep_copy(f, copies, digest, f.suffix.lstrip(".").lower())
            if state.current(digest, stamp.fingerprint, stamp.rules_version, stamp.tool_version):
                skipped += 1
                continue
            tasks.append(Task(state.id, str(f), digest, f.stat().st_size, stamp, plan.requirement_ids, parent,
                              catalogue_arg, loader, analyze))
        fancy = progress if progress is not None else stream.isatty()
        bar = Progress(len(tasks), stream, fancy)
        if suspect:
            bar.log(f"{suspect} document(s) computed under another parent plan, rules or tool version: marked suspect")
        for entry in found.skipped:
            bar.log(f"skipped {entry.line}")
        for name in moved["withdrawn"]:
            bar.log(f"withdrawn {name}: its file is no longer in the scanned folders")
        bar.log(f"{len(files)} file(s): {skipped} unchanged, {len(tasks)} to scan with {workers} worker(s)"
                + (f"; {ignored} other file(s) skipped (listed above)" if ignored else ""))
        errors: list[dict[str, str]] = []
        scanned = 0
        writing = 0.0

        def on_done(task: Task, rows: dict[str, Any], seconds: float) -> None:
            nonlocal scanned, writing
            t0 = time.perf_counter()
            write_document(db, task.doc_id, rows)
            writing += time.perf_counter() - t0
            name = states[task.path].name
            if rows["document"]["status"] == "error":
                errors.append(_error_entry(rows, task.path))
                bar.advance(name, f"failed {rows['document']['error_line']}")
            else:
                scanned += 1
                bar.advance(f"{name} ({seconds:.2f}s)", None)

        try:
            _execute(tasks, workers, on_done)
        finally:
            bar.close()
        summary = {"run": run_id, "plan": plan.key, "scanned": scanned, "skipped": skipped, "failed": len(errors),
                   "errors": sorted(errors, key=lambda e: e["file"]), "seconds": round(time.perf_counter() - started, 3),
                   "discovered": len(files), "ignored": ignored,
                   "ignored_files": [entry.as_dict() for entry in found.skipped], "suspect": suspect,
                   "withdrawn": moved["withdrawn"], "restored": moved["restored"], "db": str(db_path),
                   "write_seconds": round(writing, 3)}
        finish_run(db, run_id, summary)
    finally:
        db.close()
    return summary

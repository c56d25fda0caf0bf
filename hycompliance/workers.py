"""Worker processes that end: one item at a time each, within a time and a memory budget, dying with their parent.

``run_bounded(items, work, on_done, ...)`` computes ``work(item)`` for every item in ``workers`` forked
processes and hands each outcome to ``on_done`` in this process:

- the worker's address space is limited (``RLIMIT_AS``: what it inherited plus ``memory_mb``), so a file
  that needs too much memory raises ``MemoryError`` inside ``work`` (its one error) or, at worst, kills
  only that worker;
- ``work`` runs under an alarm of ``seconds`` (``TimeBudget`` raised in the worker); a worker stuck where
  the alarm cannot reach (inside C code) is killed by this process a few seconds later;
- a worker dies with this process, ``kill -9`` included (``PR_SET_PDEATHSIG`` on Linux; elsewhere a thread
  that watches the parent's pid);
- a worker that died or was killed is replaced and the batch goes on.

Workers are forked, so what this process has loaded (the parent plan, the word segmenter's model) is
shared instead of loaded again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Literal

MB = 1024 * 1024
# How long past its budget a worker that did not answer is given before it is killed.
KILL_GRACE_SECONDS = 5.0
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5

Outcome = Literal["ok", "time", "memory", "died"]


class TimeBudget(BaseException):
    """Raised inside ``work`` when its alarm rings (a BaseException: ``except Exception`` does not stop it)."""


def _alarm(signum: int, frame: Any) -> None:
    raise TimeBudget()


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` does (kill -9 included)."""
    libc_name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    if libc_name:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent_pid:  # the parent died before the call
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="hyc-parent-watch", daemon=True).start()


def address_space() -> int:
    """This process's current virtual memory size in bytes (0 when the system does not say)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(extra_mb: int) -> None:
    """Cap this process's address space at what it has now plus ``extra_mb``."""
    try:
        import resource
    except ImportError:  # not on this system: the parent's time budget still applies
        return
    cap = address_space() + extra_mb * MB
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _worker(conn: Connection, parent_pid: int, seconds: float, memory_mb: int, work: Callable[[Any], Any]) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGALRM, _alarm)
    limit_memory(memory_mb)
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        outcome: tuple[Outcome, Any]
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            try:
                outcome = ("ok", work(item))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except TimeBudget:
            outcome = ("time", None)
        except MemoryError:
            outcome = ("memory", None)
        try:
            conn.send(outcome)
        except MemoryError:
            conn.send(("memory", None))


@dataclass
class _Slot:
    process: Any
    conn: Connection
    item: Any = None
    busy: bool = False
    deadline: float = 0.0


def _start(ctx: Any, seconds: float, memory_mb: int, work: Callable[[Any], Any]) -> _Slot:
    ours, theirs = ctx.Pipe()
    process = ctx.Process(target=_worker, args=(theirs, os.getpid(), seconds, memory_mb, work), daemon=True,
                          name="hyc-worker")
    process.start()
    theirs.close()
    return _Slot(process, ours)


def _stop(slot: _Slot, *, kill: bool) -> None:
    if kill:
        slot.process.kill()
    else:
        try:
            slot.conn.send(None)
        except OSError:
            pass
    slot.process.join(timeout=KILL_GRACE_SECONDS)
    if slot.process.is_alive():
        slot.process.kill()
        slot.process.join()
    slot.conn.close()


def run_bounded(
    items: Iterable[Any],
    work: Callable[[Any], Any],
    on_done: Callable[[Any, Outcome, Any], None],
    *,
    workers: int,
    seconds: float,
    memory_mb: int,
) -> None:
    """Compute ``work(item)`` for each item in worker processes; call ``on_done(item, outcome, value)`` here.

    ``outcome`` is "ok" (``value`` is what ``work`` returned), "time" (over ``seconds``), "memory" (over
    ``memory_mb``) or "died" (the worker ended without answering; ``value`` is its exit code).
    """
    queue = deque(items)
    if not queue:
        return
    ctx = multiprocessing.get_context("fork")
    slots = [_start(ctx, seconds, memory_mb, work) for _ in range(max(1, min(workers, len(queue))))]
    try:
        while True:
            for slot in slots:
                if not slot.busy and queue:
                    slot.item, slot.busy = queue.popleft(), True
                    slot.deadline = time.monotonic() + seconds + KILL_GRACE_SECONDS
                    slot.conn.send(slot.item)
            busy = [s for s in slots if s.busy]
            if not busy:
                return
            timeout = max(0.0, min(s.deadline for s in busy) - time.monotonic())
            ready = set(wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=timeout))
            for index, slot in enumerate(slots):
                if not slot.busy:
                    continue
                outcome: tuple[Outcome, Any] | None = None
                if slot.conn in ready:
                    try:
                        outcome = slot.conn.recv()
                    except (EOFError, OSError):
                        outcome = None
                if outcome is not None:
                    slot.busy = False
                    on_done(slot.item, outcome[0], outcome[1])
                    continue
                if slot.process.sentinel in ready or slot.conn in ready:
                    slot.process.join(timeout=KILL_GRACE_SECONDS)
                    code = slot.process.exitcode
                    _stop(slot, kill=True)
                    slots[index] = _start(ctx, seconds, memory_mb, work)
                    on_done(slot.item, "died", code)
                elif time.monotonic() >= slot.deadline:
                    _stop(slot, kill=True)
                    slots[index] = _start(ctx, seconds, memory_mb, work)
                    on_done(slot.item, "time", None)
    finally:
        for slot in slots:
            _stop(slot, kill=slot.busy)

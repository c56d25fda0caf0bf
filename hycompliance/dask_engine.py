"""The scan's per-document work on a Dask cluster (``scan --engine dask``).

``run_on_dask(tasks, work, context, on_done, ...)`` computes ``work(task, context)`` for every task on the
workers of a Dask cluster and hands each outcome to ``on_done(task, outcome, value)`` in this process, the
scan's one writer, as ``hycompliance.workers.run_bounded`` does for the local process pool:

- with a scheduler address (``tcp://HOST:PORT``) it uses that cluster; without one it starts a local
  cluster of ``workers`` processes (one thread each) on 127.0.0.1 that end with the scan (``kill -9``
  included: every worker process gets ``PR_SET_PDEATHSIG`` through the ``DieWithScan`` worker plugin);
- the parent context (catalogue, citations, registry) is built once by the scan and shipped to the workers
  as one shared input of every task (each worker receives it once and keeps it), never rebuilt per task or
  per worker; a worker plugin (``WarmUp``) analyses the parent plan once on every worker that joins, so
  imports and lazily loaded models (rules, lexicon, segmenter, word space) are ready before its first file;
- one task per worker thread at a time (the local cluster has one thread per worker and no queue behind
  it): a task still running ``seconds`` (plus a grace) after a worker started it (the clock starts anew
  when the scheduler gives it to another worker) is over the time budget
  ("time"), its future is cancelled and its worker restarted (a thread cannot be stopped otherwise);
- memory: the local cluster's per-worker ``memory_limit`` (this process's address space now plus
  ``memory_mb``: Dask's nanny ends a worker past it); a remote cluster keeps its own limits;
- a file that kills its worker (a crash, the memory limit) is given to one other worker, then "died" with
  the cause (``KilledWorker``); a result lost with its worker before this process fetched it is computed
  again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import dask
from distributed import Client, KilledWorker, LocalCluster, as_completed
from distributed.diagnostics.plugin import WorkerPlugin

from hycompliance.errors import Code, HyError
from hycompliance.workers import KILL_GRACE_SECONDS, MB, Outcome, address_space, die_with_parent

# How long the writer waits before looking again at the futures in flight when none has finished.
POLL_SECONDS = 0.05
# How often the writer asks the scheduler which tasks the workers have started (for the time budget).
STARTED_POLL_SECONDS = 0.5
# How long to wait for the scheduler at ``--scheduler`` before giving up (E311).
CONNECT_SECONDS = 15
# How many times the scheduler gives a task to another worker when the one running it died.
ALLOWED_FAILURES = 1
# How many times a task whose result was lost with its worker (after it was computed) is sent again.
RESULT_RETRIES = 2


class DieWithScan(WorkerPlugin):
    """The worker process ends when the scan that started it does (local cluster)."""

    name = "hycompliance-die-with-scan"

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def setup(self, worker: Any) -> None:
        die_with_parent(self.pid)


class WarmUp(WorkerPlugin):
    """Before a worker's first file: analyse the parent plan itself once, which imports the analysis code and
    loads what it loads lazily, so no file's time budget pays for it (the local engine's workers are forked
    from the scan, which did the same by building the context)."""

    name = "hycompliance-warm-up"

    def __init__(self, analyze: Callable[..., Any], context: Any) -> None:
        self.analyze, self.context = analyze, context

    def setup(self, worker: Any) -> None:
        try:
            self.analyze(self.context.path, self.context)
        except Exception:  # noqa: BLE001 (the files' own tasks record what fails)
            logging.getLogger(__name__).warning("warming up on the parent plan failed", exc_info=True)


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int, memory_mb: int) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``workers`` processes."""
    if scheduler:
        try:
            client = Client(scheduler, set_as_default=False, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as exc:
            raise HyError(Code.E311_DASK, scheduler, detail=f"cannot reach the scheduler: {exc}") from None
        with client:
            yield client
        return
    quiet = logging.getLogger("distributed")  # the cluster's own chatter is not the scan's progress
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        # One task per worker at a time (none queued behind another): a worker a file kills takes no
        # innocent file with it, and a task starts as soon as it reaches a worker.
        with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                              "distributed.scheduler.worker-saturation": 1.0}):
            with _local_cluster(workers, memory_mb) as client:
                yield client
    finally:
        quiet.setLevel(level)


@contextlib.contextmanager
def _local_cluster(workers: int, memory_mb: int) -> Iterator[Client]:
    cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=logging.CRITICAL,
                           memory_limit=address_space() + memory_mb * MB)
    try:
        with Client(cluster, set_as_default=False) as client:
            plugin = DieWithScan(os.getpid())
            client.register_plugin(plugin, name=plugin.name)
            yield client
    finally:
        cluster.close()


def run_on_dask(
    tasks: Sequence[Any],
    work: Callable[[Any, Any], Any],
    context: Any,
    on_done: Callable[[Any, Outcome, Any], None],
    *,
    analyze: Callable[..., Any],
    scheduler: str | None,
    workers: int,
    seconds: float,
    memory_mb: int,
) -> None:
    """Run ``work(task, context)`` for every task on Dask; call ``on_done(task, outcome, value)`` here, where
    ``outcome`` is "ok" (``value`` is what ``work`` returned), "time" or "died" (``value``: the cause).
    ``analyze`` warms every worker up on the parent plan (``WarmUp``)."""
    if not tasks:
        return
    with dask_client(scheduler, workers, memory_mb) as client:
        warm = WarmUp(analyze, context)
        client.register_plugin(warm, name=warm.name)  # also on workers that join or restart later
        client.wait_for_workers(1)
        threads = max(1, sum(client.nthreads().values()))
        run = uuid.uuid4().hex[:8]
        # The context is a task of its own, not scattered data: a worker that dies takes its copy along and
        # the scheduler ships it again from the graph (scattered data lost with every worker is gone).
        shared = client.submit(_shared, context, key=f"hyc-{run}-context", pure=False)
        queue: deque[tuple[Any, int]] = deque((task, 0) for task in tasks)
        # future -> [task, attempt, deadline and worker once a worker started it]
        flying: dict[Any, list[Any]] = {}
        finished = as_completed(loop=client.loop)
        submitted, looked = 0, 0.0
        while queue or flying:
            while queue and len(flying) < threads:
                task, attempt = queue.popleft()
                submitted += 1
                future = client.submit(work, task, shared, key=f"hyc-{run}-{submitted}", pure=False)
                flying[future] = [task, attempt, None, None]
                finished.add(future)
            ready = finished.next_batch(block=False) if finished.has_ready() else []
            for future in ready:
                if future not in flying:
                    continue  # cancelled over its time budget
                task, attempt, _, _ = flying.pop(future)
                outcome, value = _outcome(future)
                if outcome is None and attempt < RESULT_RETRIES:
                    queue.appendleft((task, attempt + 1))  # its result was lost with a worker: compute it again
                else:
                    on_done(task, outcome or "died", value)
            now = time.monotonic()
            if flying and now - looked >= STARTED_POLL_SECONDS:
                looked = now
                _note_started(client, flying, seconds + KILL_GRACE_SECONDS)
            for future, (task, _, deadline, _) in list(flying.items()):
                if deadline is not None and now >= deadline:
                    del flying[future]
                    key = future.key
                    future.cancel()
                    _restart_worker_of(client, key)
                    on_done(task, "time", None)
            if not ready:
                time.sleep(POLL_SECONDS)


def _shared(context: Any) -> Any:
    return context


def _note_started(client: Client, flying: dict[Any, list[Any]], seconds: float) -> None:
    """Start the clock of each task in flight that a worker has started since the last look, and start it
    anew when another worker runs it (its first one died: the scheduler gave it to another)."""
    now = time.monotonic()
    running = {key: address for address, keys in client.processing().items() for key in keys}
    for future, entry in flying.items():
        address = running.get(future.key)
        if address is None:
            entry[2] = entry[3] = None  # waiting for a worker (again): its clock is not running
        elif address != entry[3]:
            entry[2], entry[3] = now + seconds, address


def _outcome(future: Any) -> tuple[Outcome | None, Any]:
    """("ok", the value), ("died", the cause), or (None, the cause) when the result was lost after it was
    computed (the worker holding it died before this process fetched it)."""
    if future.status == "error":
        return "died", _cause(future.exception())
    try:
        return "ok", future.result()
    except Exception as exc:  # noqa: BLE001 (cancelled or lost: the scheduler forgot it with its worker)
        return None, _cause(exc)


def _cause(exc: BaseException | None) -> str:
    if isinstance(exc, KilledWorker):
        return f"the Dask workers that ran it died ({ALLOWED_FAILURES + 1} times)"
    return f"a Dask worker failed running it ({type(exc).__name__}: {exc})" if exc else "a Dask worker failed"


def _restart_worker_of(client: Client, key: str) -> None:
    """Restart the worker that is running ``key`` (a stuck thread cannot be stopped otherwise)."""
    try:
        for address, keys in client.processing().items():
            if key in keys:
                client.restart_workers([address], raise_for_error=False)
    except Exception:  # noqa: BLE001 (a cluster without nannies cannot restart a worker; the budget held here)
        logging.getLogger(__name__).warning("could not restart the Dask worker running %s", key)

"""Worker processes that hold nothing of the build and never outlive the process that starts them.

A build reads files in worker processes. Forked workers would inherit whatever the build holds
open (the PostgreSQL connection in its transaction, with the build lock; the files store's lock)
and, blocked on their task queue, would stay alive after the build was killed with SIGKILL,
holding the lock for good. So each worker is a fresh interpreter (no open connection, lock or
file of the build, and none of the caller's main module, which multiprocessing's "spawn" would
run again) that ends when its parent ends: the kernel kills it (PR_SET_PDEATHSIG, Linux), and an
idle one reads the end of its task pipe.

Tasks and results travel as pickles over the worker's stdin and its original stdout (its own
prints go to stderr).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import os
import pickle
import signal
import subprocess
import sys
from collections import deque
from pathlib import Path

_PR_SET_PDEATHSIG = 1
# Tasks sent ahead to each worker: small enough that their pickles (a path each) fit in a pipe's
# buffer, so sending one never waits on a worker that waits for its result to be read.
AHEAD = 2


class WorkerDied(RuntimeError):
    """A worker process ended without answering (killed, out of memory)."""


def ordered_results(function, tasks, workers: int, cancellation=None):
    """`function(*task)` for each task, in order, computed by `workers` worker processes (here,
    where no interpreter can be started); an exception the function raised is raised here.
    `function` must be a module-level function, its tasks and results picklable. A
    `cancellation` (qa.index.cancellation) ends the workers when cancelled, and BuildCancelled is
    raised here instead of their death."""
    if not sys.executable:
        yield from (function(*task) for task in tasks)
        return
    pool = [_Worker(function) for _ in range(workers)]
    try:
        if cancellation is None:
            yield from _results(pool, tasks)
            return
        def stop() -> None:
            for worker in pool:
                worker.kill()

        with cancellation.stopping_with(stop):
            try:
                yield from _results(pool, tasks)
            except (WorkerDied, BrokenPipeError):
                cancellation.check()
                raise
    finally:
        for worker in pool:
            worker.close()


def _results(pool: list[_Worker], tasks):
    """The results of `tasks` in order, sent round the pool a few ahead (AHEAD)."""
    in_flight: deque[_Worker] = deque()
    for number, task in enumerate(tasks):
        if len(in_flight) == AHEAD * len(pool):
            yield in_flight.popleft().receive()
        pool[number % len(pool)].send(task)
        in_flight.append(pool[number % len(pool)])
    while in_flight:
        yield in_flight.popleft().receive()


class _Worker:
    """One worker process computing `function` of the tasks sent to it, in order."""

    def __init__(self, function):
        package_root = str(Path(__file__).resolve().parents[2])  # the folder holding qa/
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [package_root, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from qa.index.workers import serve; serve(*sys.argv[1:])",
             function.__module__, function.__qualname__, str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment)

    def send(self, task) -> None:
        try:
            pickle.dump(task, self.process.stdin)
            self.process.stdin.flush()
        except BrokenPipeError:
            raise self._died() from None

    def receive(self):
        try:
            succeeded, value = pickle.load(self.process.stdout)
        except EOFError:
            raise self._died() from None
        if not succeeded:
            raise value
        return value

    def _died(self) -> WorkerDied:
        return WorkerDied(f"a worker process reading the corpus ended (exit status "
                          f"{self.process.wait()}); see the messages above")

    def kill(self) -> None:
        """End the process now (a cancelled build): a result it was computing is lost."""
        self.process.kill()

    def close(self) -> None:
        try:
            self.process.stdin.close()  # an idle worker reads the end, and ends
        except BrokenPipeError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


def serve(module: str, name: str, parent: str) -> None:
    """A worker's loop: read a task, answer with (True, result) or (False, exception); end at
    the end of the tasks (the parent closed them, or ended)."""
    _end_with(int(parent))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    function = getattr(importlib.import_module(module), name)
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what the code run here prints goes to stderr, not into the results
    while True:
        try:
            task = pickle.load(sys.stdin.buffer)
        except EOFError:
            return
        try:
            answer = pickle.dumps((True, function(*task)))
        except Exception as error:  # noqa: BLE001 - raised again in the parent
            answer = _pickled_failure(error)
        results.write(answer)
        results.flush()


def _pickled_failure(error: Exception) -> bytes:
    try:
        return pickle.dumps((False, error))
    except Exception:  # noqa: BLE001 - an exception that cannot travel is described instead
        return pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))


def _end_with(parent: int) -> None:
    """Make this worker end when process `parent`, which started it, ends."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the request above
        os._exit(1)

"""Threads: how many cores this process may use, and numpy's BLAS on one thread while a question
is answered.

A question's products are small (one vector against a segment's vectors), so extra BLAS threads
do not make them faster, and on a machine with few cores those threads, spinning after each call,
take the cores from the model's own threads: at a million passages on 2 cores, embedding a question
took 43 ms beside them and 23 ms without (docs/decisions.md). The limit is process-wide while any
question holds it (counted, so overlapping questions in a server restore it once, at the end).
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_limit = None
_controller = None


def usable_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the machine's count)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


@contextmanager
def one_blas_thread():
    """A context in which numpy's BLAS uses one thread (restored when the last holder leaves)."""
    global _holders, _limit
    with _lock:
        if _holders == 0:
            _limit = _blas().limit(limits=1, user_api="blas")
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                _limit.restore_original_limits()
                _limit = None


def _blas():
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller

"""Stopping a running build from another thread (the page's Cancel button).

`Cancellation.cancel()` marks the build cancelled and runs the stop actions the build registered:
its worker processes end at once, so a file that takes minutes to read is dropped mid-read. The
build raises BuildCancelled at its next check (between files, and between chunks of paragraphs
to embed) and publishes nothing: the index stays as it was.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from qa.errors import BuildCancelled


class Cancellation:
    """One build's cancel switch; `cancel()` may be called from any thread, any number of times."""

    def __init__(self):
        self._cancelled = threading.Event()
        self._actions: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self._cancelled.set()
            actions = list(self._actions)
        for action in actions:
            action()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise BuildCancelled once `cancel()` was called."""
        if self.cancelled:
            raise BuildCancelled()

    @contextmanager
    def stopping_with(self, action: Callable[[], None]) -> Iterator[None]:
        """Within the block, `cancel()` also runs `action` (at once when already cancelled)."""
        with self._lock:
            self._actions.append(action)
            already = self.cancelled
        if already:
            action()
        try:
            yield
        finally:
            with self._lock:
                self._actions.remove(action)

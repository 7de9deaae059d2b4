"""The files backend's build lock: one writer per index folder, held with flock and naming its
process, so that a lock left by a dead build is taken over (with a warning) instead of blocking."""

from __future__ import annotations

import fcntl
import logging
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from qa.errors import IndexBusy
from qa.index.stores.files.layout import LOCK
from qa.index.stores.owner import describe, held_by_dead_process, taken_over, this_process


def take_lock(folder: Path):
    """Exclusive right to write `folder`; the kernel frees it if the process dies. A lock still
    held after the build that took it died (by processes it left) is taken over, with a warning;
    IndexBusy when a running build holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    with _lock_guard(folder):
        lock = open(folder / LOCK, "a+", encoding="utf-8")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read(200)
            lock.close()
            if not held_by_dead_process(holder):
                raise IndexBusy(folder, describe(holder)) from None
            logging.getLogger("qa").warning(taken_over(f"in {folder}/", holder))
            lock = _fresh_lock(folder)
        _name_owner(lock)
        return lock


@contextmanager
def _lock_guard(folder: Path):
    """Taking the lock, one process at a time: a takeover replaces the lock file, and no one may
    lock the old one meanwhile (held for moments only)."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _fresh_lock(folder: Path):
    """A new lock file, locked, put in place of the one a dead build's leftovers hold."""
    path = folder / f"{LOCK}-{uuid.uuid4().hex[:8]}"
    lock = open(path, "a+", encoding="utf-8")
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.replace(path, folder / LOCK)
    return lock


def _name_owner(lock) -> None:
    lock.seek(0)
    lock.truncate()
    lock.write(this_process())
    lock.flush()


def release_lock(lock) -> None:
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()

"""The owner of a store's build lock, named so that a later build can tell when it has died.

A build's lock is freed when its process ends, unless something else still holds it: worker
processes forked by an older version of this program, or a connection the database has not yet
seen close. The lock names the build's process; a later build finding the lock held by a process of
this machine that no longer runs takes it over, with a warning (qa.index.stores.files.store,
qa.index.stores.postgres.writer). A process of another machine is never judged: its lock stays busy.
"""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path


def this_process() -> str:
    """This process as an owner: "<pid> <start time> <machine>"."""
    return f"{os.getpid()} {_start_time(os.getpid())} {_machine()}"


def held_by_dead_process(owner: str) -> bool:
    """Whether `owner` (as `this_process` wrote it) names a process of this machine that no
    longer runs (its number since given to another process counts as no longer running)."""
    try:
        pid, start, machine = owner.split()
        pid = int(pid)
    except ValueError:
        return False
    if machine != _machine() or pid == os.getpid():
        return False
    now = _start_time(pid)
    return now is None or (start not in ("", "None") and now not in ("", start))


def describe(owner: str) -> str:
    """"process 1234 on this machine" ("" when `owner` names no process)."""
    parts = owner.split()
    if len(parts) != 3 or not parts[0].isdigit():
        return ""
    return f"process {parts[0]} on {'this' if parts[2] == _machine() else 'another'} machine"


def taken_over(location, owner: str) -> str:
    """The warning that a dead build's lock is taken over."""
    return (f"the index {location} was locked by a build that died ({describe(owner)}); "
            "taking its lock over: its unfinished changes are discarded")


def _start_time(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, from /proc), '' where /proc is not
    there, None when no such process runs (a zombie counts as ended)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() or not _exists(pid) else ""
    except (OSError, IndexError):
        return ""
    return None if fields[0] in ("Z", "X") else fields[19]


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _machine() -> str:
    """This machine's (and process namespace's) identity: a process number means the same
    process only within it (containers on one kernel share its boot, not their process numbers)."""
    parts = [socket.gethostname()]
    for path in ("/proc/sys/kernel/random/boot_id", "/proc/self/ns/pid"):
        try:
            parts.append(os.readlink(path) if path.endswith("/pid") else Path(path).read_text().strip())
        except OSError:
            pass
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]

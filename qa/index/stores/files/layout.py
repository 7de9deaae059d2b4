"""The files backend's folder layout: the names in an index folder, and writing them safely
(atomic replacement, fsync, removing what no generation names)."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from qa.index.stores.files.segment import forget

FORMAT_VERSION = 3
# The versions this program reads: 2 is 3 plus sentence vectors in every segment, left unread. Only
# FORMAT_VERSION is written, so an older program refuses a new index (IndexMismatch) and rebuilds.
READABLE_FORMAT_VERSIONS = (2, FORMAT_VERSION)
POINTER = "CURRENT"
GENERATION_PREFIX = "g-"
SEGMENTS = "segments"
BUILD_PREFIX = ".build-"
LOCK = ".lock"


def remove_unreferenced(folder: Path, live: str, segments: set[str]) -> None:
    """Remove every generation file but `live`, every segment it does not name, unfinished build
    folders and stray temporary files (best effort; what a killed writer left behind)."""
    for entry in folder.iterdir():
        stale_generation = entry.name.startswith(GENERATION_PREFIX) and entry.name != f"{live}.json"
        if entry.name.startswith(BUILD_PREFIX) or entry.name.startswith("v-"):
            shutil.rmtree(entry, ignore_errors=True)
        elif stale_generation or entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)
    for entry in (folder / SEGMENTS).iterdir() if (folder / SEGMENTS).is_dir() else ():
        if entry.name not in segments:
            forget(entry)
            shutil.rmtree(entry, ignore_errors=True)


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    sync_folder(path.parent)


def sync_folder(folder: Path, recursive: bool = False) -> None:
    """fsync a folder (and, if `recursive`, everything in it)."""
    for path in [*(folder.rglob("*") if recursive else ()), folder]:
        flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
        descriptor = os.open(path, flags)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

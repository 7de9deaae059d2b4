"""The files backend: an index folder of immutable segments named by a small generation file.

Layout of an index folder:

    CURRENT              the name of the live generation file (replaced atomically)
    g-<n>-<hex>.json     a generation: format, model, the live segments in id order, deleted
                         passage ids per segment, near-duplicate group links, skipped files
    segments/<name>/     immutable segments (qa.stores.segment)
    .build-*             a segment being written (removed by the next writer)
    .lock                held (flock) by the writer, naming its process (qa.stores.owner)

A publish writes its new segments, then a new generation file, and only then points CURRENT at it,
so a writer interrupted at any moment leaves the previous generation live and loadable. Adding or
removing one briefing writes one small segment (or none) and a generation file; merges
(qa.stores.merging) keep the number of segments bounded.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

from ..errors import IndexBusy, IndexDamaged, IndexMismatch, IndexNotFound
from .base import Store
from .file_reader import FileReader
from .owner import describe, held_by_dead_process, taken_over, this_process
from .segment import forget, open_segment

FORMAT_VERSION = 3
# The versions this program reads: 2 is 3 plus sentence vectors in every segment, left unread. Only
# FORMAT_VERSION is written, so an older program refuses a new index (IndexMismatch) and rebuilds.
READABLE_FORMAT_VERSIONS = (2, FORMAT_VERSION)
POINTER = "CURRENT"
GENERATION_PREFIX = "g-"
SEGMENTS = "segments"
BUILD_PREFIX = ".build-"
LOCK = ".lock"


class FileStore(Store):
    """An index folder."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def version(self) -> str:
        try:
            name = (self.folder / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise IndexNotFound(self.folder) from None
        except OSError as error:
            raise IndexDamaged(self.folder, f"cannot read {POINTER}: {error}") from error
        if not name.startswith(GENERATION_PREFIX):
            raise IndexMismatch(self.folder, "it was written by an older version of this program")
        return name.removesuffix(".json")

    def manifest(self) -> dict:
        """The live generation's manifest (what the index holds, without opening segments)."""
        version = self.version()
        try:
            manifest = json.loads((self.folder / f"{version}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise IndexDamaged(self.folder, f"its generation file cannot be read ({error})") from error
        if not isinstance(manifest, dict):
            raise IndexDamaged(self.folder, "its generation file is not a JSON object")
        check_compatible(manifest, None, self.folder)
        return {**manifest, "version": version}

    def live_model(self) -> tuple[str, int] | None:
        try:
            manifest = self.manifest()
        except (IndexNotFound, IndexMismatch, IndexDamaged):
            return None
        model, dimension = manifest.get("model"), manifest.get("dimension")
        valid = isinstance(model, str) and isinstance(dimension, int) and not isinstance(dimension, bool)
        return (model, dimension) if valid else None

    def reader(self, model: str | None = None) -> FileReader:
        try:
            return self._open(model)
        except IndexDamaged:
            return self._open(model)  # a publish swapped generations mid-open: once more

    def _open(self, model: str | None) -> FileReader:
        manifest = self.manifest()
        check_compatible(manifest, model, self.folder)
        segments = []
        try:
            for entry in manifest["segments"]:
                segments.append(open_segment(self.folder / SEGMENTS / entry["name"]))
                if len(segments[-1]) != entry["passages"]:
                    raise ValueError(f"segment {entry['name']}: passage count differs from the generation")
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            raise IndexDamaged(self.folder, f"a segment cannot be read ({error})") from error
        return FileReader(manifest, segments)

    def writer(self, model: str, dimension: int, *, fresh: bool = False):
        from .file_writer import FileWriter

        lock = _take_lock(self.folder)
        try:
            base = None if fresh else _reusable(self, model, dimension)
            return FileWriter(self, lock, base, model, dimension)
        except BaseException:
            _release_lock(lock)
            raise

    def next_generation(self) -> int:
        try:
            return int(self.version().split("-")[1]) + 1
        except (IndexNotFound, IndexMismatch, IndexDamaged, ValueError, IndexError):
            return 1

    def publish(self, manifest: dict) -> str:
        """Write `manifest` as a new generation and make it live; returns its version."""
        version = f"{GENERATION_PREFIX}{self.next_generation():06d}-{uuid.uuid4().hex[:6]}"
        _write_atomically(self.folder / f"{version}.json", json.dumps(manifest, indent=1))
        _write_atomically(self.folder / POINTER, version)
        remove_unreferenced(self.folder, version, {entry["name"] for entry in manifest["segments"]})
        return version


def check_compatible(manifest: dict, model: str | None, folder: Path) -> None:
    if manifest.get("format_version") not in READABLE_FORMAT_VERSIONS:
        raise IndexMismatch(
            folder, f"it has format version {manifest.get('format_version')}, this program "
            f"reads version {' or '.join(map(str, READABLE_FORMAT_VERSIONS))}")
    if model is not None and manifest.get("model") != model:
        raise IndexMismatch(folder, f"it was built with the model {manifest.get('model')!r}, not {model!r}")


def _reusable(store: FileStore, model: str, dimension: int) -> FileReader | None:
    """The live generation to build on, or None (none yet, another model, format or damaged)."""
    try:
        reader = store.reader(model)
    except IndexNotFound:
        return None
    except (IndexMismatch, IndexDamaged) as error:
        logging.getLogger("qa").warning("rebuilding from scratch: %s", error)
        return None
    if reader.manifest.get("dimension") != dimension:
        reader.close()
        return None
    return reader


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


def _take_lock(folder: Path):
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


def _release_lock(lock) -> None:
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()


def _write_atomically(path: Path, text: str) -> None:
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

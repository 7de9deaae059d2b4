"""The files backend: an index folder of immutable segments named by a small generation file.

Layout of an index folder:

    CURRENT              the name of the live generation file (replaced atomically)
    g-<n>-<hex>.json     a generation: format, model, the live segments in id order, deleted
                         passage ids per segment, near-duplicate group links, skipped files
    segments/<name>/     immutable segments (qa.index.stores.files.segment)
    .build-*             a segment being written (removed by the next writer)
    .lock                held (flock) by the writer, naming its process (qa.index.stores.owner)

A publish writes its new segments, then a new generation file, and only then points CURRENT at it,
so a writer interrupted at any moment leaves the previous generation live and loadable. Adding or
removing one briefing writes one small segment (or none) and a generation file; merges
(qa.index.stores.files.merging) keep the number of segments bounded.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

from qa.errors import IndexDamaged, IndexMismatch, IndexNotFound
from qa.index.stores.base import Store
from qa.index.stores.files.layout import (GENERATION_PREFIX, POINTER, READABLE_FORMAT_VERSIONS, SEGMENTS,
                                          remove_unreferenced, write_atomically)
from qa.index.stores.files.lock import release_lock, take_lock
from qa.index.stores.files.reader import FileReader
from qa.index.stores.files.segment import open_segment
from qa.index.stores.files.writer import FileWriter


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
        lock = take_lock(self.folder)
        try:
            base = None if fresh else _reusable(self, model, dimension)
            return FileWriter(self, lock, base, model, dimension)
        except BaseException:
            release_lock(lock)
            raise

    def next_generation(self) -> int:
        try:
            return int(self.version().split("-")[1]) + 1
        except (IndexNotFound, IndexMismatch, IndexDamaged, ValueError, IndexError):
            return 1

    def publish(self, manifest: dict) -> str:
        """Write `manifest` as a new generation and make it live; returns its version."""
        version = f"{GENERATION_PREFIX}{self.next_generation():06d}-{uuid.uuid4().hex[:6]}"
        write_atomically(self.folder / f"{version}.json", json.dumps(manifest, indent=1))
        write_atomically(self.folder / POINTER, version)
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



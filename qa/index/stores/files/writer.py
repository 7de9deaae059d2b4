"""The files backend's write session: new documents go into new segments, removed ones into the
generation's deletions, and a publish writes a new generation file naming the live segments."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import asdict
from datetime import datetime, timezone

import numpy as np

from qa.search.duplicates import BANDS, ROWS, band_keys, grouped_with
from qa.errors import QAError
from qa.index.stores.base import DocumentRecord, NewPassages, SkippedRecord, StoreWriter
from qa.index.stores.files.reader import FileReader
from qa.index.stores.files.layout import (BUILD_PREFIX, FORMAT_VERSION, SEGMENTS, remove_unreferenced,
                                          sync_folder)
from qa.index.stores.files.lock import release_lock
from qa.index.stores.files.merging import merged, next_merge
from qa.index.stores.files.segment import Segment, SegmentData, open_segment, write_segment

# Passages buffered before they are written as a segment: bounds a build's memory.
FLUSH_PASSAGES = 16384
# Stored candidates looked at per new passage, band and segment (a bucket of look-alikes is one group).
MAX_BUCKET = 4


class FileWriter(StoreWriter):
    """A write session on a FileStore (qa.index.stores.files.store), holding its lock until closed."""

    def __init__(self, store, lock, base: FileReader | None, model: str, dimension: int):
        self.store, self._lock, self._base = store, lock, base
        self.model, self.dimension = model, dimension
        manifest = base.manifest if base else {}
        self.segments: list[Segment] = list(base.segments) if base else []
        self.deleted: dict[str, set[int]] = {name: set(ids) for name, ids in manifest.get("deleted", {}).items()}
        self.links: dict[int, int] = {int(a): int(b) for a, b in manifest.get("links", [])}
        self.skipped: list[dict] = manifest.get("skipped", [])
        # Records updated since their segment was written (merges fold them in).
        self.records: dict[str, dict] = dict(manifest.get("records", {}))
        self.next_id = int(manifest.get("next_id", 0))
        # source -> (segment, first row, passage count) of each live stored document
        self._where: dict[str, tuple[Segment, int, int]] = {}
        for segment, live in zip(self.segments, base.live if base else []):
            self._register(segment, live)
        self._pending: dict[str, tuple[DocumentRecord, NewPassages]] = {}
        self._pending_count = 0
        self._opened: list[Segment] = []
        self._published: set[str] = set()
        self._open = True

    def reader(self) -> FileReader | None:
        return self._base

    def add_document(self, record: DocumentRecord, new: NewPassages) -> None:
        if not new.passages:
            raise ValueError(f"a document needs at least one passage: {record.source}")
        self.delete_document(record.source)
        self._pending[record.source] = (record, new)
        self._pending_count += len(new.passages)
        if self._pending_count >= FLUSH_PASSAGES:
            self._flush()

    def update_record(self, record: DocumentRecord) -> None:
        if record.source in self._pending:
            self._pending[record.source] = (record, self._pending[record.source][1])
        elif record.source in self._where:
            self.records[record.source] = asdict(record)
        else:
            raise KeyError(f"no live document {record.source!r} to update")

    def delete_document(self, source: str) -> None:
        self.records.pop(source, None)
        if source in self._pending:
            self._pending_count -= len(self._pending.pop(source)[1].passages)
        if source in self._where:
            segment, first, count = self._where.pop(source)
            self.deleted.setdefault(segment.name, set()).update(segment.ids[first:first + count].tolist())

    def set_skipped(self, skipped: list[SkippedRecord]) -> None:
        self.skipped = [asdict(record) for record in skipped]

    def publish(self) -> str:
        self._flush()
        self._merge()
        names = {segment.name for segment in self.segments}
        manifest = {
            "format_version": FORMAT_VERSION, "model": self.model, "dimension": self.dimension,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "next_id": self.next_id,
            "segments": [{"name": s.name, "passages": len(s)} for s in self.segments],
            "deleted": {name: sorted(ids) for name, ids in self.deleted.items() if ids and name in names},
            "links": sorted([key, into] for key, into in self.links.items()),
            "records": self.records,
            "skipped": self.skipped,
        }
        version = self.store.publish(manifest)
        self._published = names
        self.close()
        return version

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        for segment in self._opened:
            if segment.name not in self._published:  # written, never published
                shutil.rmtree(self.store.folder / SEGMENTS / segment.name, ignore_errors=True)
        if self._base is not None:
            self._base.close()
        if not self._published:
            self._tidy()
        release_lock(self._lock)

    def _tidy(self) -> None:
        """Remove what a killed writer left beside the live generation (a session that publishes
        does this as part of the publish)."""
        try:
            live = self.store.manifest()
        except QAError:
            return
        remove_unreferenced(self.store.folder, live["version"], {entry["name"] for entry in live["segments"]})

    # -- segments -------------------------------------------------------------------------------
    def _flush(self) -> None:
        if not self._pending:
            return
        items = list(self._pending.values())
        self._pending, self._pending_count = {}, 0
        passages = [p for _, new in items for p in new.passages]
        ids = np.arange(self.next_id, self.next_id + len(passages), dtype=np.int64)
        self.next_id += len(passages)
        documents, vectors, window_counts, first = [], [], [], 0
        for record, new in items:
            documents.append((record, first, len(new.passages)))
            order = np.argsort(new.owners, kind="stable")
            vectors.append(np.asarray(new.vectors, np.float32)[order])
            window_counts.append(np.bincount(new.owners, minlength=len(new.passages)))
            first += len(new.passages)
        signatures = np.concatenate([new.signatures for _, new in items])
        texts = [passage.text for passage in passages]
        groups, links = grouped_with(texts, signatures, ids, self._neighbours(signatures))
        self.links.update(links)
        self._write(SegmentData(
            ids=ids, passages=passages, documents=documents, vectors=np.concatenate(vectors),
            window_starts=np.concatenate([[0], np.cumsum(np.concatenate(window_counts))]),
            tokens=[t for _, new in items for t in new.tokens], signatures=signatures, groups=groups),
            len(self.segments), 0)

    def _write(self, data: SegmentData, position: int, replacing: int) -> None:
        """Write `data` as a segment in place of segments[position:position + replacing]."""
        name = f"s-{int(data.ids[0]):012d}-{uuid.uuid4().hex[:6]}"
        staging = self.store.folder / f"{BUILD_PREFIX}{uuid.uuid4().hex[:8]}"
        try:
            kept = self.segments[:position] + self.segments[position + replacing:]
            index_count = len(data.vectors) + sum(len(segment.vectors) for segment in kept)
            write_segment(staging, data, self.dimension, index_count)
            sync_folder(staging, recursive=True)
            (self.store.folder / SEGMENTS).mkdir(exist_ok=True)
            staging.rename(self.store.folder / SEGMENTS / name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        segment = open_segment(self.store.folder / SEGMENTS / name)
        self._opened.append(segment)
        self.segments[position:position + replacing] = [segment]
        self._register(segment, np.ones(len(segment), bool))

    def _register(self, segment: Segment, live: np.ndarray) -> None:
        if live.all():
            self._where.update(segment.places)
            return
        for entry in segment.documents:
            if live[entry["first"]]:
                self._where[entry["source"]] = (segment, entry["first"], entry["count"])

    def _merge(self) -> None:
        """Merge neighbouring segments while the policy (qa.index.stores.files.merging) asks for it."""
        while True:
            gone = [len(self.deleted.get(s.name, ())) for s in self.segments]
            run = next_merge([len(s) for s in self.segments], gone)
            if run is None:
                return
            start, end = run
            chosen = self.segments[start:end]
            live = [~np.isin(s.ids, np.fromiter(self.deleted.get(s.name, ()), np.int64)) for s in chosen]
            for segment in chosen:
                self.deleted.pop(segment.name, None)
            if not any(mask.any() for mask in live):
                del self.segments[start:end]
                continue
            data = merged(chosen, live, self._resolve, self.records)
            for record, _, _ in data.documents:
                self.records.pop(record.source, None)
            self._write(data, start, end - start)

    # -- near-duplicates ------------------------------------------------------------------------
    def _root(self, key: int) -> int:
        while key in self.links:
            key = self.links[key]
        return key

    def _resolve(self, keys: np.ndarray) -> np.ndarray:
        return np.array([self._root(int(key)) for key in keys], np.int64)

    def _neighbours(self, signatures: np.ndarray) -> list[tuple[int, int, str]]:
        """(new position, stored group key, stored text) of stored live passages that share an LSH
        band with a new one."""
        found: dict[tuple[int, str, int], Segment] = {}
        for band in range(BANDS):
            keys = band_keys(signatures[:, band * ROWS:(band + 1) * ROWS])
            for segment in self.segments:
                stored, rows = segment.bands_keys[band], segment.bands_rows[band]
                left, right = np.searchsorted(stored, keys, "left"), np.searchsorted(stored, keys, "right")
                deleted = self.deleted.get(segment.name, ())
                for position in np.flatnonzero(right > left).tolist():
                    for row in np.asarray(rows[left[position]:min(right[position], left[position] + MAX_BUCKET)]).tolist():
                        if int(segment.ids[row]) not in deleted:
                            found[(position, segment.name, row)] = segment
        return [(position, self._root(int(segment.groups[row])), segment.passage(row).text)
                for (position, _, row), segment in found.items()]


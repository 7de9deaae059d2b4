"""The files backend's StoreReader: one published generation, read across its segments.

Positions number the live and deleted rows of all segments end to end, in id order (segments are
kept in id order and merged only with neighbours), so a mask over positions is an allowed set and
ties broken by position are broken by id.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import cached_property

import numpy as np

from qa.index.stores.files.dense import search_vectors
from qa.search.filters import Filters
from qa.threads import usable_cores
from qa.index.stores.base import (AllowedSet, DocumentRecord, SkippedRecord, StoreInfo,
                   StoredPassage, StoreReader, join_context, top_indexes)
from qa.index.stores.files.segment import Segment, key_of, record_from
from qa.index.stores.files.segment_bm25 import SegmentBM25

_threads: ThreadPoolExecutor | None = None
_threads_lock = threading.Lock()


class MaskAllowed(AllowedSet):
    """Allowed passages as a bool mask over a FileReader's positions."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask

    @property
    def empty(self) -> bool:
        return not self.mask.any()


class FileReader(StoreReader):
    """A generation: its manifest, its segments (opened) and its deletions."""

    def __init__(self, manifest: dict, segments: list[Segment]):
        self.manifest = manifest
        self.segments = segments
        deleted = manifest.get("deleted", {})
        self.live = [~np.isin(s.ids, np.asarray(deleted.get(s.name, []), np.int64)) for s in segments]
        self.starts = np.concatenate([[0], np.cumsum([len(s) for s in segments])]).astype(np.int64)

    # -- positions ------------------------------------------------------------------------------
    def positions(self, ids: np.ndarray) -> np.ndarray:
        """The position of each live id; KeyError for one that is not live."""
        ids = np.asarray(ids, np.int64)
        if not len(ids):
            return np.zeros(0, np.int64)
        every = self._ids
        positions = np.minimum(np.searchsorted(every, ids), max(0, len(every) - 1))
        if not len(every) or (every[positions] != ids).any() or not self._live[positions].all():
            raise KeyError(f"passage ids not in the store: {ids.tolist()[:5]}")
        return positions

    def _located(self, positions: np.ndarray):
        """(segment, row) of each position."""
        segment = np.searchsorted(self.starts, positions, "right") - 1
        return [(self.segments[s], int(p - self.starts[s])) for s, p in zip(segment.tolist(), positions.tolist())]

    @cached_property
    def _ids(self) -> np.ndarray:
        return np.concatenate([np.asarray(s.ids) for s in self.segments] or [np.zeros(0, np.int64)])

    @cached_property
    def _live(self) -> np.ndarray:
        return np.concatenate(self.live or [np.zeros(0, bool)])

    def _mask(self, allowed: AllowedSet | None) -> np.ndarray:
        return self._live if allowed is None else allowed.mask

    # -- StoreReader ----------------------------------------------------------------------------
    def info(self) -> StoreInfo:
        return StoreInfo(
            version=self.manifest["version"], model=self.manifest["model"],
            dimension=self.manifest["dimension"], built_at=self.manifest["built_at"],
            passages=self.count, documents=len(self.documents()),
            extra={"segments": len(self.segments)})

    @cached_property
    def count(self) -> int:
        return self._bm25.count

    def allowed(self, filters: Filters) -> AllowedSet | None:
        if not filters:
            return None
        masks = []
        for segment, live in zip(self.segments, self.live):
            by_document = np.array([filters.allows_source(entry["source"]) and
                                    filters.allows_date(entry.get("date")) for entry in segment.documents], bool)
            masks.append(by_document[segment.document_of] & live)
        return MaskAllowed(np.concatenate(masks or [np.zeros(0, bool)]))

    def allows(self, allowed: AllowedSet | None, ids: np.ndarray) -> np.ndarray:
        positions = self.positions(ids)
        return np.ones(len(positions), bool) if allowed is None else allowed.mask[positions]

    def dense_top(self, vector, k, allowed=None):
        mask = self._mask(allowed)
        searched = [(number, mask[self.starts[number]:self.starts[number + 1]])
                    for number, segment in enumerate(self.segments) if len(segment)]
        searched = [(number, rows_allowed) for number, rows_allowed in searched if rows_allowed.any()]

        def search(item):
            number, rows_allowed = item
            rows, scores = _segment_dense_top(self.segments[number], vector, k, rows_allowed)
            return rows + self.starts[number], scores

        graphs = sum(self.segments[number].graph is not None for number, _ in searched)
        found = list(_segment_threads().map(search, searched) if graphs > 1 else map(search, searched))
        return self._ids_of(*_best([positions for positions, _ in found], [scores for _, scores in found], k))

    def dense_scores(self, vector, ids):
        positions = self.positions(ids)
        vector = np.asarray(vector, np.float32)
        scores = np.empty(len(positions), np.float32)
        segment_of = np.searchsorted(self.starts, positions, "right") - 1
        for number in np.unique(segment_of).tolist():
            chosen = np.flatnonzero(segment_of == number)
            rows = positions[chosen] - self.starts[number]
            scores[chosen] = _best_window_scores(self.segments[number], rows, vector)
        return scores

    def lexical_top(self, tokens, k, allowed=None):
        positions, scores = self._bm25.top(tokens, k, None if allowed is None else allowed.mask)
        return self._ids[positions], scores.astype(np.float32)

    def lexical_scores(self, tokens, ids):
        return self._bm25.scores(tokens, self.positions(ids)).astype(np.float32)

    def document_frequencies(self, tokens):
        return {token: self._bm25.frequency(token) for token in dict.fromkeys(tokens)}

    @cached_property
    def _bm25(self) -> SegmentBM25:
        return SegmentBM25(self.segments, self.live, self.starts)

    def passages(self, ids) -> list[StoredPassage]:
        return [segment.passage(row) for segment, row in self._located(self.positions(ids))]

    def documents(self, sources=None) -> dict[str, DocumentRecord]:
        if sources is None:
            return dict(self._documents)
        return {source: self._documents[source] for source in sources if source in self._documents}

    @cached_property
    def _documents(self) -> dict[str, DocumentRecord]:
        found, updated = {}, self.manifest.get("records", {})
        for segment, live in zip(self.segments, self.live):
            if live.all():
                found.update(segment.records_by_source)
                continue
            for entry, record in zip(segment.documents, segment.records()):
                if live[entry["first"]]:
                    found[record.source] = record
        for source in updated.keys() & found.keys():
            found[source] = record_from(updated[source])
        return found

    def passage_ids(self, sources=None) -> np.ndarray:
        if sources is None:
            return self._ids[self._live]
        wanted, found = set(sources), []
        for segment, live in zip(self.segments, self.live):
            for entry in segment.documents:
                if entry["source"] in wanted and live[entry["first"]]:
                    found.append(np.asarray(segment.ids[entry["first"]:entry["first"] + entry["count"]]))
        return np.sort(np.concatenate(found)) if found else np.zeros(0, np.int64)

    def dates(self, ids) -> np.ndarray:
        return self._dates[self.positions(ids)]

    @cached_property
    def _dates(self) -> np.ndarray:
        per_segment = [np.array([_ordinal(entry.get("date")) for entry in s.documents], np.int64)[s.document_of]
                       for s in self.segments if len(s)]
        return np.concatenate(per_segment or [np.zeros(0, np.int64)])

    def duplicate_groups(self, ids) -> list[np.ndarray]:
        keys = self._groups[self.positions(ids)]
        return [self._members.get(int(key), np.array([i], np.int64)) for key, i in zip(keys, np.asarray(ids))]

    @cached_property
    def _groups(self) -> np.ndarray:
        """The resolved group key of every position (links of later joins followed)."""
        raw = np.concatenate([np.asarray(s.groups) for s in self.segments] or [np.zeros(0, np.int64)])
        return resolve_groups(raw, self.manifest.get("links", []))

    @cached_property
    def _members(self) -> dict[int, np.ndarray]:
        """Group key -> sorted live ids, for groups of more than one live passage."""
        live = np.flatnonzero(self._live)
        keys, ids = self._groups[live], self._ids[live]
        order = np.lexsort((ids, keys))
        numbers, starts, counts = np.unique(keys[order], return_index=True, return_counts=True)
        return {int(n): ids[order[s:s + c]] for n, s, c in zip(numbers, starts, counts) if c > 1}

    def skipped(self) -> list[SkippedRecord]:
        return [SkippedRecord(**entry) for entry in self.manifest.get("skipped", [])]

    def vectors_by_context(self, contexts):
        return {c: s.windows(r) for c, (s, r) in self._find("context", contexts, join_context,
                                                             lambda p: p.context).items()}

    def tokens_by_context(self, contexts):
        return {c: s.tokens(r) for c, (s, r) in self._find("context", contexts, join_context,
                                                            lambda p: p.context).items()}

    def signatures_by_text(self, texts):
        return {t: np.asarray(s.signatures[r]) for t, (s, r) in self._find("text", texts, str,
                                                                           lambda p: p.text).items()}

    def _find(self, kind: str, keys: list, as_text, key_of_passage) -> dict:
        """key -> (segment, row) of a live passage whose text (or context) is `key`, from the first
        segment that has one."""
        wanted = list(dict.fromkeys(keys))
        hashed = np.fromiter((key_of(as_text(key)) for key in wanted), np.uint64, len(wanted))
        found = {}
        for segment, live in zip(self.segments, self.live):
            missing = [number for number, key in enumerate(wanted) if key not in found]
            if not missing:
                break
            for number, rows in zip(missing, segment.rows_with_keys(kind, hashed[missing])):
                row = next((r for r in rows.tolist()
                            if live[r] and key_of_passage(segment.passage(r)) == wanted[number]), None)
                if row is not None:
                    found[wanted[number]] = (segment, row)
        return found

    def _ids_of(self, positions: np.ndarray, scores: np.ndarray):
        return self._ids[positions], scores

    def close(self) -> None:
        self.segments = []  # shared segments close when their last user drops them


def _segment_threads() -> ThreadPoolExecutor:
    """Threads that walk segments' graphs side by side (FAISS releases the GIL while it searches):
    at a million passages, twelve graph walks took 25 ms one after the other and 15 ms on two
    threads of a 2-core machine."""
    global _threads
    with _threads_lock:
        if _threads is None:
            _threads = ThreadPoolExecutor(max_workers=usable_cores(), thread_name_prefix="qa-segments")
        return _threads


def resolve_groups(keys: np.ndarray, links: list) -> np.ndarray:
    """Group keys with each linked key (a later join of two groups: [key, into]) followed to its end."""
    if not links:
        return keys
    into = {int(a): int(b) for a, b in links}

    def root(key: int) -> int:
        while key in into:
            key = into[key]
        return key

    unique, inverse = np.unique(keys, return_inverse=True)
    return np.array([root(int(k)) for k in unique], np.int64)[inverse]


def _segment_dense_top(segment: Segment, vector: np.ndarray, k: int, rows_allowed: np.ndarray):
    """(rows, scores) of up to k allowed rows of one segment by their best window, best first."""
    starts = np.asarray(segment.window_starts)
    if segment.graph is not None:
        owners = segment.owners
        window_allowed = None if rows_allowed.all() else np.flatnonzero(rows_allowed[owners])
        windows, scores = search_vectors(segment.graph, vector, _windows_for(k, len(owners), len(segment)),
                                         allowed_rows=window_allowed)
        rows = owners[windows]
        _, first = np.unique(rows, return_index=True)
        first.sort()
        return rows[first][:k], scores[first][:k]
    window_scores = np.asarray(segment.vectors) @ np.asarray(vector, np.float32)
    best = np.maximum.reduceat(window_scores, starts[:-1])
    if rows_allowed.all():
        top = top_indexes(best, k)
    else:
        candidates = np.flatnonzero(rows_allowed)
        top = candidates[top_indexes(best[candidates], k)]
    return top, best[top]


def _windows_for(k: int, windows: int, rows: int) -> int:
    """How many windows to take from a graph for `k` rows: k when each row has one window, more
    (up to 2 k) the more rows span several, as a row's second window takes a place in the list."""
    extra = 2 * (windows - rows) / max(rows, 1)
    return min(2 * k, math.ceil(k * (1 + extra)))


def _best_window_scores(segment: Segment, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """The score of each of `rows` of one segment: its best window's inner product with `vector`."""
    starts = np.asarray(segment.window_starts)
    counts = starts[rows + 1] - starts[rows]
    offsets = np.cumsum(counts) - counts  # where each row's windows begin in `windows`
    windows = np.repeat(starts[rows] - offsets, counts) + np.arange(int(counts.sum()))
    return np.maximum.reduceat(np.asarray(segment.vectors[windows], np.float32) @ vector, offsets)


def _best(positions: list[np.ndarray], scores: list[np.ndarray], k: int):
    if not positions:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    positions, scores = np.concatenate(positions), np.concatenate(scores).astype(np.float32)
    order = np.lexsort((positions, -scores))[:k]
    return positions[order], scores[order]


def _ordinal(iso: str | None) -> int:
    """A date as a number that sorts like it; 0 (older than any) when unknown."""
    try:
        return date.fromisoformat(iso).toordinal() if iso else 0
    except ValueError:
        return 0

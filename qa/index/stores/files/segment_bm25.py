"""Exact BM25 over a files index's segments: the whole index's statistics (document frequencies of
live passages, the average length), scored per question in one pass over the question's postings.

Tried and left out: MaxScore pruning (candidates from the rarest words, common words looked up
for those only). With BM25's loose per-word bound (its IDF) a question's common words could
rarely be skipped at a 300-deep top, and looking them up for many candidates cost more than
adding their postings.
"""

from __future__ import annotations

import threading
from functools import cached_property

import numpy as np

from qa.index.stores.base import bm25_idf, bm25_norms, score_floor, top_indexes
from qa.index.stores.files.segment import Segment

Postings = list[tuple[int, np.ndarray]]  # a token's (segment number, rows) pairs


class SegmentBM25:
    """BM25 over `segments`, whose rows are numbered end to end as positions (`starts[n]` is
    segment n's first), of which `live[n]` are not deleted."""

    def __init__(self, segments: list[Segment], live: list[np.ndarray], starts: np.ndarray):
        self.segments, self.live, self.starts = segments, live, starts
        self._frequencies: dict[str, int] = {}
        # Per thread (a server answers questions on several), the last question: its tokens,
        # every position's score, and each known token's (segment number, rows) pairs, rarest
        # token first, which top() samples for a floor.
        self._memo = threading.local()

    @cached_property
    def count(self) -> int:
        return int(sum(int(live.sum()) for live in self.live))

    @cached_property
    def _all_live(self) -> list[bool]:
        return [bool(live.all()) for live in self.live]

    @cached_property
    def _average_length(self) -> float:
        total = sum(int(np.asarray(s.lengths)[live].sum()) for s, live in zip(self.segments, self.live))
        return total / self.count if self.count else 1.0

    @cached_property
    def _norms(self) -> list[np.ndarray]:
        """Each segment's BM25 length normalisation per row, k1 (1 - b + b length / average).
        Per-posting arithmetic is in float32 (half the memory traffic; scores are shown and
        compared as float32), summed per position in float64."""
        return [bm25_norms(s.lengths, self._average_length) for s in self.segments]

    def frequency(self, token: str) -> int:
        """How many live passages hold `token` (kept for the reader's life: it never changes)."""
        if token not in self._frequencies:
            self._frequencies[token] = sum(len(self._live_rows(number, token)[0])
                                           for number in range(len(self.segments)))
        return self._frequencies[token]

    def _live_rows(self, number: int, token: str) -> tuple[np.ndarray, np.ndarray]:
        rows, counts = self.segments[number].postings(token)
        if self._all_live[number]:
            return rows, counts
        keep = self.live[number][rows]
        return rows[keep], counts[keep]

    def scores(self, tokens: list[str], positions: np.ndarray) -> np.ndarray:
        """The BM25 score (float64) of each of `positions`."""
        return self.score_every_position(tokens)[positions]

    def score_every_position(self, tokens: list[str]) -> np.ndarray:
        """The BM25 score (float64) of every position, 0 where deleted or no token matches; the
        last question's scores are kept (per thread), as its candidates' scores are asked for next."""
        return self._scored(tokens)[1]

    def _scored(self, tokens: list[str]) -> tuple[tuple[str, ...], np.ndarray, list[Postings]]:
        memo = getattr(self._memo, "last", None)
        if memo is not None and memo[0] == tuple(tokens):
            return memo
        known = [token for token in tokens if self.frequency(token)]
        idfs = [np.float32(bm25_idf(self.count, self.frequency(token))) for token in known]
        postings: list[Postings] = [[] for _ in known]
        scores = np.zeros(int(self.starts[-1]), np.float64)
        for number, segment in enumerate(self.segments):
            rows_here, impacts_here = [], []
            for token, idf, found in zip(known, idfs, postings):
                rows, counts = self._live_rows(number, token)
                tf = counts.astype(np.float32)
                rows_here.append(rows)
                impacts_here.append(idf * tf / (tf + self._norms[number][rows]))
                found.append((number, rows))
            if rows_here:  # summed within the segment: its scores fit in a core's cache
                scores[self.starts[number]:self.starts[number + 1]] = np.bincount(
                    np.concatenate(rows_here), np.concatenate(impacts_here), len(segment))
        order = np.argsort([self.frequency(token) for token in known], kind="stable")
        self._memo.last = (tuple(tokens), scores, [postings[i] for i in order])
        return self._memo.last

    def top(self, tokens: list[str], k: int,
            mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the `k` best-scoring positions with a score above 0 that `mask`
        allows (None: all live ones), best first, equal scores by position."""
        _, scores, rarest_first = self._scored(tokens)
        floor = score_floor(scores, _rarest_positions(rarest_first, self.starts, mask), k)
        if floor > 0:  # only positions scoring at least the floor can be among the k best
            matching = np.flatnonzero(scores >= floor if mask is None else (scores >= floor) & mask)
        else:
            matching = np.flatnonzero(scores if mask is None else scores * mask)
        best = matching[top_indexes(scores[matching], k)]
        return best, scores[best]


def _rarest_positions(rarest_first: list[Postings], starts: np.ndarray,
                      mask: np.ndarray | None):
    """Each word's positions (those `mask` allows), from its (segment number, rows) pairs."""
    for postings in rarest_first:
        positions = np.concatenate([starts[number] + rows for number, rows in postings])
        yield positions if mask is None else positions[mask[positions]]

"""Exact BM25 over a files index's segments: the whole index's statistics (document frequencies of
live passages, the average length), scored per question in one pass over the question's postings.

Tried and left out: MaxScore pruning (candidates from the rarest words, common words looked up
for those only). With BM25's loose per-word bound (its IDF) a question's common words could
rarely be skipped at a 300-deep top, and looking them up for many candidates cost more than
adding their postings (docs/benchmarks.md).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from .base import BM25_B, BM25_K1, bm25_idf
from .segment import Segment


class SegmentBM25:
    """BM25 over `segments`, whose rows are numbered end to end as positions (`starts[n]` is
    segment n's first), of which `live[n]` are not deleted."""

    def __init__(self, segments: list[Segment], live: list[np.ndarray], starts: np.ndarray):
        self.segments, self.live, self.starts = segments, live, starts
        self._frequencies: dict[str, int] = {}
        self._memo: tuple[tuple[str, ...], np.ndarray] | None = None

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
        """Each segment's BM25 length normalisation per row, k1 (1 - b + b length / average)."""
        return [BM25_K1 * (1 - BM25_B + BM25_B * np.asarray(s.lengths, np.float64) / self._average_length)
                for s in self.segments]

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
        last question's scores are kept, as its candidates' scores are asked for next."""
        memo = self._memo
        if memo is not None and memo[0] == tuple(tokens):
            return memo[1]
        found, impacts = [], []
        for token in tokens:
            if not self.frequency(token):
                continue
            idf = bm25_idf(self.count, self.frequency(token))
            for number in range(len(self.segments)):
                rows, counts = self._live_rows(number, token)
                tf = counts.astype(np.float64)
                found.append(self.starts[number] + rows)
                impacts.append(idf * tf / (tf + self._norms[number][rows]))
        size = int(self.starts[-1])
        scores = np.bincount(np.concatenate(found), np.concatenate(impacts), size) if found \
            else np.zeros(size, np.float64)
        self._memo = (tuple(tokens), scores)
        return scores

    def top(self, tokens: list[str], k: int,
            mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(positions, scores) of the `k` best-scoring positions with a score above 0 that `mask`
        allows (None: all live ones), best first, equal scores by position."""
        scores = self.score_every_position(tokens)
        matching = np.flatnonzero(scores if mask is None else scores * mask)
        best = matching[top_indexes(scores[matching], k)]
        return best, scores[best]


def top_indexes(scores: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the `k` highest scores, best first, ties by index (without sorting all)."""
    if len(scores) > k:
        threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
        chosen = np.flatnonzero(scores >= threshold)
    else:
        chosen = np.arange(len(scores))
    return chosen[np.lexsort((chosen, -scores[chosen]))][:k]

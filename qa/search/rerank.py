"""Re-ranking: the best candidates of the hybrid search read together with the question.

The search's top RERANK_DEPTH passages (after filters and near-duplicate collapsing) are scored by
a re-ranker that reads question and passage together; each passage's re-ranker score and its
hybrid score are standardised over those candidates and blended, RERANK_WEIGHT on the re-ranker,
and the candidates are put in that order (their `score` becomes the blend, scaled 0..1 like the
hybrid's). Passages below the depth keep their place after them. Depth and weight were chosen by
measurement (docs/benchmarks.md, "Re-ranking").

The default re-ranker is the learned reader itself (qa.answers.reader): a passage's relevance is the
reader's best margin for a span of it over "no answer", so one model both orders and answers.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Protocol, Sequence

import numpy as np

from qa.types import Passage

RERANK_DEPTH = 15
RERANK_WEIGHT = 0.4


class Reranker(Protocol):
    """Scores (question, passage) pairs read together; higher is more relevant."""

    name: str

    def relevance(self, question: str, texts: Sequence[str]) -> np.ndarray: ...


class ReaderRelevance:
    """The learned reader as a re-ranker: each passage's best span margin over "no answer"."""

    name = "reader"

    def __init__(self, reader=None):
        self._reader = reader

    def relevance(self, question: str, texts: Sequence[str]) -> np.ndarray:
        from qa.answers.reader import get_reader

        reader = self._reader or get_reader()
        return np.array(reader.read(question, list(texts)).relevance(len(texts)), dtype=np.float64)


_rerankers: list[Reranker] = []
_lock = threading.Lock()


def get_reranker() -> Reranker:
    """The registered re-ranker, else the reader's relevance."""
    with _lock:
        return _rerankers[-1] if _rerankers else ReaderRelevance()


def register_reranker(reranker: Reranker | None) -> None:
    """Use `reranker` from now on (a fake in tests); None goes back to the default."""
    with _lock:
        _rerankers.clear()
        if reranker is not None:
            _rerankers.append(reranker)


def reranked(question: str, passages: list[Passage], reranker: Reranker | None = None,
             depth: int | None = None, weight: float | None = None) -> list[Passage]:
    """`passages` (best first) with the first `depth` (RERANK_DEPTH) put in the order of the blend,
    `weight` (RERANK_WEIGHT) on the re-ranker; none is dropped or repeated."""
    depth = RERANK_DEPTH if depth is None else depth
    head, tail = passages[:depth], passages[depth:]
    if len(head) < 2:
        return list(passages)
    relevance = (reranker or get_reranker()).relevance(question, [p.text for p in head])
    return in_blended_order(head, relevance, weight) + tail


def in_blended_order(passages: list[Passage], relevance, weight: float | None = None) -> list[Passage]:
    """`passages` ordered by the blend of `relevance` (one per passage) and their hybrid scores,
    each passage's score replaced by the blend scaled 0..1."""
    order, scaled = blended_order(relevance, [p.score for p in passages], weight)
    return in_order(passages, order, scaled)


def in_order(passages: list[Passage], order: list[int], scores) -> list[Passage]:
    """`passages` at positions `order`, each with its score from `scores` (by old position)."""
    return [replace(passages[i], score=float(scores[i])) for i in order]


def blended_order(relevance, hybrid, weight: float | None = None) -> tuple[list[int], np.ndarray]:
    """Positions best first by `weight` (RERANK_WEIGHT) x standardised `relevance` + the rest x
    standardised `hybrid` score (ties keep the search's order), and the blend scaled 0..1."""
    weight = RERANK_WEIGHT if weight is None else weight
    relevance, hybrid = np.asarray(relevance, np.float64), np.asarray(hybrid, np.float64)
    blended = weight * _z_score(relevance) + (1 - weight) * _z_score(hybrid)
    return np.argsort(-blended, kind="stable").tolist(), _min_max(blended)


def _z_score(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


def _min_max(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    return np.ones_like(values) if high - low < 1e-9 else (values - low) / (high - low)

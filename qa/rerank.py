"""Re-ranking: the best candidates of the hybrid search read together with the question.

The search's top RERANK_DEPTH passages (after filters and near-duplicate collapsing) are scored by
a re-ranker that reads question and passage together; each passage's re-ranker score and its
hybrid score are standardised over those candidates and blended, RERANK_WEIGHT on the re-ranker,
and the candidates are put in that order (their `score` becomes the blend, scaled 0..1 like the
hybrid's). Passages below the depth keep their place after them. Depth and weight were chosen by
measurement (docs/benchmarks.md, "Re-ranking").

The default re-ranker is the learned reader itself (qa.reader): a passage's relevance is the
reader's best margin for a span of it over "no answer", so one model both orders and answers.
"""

from __future__ import annotations

import math
import threading
from dataclasses import replace
from typing import Protocol, Sequence

import numpy as np

from .types import Passage

RERANK_DEPTH = 20
RERANK_WEIGHT = 0.5


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
        from .reader import get_reader

        reader = self._reader or get_reader()
        best = reader.read(question, list(texts), k=len(texts) * 3).passage_scores(len(texts))
        return np.array([_logit(score) for score in best], dtype=np.float64)


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
             depth: int = RERANK_DEPTH, weight: float = RERANK_WEIGHT) -> list[Passage]:
    """`passages` (best first) with the first `depth` put in the order of the blend; none is
    dropped or repeated."""
    head, tail = passages[:depth], passages[depth:]
    if len(head) < 2:
        return list(passages)
    relevance = (reranker or get_reranker()).relevance(question, [p.text for p in head])
    hybrid = np.array([p.score for p in head], dtype=np.float64)
    blended = weight * _z_score(relevance) + (1 - weight) * _z_score(hybrid)
    order = np.argsort(-blended, kind="stable")
    scaled = _min_max(blended)
    return [replace(head[i], score=float(scaled[i])) for i in order] + tail


def _logit(score: float) -> float:
    score = min(max(score, 1e-9), 1 - 1e-9)
    return math.log(score / (1 - score))


def _z_score(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


def _min_max(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    return np.ones_like(values) if high - low < 1e-9 else (values - low) / (high - low)

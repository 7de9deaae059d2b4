"""Hybrid search over a store snapshot: dense and BM25 candidates, fused into one ranking.

Both halves propose candidates (the store's dense and BM25 top-k); every candidate then gets both
of its scores, so no candidate is penalised for being missed by one half: a dense candidate keeps
the score the dense search gave it (its best window: exact for an exact index; for an HNSW graph,
the best the graph found), and the rest are asked of the store.
The fused score blends the two scores, each standardised (z-score) over the candidates:
w * dense + (1 - w) * bm25, then scaled to 0..1 for display. The dense weight w is BLEND_DENSE,
lowered when the best BM25 match is strong (rare words of the question matched) and raised when it
is weak: w = BLEND_DENSE - BLEND_SLOPE * ln(strength / BLEND_PIVOT), where strength is the best BM25
score over ln(1 + paragraphs), the scale of an IDF in this index.
The method and constants were chosen by measurement on ../shared/bench (docs/decisions.md, "Fusion");
reciprocal rank fusion is kept as mode "rrf" for comparison.

Filters (qa.search.filters) restrict both halves to the allowed briefings inside the store, before
ranking. The Catalog (qa.index.catalog) then orders equal scores newest first and collapses
near-duplicates (qa.search.duplicates): a group is shown once, as its newest allowed member, listing the
other briefings it appears in.
"""

from __future__ import annotations

import numpy as np

from qa.index.catalog import Catalog, Ranking
from qa.index.encoder import Encoder
from qa.errors import IndexMismatch
from qa.search.filters import Filters
from qa.search.lexical import tokenize
from qa.limits import MAX_QUESTION_CHARS
from qa.search.rerank import RERANK_DEPTH, reranked
from qa.index.stores import StoreReader
from qa.threads import one_blas_thread
from qa.types import Passage

MODES = ("hybrid", "dense", "bm25", "rrf")
BLEND_DENSE = 0.68
BLEND_SLOPE = 0.15
BLEND_PIVOT = 1.2
DENSE_WEIGHT_RANGE = (0.3, 0.9)
RRF_K = 60
# Candidates each half proposes (or k, if larger): fixed, so the top of a ranking does not
# depend on how many results were asked for.
MIN_DEPTH = 300


class Searcher:
    """Answers questions against one store snapshot (qa.index.stores.StoreReader) with one encoder."""

    def __init__(self, store: StoreReader, encoder: Encoder, location="index"):
        self.store = store
        self.encoder = encoder
        self.location = location
        info = store.info()
        self.version, self.dimension = info.version, info.dimension
        self.catalog = Catalog(store)

    def question_vector(self, question: str) -> np.ndarray:
        """The question's embedding; IndexMismatch when the model's vectors are not as wide as
        the index's (a model replaced under the same name since the build)."""
        with one_blas_thread():
            vector = self.encoder.encode_questions([question[:MAX_QUESTION_CHARS]])[0]
        if vector.shape[-1] != self.dimension:
            raise IndexMismatch(self.location, f"it holds {self.dimension}-dimensional "
                                f"vectors and the model {self.encoder.name!r} gives {vector.shape[-1]}")
        return vector

    def search(self, question: str, k: int, mode: str = "hybrid", vector: np.ndarray | None = None,
               filters: Filters = Filters(), collapse: bool = True, rerank: bool = False) -> list[Passage]:
        """The `k` best passages for `question` among those `filters` allow, best first (fewer if
        fewer are allowed), near-duplicates collapsed unless `collapse` is False, the best
        candidates re-ranked (qa.search.rerank) when `rerank` is True.

        `vector` is the question's embedding when the caller has it already.
        """
        if rerank:
            candidates = self.search(question, max(k, RERANK_DEPTH), mode, vector, filters, collapse)
            return reranked(question[:MAX_QUESTION_CHARS], candidates)[:k]
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        question = question[:MAX_QUESTION_CHARS]
        with one_blas_thread():
            allowed = self.store.allowed(filters)
            if allowed is not None and allowed.empty:
                return []
            ranked = self._rank(question, max(MIN_DEPTH, k), mode, vector, allowed)
            if not collapse:
                return self.catalog.passages(ranked.first(k))
            return self.catalog.collapsed(ranked, k, allowed)

    def _rank(self, question: str, depth: int, mode: str, vector: np.ndarray | None,
              allowed) -> Ranking:
        """The candidates by score, best first, equal scores newest first."""
        if vector is None and mode != "bm25":
            vector = self.question_vector(question)
        tokens = tokenize([question])[0] if mode != "dense" else None
        dense_ids, dense_scores = self.store.dense_top(vector, depth, allowed) if mode != "bm25" else _empty()
        lexical_ids, lexical_scores = self.store.lexical_top(tokens, depth, allowed) if tokens is not None else _empty()
        if mode == "hybrid":
            ids, scores = self._blend(vector, tokens, np.union1d(dense_ids, lexical_ids),
                                      dict(zip(dense_ids.tolist(), dense_scores.tolist())))
        elif mode == "rrf":
            ids, scores = _rrf(dense_ids, lexical_ids)
        elif mode == "dense":
            ids, scores = dense_ids, dense_scores
        else:
            ids, scores = lexical_ids, lexical_scores
        return self.catalog.newest_first_on_ties(ids, scores)

    def _blend(self, vector: np.ndarray, tokens: list[str], candidates: np.ndarray,
               dense_known: dict[int, float]):
        """`candidates` ranked by their fused score (and that score); `dense_known` holds the
        dense search's scores of those it proposed."""
        if not len(candidates):
            return _empty()
        dense = self._dense_scores(vector, candidates, dense_known)
        lexical = self.store.lexical_scores(tokens, candidates)
        weight = dense_weight(float(lexical.max()), self.catalog.passage_count)
        fused = weight * _z_score(dense) + (1 - weight) * _z_score(lexical)
        order = np.argsort(-fused, kind="stable")
        return candidates[order], _min_max(fused[order])


    def _dense_scores(self, vector: np.ndarray, candidates: np.ndarray,
                      known: dict[int, float]) -> np.ndarray:
        """The dense score of each of `candidates`: from `known`, or else from the store."""
        unknown = np.array([i for i in candidates.tolist() if i not in known], dtype=np.int64)
        if len(unknown):
            known = {**known, **dict(zip(unknown.tolist(), self.store.dense_scores(vector, unknown).tolist()))}
        return np.array([known[i] for i in candidates.tolist()], dtype=np.float32)


def dense_weight(best_lexical: float, passage_count: int) -> float:
    """The dense share of the blend for a question whose best BM25 score is `best_lexical`."""
    if best_lexical <= 0:
        return 1.0
    strength = best_lexical / np.log1p(passage_count)
    return float(np.clip(BLEND_DENSE - BLEND_SLOPE * np.log(strength / BLEND_PIVOT), *DENSE_WEIGHT_RANGE))


def _rrf(*rankings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, passage in enumerate(ranking.tolist()):
            fused[passage] = fused.get(passage, 0.0) + 1.0 / (RRF_K + rank + 1)
    ordered = sorted(fused.items(), key=lambda item: -item[1])
    return (np.array([p for p, _ in ordered], dtype=np.int64),
            np.array([s for _, s in ordered], dtype=np.float32))


def _z_score(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


def _min_max(values: np.ndarray) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:  # one candidate, or all alike: each is the best there is
        return np.ones_like(values)
    return (values - low) / (high - low)


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)

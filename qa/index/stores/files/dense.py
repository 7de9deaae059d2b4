"""The dense half of hybrid search: FAISS over normalised vectors, scored by inner product (cosine).

Up to ANN_THRESHOLD vectors (of 384 dimensions; proportionally more of fewer) the search is
exact. Past it, HNSW graphs keep latency flat; their parameters are set so recall@10 against
exact search stays at or above 0.98 (measured with `python -m qa bench speed ann`; see docs/benchmarks.md).
"""

from __future__ import annotations

import faiss
import numpy as np

from qa.index.stores.base import HNSW_SEARCH_DEPTH, graph_search_depth

ANN_THRESHOLD = 100_000
# The threshold holds for this many dimensions (all-MiniLM-L6-v2's); a model with fewer gets exact
# search up to proportionally more vectors, since exact search costs vectors x dimensions.
ANN_REFERENCE_DIMENSION = 384
# In an index past the threshold, its parts (segments) of this many vectors or more have graphs.
GRAPH_MIN_VECTORS = 4096
HNSW_NEIGHBOURS = 32
HNSW_BUILD_DEPTH = 80


def needs_graph(count: int, dimension: int, index_count: int = 0) -> bool:
    """Whether `count` vectors of `dimension` are searched through an HNSW graph (else exactly):
    past the ANN threshold, or, as one part of an index of `index_count` vectors that is past it,
    from GRAPH_MIN_VECTORS on (many exact parts add up: five of 16,400 vectors cost 13 ms a
    question, their graphs 5 ms, at the same results)."""
    limit = ANN_THRESHOLD * ANN_REFERENCE_DIMENSION
    return count * dimension > limit or (index_count * dimension > limit and count >= GRAPH_MIN_VECTORS)


def build_vector_index(vectors: np.ndarray, dimension: int, index_count: int = 0) -> faiss.Index:
    """An exact index or an HNSW graph, as needs_graph says for `vectors` in an index of
    `index_count`."""
    if needs_graph(len(vectors), dimension, index_count):
        index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_BUILD_DEPTH
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def is_approximate(index: faiss.Index) -> bool:
    return isinstance(index, faiss.IndexHNSWFlat)


def search_vectors(index: faiss.Index, query: np.ndarray, depth: int,
                   search_depth: int | None = None,
                   allowed_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(rows, similarities) of the `depth` nearest vectors to one query vector, best first.

    `search_depth` is the HNSW candidate list (efSearch) when the index is approximate (default:
    graph_search_depth of its size, or HNSW_SEARCH_DEPTH under a filter, where the graph is
    walked past rows that may not be returned; at least `depth`); `allowed_rows`, when given, are
    the only rows that may be returned.
    """
    if search_depth is None:
        search_depth = graph_search_depth(index.ntotal) if allowed_rows is None else HNSW_SEARCH_DEPTH
    depth = min(depth, index.ntotal if allowed_rows is None else len(allowed_rows))
    if depth <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    selector = None if allowed_rows is None else faiss.IDSelectorBatch(allowed_rows.astype(np.int64))
    if is_approximate(index):
        parameters = faiss.SearchParametersHNSW(efSearch=max(search_depth, depth), sel=selector)
    else:
        parameters = faiss.SearchParameters(sel=selector) if selector is not None else None
    scores, rows = index.search(
        np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), depth, params=parameters)
    keep = rows[0] >= 0
    return rows[0][keep].astype(np.int64), scores[0][keep]


def all_vectors(index: faiss.Index) -> np.ndarray:
    """Every stored vector, in row order (flat and HNSW indexes keep them exactly)."""
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return index.reconstruct_n(0, index.ntotal)

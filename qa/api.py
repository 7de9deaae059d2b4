"""The Python API: `retrieve` over an index kept loaded per index folder."""

from __future__ import annotations

import threading

from qa.index.encoder import get_encoder, model_name
from qa.search.filters import Filters
from qa.search.hybrid import Searcher
from qa.search.question import Question
from qa.index.stores import index_location, open_store
from qa.types import Passage

# Whether retrieve() and answer() re-rank unless told: chosen by measurement (docs/benchmarks.md,
# "Re-ranking").
RERANK_BY_DEFAULT = True
_searchers: dict[object, Searcher] = {}
_lock = threading.Lock()


def retrieve(question: str, k: int = 5, *, index_dir="index", mode: str = "hybrid",
             since=None, until=None, sources=None, rerank: bool | None = None) -> list[Passage]:
    """The `k` passages of the index that best answer `question`, best first.

    Near-duplicate paragraphs (the same wire text in several briefings) come back once, as the
    newest briefing's, with the others in `Passage.also_in`; equal scores go to newer briefings.
    `since` and `until` (a date, or text "YYYY-MM-DD", "YYYY-MM", "YYYY"; inclusive) keep
    briefings dated within them, leaving out undated ones; `sources` (a text or several) keeps
    briefings whose path (relative to the corpus folder) or file name matches one of them, case
    aside: an exact path, or a glob such as "*.pdf" or "2025-03-*".
    Returns fewer than `k` when fewer passages are allowed. Raises ValueError for an empty
    question, a `k` below 1 or a bad date, and a QAError (IndexNotFound, IndexMismatch,
    IndexDamaged) that says how to (re)build when the index cannot be used. The index is loaded
    once per `index_dir` and reloaded when a build has replaced it on disk. `mode` is "hybrid"
    (default), "dense", "bm25" or "rrf". `rerank` puts the best candidates in the order the
    learned re-ranker reads them (qa.search.rerank); None means `reranks_by_default(mode)`.
    """
    question = Question.read(question).text
    filters = Filters.of(since, until, sources)
    rerank = reranks_by_default(mode) if rerank is None else bool(rerank)
    return searcher_for(index_dir).search(question, validate_k(k), mode=mode, filters=filters, rerank=rerank)


def reranks_by_default(mode: str = "hybrid") -> bool:
    """Whether a search in `mode` is re-ranked when the caller does not say: RERANK_BY_DEFAULT for
    the hybrid search; the other modes are kept as they are, for comparison."""
    return RERANK_BY_DEFAULT and mode == "hybrid"


def validate_k(k) -> int:
    """`k` itself when it is a whole number of at least 1; ValueError otherwise."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}")
    return k


def searcher_for(index_dir="index") -> Searcher:
    """The cached Searcher of `index_dir` (a folder, or a URL a store backend registered),
    (re)loaded when the live version changed."""
    location = index_location(index_dir)
    location = location if isinstance(location, str) else location.resolve()
    store = open_store(location)
    version = store.version()
    with _lock:
        cached = _searchers.get(location)
        if cached is not None and cached.version == version:
            return cached
        reader = store.reader(model=model_name())
        searcher = Searcher(reader, get_encoder(reader.info().model), location)
        _searchers[location] = searcher
        return searcher

"""The store contract: everything search, the catalog, the status panel and the build need from an
index, and nothing about how a backend keeps it (files: qa.index.stores.files.store; PostgreSQL: qa.index.stores.postgres).

Callers above this module never touch faiss, owners arrays, bm25s or a file layout. Fusion,
collapsing and filters' meaning stay above the contract; what a backend can do close to its data
(filtering, top-k, BM25 statistics) is pushed down to it.

Identifiers
    A passage id is an int (int64) that names one stored paragraph for as long as it stays in the
    store: ids survive publishes and merges, are never reused for another passage, and ids of
    passages added later are larger. A document is named by its `source` (path relative to the
    corpus folder); at most one live document per source.

Versions
    `Store.version()` is a short text token of the published state; it changes on every publish and
    only then. A `StoreReader` is a consistent snapshot of one version: later publishes do not
    change what it returns, and it stays usable until closed (a backend may keep the files or rows
    of that version alive, or re-check and raise IndexDamaged).

Errors
    IndexNotFound (nothing published yet), IndexMismatch (another model or format: rebuild),
    IndexDamaged (published data cannot be read), IndexBusy (another writer holds the store); all
    in qa.errors. Ids that are not live are a caller error: methods taking ids raise KeyError.

Scores
    Dense: cosine (inner product of normalised vectors) of the question vector with a passage's
    best vector (a long passage has several overlapping windows, each a vector).
    Lexical: Lucene BM25 with k1 = BM25_K1, b = BM25_B over the live passages of the whole store
    (exact global statistics, whatever the segmentation): for each query token t (a token repeated
    in the query counts again), score += idf(t) * tf / (tf + k1 * (1 - b + b * length / avg_length))
    where idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5)), N the live passages, df(t) the live
    passages holding t, tf its count in the passage, length the passage's token count and
    avg_length the mean over live passages. Tokens are qa.search.lexical.tokenize's. Tokens no passage
    holds add nothing. Computed in float64, returned as float32.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from qa.search.filters import Filters

BM25_K1 = 1.5
BM25_B = 0.75
# The HNSW candidate list (efSearch) of a graph of HNSW_REFERENCE_SIZE vectors: recall@10 0.983 at a
# million (faiss). A smaller graph needs proportionally less for the same recall (0.996 at
# efSearch 600 on 131,200 vectors, where 2,000 cost 3.6 x the time for 0.998).
HNSW_SEARCH_DEPTH = 2000
HNSW_REFERENCE_SIZE = 1_000_000


def graph_search_depth(count: int) -> int:
    """The HNSW candidate list (efSearch) for a graph of `count` vectors (see HNSW_SEARCH_DEPTH);
    a search asking for more results than this uses that many instead."""
    return max(1, -(-HNSW_SEARCH_DEPTH * count // HNSW_REFERENCE_SIZE))


def bm25_idf(count: int, frequency: int) -> float:
    """BM25's inverse document frequency of a word `frequency` of `count` passages hold."""
    return float(np.log(1 + (count - frequency + 0.5) / (frequency + 0.5)))


def bm25_norms(lengths: np.ndarray, average_length: float) -> np.ndarray:
    """BM25's length normalisation of passages of `lengths` tokens, k1 (1 - b + b length /
    average), computed in float64 and kept as float32: backends weigh each posting as
    idf * tf / (tf + norm) in float32 and sum the weights in float64."""
    return (BM25_K1 * (1 - BM25_B + BM25_B * np.asarray(lengths, np.float64) / average_length)
            ).astype(np.float32)


def top_indexes(scores: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the `k` highest scores, best first, ties by index (without sorting all)."""
    if len(scores) > k:
        threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
        chosen = np.flatnonzero(scores >= threshold)
    else:
        chosen = np.arange(len(scores))
    return chosen[np.lexsort((chosen, -scores[chosen]))][:k]


def score_floor(scores: np.ndarray, rarest_first: Iterable[np.ndarray], k: int) -> float:
    """A score that at least `k` of `scores` reach (0 when none is found), so that the k best
    are found among the positions scoring at least it: the k-th best score of the positions in
    the first arrays of `rarest_first` (positions of `scores` holding each of a question's
    words, the rarest word's first) that together hold k. Rare words' positions are few, so
    this costs little; the k best score at least any k positions' k-th best."""
    sample, taken = [], 0
    for positions in rarest_first:
        sample.append(positions)
        taken += len(positions)
        if taken >= k:
            break
    if taken < k:
        return 0.0
    # A position holding two of these words is counted once.
    sampled = scores[np.unique(np.concatenate(sample))] if len(sample) > 1 else scores[sample[0]]
    if len(sampled) < k:
        return 0.0
    return float(np.partition(sampled, len(sampled) - k)[len(sampled) - k])


@dataclass(frozen=True)
class StoredPassage:
    """A paragraph as stored: where it is from, its text, and the text that was indexed for it.

    `paragraph` is 1-based within its document; `page` the page it starts on for paged formats;
    `digest` the hash of `text` (qa.ingest.documents.text_digest). The document's date, publisher and URL
    are in its DocumentRecord.
    """

    source: str
    title: str
    paragraph: int
    text: str
    heading: str
    digest: str
    page: int | None = None

    @property
    def context(self) -> tuple[str, str, str]:
        """What `indexed_text` is made of; the key for "was this exact text indexed before"."""
        return self.title, self.heading, self.text

    @property
    def indexed_text(self) -> str:
        """What is embedded and BM25-indexed: the paragraph in the context of its title and heading."""
        return join_context(self.context)


def join_context(context: tuple[str, str, str]) -> str:
    """The indexed text of a (title, heading, text) context: its non-empty parts, one a line."""
    return "\n".join(part for part in context if part)


@dataclass(frozen=True)
class DocumentRecord:
    """What the store knows of one indexed briefing without reading its passages.

    `digest` hashes the document's content; `paragraphs` are its paragraphs' digests in order;
    `size` and `modified_ns` are the file's st_size and st_mtime_ns when it was read, and
    `read_ns` (time.time_ns()) when the build that read it started reading: a file whose size and
    time still match, modified well before `read_ns`, is not read again.
    """

    source: str
    title: str
    digest: str
    paragraphs: tuple[str, ...]
    date: str | None = None
    publisher: str | None = None
    url: str | None = None
    size: int = 0
    modified_ns: int = 0
    read_ns: int = 0


@dataclass(frozen=True)
class SkippedRecord:
    """A corpus file a build could not use, why, and its st_size / st_mtime_ns at the time: a later
    build (and the status panel) neither reads nor re-reports it as new while both still match."""

    source: str
    reason: str
    size: int = 0
    modified_ns: int = 0
    read_ns: int = 0  # as DocumentRecord.read_ns


@dataclass(frozen=True)
class StoreInfo:
    """The published state in brief (cheap: no passage data is read)."""

    version: str
    model: str
    dimension: int
    built_at: str  # ISO 8601, UTC, of the last publish
    passages: int  # live passages
    documents: int  # live documents
    extra: dict = field(default_factory=dict)  # backend facts for people (segments, ...)


class AllowedSet(ABC):
    """An opaque set of allowed passages, made by `StoreReader.allowed` for one reader and only
    meaningful to it (a mask over the files backend's rows; a WHERE clause or a temporary id table
    in PostgreSQL)."""

    @property
    @abstractmethod
    def empty(self) -> bool:
        """True when no passage is allowed (searches then return nothing without asking)."""


class StoreReader(ABC):
    """One published version of a store, for searching, listing and for a build to reuse from.

    Every method that takes `allowed` treats None as "all live passages". Every method that takes
    `ids` returns results in the order of `ids` (duplicates allowed). No method loads the whole store
    into the caller's memory; a backend may cache what it needs.
    """

    @abstractmethod
    def info(self) -> StoreInfo:
        """The version, model, dimension and counts of this snapshot."""

    # -- filters --------------------------------------------------------------------------------
    @abstractmethod
    def allowed(self, filters: Filters) -> AllowedSet | None:
        """The passages whose document `filters` allow (Filters.allows_source on the source,
        Filters.allows_date on the document's date); None when `filters` is empty (all allowed)."""

    @abstractmethod
    def allows(self, allowed: AllowedSet | None, ids: np.ndarray) -> np.ndarray:
        """A bool array: whether each of `ids` is in `allowed` (all True for None)."""

    # -- dense ----------------------------------------------------------------------------------
    @abstractmethod
    def dense_top(self, vector: np.ndarray, k: int, allowed: AllowedSet | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of up to `k` distinct allowed passages by dense score, best first.

        Exact, or approximate (an ANN index) with recall@10 against exact of at least 0.98.
        """

    @abstractmethod
    def dense_scores(self, vector: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """The exact dense score (float32) of each of `ids`."""

    # -- lexical --------------------------------------------------------------------------------
    @abstractmethod
    def lexical_top(self, tokens: list[str], k: int, allowed: AllowedSet | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of up to `k` allowed passages with a BM25 score above 0, best first
        (equal scores: smaller id first)."""

    @abstractmethod
    def lexical_scores(self, tokens: list[str], ids: np.ndarray) -> np.ndarray:
        """The BM25 score (float32, 0 when no token matches) of each of `ids`."""

    @abstractmethod
    def document_frequencies(self, tokens: list[str]) -> dict[str, int]:
        """How many live passages hold each of `tokens` (BM25's document frequency; 0 if none)."""

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """BM25's inverse document frequency of each of `tokens` over the live passages; a token
        no passage holds scores as if one did."""
        count = self.info().passages
        frequencies = self.document_frequencies(tokens)
        return {token: bm25_idf(count, max(1, frequencies.get(token, 0))) for token in tokens}

    # -- records --------------------------------------------------------------------------------
    @abstractmethod
    def passages(self, ids: np.ndarray) -> list[StoredPassage]:
        """The stored passage of each of `ids`."""

    @abstractmethod
    def passage_ids(self, sources: list[str] | None = None) -> np.ndarray:
        """The ids (int64, ascending) of the live passages of the documents `sources` (of all
        documents when None; unknown sources add nothing)."""

    @abstractmethod
    def documents(self, sources: Iterable[str] | None = None) -> dict[str, DocumentRecord]:
        """The live documents' records by source (small: no passage text): all of them, or those
        of `sources` that are live."""

    @abstractmethod
    def dates(self, ids: np.ndarray) -> np.ndarray:
        """Each passage's document date as a day ordinal (date.toordinal(); 0 when undated), int64,
        for "newest first" tie-breaks."""

    @abstractmethod
    def duplicate_groups(self, ids: np.ndarray) -> list[np.ndarray]:
        """For each of `ids`, the sorted ids of the live passages in its near-duplicate group
        (qa.search.duplicates), itself included: an array of one when it has no near-duplicate. Equal
        first elements mean the same group."""

    @abstractmethod
    def skipped(self) -> list[SkippedRecord]:
        """The corpus files the last publish recorded as skipped, by source."""

    # -- what a build may reuse (only the keys found are returned) ------------------------------
    @abstractmethod
    def vectors_by_context(self, contexts: list[tuple[str, str, str]]) -> dict[tuple, np.ndarray]:
        """For each context (StoredPassage.context) some live passage has, its window vectors
        (float32, shape (windows, dimension), in window order)."""

    @abstractmethod
    def tokens_by_context(self, contexts: list[tuple[str, str, str]]) -> dict[tuple, list[str]]:
        """For each context some live passage has, its BM25 tokens (as a multiset: order may differ
        from qa.search.lexical.tokenize's)."""

    @abstractmethod
    def signatures_by_text(self, texts: list[str]) -> dict[str, np.ndarray]:
        """For each text some live passage has, its MinHash signature (qa.search.duplicates, uint32)."""

    def close(self) -> None:
        """Release what this snapshot holds (files, connections); further calls may fail."""

    def __enter__(self) -> "StoreReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class NewPassages:
    """The passages of one document to add, with everything derived from them, position-aligned.

    `vectors[i]` covers passage `owners[i]` (index into `passages`; window order kept);
    `tokens[j]` and `signatures[j]` belong to `passages[j]`.
    """

    passages: list[StoredPassage]
    vectors: np.ndarray  # float32 (windows, dimension), normalised
    owners: np.ndarray  # int64 (windows,)
    tokens: list[list[str]]
    signatures: np.ndarray  # uint32 (passages, qa.search.duplicates.HASHES)


class StoreWriter(ABC):
    """One write session: changes are invisible to readers until `publish`, which makes all of them
    live at once (atomically: a crash at any point leaves the previous version readable). Leaving
    the `with` block without publishing discards them. Only one writer per store at a time."""

    @abstractmethod
    def reader(self) -> StoreReader | None:
        """The version this session started from (None when the store is empty or `fresh`)."""

    @abstractmethod
    def add_document(self, record: DocumentRecord, new: NewPassages) -> None:
        """Add a document (at least one passage) under `record.source`, replacing any live
        document of that source (as `delete_document` then add). Near-duplicate groups are
        updated to include the new passages."""

    @abstractmethod
    def update_record(self, record: DocumentRecord) -> None:
        """Replace the record of the live document `record.source` (its passages unchanged: a file
        touched or re-read without a change of content); KeyError when there is none."""

    @abstractmethod
    def delete_document(self, source: str) -> None:
        """Remove the live document `source` and its passages (nothing if there is none)."""

    @abstractmethod
    def set_skipped(self, skipped: list[SkippedRecord]) -> None:
        """Replace the list of skipped files recorded with the next publish."""

    @abstractmethod
    def publish(self) -> str:
        """Make every change of this session live at once; returns the new version. A session with
        no change still publishes (the version changes). The session ends."""

    @abstractmethod
    def close(self) -> None:
        """End the session; unpublished changes are discarded and the write lock released."""

    def __enter__(self) -> "StoreWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Store(ABC):
    """An index location (a folder, a database). Made by qa.index.stores.open_store(location)."""

    @abstractmethod
    def version(self) -> str:
        """The live version token (cheap: one small read); raises IndexNotFound when none."""

    @abstractmethod
    def reader(self, model: str | None = None) -> StoreReader:
        """A snapshot of the live version; IndexMismatch when it was built with another `model`
        (when given) or another format."""

    @abstractmethod
    def live_model(self) -> tuple[str, int] | None:
        """The model name and vector dimension of the live version (cheap: no passage data is
        read); None when there is no live version or it cannot be read."""

    @abstractmethod
    def writer(self, model: str, dimension: int, *, fresh: bool = False) -> StoreWriter:
        """The exclusive write session (IndexBusy when another holds it; a killed writer's hold is
        released). `fresh=True`, or a live version of another model, dimension or format, starts
        from an empty store: its publish replaces everything."""

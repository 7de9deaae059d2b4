"""Everything the index stores for a passage besides its text: window vectors, BM25 tokens and
MinHash signature; each reused from the live index when it holds the same text, else computed once
per distinct text."""

from __future__ import annotations

import numpy as np

from qa.errors import IndexMismatch
from qa.index.cancellation import Cancellation
from qa.index.encoder import Encoder
from qa.index.stores import NewPassages, StoredPassage, StoreReader, join_context
from qa.ingest.documents import Document
from qa.search.duplicates import signatures
from qa.search.lexical import tokenize

# Texts embedded between two checks for a cancelled build (about 8 s on 2 cores).
CANCELLABLE_CHUNK = 1024


class Derivation:
    """Derives the NewPassages of documents for one build; `embedded` counts indexed texts embedded.

    The model is loaded only when there is text to embed. Vectors go into an index (`index_dir`)
    of `dimension`-wide vectors: IndexMismatch when the model's are not (a model folder replaced
    under the same name since the last build)."""

    def __init__(self, encoder: Encoder, previous: StoreReader | None, progress: bool = False, *,
                 dimension: int, index_dir, cancellation: Cancellation | None = None):
        self._encoder, self.previous, self.progress = encoder, previous, progress
        self.dimension, self.index_dir = dimension, index_dir
        self.cancellation = cancellation
        self.embedded = 0

    @property
    def encoder(self) -> Encoder:
        if self._encoder.dimension != self.dimension:
            raise IndexMismatch(self.index_dir, f"it holds {self.dimension}-dimensional vectors and "
                                f"the model {self._encoder.name!r} now gives {self._encoder.dimension}")
        return self._encoder

    def new_passages(self, documents: list[Document]) -> list[NewPassages]:
        """The NewPassages of each document, in order."""
        passages = [passages_of(document) for document in documents]
        flat = [passage for group in passages for passage in group]
        contexts = [passage.context for passage in flat]
        texts = [passage.text for passage in flat]
        previous = self.previous
        vectors, self_embedded = reuse_or_compute(
            contexts, previous.vectors_by_context(contexts) if previous else {}, self._embed)
        self.embedded += self_embedded
        tokens, _ = reuse_or_compute(contexts, previous.tokens_by_context(contexts) if previous else {},
                                     lambda missing: tokenize([join_context(c) for c in missing]))
        rows, _ = reuse_or_compute(texts, previous.signatures_by_text(texts) if previous else {},
                                   lambda missing: list(signatures(missing)))
        result, start = [], 0
        for group in passages:
            end = start + len(group)
            windows = vectors[start:end]
            result.append(NewPassages(
                passages=group, vectors=np.concatenate(windows).astype(np.float32),
                owners=np.repeat(np.arange(len(group)), [len(w) for w in windows]),
                tokens=tokens[start:end], signatures=np.array(rows[start:end], dtype=np.uint32)))
            start = end
        return result

    def _embed(self, contexts: list[tuple]) -> list[np.ndarray]:
        """The window vectors of each indexed text, one array (windows, dimension) per text; in
        chunks of CANCELLABLE_CHUNK texts, checking between them, when the build can be cancelled."""
        if self.cancellation is None:
            return self._embed_all(contexts)
        vectors = []
        for start in range(0, len(contexts), CANCELLABLE_CHUNK):
            self.cancellation.check()
            vectors += self._embed_all(contexts[start:start + CANCELLABLE_CHUNK])
        return vectors

    def _embed_all(self, contexts: list[tuple]) -> list[np.ndarray]:
        vectors, owners = self.encoder.encode_passages([join_context(c) for c in contexts],
                                                       progress=self.progress)
        return np.split(vectors, np.cumsum(np.bincount(owners, minlength=len(contexts)))[:-1])


def passages_of(document: Document) -> list[StoredPassage]:
    """Every paragraph of a document as a StoredPassage, in order. The same paragraph in two
    briefings is stored twice: each is cited, dated and filtered as its own, and search collapses
    the copies."""
    return [StoredPassage(source=document.source, title=document.title, paragraph=paragraph.number,
                          text=paragraph.text, heading=paragraph.heading, digest=paragraph.digest,
                          page=paragraph.page)
            for paragraph in document.paragraphs]


def reuse_or_compute(keys: list, known: dict, compute) -> tuple[list, int]:
    """(the value of each key, how many were computed): a value from `known`, else from
    `compute(missing keys)`, called once with each missing key once (not at all if none)."""
    missing = [key for key in dict.fromkeys(keys) if key not in known]
    if missing:
        known.update(zip(missing, compute(missing)))
    return [known[key] for key in keys], len(missing)

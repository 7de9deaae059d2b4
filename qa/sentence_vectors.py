"""Sentence vectors of passages: computed once at build time, so answering needs no embedding but
the question's.

The build calls `embed_sentences` for every passage text it has not embedded before and stores the
result with the passage; the answer layer reads it back through the store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .sentences import sentence_spans

# Sentence vectors are kept at half precision: cosine to a question changes by under 1e-3.
STORED_DTYPE = np.float16


@dataclass(frozen=True)
class SentenceVectors:
    """The sentences of one passage text: `spans[i]` = (start, end) characters of sentence i,
    `vectors[i]` its normalised embedding (STORED_DTYPE)."""

    spans: np.ndarray  # int32, shape (sentences, 2)
    vectors: np.ndarray  # STORED_DTYPE, shape (sentences, dimension)


def current(stored: dict[str, SentenceVectors]) -> dict[str, SentenceVectors]:
    """The entries of `stored` (text -> its SentenceVectors) whose sentences are the ones
    `sentence_spans` gives the text today: an index built before a change of the splitting
    rules keeps the old sentences, which are then embedded again rather than used."""
    return {text: vectors for text, vectors in stored.items()
            if np.array_equal(vectors.spans.reshape(-1, 2), np.asarray(sentence_spans(text), np.int32).reshape(-1, 2))}


def embed_sentences(texts: list[str], encoder, progress: bool = False) -> list[SentenceVectors]:
    """The sentence spans and vectors of each text, in order; every sentence embedded once."""
    spans = [sentence_spans(text) for text in texts]
    flat = [text[start:end] for text, text_spans in zip(texts, spans) for start, end in text_spans]
    vectors = encoder.encode(flat, progress=progress).astype(STORED_DTYPE)
    result, position = [], 0
    for text_spans in spans:
        count = len(text_spans)
        result.append(SentenceVectors(
            np.asarray(text_spans, dtype=np.int32).reshape(count, 2),
            vectors[position:position + count]))
        position += count
    return result


class EmbeddedSentences:
    """Sentences embedded outside the build (a passage the index lacks, or holds split by older
    rules), kept so each is embedded once: the least recently used are dropped beyond `limit`
    sentences. Thread-safe; keyed by the encoder's name and the passage text."""

    def __init__(self, limit: int):
        self.limit = limit
        self._entries: OrderedDict[tuple[str, str], SentenceVectors] = OrderedDict()
        self._sentences = 0
        self._lock = threading.Lock()

    def of(self, texts: list[str], encoder) -> dict[str, SentenceVectors]:
        """The SentenceVectors of each text, embedded now only where not kept."""
        found = {}
        with self._lock:
            for text in texts:
                key = (encoder.name, text)
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[text] = self._entries[key]
        missing = [text for text in texts if text not in found]
        if missing:
            found.update(zip(missing, embed_sentences(missing, encoder)))
            with self._lock:
                for text in missing:
                    self._keep((encoder.name, text), found[text])
        return found

    def _keep(self, key: tuple[str, str], vectors: SentenceVectors) -> None:
        if key in self._entries:
            return
        self._entries[key] = vectors
        self._sentences += len(vectors.spans)
        while self._sentences > self.limit and self._entries:
            self._sentences -= len(self._entries.popitem(last=False)[1].spans)

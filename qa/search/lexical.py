"""The lexical half of hybrid search: BM25 (bm25s) over stemmed words, English stop words removed.

It makes names, numbers and rare words ("Lavrov", "30-day", "Poland") count even where the
embedding of a question is vague.
"""

from __future__ import annotations

import itertools
import logging
import re
from pathlib import Path

import bm25s
import numpy as np
import scipy.sparse
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

logging.getLogger("bm25s").setLevel(logging.WARNING)

_stemmer = Stemmer.Stemmer("english")
# Each text's tokens, one line a text, saved so that a rebuild tokenises only new text.
TOKENS_FILE = "tokens.txt"


_WORD = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)
_stems: dict[str, str] = {}


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stemmed word tokens without English stop words, one list a text.

    The same tokens as bm25s.tokenize with its English stop words and the Snowball stemmer, with
    each distinct word stemmed once per process.
    """
    tokenized = []
    for text in texts:
        words = [word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]
        unknown = {word for word in words if word not in _stems}
        if unknown:
            _stems.update(zip(unknown, _stemmer.stemWords(list(unknown))))
        tokenized.append([_stems[word] for word in words])
    return tokenized


def read_tokens(folder: Path) -> list[list[str]] | None:
    """The tokenised texts saved with an index, or None when there are none."""
    try:
        with open(folder / TOKENS_FILE, encoding="utf-8") as lines:
            return [line.split() for line in lines]
    except OSError:
        return None


class _VectorisedBM25(bm25s.BM25):
    """bm25s.BM25 whose score matrix is computed with whole-array numpy operations.

    bm25s maps tokens to ids and scores documents in Python loops (about 1.8 s for 46,000
    paragraphs on 2 cores, paid by every rebuild); this builds the same vocabulary and the same
    Lucene BM25 scores, in the same float32 arithmetic (tests/test_search.py checks both against
    bm25s), with whole-array operations. Querying, saving and loading are bm25s's own.
    """

    def build_index_from_tokens(self, corpus_tokens, show_progress=True, leave_progress=False):
        """bm25s's vocabulary (the same set, so the same ids), with every token mapped in one pass."""
        if not self._vectorised:
            return super().build_index_from_tokens(corpus_tokens, show_progress, leave_progress)
        vocabulary = {token: i for i, token in enumerate(set(itertools.chain.from_iterable(corpus_tokens)))}
        lengths = np.fromiter(map(len, corpus_tokens), dtype=np.int64, count=len(corpus_tokens))
        flat = np.fromiter(map(vocabulary.__getitem__, itertools.chain.from_iterable(corpus_tokens)),
                           dtype=np.int64, count=int(lengths.sum()))
        return self._scores(flat, lengths, len(vocabulary)), vocabulary

    def build_index_from_ids(self, unique_token_ids, corpus_token_ids, show_progress=True,
                             leave_progress=False):
        if not self._vectorised:
            return super().build_index_from_ids(unique_token_ids, corpus_token_ids, show_progress,
                                                leave_progress)
        lengths = np.fromiter(map(len, corpus_token_ids), dtype=np.int64, count=len(corpus_token_ids))
        flat = np.fromiter(itertools.chain.from_iterable(corpus_token_ids), dtype=np.int64,
                           count=int(lengths.sum()))
        return self._scores(flat, lengths, len(unique_token_ids))

    @property
    def _vectorised(self) -> bool:
        return (self.method, self.idf_method) == ("lucene", "lucene")

    def _scores(self, flat: np.ndarray, lengths: np.ndarray, terms: int) -> dict:
        """bm25s's score matrix from every document's token ids laid end to end (`flat`)."""
        documents = len(lengths)
        pairs, counts = np.unique(np.repeat(np.arange(documents), lengths) * terms + flat,
                                  return_counts=True)
        rows, columns = pairs // terms, pairs % terms
        frequency = np.bincount(columns, minlength=terms)
        idf = np.log(1 + (documents - frequency + 0.5) / (frequency + 0.5)).astype(self.dtype)
        idf[frequency == 0] = 0
        normaliser = self.k1 * ((1 - self.b) + self.b * lengths[rows] / lengths.mean())
        term_frequency = counts.astype(self.dtype)
        # float64 arithmetic on float32 inputs, stored as float32: exactly what bm25s does.
        scores = (idf[columns] * (term_frequency / (normaliser + term_frequency))).astype(self.dtype)
        matrix = scipy.sparse.csc_matrix((scores, (rows, columns)), shape=(documents, terms),
                                         dtype=self.dtype)
        matrix.sort_indices()
        self.nonoccurrence_array = None
        return {"data": matrix.data, "indices": matrix.indices.astype(self.int_dtype),
                "indptr": matrix.indptr.astype(np.int64), "num_docs": documents}


class LexicalIndex:
    """BM25 scores of a fixed list of texts; positions in results are positions in that list."""

    def __init__(self, retriever: bm25s.BM25, size: int, tokens: list[list[str]] | None = None):
        self._retriever = retriever
        self.size = size
        self.tokens = tokens

    @classmethod
    def build(cls, tokens: list[list[str]]) -> "LexicalIndex":
        """The index of texts given as their `tokenize` output (kept, so a rebuild can reuse it)."""
        retriever = _VectorisedBM25()
        if tokens:
            retriever.index(tokens, show_progress=False)
        return cls(retriever, len(tokens), tokens)

    def save(self, folder: Path) -> None:
        if self.size:
            self._retriever.save(str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        if self.tokens is not None:
            with open(folder / TOKENS_FILE, "w", encoding="utf-8") as out:
                out.writelines(" ".join(tokens) + "\n" for tokens in self.tokens)

    @classmethod
    def load(cls, folder: Path, size: int) -> "LexicalIndex":
        retriever = bm25s.BM25.load(str(folder)) if size else bm25s.BM25()
        return cls(retriever, size)

    def score_all(self, question: str) -> np.ndarray:
        """The BM25 score of every text for `question` (all zero when no word of it is known)."""
        tokens = tokenize([question])[0] if self.size else []
        known = [token for token in tokens if token in self._retriever.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return self._retriever.get_scores(known).astype(np.float32, copy=False)

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """BM25's inverse document frequency of each token (the rarest in this index score
        highest; a token no text holds scores as if one did)."""
        vocabulary = self._retriever.vocab_dict if self.size else {}
        pointers = np.append(self._retriever.scores["indptr"], len(self._retriever.scores["data"])) \
            if self.size else None
        idf = {}
        for token in tokens:
            position = vocabulary.get(token)
            frequency = 1 if position is None else int(pointers[position + 1] - pointers[position])
            idf[token] = float(np.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5)))
        return idf


def top_positions(scores: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions, scores) of up to `depth` positive scores, best first."""
    depth = min(depth, len(scores))
    if depth <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    top = np.argpartition(-scores, depth - 1)[:depth]
    top = top[np.argsort(-scores[top], kind="stable")]
    top = top[scores[top] > 0]
    return top.astype(np.int64), scores[top]

"""Words as the lexical half of hybrid search sees them: lower-cased, Snowball-stemmed, English
stop words (bm25s's list) removed.

BM25 over these tokens makes names, numbers and rare words ("Lavrov", "30-day", "Poland") count
even where the embedding of a question is vague. The scoring is each store's own, the same Lucene
BM25 in both (qa.index.stores.files.segment_bm25, qa.index.stores.postgres.reader; tests compare
them with bm25s).
"""

from __future__ import annotations

import re

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_stemmer = Stemmer.Stemmer("english")
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



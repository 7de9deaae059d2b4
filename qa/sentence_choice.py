"""Choosing answer sentences: each sentence of the top passages scored with what the search knows.

A sentence's score adds up
- its cosine to the question (stored sentence vectors, so no embedding at question time),
- the share of the question's rare words it holds, each word weighted by its IDF in the index
  (British and American spellings counted as one word),
- its passage's rank (the fused search score, 0..1, of the passage it sits in): the search has
  read the whole passage, so its order is worth about as much as the sentence's own cosine,
- a bonus when it holds a span of the kind the question asks for (a person for "who" ...),
- a small bonus when it opens its passage (news and briefings state the point first).
Headlines and headings (short lines without a sentence's end) and questions (an interviewer's,
a headline's "How did ...?") are never answer sentences.
The weights were chosen by measurement (docs/benchmarks.md, "Answer sentences").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .entities import ExpectedAnswer, Span, candidates
from .lexical import tokenize
from .spelling import americanize
from .types import Passage

IDF_WEIGHT = 1.0
PASSAGE_WEIGHT = 1.0
TYPE_WEIGHT = 0.2
LEAD_WEIGHT = 0.2
# Sentences shorter than this many words without a final . ! ? are headlines or headings.
HEADLINE_MAX_WORDS = 20
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True)
class ScoredSentence:
    """A sentence of passage `passage` (1-based) at characters `span` of its text, its score, its
    cosine to the question, the IDF-weighted share of question words it holds, its spans of the
    expected kind not already named in the question, and whether it opens its passage."""

    text: str
    passage: int
    span: tuple[int, int]
    score: float
    similarity: float
    coverage: float
    spans: tuple[Span, ...]
    opens_paragraph: bool = False


def question_terms(text: str) -> set[str]:
    """The stemmed, spelling-normalised words of `text` that count (stop words left out)."""
    return set(tokenize([americanize(text)])[0])


def score_sentences(question: str, vector: np.ndarray, passages: list[Passage],
                    sentence_vectors, idf, expected: ExpectedAnswer,
                    new_words: str = "") -> list[ScoredSentence]:
    """Every sentence of `passages` that could answer, best first.

    `sentence_vectors[i]` holds the sentences of `passages[i]`; `idf(terms)` gives each term's
    inverse document frequency; `expected` is what the question asks for. When `question` is a
    follow-up searched with the question before it, `new_words` are the names the follow-up
    brings ("Turkey" in "and Turkey?"): the share of them a sentence holds adds to its score, so
    Turkey's sentence wins over the first question's.
    """
    terms = question_terms(question)
    weights = idf(sorted(terms)) if terms else {}
    total = sum(weights.values()) or 1.0
    own = question_terms(new_words) & terms
    own_total = sum(weights[term] for term in own) or 1.0
    scored = []
    for number, (passage, sentences) in enumerate(zip(passages, sentence_vectors), start=1):
        if not len(sentences.spans):
            continue
        similarities = sentences.vectors.astype(np.float32) @ vector
        for position, ((start, end), similarity) in enumerate(
                zip(sentences.spans.tolist(), similarities.tolist())):
            text = passage.text[start:end]
            if not can_answer(text):
                continue
            held = question_terms(text) & terms
            coverage = sum(weights[t] for t in held) / total
            own_coverage = sum(weights[t] for t in held & own) / own_total if own else 0.0
            spans = tuple(new_spans(text, expected, terms))
            score = (similarity + IDF_WEIGHT * (coverage + own_coverage) + PASSAGE_WEIGHT * passage.score
                     + TYPE_WEIGHT * bool(spans) + LEAD_WEIGHT * (position == 0))
            scored.append(ScoredSentence(text, number, (start, end), score, similarity, coverage, spans,
                                         opens_paragraph=position == 0))
    return sorted(scored, key=lambda sentence: -sentence.score)


def new_spans(sentence: str, expected: ExpectedAnswer, terms: set[str]) -> list[Span]:
    """The spans of `sentence` of the expected kind whose words are not all the question's own."""
    if expected.kind is None:
        return []
    return [span for span in candidates(sentence, expected.kind)
            if not question_terms(span.text) or not question_terms(span.text) <= terms]


def can_answer(sentence: str) -> bool:
    """Whether `sentence` may be an answer: a statement, neither a headline nor a question."""
    return not is_headline(sentence) and not sentence.strip().rstrip("\"'”’)]").endswith("?")


def is_headline(sentence: str) -> bool:
    """A line that reads as a headline or heading rather than a sentence: short and without a
    sentence's final punctuation."""
    stripped = sentence.strip()
    return len(stripped.split()) <= HEADLINE_MAX_WORDS and not _SENTENCE_END.search(stripped)

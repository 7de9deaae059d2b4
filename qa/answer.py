"""Short extractive answers: the sentences of the retrieved passages that best answer a question.

Each sentence of the top passages is scored by the cosine of its embedding to the question plus a
bonus for the question's (stemmed) words it contains. The best one to MAX_SENTENCES sentences form
the answer, each citing its passage. When even the best sentence is less similar to the question
than NO_ANSWER_BELOW, no briefing answers it: the passages are returned as closest matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .api import searcher_for, validate_k, validate_question
from .filters import Filters, parse_question
from .lexical import tokenize
from .sentences import sentence_spans
from .types import Passage

MAX_SENTENCES = 3
# Sentences are taken from this many of the best passages.
ANSWER_PASSAGES = 5
WORD_OVERLAP_WEIGHT = 0.3
# A further sentence joins the answer when it scores within this margin of the best one.
SENTENCE_MARGIN = 0.08
# Best-sentence cosine below which the corpus is taken not to answer; chosen by measurement
# (docs/benchmarks.md, "No-answer threshold").
NO_ANSWER_BELOW = 0.375
FOLLOW_UP_MAX_WORDS = 6
_BACK_REFERENCES = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|it|its|this|that|these|those|there|then)\b|"
    r"^(and|but|also|what about|how about|why|so)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AnswerSentence:
    """A sentence of the answer; `passage` is the 1-based number of the passage it comes from."""

    text: str
    passage: int
    score: float


@dataclass(frozen=True)
class Answer:
    """An extractive answer with its evidence.

    `found` is False when nothing in the corpus answers; `passages` are then the closest matches.
    `highlights[i]` are the character spans of answer sentences in `passages[i].text`.
    `query` is what was searched (the question with a follow-up's earlier context), `filters` the
    account of the filters applied ('' when none).
    """

    question: str
    query: str
    found: bool
    sentences: tuple[AnswerSentence, ...]
    passages: tuple[Passage, ...]
    highlights: tuple[tuple[tuple[int, int], ...], ...]
    relevance: float
    filters: str = ""

    def to_text(self) -> str:
        """Plain-text rendering: the answer with [n] markers, then the numbered passages."""
        lines = []
        if self.filters:
            lines.append(f"Searched briefings {self.filters}.")
        if self.found:
            lines.append(" ".join(f"{s.text} [{s.passage}]" for s in self.sentences))
            lines.append("")
            lines.append("Sources:")
        elif not self.passages:
            lines.append("No briefing matches these filters.")
        else:
            lines.append("No briefing answers this question. Closest matches:")
        for number, passage in enumerate(self.passages, start=1):
            dated = f", {passage.date}" if passage.date else ""
            lines.append(f"[{number}] {passage.citation} ({passage.source}{dated})")
            lines.append(f"    {passage.text}")
            if passage.also_in:
                lines.append("    also in: " + "; ".join(
                    f"{o.citation} ({o.source}{', ' + o.date if o.date else ''})" for o in passage.also_in))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "query": self.query, "found": self.found,
            "relevance": self.relevance, "filters": self.filters,
            "answer": [{"text": s.text, "passage": s.passage} for s in self.sentences],
            "passages": [p.to_dict() for p in self.passages],
        }


def answer(question: str, k: int = 5, history: list[str] | None = None, *,
           index_dir="index", since=None, until=None, sources=None) -> Answer:
    """Answer `question` from the index: up to MAX_SENTENCES cited sentences and `k` passages.

    `history` holds the earlier questions of the conversation, oldest first; a short or
    back-referring follow-up ("and Germany?") is searched together with the last of them.
    `since`, `until` and `sources` filter as in `qa.retrieve`; filters typed in the question
    (`after:`, `before:`, `in:`; see qa.filters) replace the argument of the same kind.
    Raises what `qa.retrieve` raises.
    """
    question, typed = parse_question(validate_question(question))
    filters = Filters.of(since, until, sources).overridden_by(typed)
    question, k = validate_question(question), validate_k(k)
    earlier = [parse_question(turn)[0] for turn in history or [] if isinstance(turn, str)]
    query = follow_up_query(question, earlier)
    searcher = searcher_for(index_dir)
    vector = searcher.question_vector(query)
    passages = searcher.search(query, k, vector=vector, filters=filters)
    focuses = [(query, vector)]
    if query != question:  # a follow-up: its own words say what is new, so they count too
        focuses.append((question, searcher.question_vector(question)))
    chosen, relevance = choose_sentences(focuses, passages[:ANSWER_PASSAGES], searcher.encoder)
    found = bool(chosen) and relevance >= NO_ANSWER_BELOW
    highlights = [[] for _ in passages]
    for sentence in chosen if found else []:
        highlights[sentence.passage - 1].append(sentence.span)
    return Answer(
        question=question, query=query, found=found,
        sentences=tuple(AnswerSentence(s.text, s.passage, round(s.score, 4)) for s in chosen) if found else (),
        passages=tuple(passages), highlights=tuple(tuple(h) for h in highlights),
        relevance=round(relevance, 4), filters=filters.describe())


def follow_up_query(question: str, history: list[str]) -> str:
    """`question`, prefixed with the previous question when it leans on it."""
    earlier = [turn.strip() for turn in history if isinstance(turn, str) and turn.strip()]
    if not earlier:
        return question
    short = len(question.split()) <= FOLLOW_UP_MAX_WORDS
    if short or _BACK_REFERENCES.search(question):
        return f"{earlier[-1]} {question}"
    return question


@dataclass(frozen=True)
class _Candidate:
    text: str
    passage: int
    span: tuple[int, int]
    score: float
    similarity: float


def choose_sentences(focuses: list[tuple[str, np.ndarray]], passages: list[Passage], encoder):
    """(the answer's sentences, best first, and the best sentence's cosine to the first focus).

    `focuses` are (text, embedding) pairs a sentence is scored against, averaged: the searched
    query, and for a follow-up also the follow-up question alone.
    """
    candidates = [
        (number, (start, end), passage.text[start:end])
        for number, passage in enumerate(passages, start=1)
        for start, end in sentence_spans(passage.text)
    ]
    if not candidates:
        return [], 0.0
    sentence_vectors = encoder.encode([text for _, _, text in candidates])
    sentence_terms = [set(terms) for terms in tokenize([text for _, _, text in candidates])]
    scores = np.zeros(len(candidates))
    for text, vector in focuses:
        focus_terms = set(tokenize([text])[0])
        overlap = np.array([len(focus_terms & terms) for terms in sentence_terms]) / max(1, len(focus_terms))
        scores += (sentence_vectors @ vector + WORD_OVERLAP_WEIGHT * overlap) / len(focuses)
    similarities = sentence_vectors @ focuses[0][1]
    scored = sorted(
        (_Candidate(text, number, span, float(score), float(similarity))
         for (number, span, text), score, similarity in zip(candidates, scores, similarities)),
        key=lambda candidate: -candidate.score)
    best = scored[0]
    chosen = [c for c in scored[:MAX_SENTENCES] if c.score >= best.score - SENTENCE_MARGIN]
    return chosen, float(similarities.max())

"""Cited answers: a short answer or list first, the sentence that supports it, and a confidence.

The question is searched (with the previous question when it leans on it, and with the other
spelling of its British or American words); the learned reader (qa.answers.reader) reads the top passages
and marks the spans that answer; the short answer or list items and their sentences are taken
from those spans (qa.answers.short_answer), the passage holding the best span first; and a calibrated
confidence (qa.answers.confidence), the probability that the short answer is right, decides whether to
answer at all. When it does not, the passages are returned as closest matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.api import reranks_by_default, searcher_for, validate_k
from qa.answers.confidence import Measures, confidence, declines, margin_of
from qa.search.filters import Filters
from qa.search.question import Question
from qa.answers.follow_ups import merged_query, needs_previous
from qa.answers.reader import Reading, chance_none_answers, get_reader
from qa.search.rerank import RERANK_DEPTH, blended_order, in_order
from qa.answers.short_answer import AnswerItem, CitedSpan, ShortAnswer, short_answer
from qa.answers.spelling import variants
from qa.types import Passage
from qa.answers.typos import VOCABULARY_PASSAGES, Correction, apply, typing_mistakes

# The reader reads this many of the best passages.
READ_PASSAGES = 5


@dataclass(frozen=True)
class AnswerSentence:
    """A sentence of the answer; `passage` is the 1-based number of the passage it comes from."""

    text: str
    passage: int
    score: float


@dataclass(frozen=True)
class Answer:
    """An extractive answer with its evidence.

    `found` is False when nothing in the corpus answers (`confidence` below the decline
    threshold); `passages` are then the closest matches (the passage holding the answer first).
    `short` is the short answer, the span of `sentences[0]` the reader chose (for a list, the
    items joined), None when nothing is found; `items` are a list answer's items, each with the
    1-based numbers of the passages naming it (empty unless the question asks for several things
    and the passages name several).
    `highlights[i]` are the character spans of answer sentences in `passages[i].text`.
    `confidence` (0..1) is the calibrated probability that the short answer is right.
    `short_at` is where the short answer stands: passage number (1-based) and characters.
    `query` is what was searched (the question, or a follow-up with the question it leans on),
    `filters` the account of the filters applied ('' when none), `corrections` the question's
    typing mistakes and the words they were read as (qa.answers.typos), in the order typed.
    """

    question: str
    query: str
    found: bool
    short: str | None
    items: tuple[AnswerItem, ...]
    sentences: tuple[AnswerSentence, ...]
    passages: tuple[Passage, ...]
    highlights: tuple[tuple[tuple[int, int], ...], ...]
    confidence: float
    filters: str = ""
    corrections: tuple[Correction, ...] = ()
    short_at: CitedSpan | None = None

    def to_text(self) -> str:
        """Plain-text rendering: the short answer or items, the sentences with [n] markers, then
        the numbered passages."""
        lines = [f"Searched briefings {self.filters}."] if self.filters else []
        if self.corrections:
            lines.append(f"Read {read_as(self.corrections)}.")
        if self.found:
            if self.items:
                lines.append("Answer: " + ", ".join(
                    item.text + "".join(f"[{n}]" for n in item.passages) for item in self.items))
            elif self.short:
                lines.append(f"Answer: {self.short} [{self.sentences[0].passage}]")
            lines.append(" ".join(f"{s.text} [{s.passage}]" for s in self.sentences))
            lines += [f"(confidence {self.confidence:.2f})", "", "Sources:"]
        elif not self.passages:
            lines.append("No briefing matches these filters.")
        else:
            lines.append(f"No briefing answers this question (confidence {self.confidence:.2f}). "
                         "Closest matches:")
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
            "short": self.short,
            "items": [{"text": item.text, "passages": list(item.passages)} for item in self.items],
            "confidence": self.confidence, "filters": self.filters,
            "corrections": [{"typed": c.typed, "read_as": c.read_as} for c in self.corrections],
            "answer": [{"text": s.text, "passage": s.passage} for s in self.sentences],
            "passages": [p.to_dict() for p in self.passages],
        }


def answer(question: str, k: int = 5, history: list[str] | None = None, *,
           index_dir="index", since=None, until=None, sources=None, rerank: bool | None = None) -> Answer:
    """Answer `question` from the index: a short answer or list where one fits, the supporting
    sentences, and `k` passages.

    `history` holds the earlier questions of the conversation, oldest first (a list or tuple;
    ValueError otherwise); a question that leans on the last of them ("and Germany?", "what did
    he say?") is searched together with it (see `helps` for which answer is given). Filters in
    earlier turns are ignored, valid or not. A word no briefing holds that is one typing
    mistake from a word they do is read as that word (qa.answers.typos; listed in `corrections`).
    `since`, `until` and `sources` filter as in `qa.retrieve`; filters typed in the question
    (`after:`, `before:`, `in:`; see qa.search.filters) replace the argument of the same kind. `rerank`
    reads the top RERANK_DEPTH candidates and answers from the best after re-ranking (qa.search.rerank;
    None means qa.api.reranks_by_default()). Raises what `qa.retrieve` raises.
    """
    asked = Question.read(question, typed_filters=True)
    filters = Filters.of(since, until, sources).overridden_by(asked.typed_filters)
    question, k = asked.text, validate_k(k)
    searcher = searcher_for(index_dir)
    read, corrections = corrected(searcher, question, filters)
    rerank = reranks_by_default() if rerank is None else bool(rerank)
    result = answer_corrected(searcher, read, k, history, filters, rerank)
    return replace(result, question=question, corrections=corrections)


def answer_corrected(searcher, question: str, k: int, history, filters: Filters,
                     rerank: bool = False) -> Answer:
    """`answer` of a question whose typing mistakes are corrected (those of the earlier questions
    it is searched with are corrected too, unreported: their own answers said so)."""
    merged = merged_query(question, history)
    merged = corrected(searcher, merged, filters)[0] if merged else merged
    if merged is None:
        return answer_query(searcher, question, question, k, filters, rerank)
    needed = needs_previous(question)
    follow_up = answer_query(searcher, question, merged, k, filters, rerank)
    if needed and follow_up.found:  # the question alone need not be searched at all
        return follow_up
    fresh = answer_query(searcher, question, question, k, filters, rerank)
    return follow_up if helps(follow_up, fresh, needed) else fresh


def read_as(corrections) -> str:
    """How the typing mistakes were read: '“ceasfire” as “ceasefire”, ...'."""
    return ", ".join(f"“{c.typed}” as “{c.read_as}”" for c in corrections)


def corrected(searcher, question: str, filters: Filters = Filters()) -> tuple[str, tuple[Correction, ...]]:
    """`question` with its typing mistakes corrected from the words of the index and of the
    passages a search for it as typed finds (qa.answers.typos), and the corrections."""
    def texts_found(typed: str) -> list[str]:
        vector = searcher.question_vector(typed)
        return [p.text for p in searcher.search(typed, VOCABULARY_PASSAGES, vector=vector, filters=filters)]

    corrections = tuple(typing_mistakes(question, searcher.store.document_frequencies, texts_found))
    return apply(question, corrections), corrections


def helps(follow_up: Answer, fresh: Answer, needed: bool) -> bool:
    """Whether to answer with the search merged with the previous question: when the question
    alone finds nothing; else when the merged search finds an answer and the question `needed`
    the previous one ("and Germany?": its own confidence is no measure), or, where it only may
    refer back, when that answer is at least as likely as the question's own."""
    if not fresh.found:
        return True
    return follow_up.found and (needed or follow_up.confidence >= fresh.confidence)


@dataclass(frozen=True)
class Evidence:
    """What answering found before deciding: the passages (those read first, the one holding the
    best span leading), what the reader found in them, and the short answer taken from it."""

    passages: list[Passage]
    reading: Reading
    chosen: ShortAnswer


def gather(searcher, question: str, query: str, k: int, filters: Filters = Filters(),
           rerank: bool = False) -> Evidence:
    """Search `query` (the question itself, or merged with the question it follows up), read the
    top passages for it, and take the short answer from the spans found.

    With `rerank`, the reader reads the top RERANK_DEPTH candidates and they are put in the order
    of qa.search.rerank's blend before the first READ_PASSAGES are taken, and the answer is the best span
    of the first of them (of the passage holding the best span when the first holds none): one
    reading both re-ranks and answers."""
    vector = searcher.question_vector(query)
    spellings = variants(query)
    search_text = " ".join([query, *spellings]) if spellings else query
    depth = RERANK_DEPTH if rerank else READ_PASSAGES
    passages = searcher.search(search_text, max(k, depth), vector=vector, filters=filters)
    reading = get_reader().read(query, [passage.text for passage in passages[:depth]])
    if rerank and len(passages) > 1:
        read = min(depth, len(passages))
        order, scaled = blended_order(reading.relevance(read), [p.score for p in passages[:read]])
        passages = in_order(passages[:read], order, scaled) + passages[read:]
        # The answer comes from the best few, the first of them when it holds a span.
        reading = reordered(reading, order[:READ_PASSAGES]).led_by(0)
    count = min(READ_PASSAGES, len(passages))
    order = answering_first(reading, count)
    passages = [passages[i] for i in order] + passages[count:]
    reading = reordered(reading, order)
    texts = [passage.text for passage in passages[:count]]
    return Evidence(passages[:k], reading, short_answer(question, reading, texts))


def answering_first(reading: Reading, count: int) -> list[int]:
    """Positions of the passages read, the one holding the best span first, the others in the
    search's order."""
    if reading.best is None:
        return list(range(count))
    return [reading.best.passage] + [i for i in range(count) if i != reading.best.passage]


def reordered(reading: Reading, order: list[int]) -> Reading:
    """`reading` of the passages at positions `order` alone (new position -> old): spans of other
    passages dropped, passage numbers and margins following `order`, and the chance that none
    answers over those passages."""
    new_position = {old: new for new, old in enumerate(order)}
    spans = tuple(replace(span, passage=new_position[span.passage]) for span in reading.spans
                  if span.passage in new_position)
    margins = tuple(reading.margins[old] for old in order) if reading.margins else ()
    if len(spans) == len(reading.spans):
        return Reading(spans, reading.no_answer, margins)
    return Reading(spans, chance_none_answers(spans, len(order)), margins)


def answer_query(searcher, question: str, query: str, k: int, filters: Filters,
                 rerank: bool = False) -> Answer:
    """The answer to `question` found by searching `query`; declined below the confidence
    threshold."""
    evidence = gather(searcher, question, query, k, filters, rerank)
    chosen, passages = evidence.chosen, evidence.passages
    value = round(confidence(measures(evidence)), 4)
    found = chosen.short is not None and not declines(value)
    if not found:
        chosen = ShortAnswer(None, None, (), ())
    highlights = [[] for _ in passages]
    for sentence in chosen.sentences:
        if sentence.passage <= len(passages):
            highlights[sentence.passage - 1].append(sentence.span)
    return Answer(
        question=question, query=query, found=found, short=chosen.short, items=chosen.items,
        sentences=tuple(AnswerSentence(s.text, s.passage, round(s.score, 4)) for s in chosen.sentences
                        if s.passage <= len(passages)),
        passages=tuple(passages), highlights=tuple(tuple(h) for h in highlights),
        confidence=value, filters=filters.describe(), short_at=chosen.at)


def measures(evidence: Evidence) -> Measures | None:
    """What the confidence is computed from (qa.answers.confidence), None when the reader found no span.
    The margin is the reader's strongest for the answer's words in any passage read: the same
    answer read firmly elsewhere counts for it."""
    best = evidence.reading.best
    if best is None:
        return None
    words = _words(best.text)
    strongest = max(span.score for span in evidence.reading.spans if _words(span.text) == words)
    return Measures(margin_of(strongest), evidence.passages[best.passage].score, evidence.reading.no_answer)


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.casefold()))

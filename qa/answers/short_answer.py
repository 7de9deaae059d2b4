"""The short answer, list items and answer sentences, taken from the reader's spans (qa.answers.reader).

The short answer is the best span of the passages read; the sentence shown is the sentence of its
passage that holds it, sentences joined where the splitter would cut the span ("12:01 a.m. EDT
April 3" stays in one sentence). A question that asks for several things ("which countries ...",
"who were ...") gets items: the spans of every passage read that score at least ITEM_SHARE of the
best span's score, a span that lists several ("the UK and France") split into one item each,
two names of one country ("UK", "Britain") merged, each item citing every passage that names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answers.countries import country_key
from qa.answers.reader import Reading, Span
from qa.answers.sentences import sentence_spans

ITEM_SHARE = 0.5
MAX_ITEMS = 10
# Which/what and a plural ("which countries", but not "what happens"); who are/were/have; name all.
_ASKS_LIST = re.compile(r"\b(which|what) (?:[\w-]+ )?(?!happens\b|means\b|remains\b|makes\b|takes\b|seems\b)"
                        r"(countries|nations|\w{3,}[^su\W]s)\b|\bwho (are|were|have)\b|"
                        r"\bname (the|all|some)\b", re.IGNORECASE)
_LIST_JOINS = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,\s*|\s+(?:and|or)\s+|\s*;\s*)")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class AnswerItem:
    """One item of a list answer and the 1-based numbers of the passages that name it."""

    text: str
    passages: tuple[int, ...]


@dataclass(frozen=True)
class CitedSpan:
    """Characters `start`:`end` of passage `passage` (1-based) of the answer."""

    passage: int
    start: int
    end: int


@dataclass(frozen=True)
class ChosenSentence:
    """A sentence of passage `passage` (1-based) at characters `span` of its text, and the score
    of the best span it holds."""

    text: str
    passage: int
    span: tuple[int, int]
    score: float


@dataclass(frozen=True)
class ShortAnswer:
    """The short answer (None when the reader found no span), where it is, the list items, and
    the sentences they come from, best first."""

    short: str | None
    at: CitedSpan | None
    items: tuple[AnswerItem, ...]
    sentences: tuple[ChosenSentence, ...]


def asks_for_list(question: str) -> bool:
    """Whether `question` asks for several things: "which countries ...", "who were ...",
    "name the ..."."""
    return bool(_ASKS_LIST.search(question))


def short_answer(question: str, reading: Reading, texts: list[str]) -> ShortAnswer:
    """The short answer to `question` from what the reader found in `texts` (the passages read)."""
    best = reading.best
    if best is None:
        return ShortAnswer(None, None, (), ())
    at = CitedSpan(best.passage + 1, best.start, best.end)
    if not asks_for_list(question):
        return ShortAnswer(best.text.strip(), at, (), (sentence_of(best, texts),))
    spans = item_spans(reading.spans, best)
    items = list_items(spans)
    sentences = {}
    for span in spans:
        sentence = sentence_of(span, texts)
        sentences.setdefault((sentence.passage, sentence.span), sentence)
    short = join_items([item.text for item in items]) if len(items) > 1 else best.text.strip()
    return ShortAnswer(short, at, tuple(items) if len(items) > 1 else (), tuple(sentences.values()))


def item_spans(spans: tuple[Span, ...], best: Span) -> list[Span]:
    """The spans that are items of a list: within ITEM_SHARE of the best, none inside another
    chosen span of its passage, best first."""
    chosen: list[Span] = []
    for span in spans:
        if span.score < best.score * ITEM_SHARE:
            continue
        if any(other.passage == span.passage and other.start < span.end and span.start < other.end
               for other in chosen):
            continue
        chosen.append(span)
    return chosen


def list_items(spans: list[Span]) -> list[AnswerItem]:
    """One item a thing named by the spans (a span listing several gives several), in order of
    first mention, each citing the passages that name it."""
    texts: dict[str, str] = {}
    cited: dict[str, list[int]] = {}
    for span in spans:
        for part in split_items(span.text):
            key = country_key(part) or part.lower()
            texts.setdefault(key, part)
            if span.passage + 1 not in cited.setdefault(key, []):
                cited[key].append(span.passage + 1)
    return [AnswerItem(texts[key], tuple(sorted(cited[key]))) for key in list(texts)[:MAX_ITEMS]]


def split_items(text: str) -> list[str]:
    """The things a span lists: "the UK and France" -> ["UK", "France"]; a country whose name
    holds "and" ("Trinidad and Tobago") stays whole."""
    text = " ".join(text.split()).strip(" .,;:")
    if country_key(text):
        return [_ARTICLE.sub("", text)]
    parts = [_ARTICLE.sub("", part).strip(" .,;:") for part in _LIST_JOINS.split(text)]
    return [part for part in parts if part]


def sentence_of(span: Span, texts: list[str]) -> ChosenSentence:
    """The sentence of its passage that holds `span`: the splitter's sentences that overlap it,
    joined."""
    text = texts[span.passage]
    overlapping = [(s, e) for s, e in sentence_spans(text) if s < span.end and span.start < e]
    start, end = (overlapping[0][0], overlapping[-1][1]) if overlapping else (span.start, span.end)
    return ChosenSentence(text[start:end], span.passage + 1, (start, end), span.score)


def join_items(texts: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]

"""The reader contract: a question and passages in, scored answer spans and a no-answer score out.

Every span is scored on its own, on one scale across passages (as Haystack's extractive reader
does): `score` is the logistic of the span's margin over "no answer" in the window that read it,
so 0.5 means the model finds the span exactly as likely as nothing. `no_answer` is the chance that
no passage answers: the product of (1 - best score) over the passages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

import numpy as np

from qa.answers.reader.spans import decode
from qa.answers.reader.windows import Windows, encode

# (windows) -> (start logits, end logits), each of shape (windows, length)
Logits = Callable[[Windows], tuple[np.ndarray, np.ndarray]]
WINDOWS_PER_RUN = 8
# The margin given to a passage in which no span was decoded (none fits): below any real one.
MISSING_MARGIN = -30.0


@dataclass(frozen=True)
class Span:
    """A span of one passage that answers the question: `passage` is its index among the passages
    read, `start`/`end` character offsets into that passage's text, `text` the characters."""

    passage: int
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class Reading:
    """What a reader found: spans best first (at most one per character range; see `led_by`) and
    the chance that no passage answers."""

    spans: tuple[Span, ...]
    no_answer: float
    # Each passage's best span margin over "no answer" (logit scale), over all spans decoded, not
    # only the `k` kept; empty when the reader does not give them.
    margins: tuple[float, ...] = ()

    @property
    def best(self) -> Span | None:
        return self.spans[0] if self.spans else None

    def led_by(self, passage: int) -> "Reading":
        """The same reading with `passage`'s best span first (as `best`), the others after it best
        first; unchanged when that passage has no span."""
        if not any(span.passage == passage for span in self.spans):
            return self
        spans = sorted(self.spans, key=lambda span: span.passage != passage)  # stable: best first within
        return Reading(tuple(spans), self.no_answer, self.margins)

    def relevance(self, passages: int) -> list[float]:
        """How strongly the reader finds an answer in each passage: its best margin (logit scale),
        from `margins`, else from the spans kept (MISSING_MARGIN where a passage has none)."""
        if len(self.margins) == passages:
            return list(self.margins)
        return [_logit(score) if score > 0 else MISSING_MARGIN for score in self.passage_scores(passages)]

    def passage_scores(self, passages: int) -> list[float]:
        """The best span score of each passage (0 where none)."""
        return best_scores(self.spans, passages)


def best_scores(spans: Sequence[Span], passages: int) -> list[float]:
    """The best score among `spans` of each of `passages` passages (0 where none)."""
    scores = [0.0] * passages
    for span in spans:
        scores[span.passage] = max(scores[span.passage], span.score)
    return scores


def chance_none_answers(spans: Sequence[Span], passages: int) -> float:
    """The chance that none of the passages answers: each passage's best span taken as the chance
    that it does."""
    return float(np.prod([1.0 - score for score in best_scores(spans, passages)]))


class Reader(Protocol):
    """Anything that reads: the learned reader, or a fake in tests."""

    name: str

    def read(self, question: str, passages: Sequence[str], k: int = 10) -> Reading: ...


class SpanReader:
    """A span-prediction model behind the contract: tokenizer and windows, the model's logits (a
    function, so ONNX Runtime and PyTorch run the same decoding), spans decoded and scored."""

    def __init__(self, name: str, tokenizer, logits: Logits):
        self.name = name
        self.tokenizer = tokenizer
        self._logits = logits

    def read(self, question: str, passages: Sequence[str], k: int = 10) -> Reading:
        passages = list(passages)
        if not passages:
            return Reading((), 1.0)
        windows = encode(self.tokenizer, question, passages)
        starts, ends = self.logits(windows)
        raw, _ = decode(windows, starts, ends)
        spans = tuple(Span(s.passage, s.start, s.end, passages[s.passage][s.start:s.end], _logistic(s.margin))
                      for s in raw[:k])
        margins = [MISSING_MARGIN] * len(passages)
        for span in raw:
            margins[span.passage] = max(margins[span.passage], span.margin)
        return Reading(spans, chance_none_answers(spans, len(passages)), tuple(margins))

    def logits(self, windows: Windows) -> tuple[np.ndarray, np.ndarray]:
        """Start and end logits of all windows, run in groups of similar length."""
        order = np.argsort(windows.attention_mask.sum(axis=1))
        width = windows.input_ids.shape[1]
        starts = np.full((len(windows), width), -1e4, dtype=np.float32)
        ends = np.full_like(starts, -1e4)
        for first in range(0, len(order), WINDOWS_PER_RUN):
            chosen = order[first:first + WINDOWS_PER_RUN]
            group = windows.rows(chosen)
            s, e = self._logits(group)
            starts[chosen, :s.shape[1]], ends[chosen, :e.shape[1]] = s, e
        return starts, ends


def _logit(score: float) -> float:
    score = min(max(score, 1e-9), 1 - 1e-9)
    return math.log(score / (1 - score))


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))

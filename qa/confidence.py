"""How likely the briefings answer a question: a calibrated confidence, and declining below it.

The confidence is a logistic function of absolute measures of the best answer sentence, none of
them relative to the other passages, so it means the same across questions and corpora:
- its cosine to the question,
- the IDF-weighted share of the question's words it holds,
- whether it holds a span of the kind the question asks for (for questions that ask for one).
The weights were fitted (logistic regression) on realtimeqa-news questions asked of an index
holding their evidence (answerable) and of one without it (unanswerable), so the confidence is
the measured share of such questions that the briefings answer; DECLINE_BELOW was chosen on the
same measurement (docs/benchmarks.md, "Declining and confidence").
"""

from __future__ import annotations

import math

from .entities import ExpectedAnswer
from .sentence_choice import ScoredSentence

WEIGHTS = {"similarity": 11.366, "coverage": 5.371, "typed": -0.473, "untyped": 0.082}
BIAS = -7.055
# Low on purpose: features measured on a 5,000-paragraph index put the sample briefing's own
# answers at 0.1-0.4, so a higher cut declines real questions there (docs/benchmarks.md).
DECLINE_BELOW = 0.1


def features(best: ScoredSentence, expected: ExpectedAnswer) -> dict[str, float]:
    """The measures of the best sentence the confidence is computed from."""
    asks_for_span = expected.kind is not None
    return {
        "similarity": best.similarity, "coverage": best.coverage,
        "typed": float(asks_for_span and bool(best.spans)),
        "untyped": float(asks_for_span and not best.spans),
    }


def confidence(best: ScoredSentence | None, expected: ExpectedAnswer) -> float:
    """The probability (0..1) that the briefings answer, judged from the best sentence."""
    if best is None:
        return 0.0
    measured = features(best, expected)
    logit = BIAS + sum(WEIGHTS[name] * value for name, value in measured.items())
    return 1.0 / (1.0 + math.exp(-logit))


def declines(value: float) -> bool:
    """True when a confidence is too low to give an answer."""
    return value < DECLINE_BELOW

"""How likely the short answer is right: a calibrated confidence, and declining below a threshold.

The confidence is a logistic function of what the reader and the search measured of the best span:
- the reader's margin for it (its start + end score over the no-answer score of its window; the
  largest among the spans of the passages read that have the same words),
- the search score (0..1) of the passage it is in: the re-ranked blend (qa.search.rerank), the hybrid
  score when re-ranking is off (the weights were fitted with it on),
- the chance the reader gives that no passage read answers.
The weights were fitted (logistic regression, bench/no_answer.py) on news questions of the
reader's held-out year (2024; fitted on half, checked on the other half) asked of an index holding
their evidence and of one without it, with "right" meaning the short
answer matches the question's gold answer, so a confidence of 0.7 means that about 7 in 10 such
answers were right (the reliability table is in docs/benchmarks.md). DECLINE_BELOW was chosen on
the same measurement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Fitted by `python bench/no_answer.py --part fit --rerank` (answers after re-ranking, the default).
WEIGHTS = {"margin": 0.327, "retrieval": 3.554, "no_answer": -0.061}
BIAS = -5.649
# Where the two errors are about equal on held-out questions: 0.82 of the questions asked with
# their evidence answered, 0.83 of those asked without it declined.
DECLINE_BELOW = 0.2


@dataclass(frozen=True)
class Measures:
    """What confidence is computed from (see the module's docstring)."""

    margin: float
    retrieval: float
    no_answer: float

    def as_dict(self) -> dict[str, float]:
        return {"margin": self.margin, "retrieval": self.retrieval, "no_answer": self.no_answer}


def margin_of(score: float) -> float:
    """The reader's margin back from its span score (the logistic of the margin)."""
    score = min(max(score, 1e-9), 1 - 1e-9)
    return math.log(score / (1 - score))


def confidence(measures: Measures | None, weights: dict[str, float] | None = None,
               bias: float | None = None) -> float:
    """The probability (0..1) that the short answer is right; 0 when there is none."""
    if measures is None:
        return 0.0
    weights = WEIGHTS if weights is None else weights
    logit = (BIAS if bias is None else bias) + sum(weights[name] * value for name, value in measures.as_dict().items())
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logit))))


def declines(value: float) -> bool:
    """True when a confidence is too low to give an answer."""
    return value < DECLINE_BELOW

"""Spans from the reader's start and end scores: the decoding of extractive question answering.

For each window: the `CANDIDATES` best start and end tokens inside the passage, every pair with
start <= end and at most MAX_ANSWER_TOKENS long, scored start + end logit. The window's no-answer
score is the [CLS] token's start + end logit. A span's `margin` is its score minus the no-answer
score of its own window: how much more the model believes this span than "nothing here".
Spans are kept by character range, best first, one per range across overlapping windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.answers.reader.windows import Windows

CANDIDATES = 20
MAX_ANSWER_TOKENS = 30


@dataclass(frozen=True)
class RawSpan:
    passage: int
    start: int      # characters in the passage
    end: int
    logit: float    # start + end logit
    margin: float   # logit minus its window's no-answer logit


def decode(windows: Windows, start_logits: np.ndarray, end_logits: np.ndarray,
           per_window: int = 3) -> tuple[list[RawSpan], np.ndarray]:
    """The best spans (best margin first) and each passage's no-answer logit (the lowest over its
    windows, since the window that sees the answer best decides)."""
    passages = int(windows.passage.max()) + 1 if len(windows) else 0
    no_answer = np.full(passages, np.inf)
    best: dict[tuple[int, int, int], RawSpan] = {}
    for w in range(len(windows)):
        offsets = windows.offsets[w]
        null = float(start_logits[w][0] + end_logits[w][0])
        passage = int(windows.passage[w])
        no_answer[passage] = min(no_answer[passage], null)
        for span in _window_spans(offsets, start_logits[w], end_logits[w], per_window):
            start, end, logit = span
            key = (passage, start, end)
            candidate = RawSpan(passage, start, end, logit, logit - null)
            if key not in best or best[key].margin < candidate.margin:
                best[key] = candidate
    return sorted(best.values(), key=lambda s: -s.margin), no_answer


def _window_spans(offsets, start_logits, end_logits, keep: int):
    inside = np.array([o is not None for o in offsets] + [False] * (len(start_logits) - len(offsets)))
    if not inside.any():
        return []
    starts = np.where(inside, start_logits, -np.inf)
    ends = np.where(inside, end_logits, -np.inf)
    top_starts = np.argsort(-starts)[:CANDIDATES]
    top_ends = np.argsort(-ends)[:CANDIDATES]
    found = []
    for s in top_starts:
        if not inside[s]:
            continue
        for e in top_ends:
            if not inside[e] or e < s or e - s + 1 > MAX_ANSWER_TOKENS:
                continue
            found.append((offsets[s][0], offsets[e][1], float(starts[s] + ends[e])))
    found.sort(key=lambda f: -f[2])
    return found[:keep]

"""Examples -> model windows with span labels, and length-grouped batches.

A window's label is the answer's first and last token when the window holds the whole answer,
and the [CLS] token (position 0) otherwise: "no answer in this window", as in SQuAD 2.0 training.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from qa.answers.reader.windows import encode_pairs

from .data import Example

CHUNK = 512  # examples tokenised together
# Batches are padded to a multiple of this many tokens: a few distinct shapes keep the CPU
# kernels' per-shape caches (bfloat16 copies of the weights) bounded; every length of its own
# grew the process by about 0.4 GB a minute.
PAD_TO = 32


@dataclass
class Feature:
    input_ids: list[int]
    token_type_ids: list[int]
    start: int
    end: int


def featurize(tokenizer, examples: list[Example]) -> list[Feature]:
    features = []
    for first in range(0, len(examples), CHUNK):
        chunk = examples[first:first + CHUNK]
        windows = encode_pairs(tokenizer, [e.question for e in chunk], [e.context for e in chunk])
        for w in range(len(windows)):
            length = int(windows.attention_mask[w].sum())
            start, end = label(chunk[windows.passage[w]], windows.offsets[w])
            features.append(Feature(windows.input_ids[w, :length].tolist(),
                                    windows.token_type_ids[w, :length].tolist(), start, end))
    return features


def label(example: Example, offsets: list[tuple[int, int] | None]) -> tuple[int, int]:
    """(first, last) token of the answer inside this window, or (0, 0)."""
    if not example.answerable:
        return 0, 0
    answer_start = example.answer_start
    answer_end = answer_start + len(example.answers[0])
    inside = [t for t, o in enumerate(offsets) if o is not None]
    if not inside or offsets[inside[0]][0] > answer_start or offsets[inside[-1]][1] < answer_end:
        return 0, 0
    first = next(t for t in inside if offsets[t][1] > answer_start)
    last = next(t for t in reversed(inside) if offsets[t][0] < answer_end)
    return (first, last) if first <= last else (0, 0)


def batches(features: list[Feature], size: int, seed: int, group: int = 50) -> list[list[int]]:
    """Feature indices in batches of similar length (less padding), in a seeded random order."""
    rng = random.Random(seed)
    order = list(range(len(features)))
    rng.shuffle(order)
    result = []
    for first in range(0, len(order), size * group):
        block = sorted(order[first:first + size * group], key=lambda i: len(features[i].input_ids))
        result += [block[i:i + size] for i in range(0, len(block), size)]
    rng.shuffle(result)
    return result


def collate(features: list[Feature], indices: list[int]) -> dict[str, np.ndarray]:
    longest = max(len(features[i].input_ids) for i in indices)
    width = -(-longest // PAD_TO) * PAD_TO
    ids = np.zeros((len(indices), width), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for row, i in enumerate(indices):
        n = len(features[i].input_ids)
        ids[row, :n], types[row, :n], mask[row, :n] = features[i].input_ids, features[i].token_type_ids, 1
    return {"input_ids": ids, "token_type_ids": types, "attention_mask": mask,
            "start_positions": np.array([features[i].start for i in indices]),
            "end_positions": np.array([features[i].end for i in indices])}

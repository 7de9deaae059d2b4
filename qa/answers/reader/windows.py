"""The reader's view of its input: question and passage as one word-piece sequence, cut into
overlapping windows where a passage is longer than the model reads.

Training and answering use this one function, so the model reads at answer time exactly what it
was trained on. Offsets come from the fast tokenizer: each passage token knows the characters it
covers, which is how a span of tokens maps back to the cited text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_LENGTH = 256        # word pieces a window holds (question, passage, 3 special tokens)
STRIDE = 96             # word pieces shared by consecutive windows of one passage
MAX_QUESTION_TOKENS = 64


@dataclass
class Windows:
    """Model inputs of shape (windows, length) and, per window, where its tokens come from.

    `passage[w]` is the index of the passage window w reads; `offsets[w][t]` the (start, end)
    characters of token t in that passage, or None for question and special tokens.
    """

    input_ids: np.ndarray
    attention_mask: np.ndarray
    token_type_ids: np.ndarray
    passage: np.ndarray
    offsets: list[list[tuple[int, int] | None]]

    def __len__(self) -> int:
        return len(self.passage)

    def rows(self, chosen) -> "Windows":
        """The windows at positions `chosen`, cut to the longest one among them."""
        chosen = np.asarray(chosen, dtype=int)
        width = int(self.attention_mask[chosen].sum(axis=1).max()) if len(chosen) else 0
        return Windows(self.input_ids[chosen, :width], self.attention_mask[chosen, :width],
                       self.token_type_ids[chosen, :width], self.passage[chosen],
                       [self.offsets[i][:width] for i in chosen])


def encode(tokenizer, question: str, passages: list[str], max_length: int = MAX_LENGTH,
           stride: int = STRIDE) -> Windows:
    """Windows of (question, passage) for every passage, padded to the longest window."""
    return encode_pairs(tokenizer, [question] * len(passages), passages, max_length, stride)


def encode_pairs(tokenizer, questions: list[str], passages: list[str], max_length: int = MAX_LENGTH,
                 stride: int = STRIDE) -> Windows:
    """Windows of (questions[i], passages[i]) for every i; `passage` of a window is that i."""
    cut = {question: _cut_question(tokenizer, question) for question in set(questions)}
    batch = tokenizer([cut[q] for q in questions], passages, truncation="only_second",
                      max_length=max_length, stride=stride, return_overflowing_tokens=True,
                      return_offsets_mapping=True, padding="longest", return_tensors="np")
    offsets = []
    for w in range(len(batch["input_ids"])):
        ids = batch.sequence_ids(w)
        offsets.append([tuple(int(x) for x in batch["offset_mapping"][w][t]) if ids[t] == 1 else None
                        for t in range(len(ids))])
    token_types = batch.get("token_type_ids")
    if token_types is None:
        token_types = np.zeros_like(batch["input_ids"])
    return Windows(batch["input_ids"].astype(np.int64), batch["attention_mask"].astype(np.int64),
                   token_types.astype(np.int64),
                   np.asarray(batch["overflow_to_sample_mapping"], dtype=int), offsets)


def _cut_question(tokenizer, question: str) -> str:
    """The question cut to MAX_QUESTION_TOKENS word pieces, at a character boundary."""
    pieces = tokenizer(question, add_special_tokens=False, return_offsets_mapping=True,
                       truncation=True, max_length=MAX_QUESTION_TOKENS)
    spans = pieces["offset_mapping"]
    return question[: spans[-1][1]] if spans else question

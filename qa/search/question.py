"""A question as the library reads it, checked once where it enters (qa.retrieve, qa.answer) and
passed on as a typed value."""

from __future__ import annotations

from dataclasses import dataclass

from qa.ingest.textfiles import encodable
from qa.limits import bounded
from qa.search.filters import Filters, parse_question


@dataclass(frozen=True)
class Question:
    """`text`: the question cut to its bound (qa.limits), stripped, anything UTF-8 cannot encode
    replaced by U+FFFD, never empty; `typed_filters`: the `after:`/`before:`/`in:` filters typed in
    it, taken out of `text` (empty unless read with `typed_filters=True`)."""

    text: str
    typed_filters: Filters = Filters()

    @classmethod
    def read(cls, raw, *, typed_filters: bool = False) -> Question:
        """`raw` checked as a question; ValueError when it is not text, is empty, is only filters,
        or has a filter date that is not a date."""
        text = _checked(raw)
        if not typed_filters:
            return cls(text)
        text, filters = parse_question(text)
        if not text.strip():
            raise ValueError("the question is only filters: add what to ask about the briefings")
        return cls(text, filters)


def _checked(raw) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"the question must be text, not {type(raw).__name__}")
    stripped = encodable(bounded(raw)).strip()
    if not stripped:
        raise ValueError("the question is empty: type a question about the briefings")
    return stripped

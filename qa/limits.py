"""How much of a question the library reads: every question, earlier question and filter is cut
or refused at these sizes before any work is done on it, so that no input makes answering one
question cost more than a normal question does.

A question (its typed filters included) and each earlier question are cut to MAX_QUESTION_CHARS
(the model reads ~256 word pieces anyway); a search takes at most MAX_SOURCES briefings or `in:`
patterns, each filter value at most MAX_FILTER_CHARS long (more is refused: a cut pattern would
choose other briefings).
"""

from __future__ import annotations

MAX_QUESTION_CHARS = 2000
MAX_SOURCES = 100
MAX_FILTER_CHARS = 500


def bounded(text: str) -> str:
    """A question or earlier question cut to MAX_QUESTION_CHARS."""
    return text[:MAX_QUESTION_CHARS]


def check_filters(sources, *values) -> None:
    """ValueError when `sources` (a list or tuple of patterns) holds more than MAX_SOURCES, or a
    source or other filter value (`values`: dates as text, or not text at all) is longer than
    MAX_FILTER_CHARS."""
    if len(sources) > MAX_SOURCES:
        raise ValueError(f"a search can be narrowed to at most {MAX_SOURCES} briefings or in: "
                         f"filters, not {len(sources)}: choose fewer, or one pattern such as in:2025-03")
    for value in (*sources, *values):
        if isinstance(value, str) and len(value) > MAX_FILTER_CHARS:
            raise ValueError(f"a filter is at most {MAX_FILTER_CHARS} characters long; "
                             f"{value[:40]!r}... is {len(value)}")

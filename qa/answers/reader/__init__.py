"""The answer layer's reader: finds the span of the passages that answers a question.

    from qa.reader import get_reader
    reading = get_reader().read("How long is the ceasefire?", [passage.text for passage in passages])
    reading.best.text, reading.best.score, reading.no_answer

The default reader is the learned one shipped in qa/answers/reader/model (trained by this project, see
training/ and the model card qa/answers/reader/model/README.md), run by ONNX Runtime; tests register a
fake with `register_reader`.
"""

from __future__ import annotations

import threading

from qa.answers.reader.base import Reader, Reading, Span, SpanReader, chance_none_answers

_readers: list[Reader] = []
_lock = threading.Lock()


def get_reader() -> Reader:
    """The registered reader, else the shipped learned reader (loaded once)."""
    with _lock:
        if not _readers:
            from qa.answers.reader.learned import load_shipped

            _readers.append(load_shipped())
        return _readers[-1]


def register_reader(reader: Reader | None) -> None:
    """Use `reader` from now on (a fake in tests); None goes back to the shipped one."""
    with _lock:
        _readers.clear()
        if reader is not None:
            _readers.append(reader)


__all__ = ["Reader", "Reading", "Span", "SpanReader", "chance_none_answers", "get_reader", "register_reader"]

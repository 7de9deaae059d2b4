"""The conversation as the page keeps it (on the server and in the browser's storage) and
exports it.

A turn is a JSON-ready dict: {"question": str, "answer": Answer.to_dict()}. What comes back from the
browser is untrusted: `restore` rebuilds each turn from the fields it knows, each of its type and
bounded, and drops the rest. The server keeps the same last MAX_TURNS turns a reload restores.
"""

from __future__ import annotations

import math
import re

from .markup import code_label, escape_label, escape_markdown, one_line

MAX_TURNS = 50
MAX_TEXT_CHARS = 20_000
# Sentences and passages kept of a stored answer (a reply has a handful of each).
MAX_ITEMS = 50
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The fields a restored passage keeps, by type; a passage needs its source and paragraph.
_PASSAGE_TEXTS = ("source", "title", "text", "citation", "date", "publisher", "source_url")
_PASSAGE_NUMBERS = ("paragraph", "page")


def restore(saved) -> tuple[list[dict], list[dict]]:
    """(chat messages, turns) from what the browser stored, malformed entries dropped, bounded."""
    saved = saved if isinstance(saved, dict) else {}
    messages = [_message(m) for m in _list(saved.get("messages")) if isinstance(m, dict)]
    turns = [_turn(t) for t in _list(saved.get("turns"))]
    return capped([m for m in messages if m], [t for t in turns if t])


def capped(messages: list, turns: list) -> tuple[list, list]:
    """The last MAX_TURNS turns and their messages (two a turn): what the server keeps."""
    return messages[-2 * MAX_TURNS:], turns[-MAX_TURNS:]


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _message(message: dict) -> dict | None:
    role, content = message.get("role"), message.get("content")
    if isinstance(content, list):  # Gradio's content parts
        content = " ".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    if role not in ("user", "assistant") or not isinstance(content, str):
        return None
    return {"role": role, "content": content[:MAX_TEXT_CHARS]}


def _turn(turn) -> dict | None:
    """A stored turn rebuilt from its known fields, or None when it lacks its question or a
    passage lacks its source or paragraph."""
    if not isinstance(turn, dict) or not isinstance(turn.get("question"), str):
        return None
    answer = turn.get("answer")
    if not isinstance(answer, dict):
        return None
    passages = [_passage(p) for p in _list(answer.get("passages"))[:MAX_ITEMS]]
    if not all(passages):
        return None
    sentences = [_sentence(s) for s in _list(answer.get("answer"))[:MAX_ITEMS]]
    kept = {"found": answer.get("found") is True, "passages": passages, "answer": [s for s in sentences if s]}
    if isinstance(answer.get("short"), str):
        kept["short"] = answer["short"][:MAX_TEXT_CHARS]
    confidence = answer.get("confidence")
    if _number(confidence) and math.isfinite(confidence):
        kept["confidence"] = confidence
    return {"question": turn["question"][:MAX_TEXT_CHARS], "answer": kept}


def _passage(passage) -> dict | None:
    if not isinstance(passage, dict):
        return None
    kept = {name: passage[name][:MAX_TEXT_CHARS] for name in _PASSAGE_TEXTS if isinstance(passage.get(name), str)}
    kept |= {name: passage[name] for name in _PASSAGE_NUMBERS if _number(passage.get(name), whole=True)}
    return kept if "source" in kept and "paragraph" in kept else None


def _sentence(sentence) -> dict | None:
    if not isinstance(sentence, dict) or not isinstance(sentence.get("text"), str):
        return None
    kept = {"text": sentence["text"][:MAX_TEXT_CHARS]}
    return kept | ({"passage": sentence["passage"]} if _number(sentence.get("passage"), whole=True) else {})


def _number(value, whole: bool = False) -> bool:
    """Whether `value` is a number (a whole one, if `whole`), not a truth value."""
    return isinstance(value, int if whole else (int, float)) and not isinstance(value, bool)


def cited_passages(turn: dict) -> list[tuple[str, dict]]:
    """(label, passage dict) of each passage of `turn`, numbered as in the reply; the label is
    plain text on one line."""
    return [(one_line(f"[{n}] {p.get('citation') or p['source']}"), p)
            for n, p in enumerate(turn["answer"]["passages"], start=1)]


def export_markdown(turns: list[dict], exported_at: str) -> str:
    """The conversation as Markdown: each question, its short answer and sentences, its confidence
    and its sources, the [n] markers as footnotes naming title, paragraph, page, date, file and
    URL; a paragraph cited in several turns has one footnote. Every stored text is literal
    (qa_app.markup); pass turns through `restore`."""
    lines = ["# Briefing QA conversation", "", f"_Exported {escape_label(exported_at)}._", ""]
    notes: dict[tuple, int] = {}
    footnotes: list[str] = []
    for turn in turns:
        answer = turn["answer"]
        numbers = {}
        for number, passage in enumerate(answer["passages"], start=1):
            key = tuple(str(passage.get(name)) for name in ("source", "paragraph", "page"))
            if key not in notes:
                notes[key] = len(notes) + 1
                footnotes.append(_footnote(notes[key], passage))
            numbers[number] = notes[key]
        lines += [f"## {escape_label(turn['question'])}", "", *_answer_lines(answer, numbers)]
    return "\n".join(lines + footnotes) + "\n"


def _answer_lines(answer: dict, numbers: dict[int, int]) -> list[str]:
    """The answer's Markdown lines, each followed by a blank line: the short answer, the
    sentences, the confidence, the sources."""
    def cite(number) -> str:
        return f"[^{numbers[number]}]" if isinstance(number, int) and number in numbers else ""

    sources = ["Sources: " + " ".join(dict.fromkeys(cite(n) for n in numbers)), ""] if numbers else []
    sentences = answer.get("answer") or []
    if not (answer.get("found") and sentences):
        said = "_No briefing matched the filters._" if not numbers else \
            "_No briefing answered this question; closest matches below._"
        return [said, ""] + sources
    short = answer.get("short")
    lines = [f"**Answer: {escape_markdown(short)}**{cite(sentences[0].get('passage'))}", ""] if short else []
    lines += [" ".join(f"{escape_markdown(s['text'])}{cite(s.get('passage'))}" for s in sentences), ""]
    confidence = answer.get("confidence")
    if confidence is not None and 0 <= confidence <= 1:
        lines += [f"_Confidence {confidence:.0%} that this answer is right._", ""]
    return lines + sources


def _footnote(number: int, passage: dict) -> str:
    parts = [escape_label(passage.get("title") or passage["source"]), f"¶{passage['paragraph']}"]
    if passage.get("page"):
        parts.append(f"p. {passage['page']}")
    if _ISO_DATE.fullmatch(passage.get("date") or ""):
        parts.append(passage["date"])
    parts.append(f"file {code_label(passage['source'])}")
    if passage.get("source_url"):
        parts.append(escape_label(passage["source_url"]))
    return f"[^{number}]: " + ", ".join(parts)

"""The conversation as the page keeps it (in the browser's storage) and exports it.

A turn is a JSON-ready dict: {"question": str, "answer": Answer.to_dict()}. What comes back from the
browser is untrusted: `restore` keeps only well-formed, bounded turns and messages.
"""

from __future__ import annotations

import re

MAX_TURNS = 50
MAX_TEXT_CHARS = 20_000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def restore(saved) -> tuple[list[dict], list[dict]]:
    """(chat messages, turns) from what the browser stored, malformed entries dropped, bounded."""
    saved = saved if isinstance(saved, dict) else {}
    messages = [_message(m) for m in saved.get("messages") or [] if isinstance(m, dict)]
    messages = [m for m in messages if m][-2 * MAX_TURNS:]
    turns = [t for t in saved.get("turns") or [] if _is_turn(t)][-MAX_TURNS:]
    return messages, turns


def _message(message: dict) -> dict | None:
    role, content = message.get("role"), message.get("content")
    if isinstance(content, list):  # Gradio's content parts
        content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    if role not in ("user", "assistant") or not isinstance(content, str):
        return None
    return {"role": role, "content": content[:MAX_TEXT_CHARS]}


def _is_turn(turn) -> bool:
    if not isinstance(turn, dict) or not isinstance(turn.get("question"), str):
        return False
    answer = turn.get("answer")
    return isinstance(answer, dict) and isinstance(answer.get("passages"), list) and all(
        isinstance(p, dict) and isinstance(p.get("source"), str) and isinstance(p.get("paragraph"), int)
        for p in answer["passages"])


def cited_passages(turn: dict) -> list[tuple[str, dict]]:
    """(label, passage dict) of each passage of `turn`, numbered as in the reply."""
    return [(f"[{n}] {p.get('citation') or p['source']}", p)
            for n, p in enumerate(turn["answer"]["passages"], start=1)]


def export_markdown(turns: list[dict], escape, exported_at: str) -> str:
    """The conversation as Markdown: each question, its short answer and sentences, its confidence
    and its sources, the [n] markers as footnotes naming title, paragraph, page, date, file and
    URL; a paragraph cited in several turns has one footnote. `escape` makes untrusted text literal."""
    lines = ["# Briefing QA conversation", "", f"_Exported {exported_at}._", ""]
    notes: dict[tuple, int] = {}
    footnotes: list[str] = []
    for turn in turns:
        answer = turn["answer"]
        numbers = {}
        for number, passage in enumerate(answer["passages"], start=1):
            key = tuple(str(passage.get(name)) for name in ("source", "paragraph", "page"))
            if key not in notes:
                notes[key] = len(notes) + 1
                footnotes.append(_footnote(notes[key], passage, escape))
            numbers[number] = notes[key]
        lines += [f"## {escape(turn['question'])}", "", *_answer_lines(answer, numbers, escape)]
    return "\n".join(lines + footnotes) + "\n"


def _answer_lines(answer: dict, numbers: dict[int, int], escape) -> list[str]:
    """The answer's Markdown lines, each followed by a blank line: the short answer, the
    sentences, the confidence, the sources."""
    def cite(number) -> str:
        return f"[^{numbers[number]}]" if isinstance(number, int) and number in numbers else ""

    sources = ["Sources: " + " ".join(dict.fromkeys(cite(n) for n in numbers)), ""] if numbers else []
    sentences = [s for s in answer.get("answer") or [] if isinstance(s, dict) and isinstance(s.get("text"), str)]
    if not (answer.get("found") and sentences):
        said = "_No briefing matched the filters._" if not numbers else \
            "_No briefing answered this question; closest matches below._"
        return [said, ""] + sources
    short = answer.get("short")
    lines = [f"**Answer: {escape(short)}**{cite(sentences[0].get('passage'))}", ""] \
        if isinstance(short, str) and short else []
    lines += [" ".join(f"{escape(s['text'])}{cite(s.get('passage'))}" for s in sentences), ""]
    confidence = answer.get("confidence")
    if isinstance(confidence, (int, float)) and not isinstance(confidence, bool) and 0 <= confidence <= 1:
        lines += [f"_Confidence {confidence:.0%} that this answer is right._", ""]
    return lines + sources


def _footnote(number: int, passage: dict, escape) -> str:
    parts = [escape(str(passage.get("title") or passage["source"])), f"¶{passage['paragraph']}"]
    if passage.get("page"):
        parts.append(f"p. {passage['page']}")
    if _ISO_DATE.fullmatch(str(passage.get("date") or "")):
        parts.append(passage["date"])
    parts.append(f"file `{passage['source'].replace('`', '')}`")
    if passage.get("source_url"):
        parts.append(escape(str(passage["source_url"])))
    return f"[^{number}]: " + ", ".join(parts)

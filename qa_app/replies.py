"""How an answer reads in the chat: the short answer, its sentence and confidence, and the
cited sources as compact Markdown, every piece of corpus text escaped (qa_app.markup)."""

from __future__ import annotations

import re
from datetime import datetime

from qa.answers.answer import Answer, read_as
from qa.answers.sentences import highlight
from qa.types import Passage
from qa_app.markup import code_label, counted, escape_label, escape_markdown

# A URL shown as a link: http(s) only, and nothing that could end the link or start markup.
_WEB_URL = re.compile(r"^https?://[^\s<>`\\]+$", re.IGNORECASE)

# Characters of context either side of a source's highlighted sentence in the compact reply.
SNIPPET_CONTEXT = 90


def format_answer(result: Answer) -> str:
    """The chat reply, answer first (after the filters and how typing mistakes were read, when
    there are any): the short answer or list items with their [n] citations (or,
    when no short answer fits, the supporting sentences), the sentences, the calibrated confidence,
    then compact numbered sources (citation and origin, the highlighted sentence with a little
    context, the full paragraph folded away)."""
    lines = [f"_Searched briefings {escape_label(result.filters)}._", ""] if result.filters else []
    if result.corrections:
        lines += [f"_Read {escape_label(read_as(result.corrections))}._", ""]
    if result.found:
        lead = _lead(result)
        sentences = " ".join(f"{escape_markdown(s.text)} **[{s.passage}]**" for s in result.sentences)
        lines += (["**Answer:** " + lead, "", sentences] if lead else ["**Answer:** " + sentences]) + [
            "", f"_{_confidence(result.confidence, 'that this answer is right')}_", "", "**Sources**"]
    elif not result.passages:
        return "\n".join(lines + ["**No briefing matches these filters.** "
                                  "Widen the dates or choose other briefings (a date filter leaves out "
                                  "briefings with no known date)."])
    else:
        lines += ["**No briefing answers this question.** "
                  "The closest matches are shown below; they may not be relevant.", "",
                  f"_{_confidence(result.confidence, 'that the best answer found would be right')}_", "",
                  "**Closest matches**"]
    for number, (passage, spans) in enumerate(zip(result.passages, result.highlights), start=1):
        label = "" if result.found else " · closest match, not an answer"
        lines += ["", f"**[{number}] {escape_label(passage.citation)}** · {_origin(passage)}{label}"]
        lines += _source_text(passage.text, spans)
        if passage.also_in:
            lines += ["", _also_in(passage)]
    return "\n".join(lines)


def _source_text(text: str, spans) -> list[str]:
    """A source's highlighted sentence with a little context, and the whole paragraph folded
    away when the snippet leaves some of it out."""
    start, end, shown = snippet(text, spans)
    quote = highlight(shown, [(a - start, b - start) for a, b in spans if start <= a and b <= end],
                      escape=escape_markdown)
    lines = ["> " + ("…" if start else "") + quote + ("…" if end < len(text) else "")]
    if start or end < len(text):
        lines += ["", "<details><summary>Full paragraph</summary>", "",
                  highlight(text, spans, escape=escape_markdown), "", "</details>"]
    return lines


def snippet(text: str, spans, context: int = SNIPPET_CONTEXT) -> tuple[int, int, str]:
    """(start, end, text[start:end]): the highlighted spans with about `context` characters either
    side, cut at spaces; the paragraph's opening when nothing is highlighted."""
    if spans:
        first, last = min(a for a, _ in spans), max(b for _, b in spans)
    else:
        first, last = 0, min(len(text), context)
    start = 0 if first <= context else text.find(" ", first - context - 1, first) + 1
    end = len(text) if last + context >= len(text) else text.rfind(" ", last, last + context + 1)
    end = len(text) if end < 0 else end
    return start, end, text[start:end]


def _lead(result: Answer) -> str:
    """The short answer in bold with its citation; list items each with theirs, or joined under
    one citation when they all share it. '' when no short answer fits."""
    def cite(numbers) -> str:
        return "".join(f"[{n}]" for n in numbers)

    if result.items and len({item.passages for item in result.items}) > 1:
        return ", ".join(f"**{escape_markdown(item.text)}** {cite(item.passages)}" for item in result.items)
    if result.items:
        return f"**{escape_markdown(result.short or '')}** {cite(result.items[0].passages)}"
    if result.short:
        return f"**{escape_markdown(result.short)}** [{result.sentences[0].passage}]"
    return ""


def _confidence(value: float, meaning: str) -> str:
    """The calibrated confidence as a five-dot bar and a percentage, and what it is the chance of."""
    filled = max(0, min(5, round(value * 5)))
    return f"Confidence {'●' * filled}{'○' * (5 - filled)} {value:.0%} {meaning}"


def _origin(passage: Passage) -> str:
    """Date, publisher, file and (a web link only) URL of a passage's briefing."""
    # Dates are ISO dates the library wrote (digits and dashes), safe as they are.
    parts = [passage.date] if passage.date else []
    parts += [escape_label(passage.publisher)] if passage.publisher else []
    parts.append(code_label(passage.source))
    url = passage.source_url or ""
    if _WEB_URL.match(url):
        parts.append(f"[link](<{url}>)")
    return " · ".join(parts)


def _also_in(passage: Passage) -> str:
    count = len(passage.also_in)
    others = "; ".join(
        escape_label(o.citation) + (f" ({o.date})" if o.date else "") for o in passage.also_in)
    return f"_Also in {counted(count, 'other briefing')}:_ {others}"


def date_text(value) -> str | None:
    """A date filter from the page (a date picker's text or a timestamp) as text, or None."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value).date().isoformat()
    text = str(value or "").strip()
    return text.split(" ")[0] or None

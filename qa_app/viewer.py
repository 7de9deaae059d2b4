"""The briefing viewer: a whole briefing as Markdown, the cited paragraph marked so the page can
scroll to it."""

from __future__ import annotations

from qa.ingest.documents import Document, read_document
from qa.ingest.textfiles import UnreadableFile

from .corpus import briefing_path
from .markup import code_label, escape_label, escape_markdown

# Paragraphs shown before and after the cited one; a briefing longer than twice this is cut.
CONTEXT_PARAGRAPHS = 150
CITED_MARK = "▶"


def read_briefing(corpus_dir, source: str) -> Document:
    """The briefing `source` as the index reads it (same paragraph numbers); ValueError with a
    readable reason when it is not in the corpus folder or cannot be read."""
    path = briefing_path(corpus_dir, source)
    try:
        return read_document(path, source)
    except UnreadableFile as error:
        raise ValueError(f"{source} cannot be read: {error}") from None


def cited_number(document: Document, paragraph: int, text: str = "") -> int:
    """The number of the cited paragraph in `document` as read now: the paragraph holding exactly
    `text` when there is one (an index built by an older reader may number differently), else
    `paragraph`."""
    return next((p.number for p in document.paragraphs if text and p.text == text), paragraph)


def render_briefing(document: Document, cited: int | None) -> str:
    """Markdown of `document`: title, origin, then its numbered paragraphs, paragraph `cited`
    as a quote; every piece of its text literal (qa_app.markup)."""
    origin = [escape_label(document.date or ""), escape_label(document.publisher or ""),
              code_label(document.source)]
    lines = [f"### {escape_label(document.title)}", " · ".join(part for part in origin if part), ""]
    paragraphs = document.paragraphs
    if cited is not None and len(paragraphs) > 2 * CONTEXT_PARAGRAPHS:
        start = max(0, cited - 1 - CONTEXT_PARAGRAPHS)
        paragraphs = paragraphs[start:cited + CONTEXT_PARAGRAPHS]
    heading = ""
    for paragraph in paragraphs:
        if paragraph.heading and paragraph.heading != heading:
            heading = paragraph.heading
            lines += [f"#### {escape_label(heading)}", ""]
        page = f" (p. {paragraph.page})" if paragraph.page else ""
        text = f"**¶{paragraph.number}**{page} {escape_markdown(paragraph.text)}"
        lines += [f"> {CITED_MARK} _cited_ {text}" if paragraph.number == cited else text, ""]
    return "\n".join(lines)

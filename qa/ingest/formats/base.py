"""What every reader returns: blocks of text in reading order, and metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Metadata values longer than this are cut: a title is embedded with every paragraph of its
# briefing, so an unbounded one (a front matter value expanded from aliases) would cost memory and
# time for each of them. Real titles, publishers and URLs are far shorter.
MAX_METADATA_CHARS = 300


@dataclass(frozen=True)
class Block:
    """A paragraph-sized piece of text in reading order.

    `heading` is True or False when the format marks headings (Word styles), None when it must be
    judged from the text. `page` is the 1-based page it starts on, for formats with pages.
    """

    text: str
    heading: bool | None = None
    page: int | None = None


@dataclass(frozen=True)
class Metadata:
    """What a document says about itself; every field may be None. `date` is an ISO date."""

    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Extracted:
    """A reader's result: the blocks, the metadata the document declares (front matter, HTML meta
    tags) and the weaker file properties (PDF and Word properties, often left as a template set
    them), which only fill what neither the declared metadata nor the text gives."""

    blocks: list[Block]
    declared: Metadata = field(default_factory=Metadata)
    properties: Metadata = field(default_factory=Metadata)


def text_blocks(text: str, page: int | None = None) -> list[Block]:
    """Blank-line-separated blocks of `text`, inner line breaks and runs of spaces joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    joined = (" ".join(block.split()) for block in re.split(r"\n[ \t\f\v]*\n", text))
    return [Block(block, page=page) for block in joined if block]


def clean(value) -> str | None:
    """A metadata value as stripped text of at most MAX_METADATA_CHARS, or None when absent, blank
    or not a plain value (a list or mapping is not a title)."""
    if value is None or isinstance(value, (list, tuple, dict, set, bytes)):
        return None
    text = " ".join(str(value)[:4 * MAX_METADATA_CHARS].split())
    return text[:MAX_METADATA_CHARS].rstrip() or None

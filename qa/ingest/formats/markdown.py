"""Markdown files (.md): the text, with YAML front matter read as metadata.

Front matter keys read: title; date (or published); source, publisher or site; url, link or
source_url. Headings (`# ...`) are recognised when the document is split. Front matter is bounded
before it is parsed: at most MAX_FRONT_MATTER_CHARS, and YAML aliases (`*name`) are refused, since
nested aliases expand a few hundred bytes into gigabytes; such a block gives no metadata.
"""

from __future__ import annotations

import re

import yaml

from qa.ingest.dates import iso_date
from qa.ingest.textfiles import decode_text
from qa.ingest.formats.base import Extracted, Metadata, clean, text_blocks

# Front matter holds a few short fields; a longer block is not read as metadata.
MAX_FRONT_MATTER_CHARS = 10_000
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def read(raw: bytes) -> Extracted:
    return parse(decode_text(raw))


def parse(text: str) -> Extracted:
    """The blocks and front matter metadata of Markdown (or plain) text."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return Extracted(text_blocks(text))
    return Extracted(text_blocks(text[match.end():]), declared=front_matter(match.group(1)))


def front_matter(yaml_text: str) -> Metadata:
    """The metadata in a front matter block; a block that is not a YAML mapping, is longer than
    MAX_FRONT_MATTER_CHARS or uses aliases gives none."""
    if len(yaml_text) > MAX_FRONT_MATTER_CHARS:
        return Metadata()
    try:
        fields = yaml.load(yaml_text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError:
        return Metadata()
    if not isinstance(fields, dict):
        return Metadata()
    fields = {str(key).lower(): value for key, value in fields.items()}

    def first(*keys):
        return next((clean(fields[key]) for key in keys if clean(fields.get(key))), None)

    return Metadata(
        title=first("title"),
        date=iso_date(fields.get("date") or fields.get("published")),
        publisher=first("source", "publisher", "site"),
        url=first("url", "link", "source_url"),
    )


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses aliases instead of expanding them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases are not allowed in front matter", self.peek_event().start_mark)
        return super().compose_node(parent, index)

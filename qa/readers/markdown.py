"""Markdown files (.md): the text, with YAML front matter read as metadata.

Front matter keys read: title; date (or published); source, publisher or site; url, link or
source_url. Headings (`# ...`) are recognised when the document is split.
"""

from __future__ import annotations

import re

import yaml

from ..dates import iso_date
from ..textfiles import decode_text
from .base import Extracted, Metadata, clean, text_blocks

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
    """The metadata in a front matter block; a block that is not a YAML mapping gives none."""
    try:
        fields = yaml.safe_load(yaml_text)
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

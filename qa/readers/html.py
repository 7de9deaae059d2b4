"""Saved web pages (.html, .htm): the main article text only, with the page's metadata.

trafilatura finds the article and drops navigation, scripts, comment sections and footers; its
Markdown output keeps the headings. Metadata comes from the page's meta tags (title, published
date, site name, canonical URL).
"""

from __future__ import annotations

from ..dates import iso_date
from ..textfiles import UnreadableFile, decode_text
from .base import Extracted, Metadata, clean, text_blocks


def read(raw: bytes) -> Extracted:
    import trafilatura  # here, not at the top: asking questions never needs it

    page = decode_text(raw)
    text = trafilatura.extract(page, output_format="markdown", include_comments=False,
                               include_tables=True, include_images=False, include_links=False)
    if not text or not text.strip():
        raise UnreadableFile("no article text found in the page")
    found = trafilatura.extract_metadata(page)
    declared = Metadata()
    if found is not None:
        declared = Metadata(title=clean(found.title), date=iso_date(found.date),
                            publisher=clean(found.sitename), url=clean(found.url))
    return Extracted(text_blocks(text), declared=declared)

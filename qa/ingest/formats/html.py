"""Saved web pages (.html, .htm): the main article text only, with the page's metadata.

trafilatura finds the article and drops navigation, scripts, comment sections and footers; its
Markdown output keeps the headings, one element a line. A page too small for it to call an article
(a fragment, a short memo) falls back to the page's visible text without scripts, styles,
navigation, headers, footers, sidebars and forms. Metadata comes from the page's markup (title,
published date in meta tags, JSON-LD or <time>, site name, canonical URL); a date is never guessed
from the body text ("drafted in 2022" is not a publication date), so the file name's date can apply.

trafilatura's fallback extractors (readability, jusText) improve the extraction but their time
grows faster than the page (a 1.7 MB page: 21x the time of a tenth of it, docs/benchmarks.md), so
they run only on pages up to FALLBACK_MAX_CHARS; a larger page is parsed in time linear in its size.
"""

from __future__ import annotations

from qa.ingest.dates import iso_date
from qa.ingest.textfiles import UnreadableFile, decode_text
from qa.ingest.formats.base import Block, Extracted, Metadata, clean

# The largest page given trafilatura's fallback extractors: at this size they take about a second.
FALLBACK_MAX_CHARS = 200_000
_NOT_CONTENT = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form")


def read(raw: bytes) -> Extracted:
    import trafilatura  # here, not at the top: asking questions never needs it

    page = decode_text(raw)
    text = trafilatura.extract(page, output_format="markdown", include_comments=False,
                               include_tables=True, include_images=False, include_links=False,
                               fast=len(page) > FALLBACK_MAX_CHARS)
    blocks = _line_blocks(text or "") or _line_blocks(_visible_text(page))
    if not blocks:
        raise UnreadableFile("no article text found in the page")
    found = trafilatura.extract_metadata(page, extensive=False)
    declared = Metadata()
    if found is not None:
        declared = Metadata(title=clean(found.title), date=iso_date(found.date),
                            publisher=clean(found.sitename), url=clean(found.url))
    return Extracted(blocks, declared=declared)


def _line_blocks(text: str) -> list[Block]:
    """One block a non-empty line: each line of extracted text is one page element."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return [Block(line) for line in lines if line]


def _visible_text(page: str) -> str:
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fromstring(page)
    except (ParserError, ValueError):
        return ""
    for element in root.xpath("|".join(f"//{tag}" for tag in _NOT_CONTENT)):
        element.drop_tree()
    for element in root.iter():  # block elements end a line, so paragraphs stay apart
        if element.tag in ("p", "div", "li", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
            element.tail = "\n" + (element.tail or "")
    return root.text_content()

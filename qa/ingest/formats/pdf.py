"""PDF files: the text layer, page by page, so that citations can name the page.

PDF text has line breaks but rarely blank lines between paragraphs, so a paragraph ends at a
blank line or at a line clearly shorter than the page's full lines. Page numbers and lines that
repeat on most pages (running headers and footers) are dropped; a paragraph that runs on to the
next page is joined and cited with the page it starts on; when every line repeats (each page
carries the same text), nothing is dropped, and repeats are left to the paragraph split. A PDF
without a text layer (a scan) is skipped: it would need OCR. pypdf bounds each decompressed stream
(75 MB by default); the text read from all pages together is bounded by MAX_TEXT_CHARS.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from qa.ingest.dates import iso_date
from qa.ingest.textfiles import UnreadableFile
from qa.ingest.formats.base import Block, Extracted, Metadata, clean

# pypdf logs every oddity of a damaged file; the build reports the file once, as skipped.
logging.getLogger("pypdf").setLevel(logging.ERROR)
# A line shorter than this share of the page's longest line ends its paragraph.
SHORT_LINE = 0.8
# The most text read from one PDF, all pages together; as much as the largest file a build accepts
# could hold uncompressed. A PDF whose streams inflate to more is refused.
MAX_TEXT_CHARS = 20_000_000
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", ":", "\"", "”", "’", ")")


def read(raw: bytes) -> Extracted:
    import pypdf  # here, not at the top: asking questions never needs it
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        pages = [_page_lines(text) for text in _page_texts(reader)]
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise UnreadableFile(f"not a readable PDF ({error})") from error
    blocks = (_paged_blocks(_without_running_lines(pages))
              or _paged_blocks(_without_running_lines(pages, drop_repeated=False)))
    if not blocks:
        raise UnreadableFile("no text layer in the PDF (a scan needs OCR first)")
    return Extracted(blocks, properties=Metadata(
        title=clean(info.get("/Title")), date=iso_date(info.get("/CreationDate")),
        publisher=clean(info.get("/Author")), url=None))


def _page_texts(reader) -> list[str]:
    """The text of each page; raises UnreadableFile past MAX_TEXT_CHARS in all."""
    texts, total = [], 0
    for page in reader.pages:
        texts.append(page.extract_text() or "")
        total += len(texts[-1])
        if total > MAX_TEXT_CHARS:
            raise UnreadableFile(f"more than {MAX_TEXT_CHARS:,} characters of text (a compressed bomb?)")
    return texts


def _paged_blocks(pages: list[list[str]]) -> list[Block]:
    return _join_across_pages(
        [block for number, lines in enumerate(pages, start=1) for block in _page_blocks(lines, number)])


def _page_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]


def _without_running_lines(pages: list[list[str]], drop_repeated: bool = True) -> list[list[str]]:
    """The pages without page numbers and (unless `drop_repeated` is false) without lines repeated
    on most pages of a long PDF."""
    repeated: set[str] = set()
    if drop_repeated and len(pages) >= 3:
        counts = Counter(line for lines in pages for line in set(lines) if line)
        repeated = {line for line, count in counts.items() if count > len(pages) / 2}
    return [[line for line in lines if line not in repeated and not _PAGE_NUMBER.match(line)]
            for lines in pages]


def _page_blocks(lines: list[str], page: int) -> list[Block]:
    width = max((len(line) for line in lines), default=0)
    blocks, current = [], []
    for line in lines:
        if line:
            current.append(line)
        if current and (not line or len(line) < SHORT_LINE * width):
            blocks.append(Block(_join_lines(current), page=page))
            current = []
    if current:
        blocks.append(Block(_join_lines(current), page=page))
    return blocks


def _join_lines(lines: list[str]) -> str:
    """Lines joined with spaces; a word hyphenated at a line end is joined back."""
    text = lines[0]
    for line in lines[1:]:
        if re.search(r"[a-z]-$", text) and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}"
    return text


def _join_across_pages(blocks: list[Block]) -> list[Block]:
    """Join a page's last block with the next page's first when the sentence runs on."""
    joined: list[Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if (previous is not None and previous.page != block.page
                and not previous.text.endswith(_SENTENCE_END) and block.text[:1].islower()):
            joined[-1] = Block(f"{previous.text} {block.text}", page=previous.page)
        else:
            joined.append(block)
    return joined

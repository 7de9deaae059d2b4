"""Word documents (.docx): paragraphs and tables in order, headings from their styles.

Paragraphs styled Title or Heading N are headings (others are judged from their text); a table row becomes one block with its cells
joined by " | ". The document's core properties give the weak metadata (title, author, created).
"""

from __future__ import annotations

import io
import zipfile

from ..dates import iso_date
from ..textfiles import UnreadableFile
from .base import Block, Extracted, Metadata, clean

_HEADING_STYLES = ("heading", "title", "subtitle")


def read(raw: bytes) -> Extracted:
    import docx  # here, not at the top: asking questions never needs it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableFile(f"not a readable Word file ({error})") from error
    blocks = [block for item in document.iter_inner_content() for block in _blocks(item)]
    if not blocks:
        raise UnreadableFile("no text in the Word file")
    properties = document.core_properties
    return Extracted(blocks, properties=Metadata(
        title=clean(properties.title), date=iso_date(properties.created),
        publisher=clean(properties.author), url=None))


def _blocks(item) -> list[Block]:
    from docx.table import Table

    if isinstance(item, Table):
        rows = (" | ".join(dict.fromkeys(cell.text.strip() for cell in row.cells)) for row in item.rows)
        return [Block(" ".join(row.split()), heading=False) for row in rows if row.strip(" |")]
    text = " ".join(item.text.split())
    if not text:
        return []
    style = (item.style.name if item.style is not None else "").lower()
    # An unstyled paragraph may still be a heading someone made bold by hand: let the text decide.
    return [Block(text, heading=True if style.startswith(_HEADING_STYLES) else None)]

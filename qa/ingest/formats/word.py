"""Word documents (.docx): paragraphs and tables in order, headings from their styles.

Paragraphs styled Title or Heading N are headings (others are judged from their text); a table row becomes one block with its cells
joined by " | ". The document's core properties give the weak metadata (title, author, created).
A .docx is a zip archive: its members' unpacked sizes are checked before anything is inflated, so a
small file that unpacks to gigabytes (a zip bomb) is refused.
"""

from __future__ import annotations

import io
import zipfile

from qa.ingest.dates import iso_date
from qa.ingest.textfiles import UnreadableFile
from qa.ingest.formats.base import MAX_METADATA_CHARS, Block, Extracted, Metadata, clean

_HEADING_STYLES = ("heading", "title", "subtitle")
# The most a Word file may unpack to, all members together. python-docx holds every member in
# memory and parses the XML into a tree several times larger, so this bounds a build's memory
# (docs/benchmarks.md); a long report with images unpacks to a few tens of MB.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024


def read(raw: bytes) -> Extracted:
    import docx  # here, not at the top: asking questions never needs it
    from docx.opc.exceptions import PackageNotFoundError

    _check_unpacked_size(raw)
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


def _check_unpacked_size(raw: bytes) -> None:
    """Raise UnreadableFile when the archive would unpack to more than MAX_UNPACKED_BYTES.

    The sizes are those the archive declares; zipfile never inflates a member past its declared
    size (a member that would is reported as damaged), so they bound what reading can use.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise UnreadableFile(f"not a readable Word file ({error})") from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            f"unpacks to {unpacked / 1024 / 1024:.0f} MB, over the limit of "
            f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB (a compressed bomb or an overlong document)")


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
    # So does an overlong one styled as a heading: headings are embedded with every paragraph.
    styled = style.startswith(_HEADING_STYLES) and len(text) <= MAX_METADATA_CHARS
    return [Block(text, heading=True if styled else None)]

"""Readers turn a file's bytes into blocks of text and the metadata the file declares.

One module per format, each with `read(raw: bytes) -> Extracted`; READERS maps file extensions to
them, so supporting a new format is one module and one line here. A reader raises UnreadableFile
(from qa.ingest.textfiles) with the reason when a file holds no text it can extract.
"""

from __future__ import annotations

from typing import Callable

from qa.ingest.formats.base import Block, Extracted, Metadata
from qa.ingest.formats import html, markdown, pdf, plain, word

READERS: dict[str, Callable[[bytes], Extracted]] = {
    ".txt": plain.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
    ".pdf": pdf.read,
    ".docx": word.read,
}
EXTENSIONS = tuple(READERS)

__all__ = ["Block", "EXTENSIONS", "Extracted", "Metadata", "READERS"]

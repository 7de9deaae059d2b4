"""Plain text files (.txt), in whatever encoding briefings come in."""

from __future__ import annotations

from qa.ingest.textfiles import decode_text
from qa.ingest.formats.base import Extracted, text_blocks


def read(raw: bytes) -> Extracted:
    return Extracted(text_blocks(decode_text(raw)))

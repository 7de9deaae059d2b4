"""Turning a file's bytes into text: UTF-8 first, then the other encodings briefings come in."""

from __future__ import annotations

import re


class UnreadableFile(Exception):
    """A corpus file that holds no readable text; the message says why."""


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Share of control characters above which decoded bytes are taken to be binary, not text.
MAX_CONTROL_SHARE = 0.05


def decode_text(raw: bytes) -> str:
    """The text in `raw`: by byte-order mark, else UTF-8, else UTF-16 without mark, else cp1252/Latin-1.

    Raises `UnreadableFile` for empty or binary content.
    """
    if not raw.strip():
        raise UnreadableFile("empty file")
    text = _decode_by_bom(raw) or _decode_utf8(raw) or _decode_utf16_without_bom(raw)
    if text is None:
        if b"\x00" in raw:
            raise UnreadableFile("binary content (not text)")
        text = _decode_legacy(raw)
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise UnreadableFile("binary content (not text)")
    return text


def _decode_by_bom(raw: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _decode_utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode_utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text without a mark shows NUL in every other byte (for Latin-script text)."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    for encoding, zeros in (("utf-16-le", raw[1::2]), ("utf-16-be", raw[0::2])):
        if zeros.count(0) > 0.4 * len(zeros):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _decode_legacy(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _control_share(text: str) -> float:
    sample = text[:100_000]
    return len(_CONTROL.findall(sample)) / max(1, len(sample))

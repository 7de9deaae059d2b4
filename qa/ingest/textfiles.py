"""Turning a file's bytes into text, and a file's path into the name it is cited by.

Text: a byte-order mark first, then UTF-16 without a mark, UTF-8, and the legacy encodings.
Names: as the operating system gives them, even when they are not valid UTF-8.
"""

from __future__ import annotations

import os
import re
from pathlib import Path


_SURROGATE = re.compile("[\ud800-\udfff]")


class UnreadableFile(Exception):
    """A corpus file that holds no readable text; the message says why."""


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Share of control characters above which decoded bytes are taken to be binary, not text.
MAX_CONTROL_SHARE = 0.05


def encodable(text: str) -> str:
    """`text` with what UTF-8 cannot encode (lone surrogates: an invalid byte in a command-line
    argument becomes one) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def decode_text(raw: bytes) -> str:
    """The text in `raw`: by byte-order mark, else UTF-16 without mark, else UTF-8, else
    cp1252/Latin-1.

    UTF-16 is tried before UTF-8 because UTF-16 text of Latin, Greek, Cyrillic, Hebrew or Arabic
    script is also valid UTF-8 (full of control characters). Raises `UnreadableFile` for empty or
    binary content.
    """
    if not raw.strip(b" \t\r\n\f\v\x00"):
        raise UnreadableFile("empty file")
    text = _decode_by_bom(raw) or _decode_utf16_without_bom(raw) or _decode_utf8(raw)
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
    """UTF-16 text without a mark: for alphabetic scripts (Latin through Arabic, U+0000-U+07FF),
    most high bytes are below 0x08, which text in any 8-bit encoding never shows; the result must
    also pass the control-character test."""
    sample = raw[:100_000]
    if len(sample) < 4 or len(raw) % 2:
        return None
    for encoding, high_bytes in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if sum(byte < 0x08 for byte in high_bytes) > 0.4 * len(high_bytes):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                return None
            return text if _control_share(text) <= MAX_CONTROL_SHARE else None
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


def source_name(path: Path, root: Path) -> str:
    """`path` relative to `root`, with `/` separators, as a valid string whatever the bytes.

    A name that is not valid UTF-8 (a Latin-1 `caf\\xe9.txt` from an old archive) keeps its
    other characters and shows each undecodable byte as `\\xNN`, so it can be stored, shown and
    cited; the file itself is still opened by its real path.
    """
    relative = path.relative_to(root) if path.is_absolute() else path
    return os.fsencode(relative.as_posix()).decode("utf-8", errors="backslashreplace")

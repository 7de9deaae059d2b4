"""Adding a briefing to the corpus folder safely: allowed types, a size cap, a safe new name."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from .documents import MAX_FILE_BYTES
from .readers import EXTENSIONS

MAX_UPLOAD_BYTES = MAX_FILE_BYTES


class UploadRejected(ValueError):
    """An upload that was not saved; the message says why."""


def safe_name(name: str) -> str:
    """A plain file name from a user-supplied one: no folders, no leading dots or dashes."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem = re.sub(r"[^\w\- ]+", "_", stem).strip(" _-.") or "briefing"
    return f"{stem[:100]}.{extension.lower()}" if extension else stem[:100]


def save_upload(corpus_dir, name: str, content: bytes) -> Path:
    """Save `content` as a new briefing in `corpus_dir` under a safe, unused name; returns the path.

    Raises UploadRejected for a type the library does not read or a file over MAX_UPLOAD_BYTES.
    An existing file is never overwritten: the new one gets a numbered name.
    """
    clean = safe_name(name)
    suffix = Path(clean).suffix
    if suffix not in EXTENSIONS:
        raise UploadRejected(f"{name!r}: only {', '.join(EXTENSIONS)} files can be added")
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRejected(f"{name!r} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    folder = Path(corpus_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(clean).stem
    for attempt in range(1000):
        candidate = folder / (clean if attempt == 0 else f"{stem}-{attempt}{suffix}")
        try:
            descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
        return candidate
    raise UploadRejected(f"no free name for {name!r} in {folder}")

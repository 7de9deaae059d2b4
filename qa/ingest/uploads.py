"""Adding a briefing to the corpus folder safely: allowed types, a size cap, a cap on the text
it holds, a safe new name."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from qa.ingest.documents import MAX_FILE_BYTES, list_corpus_files, read_indexable
from qa.ingest.formats import EXTENSIONS
from qa.ingest.textfiles import UnreadableFile

MAX_UPLOAD_BYTES = MAX_FILE_BYTES
# The text one upload may hold: its build (at most about 150 paragraphs a second on two cores, see
# docs/benchmarks.md, and less for long paragraphs) holds the page's build queue, so a briefing larger than about a minute of
# building is refused; put such a file in the corpus folder and rebuild instead.
MAX_UPLOAD_PARAGRAPHS = 2_000
MAX_UPLOAD_CHARS = 1_000_000
# What browsers write for these characters in an upload's file name (multipart form data).
_FORM_ESCAPES = re.compile(r"%(22|0A|0D)", re.IGNORECASE)
# Kept in a saved name besides letters, digits and "_": punctuation every file system takes that
# no glob reads (names are escaped wherever they are shown); any other run becomes "_".
_UNSAFE = re.compile(r"[^\w \-.,'’‘“”()&+]+")


class UploadRejected(ValueError):
    """An upload that was not saved; the message says why."""


def safe_name(name: str) -> str:
    """A plain, readable file name from a user-supplied one: no folders, no leading dots or
    dashes; letters, digits, spaces and common punctuation kept (`O'Neil "report".txt` is saved as
    `O'Neil 'report'.txt`, as it is when a browser sends the quotes as `%22`)."""
    name = _FORM_ESCAPES.sub(lambda m: chr(int(m.group(1), 16)), name).replace('"', "'")
    base = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem = _UNSAFE.sub("_", stem).strip(" _-.") or "briefing"
    return f"{stem[:100]}.{extension.lower()}" if extension else stem[:100]


def same_content(corpus_dir, content: bytes) -> str | None:
    """The path (relative to `corpus_dir`) of a briefing whose bytes equal `content`, or None.

    Only files of the same size are read, so the check costs little on a large corpus.
    """
    folder = Path(corpus_dir).resolve()
    if not folder.is_dir():
        return None
    digest = hashlib.sha256(content).digest()
    for path in list_corpus_files(folder):
        try:
            if path.stat().st_size == len(content) and hashlib.sha256(path.read_bytes()).digest() == digest:
                return path.relative_to(folder).as_posix()
        except OSError:
            continue
    return None


def save_upload(corpus_dir, name: str, content: bytes, replace: bool = False) -> Path:
    """Save `content` as a briefing in `corpus_dir` under a safe name; returns the path.

    Raises UploadRejected for a type the library does not read, a file over MAX_UPLOAD_BYTES,
    or content the index would skip (binary, empty, damaged, no paragraph with content).
    An existing file of the same name is replaced when `replace` is true; otherwise it is never
    overwritten and the new one gets a numbered name.
    """
    clean = safe_name(name)
    suffix = Path(clean).suffix
    if suffix not in EXTENSIONS:
        raise UploadRejected(f"{name!r}: only {', '.join(EXTENSIONS)} files can be added")
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRejected(f"{name!r} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    _check_readable(clean, content)
    folder = Path(corpus_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if replace and (folder / clean).is_file():
        return _replace(folder / clean, content)
    stem = Path(clean).stem
    for attempt in range(1000):
        candidate = folder / (clean if attempt == 0 else f"{stem}-{attempt}{suffix}")
        try:
            _write_new(candidate, content)
        except FileExistsError:
            continue
        return candidate
    raise UploadRejected(f"no free name for {name!r} in {folder}")


def _check_readable(name: str, content: bytes) -> None:
    """UploadRejected, saying why, when the index would skip `content` as unreadable (binary,
    empty, damaged): such a file is never saved, so it can neither sit unindexed in the corpus
    nor replace a readable briefing; or when its text is more than one upload may hold."""
    with tempfile.TemporaryDirectory(prefix="qa-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            document = read_indexable(path, name)
        except UnreadableFile as error:
            raise UploadRejected(f"{name!r} was not added: {error}") from None
    paragraphs, characters = len(document.paragraphs), sum(len(p.text) for p in document.paragraphs)
    if paragraphs > MAX_UPLOAD_PARAGRAPHS or characters > MAX_UPLOAD_CHARS:
        raise UploadRejected(
            f"{name!r} was not added: its text ({paragraphs:,} paragraphs, {characters:,} characters) "
            f"is more than one upload may hold ({MAX_UPLOAD_PARAGRAPHS:,} paragraphs, "
            f"{MAX_UPLOAD_CHARS:,} characters); put it in the corpus folder and rebuild the index instead")


def _replace(path: Path, content: bytes) -> Path:
    """Write `content` over `path` atomically: a build never sees half a file. The temporary
    file is made new beside it, never opened through whatever had its name (a link planted
    there would send the bytes to its target), and takes the place of `path`'s own entry."""
    temporary = path.with_name(f".{path.name}.uploading")
    try:
        temporary.unlink(missing_ok=True)  # a crashed upload's, or a planted link (not its target)
        _write_new(temporary, content)
    except (FileExistsError, IsADirectoryError):
        raise UploadRejected(f"{path.name!r} was not added: {temporary.name!r} is in the way "
                             "in the corpus folder; remove it and try again") from None
    os.replace(temporary, path)
    return path


def _write_new(path: Path, content: bytes) -> None:
    """Write `content` to `path`, a file made new (FileExistsError when the name is taken: a
    link there is never followed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
    except BaseException:
        path.unlink(missing_ok=True)
        raise

"""Reading briefings: files in the corpus folder become documents made of numbered paragraphs.

A paragraph is a blank-line-separated block with its line breaks joined. The first block is the title
when it looks like a heading; later heading-like blocks are section headings that give context to the
paragraphs under them rather than being paragraphs themselves. Boilerplate, punctuation-only blocks and
exact repeats are dropped; paragraph numbers count the kept paragraphs, 1-based, in reading order.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .textfiles import UnreadableFile, decode_text

EXTENSIONS = (".txt", ".md")
MAX_HEADING_WORDS = 16
SHORT_HEADING_WORDS = 6
MAX_HEADING_CHARS = 140
# A block longer than this is split at sentence ends into paragraphs of about this size, so that a
# file with no blank lines still yields passages a reader can check.
MAX_PARAGRAPH_CHARS = 3000
# Files above this size are skipped and reported: a briefing is rarely over a few hundred KB, and a
# larger file is most likely an export or a dump that would swamp the index.
MAX_FILE_BYTES = 20 * 1024 * 1024

_BOILERPLATE = re.compile(
    r"^(leave a (reply|comment)|back to top|share (this|on \w+)|print this page|"
    r"your email address will not be published.*|required fields are marked.*|"
    r"(post|submit) comment|save my name, email,? and website.*|cancel reply|"
    r"(sign up|subscribe) (for|to) (our|the) newsletter.*|click here to subscribe.*|"
    r"all rights reserved.*|(\(c\)|©|copyright) .{0,80}|advertisement|related (articles|posts)|"
    r"read more|skip to (main )?content|you may also like|follow us on .*)$",
    re.IGNORECASE,
)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Paragraph:
    """A kept paragraph: its 1-based number, its text, and the heading it sits under ('' if none)."""

    number: int
    text: str
    heading: str = ""

    @property
    def digest(self) -> str:
        return text_digest(self.text)


@dataclass(frozen=True)
class Document:
    """A briefing: its path relative to the corpus folder, its title and its kept paragraphs."""

    source: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    digest: str


def text_digest(text: str) -> str:
    """A stable content hash, used to recognise unchanged text across builds."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def list_corpus_files(corpus_dir: Path) -> list[Path]:
    """Briefing files under `corpus_dir` (recursively, sorted), never following links outside it.

    Hidden files and folders are ignored; a link is followed only when its target lies inside the
    corpus folder, and each real directory is visited once, so link loops end.
    """
    root = corpus_dir.resolve()
    found: list[Path] = []
    seen_dirs: set[Path] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        real = folder.resolve()
        if real in seen_dirs or not _is_within(real, root):
            continue
        seen_dirs.add(real)
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                stack.append(entry)
            elif entry.suffix.lower() in EXTENSIONS and _is_within(entry.resolve(), root):
                found.append(entry)
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def read_document(path: Path, source: str) -> Document:
    """Read and split one file; raises `UnreadableFile` with the reason when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableFile(
                f"too large ({size / 1024 / 1024:.0f} MB; the limit is "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB)")
        raw = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"cannot read: {error.strerror or error}") from error
    text = decode_text(raw)
    title, paragraphs = split_document(text, fallback_title=_title_from_name(path))
    return Document(source=source, title=title, paragraphs=paragraphs, digest=text_digest(text))


def split_document(text: str, fallback_title: str) -> tuple[str, tuple[Paragraph, ...]]:
    """The title and the kept, numbered paragraphs of a document's text."""
    blocks = _blocks(_FRONT_MATTER.sub("", text, count=1))
    title = fallback_title
    if blocks and _looks_like_heading(blocks[0]):
        title = _strip_heading_marks(blocks.pop(0))
    kept: list[Paragraph] = []
    seen = {title.casefold()}
    heading = ""
    heading_like = [_looks_like_heading(block) for block in blocks]
    for position, block in enumerate(blocks):
        if _is_section_heading(blocks, heading_like, position):
            heading = _strip_heading_marks(block)
            seen.add(heading.casefold())
            continue
        for piece in _split_long(block):
            key = piece.casefold()
            if key in seen or not _is_content(piece):
                continue
            seen.add(key)
            kept.append(Paragraph(number=len(kept) + 1, text=piece, heading=heading))
    return title, tuple(kept)


def _blocks(text: str) -> list[str]:
    """Blank-line-separated blocks with inner line breaks and runs of spaces joined."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = re.split(r"\n[ \t\f\v]*\n", text)
    joined = (" ".join(block.split()) for block in blocks)
    return [block for block in joined if block]


def _is_section_heading(blocks: list[str], heading_like: list[bool], position: int) -> bool:
    """A heading-like block with content under it: the next different block is not heading-like.

    A run of short lines with no content under them (a list, a quiz) stays as paragraphs.
    """
    if not heading_like[position]:
        return False
    following = (i for i in range(position + 1, len(blocks)) if blocks[i] != blocks[position])
    next_position = next(following, None)
    return next_position is not None and not heading_like[next_position]


def _looks_like_heading(block: str) -> bool:
    """A Markdown heading, or a short line with no final punctuation that is either very short or
    mostly capitalised (a sentence that lost its full stop is mostly lower case)."""
    if _MD_HEADING.match(block):
        return True
    words = block.split()
    lettered = [word for word in words if word[0].isalpha()]
    capitalised = sum(word[0].isupper() for word in lettered)
    return (
        len(words) <= MAX_HEADING_WORDS
        and (len(words) <= SHORT_HEADING_WORDS or capitalised >= 0.5 * len(lettered))
        and len(block) <= MAX_HEADING_CHARS
        and not block.rstrip("\"'”’)]*").endswith((".", "!", "?", ":", ";", ","))
        and any(char.isalpha() for char in block)
        and not _BOILERPLATE.match(block)
    )


def _strip_heading_marks(block: str) -> str:
    return _MD_HEADING.sub("", block).strip().strip("#").strip() or block


def _is_content(block: str) -> bool:
    return any(char.isalnum() for char in block) and not _BOILERPLATE.match(block)


def _split_long(block: str) -> list[str]:
    """The block itself, or for an overlong block, pieces of about MAX_PARAGRAPH_CHARS at sentence ends."""
    if len(block) <= MAX_PARAGRAPH_CHARS:
        return [block]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(block):
        for chunk in _hard_wrap(sentence):
            if current and len(current) + 1 + len(chunk) > MAX_PARAGRAPH_CHARS:
                pieces.append(current)
                current = chunk
            else:
                current = f"{current} {chunk}" if current else chunk
    if current:
        pieces.append(current)
    return pieces


def _hard_wrap(sentence: str) -> list[str]:
    """A sentence with no sentence end for MAX_PARAGRAPH_CHARS, cut at spaces (or anywhere, if none)."""
    chunks = []
    while len(sentence) > MAX_PARAGRAPH_CHARS:
        cut = sentence.rfind(" ", 0, MAX_PARAGRAPH_CHARS)
        cut = cut if cut > 0 else MAX_PARAGRAPH_CHARS
        chunks.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return chunks + ([sentence] if sentence else [])


def _title_from_name(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip() or path.name

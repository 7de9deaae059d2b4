"""Reading briefings: files in the corpus folder become documents made of numbered paragraphs.

A reader (qa.ingest.formats, one per format) turns a file into blocks of text and metadata. The first
block is the title when it looks like a heading or is a short line followed by more text (a news
headline, whatever its case or final punctuation); later heading-like blocks are section headings that
give context to the paragraphs under them rather than being paragraphs themselves. Boilerplate,
punctuation-only blocks and exact repeats are dropped; paragraph numbers count the kept paragraphs,
1-based, in reading order.

Metadata: a title, date, publisher and URL the document declares (front matter, HTML meta tags)
win; then the title from the text and a date in the file name (`2025-03-12-...`); then the file's
properties (PDF and Word). Every metadata value, the title and headings included, is at most
MAX_METADATA_CHARS long, since the title and heading are embedded with each paragraph.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.dates import date_in_name
from qa.ingest.formats import EXTENSIONS, READERS, Block
from qa.ingest.formats.base import MAX_METADATA_CHARS
from qa.ingest.formats.markdown import parse as parse_markdown
from qa.ingest.textfiles import UnreadableFile, source_name

MAX_HEADING_WORDS = 16
SHORT_HEADING_WORDS = 6
MAX_HEADING_CHARS = 140
# A first line this short, followed by a blank line and more text, is the title (a headline).
TITLE_MAX_WORDS = 20
TITLE_MAX_CHARS = 200
# A block longer than this is split at sentence ends into paragraphs of about this size, so that a
# file with no blank lines still yields passages a reader can check.
MAX_PARAGRAPH_CHARS = 3000
# Files above this size are skipped and reported: a briefing is rarely over a few MB, and a
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
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Paragraph:
    """A kept paragraph: its 1-based number, its text, the heading it sits under ('' if none),
    for paged formats the page it starts on, and the hash of its text (computed when not given)."""

    number: int
    text: str
    heading: str = ""
    page: int | None = None
    digest: str = ""

    def __post_init__(self):
        if not self.digest:
            object.__setattr__(self, "digest", text_digest(self.text))


@dataclass(frozen=True)
class Document:
    """A briefing: its path relative to the corpus folder, its title, its kept paragraphs, a hash
    of its content, and its date (ISO), publisher and URL where known."""

    source: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    digest: str
    date: str | None = None
    publisher: str | None = None
    url: str | None = None
    # The file's size and modification time when it was read: a later build that finds both
    # unchanged reuses this reading instead of reading the file again.
    size: int = 0
    modified_ns: int = 0


def text_digest(text: str) -> str:
    """A stable content hash, used to recognise unchanged text across builds."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def list_corpus_files(corpus_dir: Path) -> list[Path]:
    """Briefing files under `corpus_dir` (recursively, sorted by source name); see corpus_sources."""
    return [Path(path) for _, path in corpus_sources(corpus_dir)]


def corpus_sources(corpus_dir: Path) -> list[tuple[str, str]]:
    """(source name, path as a string) of every briefing file under `corpus_dir`, sorted by source
    name, never following links outside it.

    Every visible file is listed, whatever its type, so that the build can report the ones it does
    not read. Hidden files and folders and Office lock files (`~$...`) are ignored; a link is
    followed only when its target lies inside the corpus folder, and each real directory is visited
    once, so link loops end. Only folders and links are resolved, not every file: listing costs
    about one directory read per folder. Source names are as `qa.ingest.textfiles.source_name` makes them.
    """
    root = corpus_dir.resolve()
    found: list[tuple[str, str]] = []
    seen_dirs: set[Path] = set()
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        real = folder.resolve()
        if real in seen_dirs or not _is_within(real, root):
            continue
        seen_dirs.add(real)
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError:
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith((".", "~$")):
                continue
            try:
                if entry.is_dir():
                    folders.append(entry)
                elif entry.is_file() and (not entry.is_symlink() or _is_within(Path(entry.path).resolve(), root)):
                    relative = prefix + entry.name
                    found.append((relative if relative.isascii() else source_name(Path(relative), Path()),
                                  entry.path))
            except OSError:
                continue
        # Folders are stacked in name order so that the order of visits (which of two links to one
        # folder names its files) does not depend on the file system; files are sorted at the end.
        stack += [(Path(entry.path), f"{prefix}{entry.name}/")
                  for entry in sorted(folders, key=lambda entry: entry.name)]
    return sorted(found, key=lambda item: item[0])


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def read_indexable(path: Path, source: str) -> Document:
    """`read_document`, and UnreadableFile as well when the file holds no paragraph with content
    (what the index skips)."""
    document = read_document(path, source)
    if not document.paragraphs:
        raise UnreadableFile("no paragraphs with content")
    return document


def read_document(path: Path, source: str) -> Document:
    """Read and split one file; raises `UnreadableFile` with the reason when it cannot be read."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(
            f"unsupported file type {path.suffix or '(no extension)'}; readable: {', '.join(EXTENSIONS)}")
    try:
        status = path.stat()
        if status.st_size > MAX_FILE_BYTES:
            raise UnreadableFile(
                f"too large ({status.st_size / 1024 / 1024:.0f} MB; the limit is "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB)")
        raw = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"cannot read: {error.strerror or error}") from error
    try:
        extracted = reader(raw)
    except UnreadableFile:
        raise
    except Exception as error:  # parsers of untrusted files fail in many ways; one file must not stop a build
        raise UnreadableFile(f"cannot be parsed ({type(error).__name__}: {error})") from error
    declared, properties = extracted.declared, extracted.properties
    title, paragraphs = split_blocks(extracted.blocks, declared_title=declared.title)
    return Document(
        source=source,
        title=(title or properties.title or _title_from_name(path))[:MAX_METADATA_CHARS],
        paragraphs=paragraphs, digest=hashlib.sha1(raw).hexdigest(),
        date=declared.date or date_in_name(path.name) or properties.date,
        publisher=declared.publisher or properties.publisher,
        url=declared.url or properties.url, size=status.st_size, modified_ns=status.st_mtime_ns)


def split_document(text: str, fallback_title: str) -> tuple[str, tuple[Paragraph, ...]]:
    """The title and the kept, numbered paragraphs of a Markdown or plain text."""
    extracted = parse_markdown(text)
    title, paragraphs = split_blocks(extracted.blocks, declared_title=extracted.declared.title)
    return title or fallback_title, paragraphs


def split_blocks(blocks: list[Block], declared_title: str | None = None
                 ) -> tuple[str | None, tuple[Paragraph, ...]]:
    """The title and the kept, numbered paragraphs of a document's blocks.

    The title is `declared_title` when given, else the first block if it is a heading, else None.
    A first heading that repeats the declared title is dropped.
    """
    blocks = list(blocks)
    heading_like = [_is_heading_block(block) for block in blocks]
    title = declared_title
    if blocks and title is None and _is_headline(blocks):
        heading_like[0] = True
    if blocks and heading_like[0]:
        first = _strip_heading_marks(blocks[0].text)
        if title is None or first.casefold() == title.casefold():
            title = first
            blocks.pop(0)
            heading_like.pop(0)
    kept: list[Paragraph] = []
    seen = {title.casefold()} if title else set()
    heading = ""
    texts = [block.text for block in blocks]
    for position, block in enumerate(blocks):
        if _is_section_heading(blocks, texts, heading_like, position):
            heading = _strip_heading_marks(block.text)
            seen.add(heading.casefold())
            continue
        for piece in _split_long(block.text):
            key = piece.casefold()
            if key in seen or not _is_content(piece):
                continue
            seen.add(key)
            kept.append(Paragraph(number=len(kept) + 1, text=piece, heading=heading, page=block.page))
    return title, tuple(kept)


def _is_headline(blocks: list[Block]) -> bool:
    """A short first block followed by a longer one, or by at least two more blocks (an article
    whose lead is short): a news headline, whatever its case or final punctuation ("Elon Musk
    gives ultimatum to staff: Do 'extremely hardcore' work or leave?")."""
    first = blocks[0]
    words = first.text.split()
    followed = len(blocks) > 2 or (len(blocks) == 2 and len(blocks[1].text.split()) > len(words))
    return (first.heading is None and followed and len(words) <= TITLE_MAX_WORDS
            and len(first.text) <= TITLE_MAX_CHARS and not first.text.rstrip().endswith(":")
            and _is_content(first.text))


def _is_heading_block(block: Block) -> bool:
    return block.heading if block.heading is not None else _looks_like_heading(block.text)


def _is_section_heading(blocks: list[Block], texts: list[str], heading_like: list[bool],
                        position: int) -> bool:
    """A block marked as a heading, or a heading-like one with content under it: the next
    different block is not heading-like. A run of short lines with no content under them (a list,
    a quiz) stays as paragraphs.
    """
    if blocks[position].heading is not None:
        return blocks[position].heading
    if not heading_like[position]:
        return False
    following = (i for i in range(position + 1, len(texts)) if texts[i] != texts[position])
    next_position = next(following, None)
    return next_position is not None and not heading_like[next_position]


def _looks_like_heading(block: str) -> bool:
    """A Markdown heading, or a short line with no final punctuation that is either very short or
    mostly capitalised (a sentence that lost its full stop is mostly lower case)."""
    if _MD_HEADING.match(block):
        return len(block) <= MAX_METADATA_CHARS
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
    stem = source_name(Path(path.stem), Path())
    return re.sub(r"[-_]+", " ", stem).strip() or source_name(Path(path.name), Path())

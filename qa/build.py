"""Building the index from the corpus folder, incrementally: only new text is embedded."""

from __future__ import annotations

import fcntl
import logging
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .dense import ANN_THRESHOLD, all_vectors
from .documents import Document, Paragraph, list_corpus_files, read_document
from .duplicates import near_duplicate_groups, signatures
from .encoder import Encoder, get_encoder
from .errors import (IndexBusy, IndexDamaged, IndexMismatch, IndexNotFound,
                     explaining_write_errors)
from .lexical import tokenize
from .store import FORMAT_VERSION, IndexStore, StoredPassage, join_context, remove_stale_versions
from .textfiles import UnreadableFile, source_name
from .types import BuildReport, SkippedFile

log = logging.getLogger("qa")
# A file modified this close to (or after) the start of the previous build's reading is read again
# even when its size and time match: a write in the same clock tick as that reading (file systems
# with coarse timestamps) could otherwise hide a change.
CLOCK_SLACK_NS = 2_000_000_000


@explaining_write_errors
def build_index(corpus_dir="corpus", index_dir="index", *, full: bool = False,
                model: str | None = None, device: str | None = None,
                progress: bool = True) -> BuildReport:
    """Bring the index in `index_dir` up to date with the briefings in `corpus_dir`.

    Paragraphs whose indexed text was embedded before are reused; only new text is embedded.
    `full=True` ignores the previous index. Unreadable files are skipped and listed in the
    report. The previous index stays live until the new one is complete. Raises IndexBusy when
    another build holds the index, FileNotFoundError when the corpus folder is missing.
    """
    started = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus_dir}/ does not exist")
    encoder = get_encoder(model, device)
    with _build_lock(index_dir):
        previous = None if full else _previous_store(index_dir, encoder.name)
        read_started_ns = time.time_ns()
        documents, skipped = read_corpus(corpus_dir, previous)
        report = _compare(previous, documents)
        embedded = 0
        if previous is None or _documents_entry(documents) != previous.manifest["documents"]:
            passages = _passages_of(documents)
            vectors, owners, embedded = _vectors_for(passages, previous, encoder, progress)
            manifest = _manifest(encoder, documents, passages, len(owners), read_started_ns)
            tokens = _tokens_for(passages, previous, index_dir)
            store = IndexStore.create(manifest, passages, vectors, owners, tokens)
            store.signatures = _signatures_for(passages, previous)
            store.groups = near_duplicate_groups([passage.text for passage in passages], store.signatures)
            store.save(index_dir)
        else:
            remove_stale_versions(index_dir, keep=previous.version)
    report.embedded, report.documents, report.skipped = embedded, len(documents), skipped
    report.seconds = time.perf_counter() - started
    return report


def read_corpus(corpus_dir: Path, previous: IndexStore | None = None
                ) -> tuple[list[Document], list[SkippedFile]]:
    """Every readable briefing under `corpus_dir`, and the files skipped with the reason.

    A file whose size and modification time are those recorded in `previous`, and that was last
    modified at least CLOCK_SLACK_NS before that build started reading, is taken from `previous`
    instead of being read again.
    """
    documents, skipped = [], []
    root = corpus_dir.resolve()
    recall = _Recall(previous)
    for path in list_corpus_files(corpus_dir):
        source = source_name(path, root)
        try:
            document = recall.document(path, source) or read_document(path, source)
        except UnreadableFile as error:
            skipped.append(SkippedFile(source, str(error)))
            log.warning("skipped %s: %s", source, error)
            continue
        if not document.paragraphs:
            skipped.append(SkippedFile(source, "no paragraphs with content"))
            log.warning("skipped %s: no paragraphs with content", source)
            continue
        documents.append(document)
    return documents, skipped


class _Recall:
    """Documents of a previous build, for files that have not changed since it."""

    def __init__(self, previous: IndexStore | None):
        self._entries = previous.manifest["documents"] if previous else {}
        self._passages: dict[str, list[StoredPassage]] = {}
        for passage in previous.passages if previous else []:
            self._passages.setdefault(passage.source, []).append(passage)
        read_started = previous.manifest.get("read_started_ns", 0) if previous else 0
        self._trusted_before = read_started - CLOCK_SLACK_NS

    def document(self, path: Path, source: str) -> Document | None:
        """The previous reading of `path`, or None when it may have changed (or is not known)."""
        entry = self._entries.get(source)
        if entry is None:
            return None
        try:
            status = path.stat()
        except OSError:
            return None
        stored = self._passages.get(source, [])
        if (status.st_size != entry.get("size") or status.st_mtime_ns != entry.get("modified_ns")
                or status.st_mtime_ns >= self._trusted_before
                or [passage.digest for passage in stored] != entry["paragraphs"]):
            return None
        paragraphs = tuple(Paragraph(p.paragraph, p.text, p.heading, p.page, p.digest) for p in stored)
        return Document(
            source=source, title=entry["title"], digest=entry["digest"], paragraphs=paragraphs,
            date=entry.get("date"), publisher=entry.get("publisher"), url=entry.get("url"),
            size=status.st_size, modified_ns=status.st_mtime_ns)


@contextmanager
def _build_lock(index_dir: Path):
    """Exclusive right to write `index_dir`; the kernel frees it if the process dies."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(index_dir) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _previous_store(index_dir: Path, model: str) -> IndexStore | None:
    """The live index to reuse vectors from, or None (none yet, another model, or damaged)."""
    try:
        return IndexStore.load(index_dir, model=model, lexical=False)
    except IndexNotFound:
        return None
    except (IndexMismatch, IndexDamaged) as error:
        log.warning("rebuilding from scratch: %s", error)
        return None


def _passages_of(documents: list[Document]) -> list[StoredPassage]:
    """Every paragraph of every document, in order. The same paragraph in two briefings is stored
    twice: each is cited, dated and filtered as its own, and search collapses the copies."""
    return [
        StoredPassage(source=document.source, title=document.title, paragraph=paragraph.number,
                      text=paragraph.text, heading=paragraph.heading, digest=paragraph.digest,
                      page=paragraph.page)
        for document in documents for paragraph in document.paragraphs
    ]


def _vectors_for(passages: list[StoredPassage], previous: IndexStore | None, encoder: Encoder,
                 progress: bool) -> tuple[np.ndarray, np.ndarray, int]:
    """(vectors, owners, how many texts were embedded): vectors reused by indexed text, and each
    new indexed text embedded once."""

    def embed(contexts: list[tuple]) -> list[np.ndarray]:
        vectors, owners = encoder.encode_passages([join_context(c) for c in contexts], progress=progress)
        return np.split(vectors, np.cumsum(np.bincount(owners, minlength=len(contexts)))[:-1])

    chunks, embedded = _reuse_or_compute(
        [passage.context for passage in passages], _reusable_vectors(previous), embed)
    owners = np.repeat(np.arange(len(chunks), dtype=np.int64), [len(chunk) for chunk in chunks])
    vectors = np.concatenate(chunks) if chunks else np.zeros((0, encoder.dimension), np.float32)
    return vectors, owners, embedded


def _signatures_for(passages: list[StoredPassage], previous: IndexStore | None) -> np.ndarray:
    """The near-duplicate signature of each passage's text, reusing the previous build's."""
    known = {}
    if previous is not None and previous.signatures is not None:
        known = {passage.text: row for passage, row in zip(previous.passages, previous.signatures)}
    rows, _ = _reuse_or_compute([passage.text for passage in passages], known, signatures)
    return np.array(rows, dtype=np.uint32).reshape(len(passages), -1)


def _tokens_for(passages: list[StoredPassage], previous: IndexStore | None,
                index_dir: Path) -> list[list[str]]:
    """The BM25 tokens of each passage, reusing the previous build's for unchanged indexed text."""
    saved = previous.saved_tokens(index_dir) if previous else None
    known = {passage.context: tokens for passage, tokens in zip(previous.passages, saved)} if saved else {}
    tokens, _ = _reuse_or_compute([passage.context for passage in passages], known,
                                  lambda contexts: tokenize([join_context(c) for c in contexts]))
    return tokens


def _reuse_or_compute(keys: list, known: dict, compute) -> tuple[list, int]:
    """(the value of each key, how many were computed): a value from `known`, else from
    `compute(missing keys)`, called once with each missing key once."""
    missing = [key for key in dict.fromkeys(keys) if key not in known]
    known.update(zip(missing, compute(missing)))
    return [known[key] for key in keys], len(missing)


def _reusable_vectors(previous: IndexStore | None) -> dict[tuple, np.ndarray]:
    """Indexed text (as its parts) -> its vectors (one or more windows) in the previous index."""
    if previous is None:
        return {}
    order = np.argsort(previous.owners, kind="stable")
    windows = np.bincount(previous.owners, minlength=len(previous.passages))
    per_passage = np.split(all_vectors(previous.vectors)[order], np.cumsum(windows)[:-1])
    return {passage.context: rows
            for passage, rows in zip(previous.passages, per_passage) if len(rows)}


def _manifest(encoder: Encoder, documents: list[Document], passages: list[StoredPassage],
              vector_count: int, read_started_ns: int) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "model": encoder.name,
        "dimension": encoder.dimension,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "read_started_ns": read_started_ns,
        "passages": len(passages),
        "vectors": vector_count,
        "approximate": vector_count > ANN_THRESHOLD,
        "documents": _documents_entry(documents),
    }


def _documents_entry(documents: list[Document]) -> dict:
    """The manifest's record of each document: content hash, metadata and paragraph hashes."""
    return {
        document.source: {
            "digest": document.digest,
            "title": document.title,
            "date": document.date,
            "publisher": document.publisher,
            "url": document.url,
            "size": document.size,
            "modified_ns": document.modified_ns,
            "paragraphs": [paragraph.digest for paragraph in document.paragraphs],
        }
        for document in documents
    }


def _compare(previous: IndexStore | None, documents: list[Document]) -> BuildReport:
    """Paragraph counts against the previous build: an edited paragraph counts as updated."""
    before = previous.manifest["documents"] if previous else {}
    report = BuildReport()
    for document in documents:
        old = Counter(before.get(document.source, {}).get("paragraphs", []))
        new = Counter(paragraph.digest for paragraph in document.paragraphs)
        gone, came = sum((old - new).values()), sum((new - old).values())
        report.unchanged += sum((old & new).values())
        report.updated += min(gone, came)
        report.added += came - min(gone, came)
        report.removed += gone - min(gone, came)
    current = {document.source for document in documents}
    for source, entry in before.items():
        if source not in current:
            report.removed += len(entry["paragraphs"])
    return report

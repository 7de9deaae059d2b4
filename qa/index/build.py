"""Building the index from the corpus folder, incrementally: only changed files are read, only new
text is embedded, and only what is new is written (a store write session, qa.index.stores).

The corpus is streamed: files are read (in worker processes when there are many) in batches of
about BATCH_PASSAGES paragraphs; each batch is embedded and handed to the store, which writes it as
a segment, so memory stays bounded however large the corpus.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from pathlib import Path

from tqdm.auto import tqdm

from qa.ingest.changes import CLOCK_SLACK_NS, corpus_changes, named_changes, named_sources
from qa.index.cancellation import Cancellation
from qa.index.derive import Derivation
from qa.ingest.documents import Document, list_corpus_files, read_indexable
from qa.index.encoder import get_encoder
from qa.errors import explaining_write_errors
from qa.index.stores import DocumentRecord, SkippedRecord, StoreReader, open_store
from qa.ingest.textfiles import UnreadableFile
from qa.threads import usable_cores
from qa.types import BuildReport, SkippedFile
from qa.index.workers import ordered_results

log = logging.getLogger("qa")
# Paragraphs embedded and handed to the store at a time: large enough to keep the model's batches
# full, small enough to bound memory.
BATCH_PASSAGES = 4096
# Files read ahead by worker processes; fewer files than this are read in this process.
PARALLEL_READ_FILES = 64


@explaining_write_errors
def build_index(corpus_dir="corpus", index_dir="index", *, full: bool = False,
                model: str | None = None, device: str | None = None,
                progress: bool = True, only=None, cancellation: Cancellation | None = None) -> BuildReport:
    """Bring the index in `index_dir` up to date with the briefings in `corpus_dir`.

    Files whose size and modification time are unchanged since they were read (or skipped) are
    not read again; paragraphs whose indexed text was embedded before are reused; only new text
    is embedded. `full=True` ignores the previous index. Unreadable files are skipped, listed in
    the report of the build that first met them, and remembered until they change. The previous
    index stays live until the new one is published.

    `only` (paths of files in the corpus folder, absolute or relative to the working directory,
    as `corpus/new.txt`) updates just those files, without listing the corpus: each is added,
    read again if it changed, or removed from the index when it no longer exists; the rest of the
    index is kept as it is. Adding one briefing to a large archive then costs what that briefing
    costs. Where there is no index to update (none yet, or one of another model), the whole
    corpus is read, as without `only`. Raises ValueError for a path outside the corpus folder or
    unknown to both, IndexBusy when another build holds the index, FileNotFoundError when the
    corpus folder is missing.

    A `cancellation` (qa.index.cancellation) stops the build from another thread: files are then
    read in worker processes, ended at once on cancel, and the build raises BuildCancelled
    between files or chunks of paragraphs, having published nothing.
    """
    started = time.perf_counter()
    if full and only is not None:
        raise ValueError("a full rebuild reads the whole corpus: give full or only, not both")
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus_dir}/ does not exist")
    encoder, store = get_encoder(model, device), open_store(index_dir)
    dimension = _dimension(store, encoder, full)
    with store.writer(encoder.name, dimension, fresh=full) as writer:
        previous = writer.reader()
        named = named_sources(corpus_dir, only) if only is not None else None
        if previous is None:  # `only` checked above; nothing to update: the whole corpus is read
            named = None
        # Given files by name, only their records are read: the cost does not grow with the index.
        records = previous.documents(named) if previous else {}
        known_skipped = previous.skipped() if previous else []
        changes = (corpus_changes(corpus_dir, records, known_skipped, careful=True) if named is None
                   else named_changes(corpus_dir, only, records, known_skipped, careful=True))
        other_documents, other_paragraphs = _others(previous, records) if named is not None else (0, 0)
        report = BuildReport(unchanged=other_paragraphs + sum(len(records[s].paragraphs)
                                                              for s in changes.unchanged))
        changed = bool(changes.removed)
        for source in changes.removed:
            report.removed += len(records[source].paragraphs)
            writer.delete_document(source)
        derivation = Derivation(encoder, previous, progress, dimension=dimension,
                                index_dir=index_dir, cancellation=cancellation)
        read_ns = time.time_ns()
        skipped, read_documents = list(changes.skipped), 0
        reading = tqdm(_read(changes.to_read, read_ns, cancellation), total=len(changes.to_read),
                       desc="reading briefings", unit="file", disable=not progress or not changes.to_read)
        try:
            for batch in _batches(reading):
                for item in [entry for entry in batch if isinstance(entry, SkippedRecord)]:
                    changed = True
                    skipped.append(item)
                    report.skipped.append(SkippedFile(item.source, item.reason))
                    log.warning("skipped %s: %s", item.source, item.reason)
                    writer.delete_document(item.source)
                    report.removed += len(records[item.source].paragraphs) if item.source in records else 0
                documents = [entry for entry in batch if isinstance(entry, Document)]
                read_documents += len(documents)
                for document in documents:
                    _count(report, records.get(document.source), document)
                same = [d for d in documents if _same_content(records.get(d.source), d)]
                for document in same:
                    if _refresh(records[document.source], _record(document, read_ns)):
                        writer.update_record(_record(document, read_ns))
                        changed = True
                documents = [d for d in documents if d not in same]
                for document, new in zip(documents, derivation.new_passages(documents)):
                    writer.add_document(_record(document, read_ns), new)
                    changed = True
        finally:
            reading.close()
        if cancellation is not None:
            cancellation.check()
        writer.set_skipped(sorted(skipped, key=lambda record: record.source))
        if changed or previous is None or [r.source for r in skipped] != [r.source for r in previous.skipped()]:
            writer.publish()
    report.embedded = derivation.embedded
    report.documents = other_documents + len(changes.unchanged) + read_documents
    report.seconds = time.perf_counter() - started
    return report


def _others(previous: StoreReader, records: dict[str, DocumentRecord]) -> tuple[int, int]:
    """(documents, paragraphs) of the index `previous` beyond those of `records`."""
    info = previous.info()
    return info.documents - len(records), info.passages - sum(len(r.paragraphs) for r in records.values())


def _dimension(store, encoder, full: bool) -> int:
    """The vector dimension of the build: the live index's when the same model built it, so that
    a build with nothing new to embed never loads the model; else the model's own."""
    live = None if full else store.live_model()
    return live[1] if live is not None and live[0] == encoder.name else encoder.dimension


def read_corpus(corpus_dir: Path) -> tuple[list[Document], list[SkippedFile]]:
    """Every readable briefing under `corpus_dir`, and the files skipped with the reason."""
    changes = corpus_changes(Path(corpus_dir), {}, [])
    documents, skipped = [], []
    for item in _read(changes.to_read, time.time_ns()):
        if isinstance(item, Document):
            documents.append(item)
        else:
            skipped.append(SkippedFile(item.source, item.reason))
    return documents, skipped


def _read(to_read: list[tuple[Path, str]], read_ns: int, cancellation: Cancellation | None = None):
    """Each file as a Document, or as a SkippedRecord saying why not; in order, read ahead by
    worker processes when there are many or the build can be cancelled (qa.index.workers: they
    hold nothing of the build's and end with it, or when cancelled)."""
    tasks = [(path, source, read_ns) for path, source in to_read]
    if not tasks:
        return
    if cancellation is not None:
        for item in ordered_results(_read_one, tasks, max(1, min(4, usable_cores(), len(tasks))), cancellation):
            cancellation.check()
            yield item
        return
    if len(to_read) < PARALLEL_READ_FILES or usable_cores() < 2:
        yield from (_read_one(*task) for task in tasks)
        return
    yield from ordered_results(_read_one, tasks, min(4, usable_cores()))


def _read_one(path: Path, source: str, read_ns: int) -> Document | SkippedRecord:
    try:
        status = path.stat()
    except OSError:
        status = None
    try:
        document, reason = read_indexable(path, source), None
    except UnreadableFile as error:
        document, reason = None, str(error)
    if reason is None:
        return document
    return SkippedRecord(source, reason, status.st_size if status else 0,
                         status.st_mtime_ns if status else 0, read_ns)


def _batches(items):
    """Lists of read items holding about BATCH_PASSAGES paragraphs each."""
    batch, size = [], 0
    for item in items:
        batch.append(item)
        size += len(item.paragraphs) if isinstance(item, Document) else 0
        if size >= BATCH_PASSAGES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _record(document: Document, read_ns: int) -> DocumentRecord:
    return DocumentRecord(
        source=document.source, title=document.title, digest=document.digest,
        paragraphs=tuple(paragraph.digest for paragraph in document.paragraphs),
        date=document.date, publisher=document.publisher, url=document.url,
        size=document.size, modified_ns=document.modified_ns, read_ns=read_ns)


def _count(report: BuildReport, before: DocumentRecord | None, document: Document) -> None:
    """Paragraph counts against the previous build: an edited paragraph counts as updated."""
    old = Counter(before.paragraphs if before else ())
    new = Counter(paragraph.digest for paragraph in document.paragraphs)
    gone, came = sum((old - new).values()), sum((new - old).values())
    report.unchanged += sum((old & new).values())
    report.updated += min(gone, came)
    report.added += came - min(gone, came)
    report.removed += gone - min(gone, came)


def _same_content(before: DocumentRecord | None, document: Document) -> bool:
    """Whether a file read again holds what its record says (it was only touched, or too recent
    to trust its time)."""
    return before is not None and before.digest == document.digest and \
        before.paragraphs == tuple(paragraph.digest for paragraph in document.paragraphs)


def _refresh(before: DocumentRecord, now: DocumentRecord) -> bool:
    """Whether a record must be replaced: the file's size or time changed, or its time becomes
    trusted with this reading (so the next build need not read it)."""
    if (before.size, before.modified_ns) != (now.size, now.modified_ns):
        return True
    return not _trusted(before) and _trusted(now)


def _trusted(record: DocumentRecord) -> bool:
    return record.modified_ns < record.read_ns - CLOCK_SLACK_NS


__all__ = ["build_index", "read_corpus", "list_corpus_files"]

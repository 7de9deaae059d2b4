"""What changed in the corpus folder since the index was built, from file sizes and times alone.

Nothing here reads a file's contents: a file is taken as unchanged while its size and modification
time are those recorded when it was read (or skipped). That is what the status panel shows, and what
the build uses to decide which files to read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from qa.ingest.documents import corpus_sources
from qa.index.stores.base import DocumentRecord, SkippedRecord
from qa.ingest.textfiles import source_name

# A file modified this close to (or after) the start of the reading that recorded it is read again
# by a build even when its size and time match: a write in the same clock tick as that reading (file
# systems with coarse timestamps) could otherwise hide a change.
CLOCK_SLACK_NS = 2_000_000_000


@dataclass
class CorpusChanges:
    """The corpus folder against the index's records. `new`, `changed`, `removed` and `skipped`
    are sources; `to_read` the files a build must read ((path, source), new and changed ones)."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    to_read: list[tuple[Path, str]] = field(default_factory=list)


def corpus_changes(corpus_dir: Path, documents: dict[str, DocumentRecord],
                   skipped: list[SkippedRecord], *, careful: bool = False) -> CorpusChanges:
    """Compare the files under `corpus_dir` with the records of indexed and skipped files.

    A file whose size and time match its record is unchanged; with `careful` (the build), only when
    it was also modified CLOCK_SLACK_NS before the reading that recorded it. A skipped file that
    changed counts as new.
    """
    changes = CorpusChanges()
    skipped_by_source = {record.source: record for record in skipped}
    listed = set()
    for source, path in corpus_sources(corpus_dir):
        listed.add(source)
        _classify(changes, source, path, documents, skipped_by_source, careful)
    changes.removed = sorted(set(documents) - listed)
    return changes


def named_changes(corpus_dir: Path, paths, documents: dict[str, DocumentRecord],
                  skipped: list[SkippedRecord], *, careful: bool = False) -> CorpusChanges:
    """Like corpus_changes, but only the files `paths` are looked at, without listing the corpus:
    each is new, changed or unchanged as there, or removed when it no longer exists; every other
    file of `documents` or `skipped` is taken as unchanged. The cost grows with `paths`, not the
    corpus, when `documents` holds only the records of `paths` (the build's case).

    Raises ValueError for a path outside `corpus_dir`, one a listing would not show (hidden, a
    lock file), or one that is neither a file nor known to the index.
    """
    changes = CorpusChanges()
    skipped_by_source = {record.source: record for record in skipped}
    named = named_sources(corpus_dir, paths)
    for source, path in sorted(named.items()):
        if os.path.isfile(path):
            _classify(changes, source, path, documents, skipped_by_source, careful)
        elif source in documents:
            changes.removed.append(source)
        elif source not in skipped_by_source:
            raise ValueError(f"{path} is not a file, nor a briefing in the index")
    changes.unchanged += [source for source in documents if source not in named]
    changes.skipped += [record for record in skipped if record.source not in named]
    return changes


def named_sources(corpus_dir: Path, paths) -> dict[str, str]:
    """The source name of each of `paths` (files in `corpus_dir`), to the path as given.

    Raises ValueError for a path a listing of the corpus would not show (corpus_source).
    """
    return {corpus_source(corpus_dir, Path(path)): str(path) for path in paths}


def corpus_source(corpus_dir: Path, path: Path) -> str:
    """The source name the corpus listing gives the file at `path` (which need not exist).

    Raises ValueError when the listing would not show it: outside `corpus_dir`, or hidden.
    """
    for folder, parent in ((Path(os.path.abspath(corpus_dir)), Path(os.path.abspath(path.parent))),
                           (corpus_dir.resolve(), path.parent.resolve())):
        try:
            relative = (parent / path.name).relative_to(folder)
            break
        except ValueError:
            continue
    else:
        raise ValueError(f"{path} is not in the corpus folder {corpus_dir}/")
    if not relative.parts or any(part.startswith((".", "~$")) for part in relative.parts):
        raise ValueError(f"{path} is not a briefing file of the corpus folder (hidden or a lock file)")
    if path.is_symlink() and corpus_dir.resolve() not in path.resolve().parents:
        raise ValueError(f"{path} links outside the corpus folder {corpus_dir}/")
    name = relative.as_posix()
    return name if name.isascii() else source_name(relative, Path())


def _classify(changes: CorpusChanges, source: str, path: str, documents: dict[str, DocumentRecord],
              skipped_by_source: dict[str, SkippedRecord], careful: bool) -> None:
    """Record the existing file `path` as unchanged, skipped as before, new or changed."""
    status = _stat(path)
    record = documents.get(source) or skipped_by_source.get(source)
    if record is not None and status is not None and _same(record, status, careful):
        (changes.unchanged.append(source) if source in documents
         else changes.skipped.append(skipped_by_source[source]))
        return
    (changes.changed if source in documents else changes.new).append(source)
    changes.to_read.append((Path(path), source))


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _same(record: DocumentRecord | SkippedRecord, status: os.stat_result, careful: bool) -> bool:
    matches = status.st_size == record.size and status.st_mtime_ns == record.modified_ns
    return matches and (not careful or status.st_mtime_ns < record.read_ns - CLOCK_SLACK_NS)

"""What the index holds, and what changed in the corpus folder since it was built."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qa.ingest.changes import corpus_changes
from qa.index.stores import open_store


@dataclass
class IndexStatus:
    """A summary of the live index and of the corpus files changed since it was built."""

    briefings: int = 0
    paragraphs: int = 0
    model: str = ""
    built_at: str = ""
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    dates: tuple[str, str] | None = None  # the oldest and newest briefing dates, if any is dated
    undated: int = 0

    @property
    def stale(self) -> bool:
        return bool(self.new or self.changed or self.removed)


@dataclass(frozen=True)
class Briefing:
    """One indexed briefing, as listed for people to pick from."""

    source: str
    title: str
    date: str | None

    @property
    def label(self) -> str:
        return f"{self.title} ({self.date})" if self.date else self.title


def indexed_briefings(index_dir="index") -> list[Briefing]:
    """The briefings in the live index, newest first (undated last), then by title."""
    with open_store(index_dir).reader() as reader:
        documents = reader.documents()
    briefings = [Briefing(source, record.title or source, record.date) for source, record in documents.items()]
    briefings.sort(key=lambda b: b.title.casefold())
    return sorted(briefings, key=lambda b: b.date or "", reverse=True)


def index_status(corpus_dir="corpus", index_dir="index") -> IndexStatus:
    """The live index's summary and the corpus changes since, from the index's records and the
    corpus files' sizes and times alone (no file is read: qa.ingest.changes); raises what
    StoreReader opening raises."""
    with open_store(index_dir).reader() as reader:
        info, documents, skipped = reader.info(), reader.documents(), reader.skipped()
    changes = corpus_changes(Path(corpus_dir), documents, skipped)
    dates = sorted(record.date for record in documents.values() if record.date)
    return IndexStatus(
        briefings=len(documents), paragraphs=info.passages, model=info.model, built_at=info.built_at,
        new=sorted(changes.new), changed=sorted(changes.changed), removed=changes.removed,
        skipped=[f"{s.source}: {s.reason}" for s in changes.skipped],
        dates=(dates[0], dates[-1]) if dates else None, undated=len(documents) - len(dates),
    )

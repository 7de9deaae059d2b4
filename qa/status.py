"""What the index holds, and what changed in the corpus folder since it was built."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .build import read_corpus
from .store import IndexStore, live_manifest


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
    documents = live_manifest(Path(index_dir))["documents"]
    briefings = [Briefing(source, entry.get("title") or source, entry.get("date"))
                 for source, entry in documents.items()]
    briefings.sort(key=lambda b: b.title.casefold())
    return sorted(briefings, key=lambda b: b.date or "", reverse=True)


def index_status(corpus_dir="corpus", index_dir="index") -> IndexStatus:
    """The live index's summary and the corpus changes since; raises what IndexStore.load raises."""
    store = IndexStore.load(Path(index_dir), lexical=False)  # its passages serve unchanged files
    documents, skipped = read_corpus(Path(corpus_dir), store)
    indexed = {source: entry["digest"] for source, entry in store.manifest["documents"].items()}
    current = {document.source: document.digest for document in documents}
    dates = sorted(entry["date"] for entry in store.manifest["documents"].values() if entry.get("date"))
    return IndexStatus(
        briefings=len(indexed), paragraphs=len(store.passages), model=store.manifest["model"],
        built_at=store.manifest["built_at"],
        new=sorted(set(current) - set(indexed)),
        changed=sorted(s for s in current.keys() & indexed.keys() if current[s] != indexed[s]),
        removed=sorted(set(indexed) - set(current)),
        skipped=[f"{s.source}: {s.reason}" for s in skipped],
        dates=(dates[0], dates[-1]) if dates else None, undated=len(indexed) - len(dates),
    )

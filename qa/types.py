"""The value types that cross module boundaries: what a search returns and what a build did."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Occurrence:
    """Another briefing that holds (nearly) the same paragraph as a returned passage."""

    source: str
    title: str
    paragraph: int
    date: str | None
    citation: str


@dataclass(frozen=True)
class Passage:
    """One cited paragraph of a briefing, as returned by `qa.retrieve`.

    `source` is the file path relative to the corpus folder, `paragraph` the 1-based number of the
    paragraph among the document's kept paragraphs, `score` the fused relevance (higher is better) and
    `citation` a readable reference such as "Some Title, ¶5" (", p. 2" added for paged formats).
    `date` is the briefing's date as "YYYY-MM-DD", `publisher` and `source_url` what the briefing
    says of its origin (each None when unknown), `page` the page the paragraph starts on (PDF).
    `also_in` lists the other briefings holding the same or nearly the same paragraph, newest first.
    """

    source: str
    title: str
    paragraph: int
    text: str
    score: float
    citation: str
    date: str | None = None
    publisher: str | None = None
    source_url: str | None = None
    page: int | None = None
    also_in: tuple[Occurrence, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)


def make_citation(title: str, paragraph: int, page: int | None = None) -> str:
    """The readable reference shown next to a passage, e.g. "UK Pressures Russia ..., ¶5" or, for
    a paged format, "Sanctions Briefing, ¶4, p. 2"."""
    citation = f"{title}, ¶{paragraph}"
    return f"{citation}, p. {page}" if page else citation


@dataclass(frozen=True)
class SkippedFile:
    """A corpus file the build could not read, and why."""

    source: str
    reason: str


@dataclass
class BuildReport:
    """What one `qa.build_index` call did; the counts are paragraphs."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    embedded: int = 0
    documents: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI and the UI."""
        line = (
            f"{self.documents} briefing{'' if self.documents == 1 else 's'}; paragraphs: {self.added} added, "
            f"{self.updated} updated, {self.removed} removed, {self.unchanged} unchanged "
            f"({self.embedded} embedded) in {self.seconds:.1f} s"
        )
        if self.skipped:
            line += f"; skipped {len(self.skipped)} file{'' if len(self.skipped) == 1 else 's'}"
        return line

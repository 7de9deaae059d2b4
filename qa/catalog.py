"""What the index knows about each passage beyond its text: its briefing's date, publisher and
URL, which briefings the filters allow, and its near-duplicates. Turns ranked positions into the
`Passage` objects callers see.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from .filters import Filters
from .store import IndexStore
from .types import Occurrence, Passage, make_citation


class Catalog:
    """Per-passage metadata of one loaded IndexStore."""

    def __init__(self, store: IndexStore):
        self.store = store
        self._documents = store.manifest.get("documents", {})
        self._sources = sorted({passage.source for passage in store.passages})
        number = {source: position for position, source in enumerate(self._sources)}
        self._source_of = np.array([number[p.source] for p in store.passages], dtype=np.int64)
        source_dates = np.array([_ordinal(self.document(s).get("date")) for s in self._sources],
                                dtype=np.int64)
        self.dates = source_dates[self._source_of] if len(self._sources) else np.zeros(0, np.int64)
        self._members = _group_members(store.groups)

    def document(self, source: str) -> dict:
        """The manifest's entry for a briefing (title, date, publisher, url, ...); {} if unknown."""
        return self._documents.get(source) or {}

    def allowed(self, filters: Filters) -> np.ndarray | None:
        """Which passages `filters` allow, as a mask; None when they allow all."""
        if not filters:
            return None
        by_source = np.array([
            filters.allows_source(source) and filters.allows_date(self.document(source).get("date"))
            for source in self._sources], dtype=bool)
        return by_source[self._source_of] if len(by_source) else np.zeros(0, dtype=bool)

    def newest_first_on_ties(self, ids: np.ndarray, scores: np.ndarray) -> list[tuple[int, float]]:
        """(passage, score) pairs by score, best first; equal scores (to 1e-6) newest first."""
        order = np.lexsort((-self.dates[ids], -np.round(scores, 6))) if len(ids) else ids
        return [(int(i), float(s)) for i, s in zip(ids[order], scores[order])]

    def collapsed(self, ranked: list[tuple[int, float]], k: int,
                  allowed: np.ndarray | None) -> list[Passage]:
        """The first `k` near-duplicate groups of `ranked`, each shown once: as its newest
        allowed member, with the group's other briefings (newest first) as `also_in`."""
        shown, groups = [], set()
        for position, score in ranked:
            group = int(self.store.groups[position])
            if group not in groups:
                groups.add(group)
                shown.append(self._group_passage(position, score, allowed))
                if len(shown) == k:
                    break
        return shown

    def _group_passage(self, position: int, score: float, allowed: np.ndarray | None) -> Passage:
        members = self._members.get(int(self.store.groups[position]))
        if members is None:
            return self.passage(position, score)
        candidates = [position] + [m for m in members.tolist()
                                   if m != position and (allowed is None or allowed[m])]
        representative = max(candidates, key=lambda m: self.dates[m])  # a tie keeps the ranked one
        others, sources = [], {self.store.passages[representative].source}
        for member in sorted(members.tolist(), key=lambda m: -self.dates[m]):
            stored = self.store.passages[member]
            if stored.source not in sources:
                sources.add(stored.source)
                others.append(Occurrence(
                    source=stored.source, title=stored.title, paragraph=stored.paragraph,
                    date=self.document(stored.source).get("date"),
                    citation=make_citation(stored.title, stored.paragraph, stored.page)))
        return self.passage(representative, score, tuple(others))

    def passage(self, position: int, score: float, also_in: tuple[Occurrence, ...] = ()) -> Passage:
        """The stored passage at `position` as a Passage with `score` and its briefing's metadata."""
        stored = self.store.passages[position]
        document = self.document(stored.source)
        return Passage(
            source=stored.source, title=stored.title, paragraph=stored.paragraph,
            text=stored.text, score=round(score, 6),
            citation=make_citation(stored.title, stored.paragraph, stored.page),
            date=document.get("date"), publisher=document.get("publisher"),
            source_url=document.get("url"), page=stored.page, also_in=also_in)


def _ordinal(iso: str | None) -> int:
    """A date as a number that sorts like it; 0 (older than any) when unknown."""
    try:
        return date.fromisoformat(iso).toordinal() if iso else 0
    except ValueError:
        return 0


def _group_members(groups: np.ndarray) -> dict[int, np.ndarray]:
    """Group number -> its passages, for the groups of more than one passage."""
    order = np.argsort(groups, kind="stable")
    numbers, starts, counts = np.unique(groups[order], return_index=True, return_counts=True)
    return {int(number): order[start:start + count]
            for number, start, count in zip(numbers, starts, counts) if count > 1}

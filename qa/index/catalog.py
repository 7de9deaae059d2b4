"""What the index knows about each passage beyond its text: its briefing's date, publisher and
URL, and its near-duplicates. Turns ranked passage ids into the `Passage` objects callers see.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from qa.index.stores import AllowedSet, DocumentRecord, StoreReader
from qa.types import Occurrence, Passage, make_citation


class Catalog:
    """Passage metadata of one store snapshot, read through the store contract."""

    def __init__(self, store: StoreReader):
        self.store = store

    @cached_property
    def _documents(self) -> dict[str, DocumentRecord]:
        return self.store.documents()

    @cached_property
    def passage_count(self) -> int:
        return self.store.info().passages

    def document(self, source: str) -> DocumentRecord | None:
        """The record of a briefing (title, date, publisher, url, ...); None if unknown."""
        return self._documents.get(source)

    def newest_first_on_ties(self, ids: np.ndarray, scores: np.ndarray) -> "Ranking":
        """`ids` by `scores`, best first; equal scores (to 1e-6) newest first."""
        return Ranking(self.store, ids, scores)

    def passages(self, ranked: list[tuple[int, float]]) -> list[Passage]:
        """The ranked (id, score) pairs as Passages."""
        stored = self.store.passages(np.array([i for i, _ in ranked], np.int64))
        return [self._passage(passage, score) for passage, (_, score) in zip(stored, ranked)]

    def collapsed(self, ranked: "Ranking", k: int,
                  allowed: AllowedSet | None) -> list[Passage]:
        """The first `k` near-duplicate groups of `ranked`, each shown once: as its newest
        allowed member, with the group's other briefings (newest first) as `also_in`."""
        picked = self._first_groups(ranked, k)
        grouped = np.unique(np.concatenate([members for _, _, members in picked if len(members) > 1]
                                           or [np.zeros(0, np.int64)]))
        shown = np.union1d([position for position, _, _ in picked], grouped).astype(np.int64)
        # One call each for every group's members: a store may pay a round trip a call.
        stored = dict(zip(shown.tolist(), self.store.passages(shown))) if len(shown) else {}
        dates = dict(zip(grouped.tolist(), self.store.dates(grouped).tolist())) if len(grouped) else {}
        permitted = set(grouped[self.store.allows(allowed, grouped)].tolist()) if len(grouped) else set()
        return [self._passage(stored[position], score) if len(members) == 1
                else self._group_passage(position, score, members, stored, dates, permitted)
                for position, score, members in picked]

    def _first_groups(self, ranked: "Ranking", k: int) -> list[tuple[int, float, np.ndarray]]:
        """(id, score, group members) of the first ranked member of each of the first `k` groups;
        groups are looked up for a few times `k` ids at a time, as few are needed mostly."""
        picked, seen, start, chunk = [], set(), 0, 4 * k
        while start < len(ranked) and len(picked) < k:
            part = ranked.first(start + chunk)[start:]
            groups = self.store.duplicate_groups(np.array([i for i, _ in part], np.int64))
            for (position, score), members in zip(part, groups):
                if int(members[0]) not in seen:
                    seen.add(int(members[0]))
                    picked.append((position, score, members))
                    if len(picked) == k:
                        break
            start, chunk = start + chunk, chunk * 4
        return picked

    def _group_passage(self, position: int, score: float, members: np.ndarray, stored: dict,
                       dates: dict, permitted: set) -> Passage:
        """The group of `members` shown as its newest permitted member (the ranked `position` on a
        tie); `stored`, `dates` and `permitted` hold every member's passage, date and filter."""
        candidates = [position] + [m for m in members.tolist() if m in permitted and m != position]
        representative = max(candidates, key=dates.__getitem__)  # a tie keeps the ranked one
        others, sources = [], {stored[representative].source}
        for member in sorted(members.tolist(), key=lambda m: -dates[m]):
            passage = stored[member]
            if passage.source not in sources:
                sources.add(passage.source)
                record = self.document(passage.source)
                others.append(Occurrence(
                    source=passage.source, title=passage.title, paragraph=passage.paragraph,
                    date=record.date if record else None,
                    citation=make_citation(passage.title, passage.paragraph, passage.page)))
        return self._passage(stored[representative], score, tuple(others))

    def _passage(self, stored, score: float, also_in: tuple[Occurrence, ...] = ()) -> Passage:
        """A stored passage as a Passage with `score` and its briefing's metadata."""
        record = self.document(stored.source)
        return Passage(
            source=stored.source, title=stored.title, paragraph=stored.paragraph,
            text=stored.text, score=round(score, 6),
            citation=make_citation(stored.title, stored.paragraph, stored.page),
            date=record.date if record else None, publisher=record.publisher if record else None,
            source_url=record.url if record else None, page=stored.page, also_in=also_in)


class Ranking:
    """Passage ids by score, best first, equal scores (to 1e-6) newest first, otherwise in the
    order given. The dates that order ties are read only for the part of the ranking asked for
    (one store call each time it is read further): a search looks at its first few dozen of
    hundreds of candidates, and an index of many copies has many ties."""

    def __init__(self, store: StoreReader, ids: np.ndarray, scores: np.ndarray):
        self._store = store
        self._rounded = np.round(scores, 6)
        order = np.argsort(-self._rounded, kind="stable")
        self._ids, self._scores, self._rounded = ids[order], scores[order], self._rounded[order]
        # Runs of equal scores: [starts[i], starts[i + 1]) for each i.
        self._starts = np.flatnonzero(np.r_[True, self._rounded[1:] != self._rounded[:-1], True])
        self._ordered = 0  # positions before this one are in their final order

    def __len__(self) -> int:
        return len(self._ids)

    def first(self, n: int) -> list[tuple[int, float]]:
        """The first `n` (passage id, score) pairs."""
        self._order_ties(min(n, len(self._ids)))
        return [(int(i), float(s)) for i, s in zip(self._ids[:n], self._scores[:n])]

    def _order_ties(self, n: int) -> None:
        """Put the runs of equal scores that start before position `n` newest first."""
        if n <= self._ordered:
            return
        runs = [(a, b) for a, b in zip(self._starts[:-1].tolist(), self._starts[1:].tolist())
                if b - a > 1 and b > self._ordered and a < n]
        if runs:
            positions = np.concatenate([np.arange(a, b) for a, b in runs])
            dates = dict(zip(positions.tolist(), self._store.dates(self._ids[positions]).tolist()))
            for a, b in runs:
                within = a + np.argsort([-dates[p] for p in range(a, b)], kind="stable")
                self._ids[a:b], self._scores[a:b] = self._ids[within], self._scores[within]
        self._ordered = max([n] + [b for _, b in runs])

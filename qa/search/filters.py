"""Narrowing a search to some briefings: by date and by file, from arguments or from the question.

In a question, `after:2025-03-01` and `before:2025-03-31` bound the briefing date (both inclusive;
`2025-03` and `2025` stand for their first day after `after:` and their last day after `before:`),
and `in:WORD` keeps briefings whose file path contains WORD, case aside (or matches it as a glob
pattern such as `in:*.pdf`); several `in:` widen the choice, and a value with spaces is quoted:
`in:"ceasefire talks"`. A date bound leaves out briefings with no known date.

Through the API, `sources` are exact paths (relative to the corpus folder) or glob patterns,
matched against the path or the file name, case aside; `in:WORD` is the pattern `*WORD*`. Their
number and length are bounded (qa.limits); each set of filters compiles its patterns once, and
keeps them only while it is in use.
"""

from __future__ import annotations

import fnmatch
import glob
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property

from qa.ingest.dates import parse_bound
from qa.limits import check_filters

_FILTER = re.compile(r"""(?<!\S)(after|since|before|until|in):(?:"([^"]*)"|'([^']*)'|(\S+))""",
                     re.IGNORECASE)


@dataclass(frozen=True)
class Filters:
    """Which briefings a search may return; the empty Filters() allows all."""

    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] = ()

    @classmethod
    def of(cls, since=None, until=None, sources=None) -> "Filters":
        """Filters from API arguments: dates as date, datetime or text; sources as one text or
        several. Raises ValueError for a date that is not one, and for filters beyond the bounds
        of qa.limits."""
        sources = [sources] if isinstance(sources, str) else list(sources or ())
        check_filters(sources, since, until)
        patterns = tuple(p.strip() for p in sources if isinstance(p, str) and p.strip())
        filters = cls(_bound(since, end=False), _bound(until, end=True), patterns)
        if filters.since and filters.until and filters.since > filters.until:
            raise ValueError(f"the date range is empty: {filters.since} is after {filters.until}")
        return filters

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources)

    def overridden_by(self, other: "Filters") -> "Filters":
        """These filters with each kind that `other` sets replaced by `other`'s."""
        return replace(self, since=other.since or self.since, until=other.until or self.until,
                       sources=other.sources or self.sources)

    def allows_date(self, iso: str | None) -> bool:
        if not (self.since or self.until):
            return True
        if iso is None:
            return False
        day = date.fromisoformat(iso)
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def allows_source(self, source: str) -> bool:
        """Whether `source`'s path or file name matches a source pattern (case aside), or there
        are none."""
        if not self.sources:
            return True
        path = source.casefold()
        name = path.rsplit("/", 1)[-1]
        return any(pattern.match(path) or pattern.match(name) for pattern in self._patterns)

    @cached_property
    def _patterns(self) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(fnmatch.translate(pattern.casefold())) for pattern in self.sources)

    def describe(self) -> str:
        """A short account for people, e.g. "from 2025-03-01, in: ceasefire"; '' when empty."""
        parts = []
        if self.since:
            parts.append(f"from {self.since.isoformat()}")
        if self.until:
            parts.append(f"until {self.until.isoformat()}")
        if self.sources:
            parts.append("in " + " or ".join(self.sources))
        return ", ".join(parts)


def parse_question(text: str) -> tuple[str, Filters]:
    """The question without its `after:`/`before:`/`in:` filters, and those filters.

    Raises ValueError for a filter date that is not one.
    """
    since = until = None
    sources = []
    for match in _FILTER.finditer(text):
        kind = match.group(1).lower()
        value = next(group for group in match.groups()[1:] if group is not None)
        if kind in ("after", "since"):
            since = value
        elif kind in ("before", "until"):
            until = value
        elif value.strip():
            sources.append(contains(value.strip()))
    question = " ".join(_FILTER.sub(" ", text).split())
    return question, Filters.of(since, until, sources)


def _bound(value, *, end: bool) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_bound(value, end=end)
    raise ValueError(f"a date bound must be a date or text such as 2025-03-01, not {value!r}")


def contains(word: str) -> str:
    """The source pattern for a word typed by a person: paths containing it, or the word itself
    when it is already a glob pattern."""
    return word if any(char in word for char in "*?[") else f"*{glob.escape(word)}*"


"""Dates of briefings: from metadata values of any usual form, and from file names."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from dateutil import parser as date_parser

_ISO_START = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})(\d{2})")
# A date at the start of a file name, or standing alone in it: 2025-03-12-..., 2025_03_12, 20250312.
_NAME_DATE = re.compile(r"(?<![0-9])((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?![0-9])")
_MAX_DATE_CHARS = 100
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def iso_date(value) -> str | None:
    """`value` (a date, a datetime, or text such as "2025-03-12", "D:20250312...", "12 March 2025")
    as an ISO date "YYYY-MM-DD"; None when it is absent or not a date. A month without a day
    ("March 2025") counts as its first day."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if len(text) > _MAX_DATE_CHARS:  # no date is written this long; the parser's time grows with it
        return None
    for pattern in (_ISO_START, _PDF_DATE):
        match = pattern.match(text)
        if match:
            return _valid(*map(int, match.groups()))
    try:
        parsed = date_parser.parse(text, fuzzy=False, default=datetime(1, 1, 1))
    except (ValueError, OverflowError):
        return None
    return parsed.date().isoformat() if parsed.year > 1 else None  # year 1: no year was given


def date_in_name(name: str) -> str | None:
    """The date written in a file name, such as `2025-03-12-ceasefire.pdf`, as an ISO date."""
    for match in _NAME_DATE.finditer(name):
        found = _valid(*map(int, match.groups()))
        if found:
            return found
    return None


def parse_bound(text: str, *, end: bool) -> date:
    """A filter bound: "2025", "2025-03" or "2025-03-12"; a partial date means its first day, or
    its last day when `end` is true. Raises ValueError with the expected form."""
    match = _PARTIAL.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (int(part) if part else None for part in match.groups())
    if month is None:
        month, day = (12, 31) if end else (1, 1)
    elif day is None and 1 <= month <= 12:
        day = calendar.monthrange(year, month)[1] if end else 1
    found = _valid(year, month, day or 1)
    if found is None:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, YYYY-MM or YYYY")
    return date.fromisoformat(found)


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None

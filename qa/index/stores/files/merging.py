"""When and how the files backend merges segments (after Lucene's merge policies).

Segments are grouped in tiers by size: tier t holds segments of MIN_MERGE * FACTOR**t passages or
more (live ones). Whenever FACTOR neighbouring segments share a tier, they are merged into one of the
next tier; a segment with at least EXPUNGE_SHARE of its passages deleted is rewritten alone
(dropped when nothing in it is live). Neighbours only, so segments stay in id order. The count of
segments stays below about FACTOR per tier, i.e. O(FACTOR * log(passages)), and each passage is
rewritten O(log) times.
"""

from __future__ import annotations

import math

import numpy as np

from qa.index.stores.files.segment import Segment, SegmentData, record_from

FACTOR = 8
MIN_MERGE = 1000
EXPUNGE_SHARE = 0.3


def tier(live: int) -> int:
    return int(math.log(max(live, MIN_MERGE) / MIN_MERGE, FACTOR))


def next_merge(sizes: list[int], deleted: list[int]) -> tuple[int, int] | None:
    """The [start, end) run of neighbouring segments to merge next, or None. `sizes` are the
    segments' rows, `deleted` how many of those are deleted."""
    live = [size - gone for size, gone in zip(sizes, deleted)]
    for position, (size, gone) in enumerate(zip(sizes, deleted)):
        if size and gone / size >= EXPUNGE_SHARE:
            return position, position + 1  # rewritten alone: the cost is its own size, never a neighbour's
    tiers = [tier(count) for count in live]
    for start in range(len(tiers) - FACTOR + 1):
        if len(set(tiers[start:start + FACTOR])) == 1:
            return start, start + FACTOR
    return None


def merged(segments: list[Segment], live: list[np.ndarray], resolve_groups,
           records: dict[str, dict]) -> SegmentData:
    """The live rows of `segments` (in order) as one segment's data; `resolve_groups` maps stored
    group keys to their current ones, `records` are newer document records by source."""
    ids, passages, documents, vectors, starts, tokens, signatures, groups = ([] for _ in range(8))
    row_count, window_count = 0, 0
    for segment, keep in zip(segments, live):
        rows = np.flatnonzero(keep)
        new_row = np.cumsum(keep) - 1
        for entry, record in zip(segment.documents, segment.records()):
            if keep[entry["first"]]:
                record = record_from(records[record.source]) if record.source in records else record
                documents.append((record, row_count + int(new_row[entry["first"]]), entry["count"]))
        for row in rows.tolist():
            passages.append(segment.passage(row))
            tokens.append(segment.tokens(row))
            window = segment.windows(row)
            vectors.append(window)
            starts.append(window_count)
            window_count += len(window)
        ids.append(np.asarray(segment.ids)[rows])
        signatures.append(np.asarray(segment.signatures)[rows])
        groups.append(resolve_groups(np.asarray(segment.groups)[rows]))
        row_count += len(rows)
    return SegmentData(
        ids=np.concatenate(ids), passages=passages, documents=documents,
        vectors=np.concatenate(vectors) if vectors else np.zeros((0, segments[0].vectors.shape[1]), np.float32),
        window_starts=np.asarray(starts + [window_count], np.int64), tokens=tokens,
        signatures=np.concatenate(signatures), groups=np.concatenate(groups))

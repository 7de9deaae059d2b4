"""Near-duplicate groups kept up to date in the database as briefings come and go.

A passage's group is named by its smallest member id. A build regroups only what it may have
changed: its new passages, the groups that lost members, the live passages sharing an LSH band key
with any of those (found through a GIN index on `bands`), and the whole groups of all of them;
qa.search.duplicates decides the groups of that set exactly as it does for the files backend.
"""

from __future__ import annotations

import numpy as np

from qa.search.duplicates import BANDS, ROWS, near_duplicate_groups
from qa.search.duplicates import band_keys as _band_keys

# Past this many passages to look at, or this share of the index, regrouping everything costs no
# more than finding their neighbours (a first build or a copy regroups all at once).
REGROUP_ALL_AT = 20_000
REGROUP_ALL_SHARE = 0.25


def band_keys(signature: np.ndarray) -> list[int]:
    """The BANDS LSH keys of one MinHash signature, as signed 64-bit integers for PostgreSQL."""
    keys = _band_keys(np.asarray(signature, dtype=np.uint32).reshape(BANDS, ROWS))
    return keys.view(np.int64).tolist()


def regroup(connection, new_ids: list[int], touched_groups: set[int]) -> None:
    """Recompute the groups of the passages `new_ids` and of the groups `touched_groups`."""
    if not new_ids and not touched_groups:
        return
    members = _affected(connection, new_ids, sorted(touched_groups))
    rows = connection.execute(
        "SELECT id, text, signature FROM passages WHERE id = ANY(%s) ORDER BY id"
        if members is not None else "SELECT id, text, signature FROM passages ORDER BY id",
        (members,) if members is not None else None).fetchall()
    if not rows:
        return
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    signatures = np.array([row[2] for row in rows], dtype=np.uint32)
    groups = ids[near_duplicate_groups([row[1] for row in rows], signatures)]
    changed = [(int(i), int(g)) for i, g in zip(ids, groups)]
    connection.execute("CREATE TEMPORARY TABLE regrouped (id bigint, group_id bigint) ON COMMIT DROP")
    with connection.cursor().copy("COPY regrouped FROM STDIN") as copy:
        for row in changed:
            copy.write_row(row)
    connection.execute("""UPDATE passages AS p SET group_id = r.group_id FROM regrouped AS r
                          WHERE p.id = r.id AND p.group_id <> r.group_id""")


def _affected(connection, new_ids: list[int], touched_groups: list[int]) -> list[int] | None:
    """The ids to regroup, or None for all of them."""
    if len(new_ids) > REGROUP_ALL_AT:  # the seeds would be more: no need to gather them
        return None
    seeds = connection.execute(
        "SELECT array_agg(id) FROM passages WHERE id = ANY(%s) OR group_id = ANY(%s)",
        (new_ids, touched_groups)).fetchone()[0] or []
    if len(seeds) > REGROUP_ALL_AT:
        return None
    # The count kept up to date by the writer (0 in a first build, which regroups all anyway):
    # counting the rows would read the whole table.
    live = connection.execute("SELECT passages FROM corpus_stats").fetchone()[0]
    if len(seeds) >= REGROUP_ALL_SHARE * live:
        return None
    neighbours = connection.execute("""
        SELECT array_agg(DISTINCT m.id) FROM passages AS m
        WHERE m.group_id IN (
            SELECT c.group_id FROM passages AS c
            WHERE c.bands && (SELECT array_agg(DISTINCT key) FROM passages, unnest(bands) AS key
                              WHERE id = ANY(%(seeds)s))
               OR c.id = ANY(%(seeds)s))""", {"seeds": seeds}).fetchone()[0] or []
    return sorted(set(seeds) | set(neighbours))

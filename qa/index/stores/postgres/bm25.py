"""BM25 in SQL over the `postings` table: a question's top passages without adding up every posting.

A question whose terms have few postings in all is scored from all of them (`EVERY`); the others
from the heads of their postings (`TOP`), as follows.

Scores are the store contract's (qa.index.stores.base): for each query term, idf x tf / (tf + k1 x
(1 - b + b x length / mean_length)), with the statistics of the live passages at query time.

Top-k (`TOP`, one round trip a depth) reads only the head of each query term's postings, in order of
their *impact*: the term's BM25 weight in that passage, tf / (tf + k1 (1 - b + b length / L0)), stored
with the posting, where L0 is the mean passage length when the postings were written (qa_meta's
`impact_mean_length`). A posting's weight today is at most its impact x max(1, mean_length / L0)
(a longer mean only shortens the length term), so after the first `depth` postings of each term:
- a passage seen in some heads scores at least what they hold (its lower bound) and at most that
  plus, for each term whose head it is not in, the term's idf x the impact of the last posting read
  x that growth factor (its upper bound; 0 for a term whose postings were all read);
- a passage in no head scores at most the sum of those (the unseen bound).
The k-th best lower bound is a score the answer reaches; every passage whose upper bound reaches it
is scored exactly by looking its postings up, and the k best of those are the answer as soon as the
k-th exact score is above the unseen bound. Otherwise the caller reads deeper (`needs_deeper`). A
depth past every query term's postings reads them all, and the result is exact then by
construction.
"""

from __future__ import annotations

from qa.index.stores.base import BM25_B, BM25_K1

# Up to this many postings in all, a question's terms are read whole (EVERY); past it, TOP reads
# this many postings of each term first, and each further round DEEPER_BY times as many.
READ_ALL_UP_TO = 60_000
FIRST_DEPTH = 4_000
DEEPER_BY = 4
# The mean to read impacts with when qa_meta has none: every bound is then too high to stop early.
UNKNOWN_MEAN = 1e-9
# Exact scores within this relative distance of a bound are treated as ties with it (float4 output).
TIE_MARGIN = 1e-6


def impact(tf: int, length: int, mean_length: float) -> float:
    """A posting's stored impact (see the module's docstring); the same formula as IMPACT_SQL."""
    return tf / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / mean_length))


def impact_sql(tf: str, length: str, mean_length: str) -> str:
    """IMPACT as a SQL expression over the named columns or values."""
    return f"{tf}::float8 / ({tf} + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * {length} / {mean_length}))"


def _weight(posting: str) -> str:
    """A posting's BM25 weight today (times its term's idf): needs `w` (weights) and `c` (corpus)."""
    return f"w.idf * {impact_sql(f'{posting}.tf', f'{posting}.length', 'c.mean_length')}"


# The question's distinct terms with their idf (times how often the question repeats them), and
# the corpus statistics; parameters: tokens, impact_mean_length.
_STATISTICS = """
WITH query AS MATERIALIZED (SELECT term, count(*)::float8 AS repeats
                            FROM unnest(%(tokens)s::text[]) AS term GROUP BY term),
     corpus AS MATERIALIZED (SELECT total_length::float8 / greatest(passages, 1) AS mean_length,
                                    passages::float8 AS n FROM corpus_stats LIMIT 1),
     c AS MATERIALIZED (SELECT mean_length, n,
                               greatest(1, mean_length / %(impact_mean_length)s::float8) AS growth
                        FROM corpus),
     w AS MATERIALIZED (SELECT q.term, q.repeats * ln(1 + (c.n - s.df + 0.5) / (s.df + 0.5)) AS idf
                        FROM query AS q JOIN term_stats AS s ON s.term = q.term CROSS JOIN c)
"""

SCORES = _STATISTICS + f"""
SELECT i.id, sum({_weight('o')})::float4
FROM unnest(%(ids)s::bigint[]) AS i (id) CROSS JOIN w
     JOIN postings AS o ON o.term = w.term AND o.passage_id = i.id CROSS JOIN c
GROUP BY i.id
"""
"""BM25 scores of the passages `ids` (parameters: tokens, impact_mean_length, ids); a passage
holding no query term has no row."""

# {join} and {where}: a condition on the passages table `p` (filters), with its join.
EVERY = _STATISTICS + f"""
SELECT o.passage_id, sum({_weight('o')})::float4 AS score
FROM w JOIN postings AS o ON o.term = w.term CROSS JOIN c {{join}}
WHERE {{where}}
GROUP BY o.passage_id ORDER BY score DESC, o.passage_id LIMIT %(k)s
"""
"""The k best (passage id, float4 score) rows from every posting of the question's terms
(parameters: tokens, impact_mean_length, k, and the filters')."""
JOIN_EVERY = "JOIN passages AS p ON p.id = o.passage_id"

TOP = _STATISTICS + f""",
     heads AS MATERIALIZED (
        SELECT w.term, h.passage_id, h.impact, {_weight('h')} AS part
        FROM w CROSS JOIN c CROSS JOIN LATERAL (
            SELECT o.passage_id, o.impact, o.tf, o.length FROM postings AS o
            WHERE o.term = w.term ORDER BY o.impact DESC LIMIT %(depth)s) AS h),
     rest AS MATERIALIZED (
        SELECT h.term, CASE WHEN count(*) >= %(depth)s THEN min(w.idf) * min(h.impact) * min(c.growth)
                            ELSE 0 END AS most
        FROM heads AS h JOIN w ON w.term = h.term CROSS JOIN c GROUP BY h.term),
     unseen AS MATERIALIZED (SELECT coalesce(sum(most), 0) AS bound FROM rest),
     seen AS MATERIALIZED (
        SELECT s.passage_id, s.low, s.low + u.bound - s.known AS high
        FROM (SELECT h.passage_id, sum(h.part) AS low, sum(r.most) AS known
              FROM heads AS h JOIN rest AS r ON r.term = h.term GROUP BY h.passage_id) AS s
             CROSS JOIN unseen AS u {{join}}
        WHERE {{where}}),
     reached AS MATERIALIZED (
        SELECT coalesce(min(low), 0) AS low
        FROM (SELECT low FROM seen ORDER BY low DESC LIMIT %(k)s) AS best),
     resolved AS MATERIALIZED (
        SELECT s.passage_id, s.low FROM seen AS s CROSS JOIN reached AS r
        WHERE s.high >= r.low * (1 - {TIE_MARGIN})),
     missing AS (
        SELECT s.passage_id, r.term FROM resolved AS s CROSS JOIN rest AS r
        WHERE r.most > 0
          AND NOT EXISTS (SELECT 1 FROM heads AS h WHERE h.term = r.term AND h.passage_id = s.passage_id)),
     looked_up AS (
        SELECT m.passage_id, sum({_weight('o')}) AS part
        FROM missing AS m JOIN w ON w.term = m.term CROSS JOIN c
             CROSS JOIN LATERAL (SELECT tf, length FROM postings
                                 WHERE term = m.term AND passage_id = m.passage_id) AS o
        GROUP BY m.passage_id),
     exact AS (
        SELECT passage_id, sum(part) AS score
        FROM (SELECT passage_id, low AS part FROM resolved
              UNION ALL SELECT passage_id, part FROM looked_up) AS parts
        GROUP BY passage_id)
SELECT t.passage_id, t.score4, t.score, u.bound
FROM unseen AS u LEFT JOIN LATERAL (
    SELECT passage_id, score::float4 AS score4, score FROM exact
    ORDER BY score::float4 DESC, passage_id LIMIT %(k)s) AS t ON true
ORDER BY t.score4 DESC, t.passage_id
"""
"""The k best (passage id, float4 score, float8 score, unseen bound) rows at one depth, or one
row (None, None, None, unseen bound) when there are none (parameters: tokens, impact_mean_length,
depth, k, and the filters')."""

JOIN_TOP = "JOIN passages AS p ON p.id = s.passage_id"


def needs_deeper(rows: list[tuple], k: int) -> bool:
    """Whether TOP's `rows` may miss a passage in no head: fewer than k of them, or the k-th
    exact score not above the unseen bound, while some term's postings were not all read."""
    bound = rows[0][3]
    if bound <= 0:
        return False
    found = [row[2] for row in rows if row[0] is not None]
    return len(found) < k or min(found) <= bound * (1 + TIE_MARGIN)

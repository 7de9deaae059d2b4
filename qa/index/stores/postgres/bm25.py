"""BM25 for the PostgreSQL store: each term's postings packed into a few `posting_blocks` rows,
read whole by the reader and scored in numpy, the way the file store scores its segments.

Why packed: added up row by row in SQL, a posting costs about a microsecond, and at a million
passages a question's words have hundreds of thousands of postings. Skipping some (impact-ordered
heads with score bounds, MaxScore) was measured and skipped too few: a 300-deep top needs most of
them (docs/decisions.md). Read as byte strings, the same postings cost a few bytes each.

A block holds postings of one term for some passages: their ids (int4), the term's count in each
and each passage's length in tokens (int2), big-endian, in three byte strings of the same order:
8 bytes a posting, which is what a question's read costs (16 in schema version 4). Counts and
lengths above 32,767 are stored as 32,767: ingest makes no passage near that long (paragraphs
of at most 3,000 characters), and a longer one scores as if it had that many tokens. Ids above
2**31 - 1 are refused by the build ("integer out of range"): two billion passages written.
A build adds one block per term its new passages hold, made from their `terms` and `counts`, and
a term with more than MERGE_AT blocks has them concatenated into one (a copy of its postings, in
one build of every MERGE_AT that add to it), so a term has few blocks. Blocks are never edited:
a deleted passage is listed in `dead_passages`, which readers subtract, until the blocks are made
again from the live passages (after a first build or a copy, and once the dead pass DEAD_SHARE
of the live passages).
"""

from __future__ import annotations

import numpy as np

from qa.index.stores.base import bm25_idf, bm25_norms, score_floor, top_indexes

MERGE_AT = 16
DEAD_SHARE = 0.2
# Up to this many ids between the smallest and largest live one, scores are summed in an array
# indexed by id; past it (ids spread thin by much churn) by sorting the ids.
DENSE_SPAN = 8_000_000

# A block per term of the passages `{where}` selects (a condition on `p`), from their term arrays.
BLOCKS = """
INSERT INTO posting_blocks (term, block, ids, counts, lengths)
SELECT t.term, nextval('posting_block_numbers'),
       string_agg(int4send(p.id::int4), ''::bytea ORDER BY p.id),
       string_agg(int2send(least(t.count, 32767)::int2), ''::bytea ORDER BY p.id),
       string_agg(int2send(least(p.length, 32767)::int2), ''::bytea ORDER BY p.id)
FROM passages AS p, unnest(p.terms, p.counts) AS t (term, count)
WHERE {where} GROUP BY t.term
"""

# The blocks of each term of %(terms)s that has more than %(merge_at)s, concatenated into one.
MERGE = """
WITH crowded AS (SELECT term FROM posting_blocks WHERE term = ANY(%(terms)s)
                 GROUP BY term HAVING count(*) > %(merge_at)s),
     merged AS (DELETE FROM posting_blocks AS b USING crowded AS c WHERE b.term = c.term RETURNING b.*)
INSERT INTO posting_blocks (term, block, ids, counts, lengths)
SELECT term, nextval('posting_block_numbers'), string_agg(ids, ''::bytea ORDER BY block),
       string_agg(counts, ''::bytea ORDER BY block), string_agg(lengths, ''::bytea ORDER BY block)
FROM merged GROUP BY term
"""

# Each of %(terms)s the index holds: its document frequency and blocks.
READ = """
SELECT s.term, s.df, b.ids, b.counts, b.lengths
FROM term_stats AS s JOIN posting_blocks AS b ON b.term = s.term
WHERE s.term = ANY(%(terms)s)
"""


class Scores:
    """BM25 scores of every live passage that holds a question's term (above 0; 0 for the
    others), summed either in an array indexed by id (`ByIdScores`) or, for ids spread too far
    apart for one, by sorting them (`SortedScores`)."""

    def of(self, wanted: np.ndarray) -> np.ndarray:
        """The score (float64) of each of `wanted` (0 for a passage that holds no term)."""
        raise NotImplementedError

    def top(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the `k` best scored passages, best first, equal scores by smaller id;
        so a shallower top is the start of a deeper one."""
        raise NotImplementedError

    def count(self) -> int:
        """How many passages are scored."""
        raise NotImplementedError


class ByIdScores(Scores):
    """Scores in an array, `sums[id - low]`; `rarest_first` holds the ids of each block of the
    question's terms, the blocks of the term held by fewest passages first, from which a floor
    is sampled."""

    def __init__(self, low: int, sums: np.ndarray, rarest_first: list[np.ndarray]):
        self.low, self.sums, self.rarest_first = low, sums, rarest_first

    def of(self, wanted):
        offsets = np.asarray(wanted, dtype=np.int64) - self.low
        inside = (offsets >= 0) & (offsets < len(self.sums))
        return np.where(inside, self.sums[np.clip(offsets, 0, max(len(self.sums) - 1, 0))], 0.0)

    def top(self, k):
        floor = score_floor(self.sums, (ids - self.low for ids in self.rarest_first), k)
        # Only passages scoring at least the floor can be among the k best: few to rank.
        candidates = np.flatnonzero(self.sums >= floor) if floor > 0 else np.flatnonzero(self.sums)
        best = candidates[top_indexes(self.sums[candidates], k)]
        return best + self.low, self.sums[best]

    def count(self):
        return int(np.count_nonzero(self.sums))


class SortedScores(Scores):
    """Scores of `ids` (ascending) in `scores`."""

    def __init__(self, ids: np.ndarray, scores: np.ndarray):
        self.ids, self.scores = ids, scores

    def of(self, wanted):
        wanted = np.asarray(wanted, dtype=np.int64)
        if not len(self.ids):
            return np.zeros(len(wanted), np.float64)
        at = np.minimum(np.searchsorted(self.ids, wanted), len(self.ids) - 1)
        return np.where(self.ids[at] == wanted, self.scores[at], 0.0)

    def top(self, k):
        best = top_indexes(self.scores, k)
        return self.ids[best], self.scores[best]

    def count(self):
        return len(self.ids)


def score(tokens: list[str], rows: list[tuple], passages: int, total_length: int,
          dead: np.ndarray) -> Scores:
    """The BM25 scores (qa.index.stores.base's formula) of `tokens` from READ's `rows`, over an
    index of `passages` live passages of `total_length` tokens, less the `dead` passage ids.

    Per-posting arithmetic is in float32 and sums in float64, as in the file store."""
    average = total_length / passages if passages else 1.0
    repeats = {token: tokens.count(token) for token in tokens}
    ids, weights, frequencies = [], [], []
    for term, frequency, packed_ids, packed_counts, packed_lengths in rows:
        idf = np.float32(repeats[term] * bm25_idf(passages, frequency))
        counts = np.frombuffer(packed_counts, ">i2").astype(np.float32)
        norms = bm25_norms(np.frombuffer(packed_lengths, ">i2"), average)
        ids.append(np.frombuffer(packed_ids, ">i4").astype(np.int64))
        weights.append(idf * counts / (counts + norms))
        frequencies.append(frequency)
    if not ids:
        return SortedScores(np.zeros(0, np.int64), np.zeros(0, np.float64))
    rarest_first = [ids[i] for i in np.argsort(frequencies, kind="stable")]
    return _summed(np.concatenate(ids), np.concatenate(weights), dead, rarest_first)


def _summed(ids: np.ndarray, weights: np.ndarray, dead: np.ndarray,
            rarest_first: list[np.ndarray]) -> Scores:
    """Each distinct id's summed weight, without the `dead` ids."""
    low, high = int(ids.min()), int(ids.max())
    if high - low < DENSE_SPAN:
        sums = np.bincount(ids - low, weights, high - low + 1)
        sums[dead[(dead >= low) & (dead <= high)] - low] = 0.0
        return ByIdScores(low, sums, rarest_first)
    distinct, inverse = np.unique(ids, return_inverse=True)
    sums = np.bincount(inverse, weights)
    keep = ~np.isin(distinct, dead)
    return SortedScores(distinct[keep], sums[keep])

"""A published version of the PostgreSQL index, read through one REPEATABLE READ transaction.

The transaction is the snapshot: whatever builds commit later, this reader sees the version it
started on. Calls from several threads take turns on its connection.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import date
from functools import cached_property

import numpy as np

from qa.search.filters import Filters
from qa.index.stores.base import (AllowedSet, DocumentRecord, SkippedRecord, StoreInfo,
                    StoredPassage, StoreReader, graph_search_depth)
from qa.index.stores.postgres import bm25
from qa.index.stores.postgres.connection import HNSW_EF_SEARCH, lost_guard

# Bounds of what a reader keeps of its snapshot: passages, dates and ids known to be live.
CACHED_PASSAGES = 20_000
CACHED_IDS = 200_000
_PASSAGE_COLUMNS = "id, source, title, paragraph, text, heading, digest, page"
_DOCUMENT_COLUMNS = ("id, source, title, digest, paragraphs, date::text, publisher, url, size, "
                     "modified_ns, read_ns")



class PostgresAllowed(AllowedSet):
    """Passages of the allowed documents: a date range in SQL, and the ids of the documents whose
    source the filters allow (None: any source)."""

    def __init__(self, filters: Filters, document_ids: list[int] | None, empty: bool):
        self.since, self.until = filters.since, filters.until
        self.document_ids = document_ids
        self._empty = empty

    @property
    def empty(self) -> bool:
        return self._empty

    def where(self, alias: str = "p") -> tuple[str, dict]:
        """A SQL condition on the passages table (as `alias`) and its parameters."""
        conditions, parameters = [], {}
        if self.since:
            conditions.append(f"{alias}.date >= %(since)s")
            parameters["since"] = self.since
        if self.until:
            conditions.append(f"{alias}.date <= %(until)s")
            parameters["until"] = self.until
        if self.document_ids is not None:
            conditions.append(f"{alias}.document_id = ANY(%(documents)s)")
            parameters["documents"] = self.document_ids
        return " AND ".join(conditions) or "true", parameters


class PostgresReader(StoreReader):
    """One published version: every query runs in this reader's snapshot transaction."""

    def __init__(self, connection, url: str, meta: dict):
        self._connection, self._url, self._meta = connection, url, meta
        self._lock = threading.Lock()
        self._documents: dict[str, DocumentRecord] | None = None
        # A snapshot never changes, so what was read of it is kept: passages (a search shows a
        # few, one by one), the dates and liveness of ids seen, so a question asks for them once.
        self._passages = _Kept(CACHED_PASSAGES)
        self._dates = _Kept(CACHED_IDS)
        self._live = _Kept(CACHED_IDS)
        self._document_ids: dict[str, int] = {}
        self._last_question = threading.local()
        self._search_depth = HNSW_EF_SEARCH  # as connect() set it

    def _rows(self, sql: str, parameters=None, binary: bool = False) -> list[tuple]:
        """The rows of `sql`; `binary` has them sent in PostgreSQL's binary format (byte strings
        as they are, not as hexadecimal text: a quarter of the time for posting blocks)."""
        with self._lock, lost_guard(self._url):
            return self._connection.cursor(binary=binary).execute(sql, parameters).fetchall()

    def info(self) -> StoreInfo:
        passages, documents = self._rows(
            "SELECT (SELECT passages FROM corpus_stats), (SELECT count(*) FROM documents)")[0]
        return StoreInfo(version=self._meta["version"], model=self._meta["model"],
                         dimension=self._meta["dimension"], built_at=self._meta["built_at"],
                         passages=int(passages), documents=int(documents),
                         extra={"backend": "PostgreSQL + pgvector"})

    # -- filters ----------------------------------------------------------------------------------
    def allowed(self, filters: Filters) -> PostgresAllowed | None:
        if not filters:
            return None
        documents = self.documents()
        by_source = [source for source in documents if filters.allows_source(source)]
        kept = [s for s in by_source if filters.allows_date(documents[s].date)]
        document_ids = [self._document_ids[s] for s in by_source] if filters.sources else None
        return PostgresAllowed(filters, document_ids, empty=not kept)

    def allows(self, allowed: PostgresAllowed | None, ids: np.ndarray) -> np.ndarray:
        if allowed is None:
            return np.ones(len(ids), dtype=bool)
        where, parameters = allowed.where()
        rows = self._rows(f"SELECT p.id, {where} FROM passages AS p WHERE p.id = ANY(%(ids)s)",
                          {**parameters, "ids": _ints(ids)})
        return np.array(_in_order(ids, dict(rows)), dtype=bool)

    # -- dense ------------------------------------------------------------------------------------
    def dense_top(self, vector, k, allowed=None):
        if k <= 0 or (allowed is not None and allowed.empty):
            return _empty()
        # A filter is a condition on the passage; without one the vectors alone are searched
        # (every vector is a live passage's).
        where, parameters = allowed.where() if allowed is not None else ("true", {})
        passages = "JOIN passages AS p ON p.id = v.passage_id" if allowed is not None else ""
        # Each passage's best window: twice as many windows as passages are asked of the index.
        rows = self._nearest_rows(self._search_depth_for(2 * k, allowed), f"""
            SELECT passage_id, max(score)::float4 AS best FROM (
                SELECT v.passage_id, -(v.embedding <#> %(vector)s) AS score
                FROM passage_vectors AS v {passages}
                WHERE {where}
                ORDER BY v.embedding <#> %(vector)s LIMIT %(windows)s) AS nearest
            GROUP BY passage_id ORDER BY best DESC, passage_id LIMIT %(k)s""",
                          {**parameters, "vector": _vector(vector), "windows": 2 * k, "k": k})
        ids, scores = _id_score_arrays(rows)
        self._live.remember(ids.tolist())
        return ids, scores

    def _search_depth_for(self, windows: int, allowed: PostgresAllowed | None) -> int:
        """The HNSW candidate list for `windows` nearest windows: the file store's rule for a graph
        of this size (0.985 of the exact top 10 at 46k, 0.993 at the maximum, for a third less
        time), the maximum under a filter, whose rows the graph is walked past."""
        if allowed is not None:
            return HNSW_EF_SEARCH
        return min(HNSW_EF_SEARCH, max(windows, graph_search_depth(self._corpus_stats[0])))

    def _nearest_rows(self, search_depth: int, sql: str, parameters: dict) -> list[tuple]:
        """The rows of `sql` (an HNSW search) with pgvector's candidate list at `search_depth`."""
        with self._lock, lost_guard(self._url):
            if search_depth != self._search_depth:
                self._connection.execute("SELECT set_config('hnsw.ef_search', %s, false)",
                                         (str(search_depth),))
                self._search_depth = search_depth
            return self._connection.execute(sql, parameters).fetchall()

    def dense_scores(self, vector, ids):
        rows = self._rows("""
            SELECT passage_id, max(-(embedding <#> %(vector)s))::float4 FROM passage_vectors
            WHERE passage_id = ANY(%(ids)s) GROUP BY passage_id""",
                          {"vector": _vector(vector), "ids": _ints(ids)})
        return np.array(_in_order(ids, dict(rows)), dtype=np.float32)

    # -- lexical ----------------------------------------------------------------------------------
    def lexical_top(self, tokens, k, allowed=None):
        if k <= 0 or not tokens or (allowed is not None and allowed.empty):
            return _empty()
        scored = self._bm25(tokens)
        ids, scores = scored.top(k) if allowed is None else self._allowed_top(scored, k, allowed)
        self._live.remember(ids.tolist())
        return ids, scores.astype(np.float32)

    def _allowed_top(self, scored: bm25.Scores, k: int,
                     allowed: PostgresAllowed) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the `k` best of `scored` that `allowed` allows, best first: the
        ranking is looked at a few times k deep, then four times deeper until k are found."""
        ids, scores = _empty()
        kept, checked, depth, count = np.zeros(0, dtype=bool), 0, 4 * k, scored.count()
        while kept.sum() < k and checked < count:
            ids, scores = scored.top(depth)
            kept = np.concatenate([kept, self.allows(allowed, ids[checked:])])
            checked, depth = len(ids), depth * 4
        chosen = np.flatnonzero(kept)[:k]
        return ids[chosen], scores[chosen]

    def document_frequencies(self, tokens):
        rows = self._rows("SELECT term, df FROM term_stats WHERE term = ANY(%s)", (list(dict.fromkeys(tokens)),))
        found = dict(rows)
        return {token: int(found.get(token, 0)) for token in dict.fromkeys(tokens)}

    def lexical_scores(self, tokens, ids):
        self._check_live(ids)
        if not tokens or not len(ids):
            return np.zeros(len(ids), dtype=np.float32)
        return self._bm25(tokens).of(np.asarray(ids, dtype=np.int64)).astype(np.float32)

    def _bm25(self, tokens: list[str]) -> bm25.Scores:
        """Every matching passage's BM25 score for `tokens`; the last question's are kept per
        thread, as its candidates' scores are asked for next."""
        last = getattr(self._last_question, "scores", None)
        if last is not None and last[0] == tuple(tokens):
            return last[1]
        rows = self._rows(bm25.READ, {"terms": list(dict.fromkeys(tokens))}, binary=True)
        passages, total_length = self._corpus_stats
        scored = bm25.score(list(tokens), rows, passages, total_length, self._dead)
        self._last_question.scores = (tuple(tokens), scored)
        return scored

    @cached_property
    def _corpus_stats(self) -> tuple[int, int]:
        return tuple(self._rows("SELECT passages, total_length FROM corpus_stats")[0])

    @cached_property
    def _dead(self) -> np.ndarray:
        """The deleted passages the blocks still hold (read once: a snapshot never changes)."""
        return np.array([row[0] for row in self._rows("SELECT id FROM dead_passages")], dtype=np.int64)

    # -- records ----------------------------------------------------------------------------------
    def passages(self, ids):
        wanted = _ints(ids)
        found = self._passages.of(wanted)
        missing = sorted(set(wanted) - found.keys())
        if missing:
            rows = self._rows(f"SELECT {_PASSAGE_COLUMNS} FROM passages WHERE id = ANY(%s)", (missing,))
            fetched = {row[0]: StoredPassage(*row[1:]) for row in rows}
            found.update(fetched)
            self._passages.update(fetched)
        return _in_order(wanted, found)

    def passage_ids(self, sources=None):
        if sources is None:
            rows = self._rows("SELECT id FROM passages ORDER BY id")
        else:
            rows = self._rows("SELECT id FROM passages WHERE source = ANY(%s) ORDER BY id",
                              (list(sources),))
        return np.array([row[0] for row in rows], dtype=np.int64)

    def documents(self, sources=None):
        if sources is not None:  # a build given files by name: not the whole table
            rows = self._rows(f"SELECT {_DOCUMENT_COLUMNS} FROM documents WHERE source = ANY(%s)",
                              (list(sources),))
            return {row[1]: _document_record(row) for row in rows}
        if self._documents is None:
            rows = self._rows(f"SELECT {_DOCUMENT_COLUMNS} FROM documents")
            self._document_ids = {row[1]: row[0] for row in rows}
            self._documents = {row[1]: _document_record(row) for row in rows}
        return dict(self._documents)

    def dates(self, ids):
        wanted = _ints(ids)
        ordinals = self._dates.of(wanted)
        missing = sorted(set(wanted) - ordinals.keys())
        if missing:
            rows = self._rows("SELECT id, date FROM passages WHERE id = ANY(%s)", (missing,))
            fetched = {i: _ordinal(day) for i, day in rows}
            ordinals.update(fetched)
            self._dates.update(fetched)
        return np.array(_in_order(wanted, ordinals), dtype=np.int64)

    def duplicate_groups(self, ids):
        # Each group is read once, however many of `ids` it holds (a question's candidates are
        # often several copies of one paragraph). The members' dates come along: a caller that
        # collapses a group asks for them next.
        rows = self._rows("""
            WITH asked AS (SELECT group_id, array_agg(id) AS ids FROM passages
                           WHERE id = ANY(%s) GROUP BY group_id)
            SELECT a.ids, array_agg(m.id ORDER BY m.id), array_agg(m.date ORDER BY m.id)
            FROM asked AS a JOIN passages AS m ON m.group_id = a.group_id
            GROUP BY a.group_id, a.ids""", (_ints(ids),))
        groups = {}
        for asked, members, _ in rows:
            group = np.array(members, dtype=np.int64)
            groups.update(dict.fromkeys(asked, group))
        self._dates.update({member: _ordinal(day) for _, members, days in rows
                            for member, day in zip(members, days)})
        return _in_order(ids, groups)

    def skipped(self):
        rows = self._rows("SELECT source, reason, size, modified_ns, read_ns FROM skipped_files "
                          "ORDER BY source")
        return [SkippedRecord(*row) for row in rows]

    # -- reuse by a build -------------------------------------------------------------------------
    def vectors_by_context(self, contexts):
        rows = self._by_text(
            [text for _, _, text in contexts],
            """SELECT DISTINCT ON (p.title, p.heading, p.text, v.window_no)
                      p.title, p.heading, p.text, v.embedding
               FROM passages AS p JOIN passage_vectors AS v ON v.passage_id = p.id
               WHERE md5(p.text) = ANY(%s) ORDER BY p.title, p.heading, p.text, v.window_no""")
        wanted, found = set(contexts), {}
        for title, heading, text, embedding in rows:
            if (title, heading, text) in wanted:
                found.setdefault((title, heading, text), []).append(embedding.to_numpy())
        return {key: np.stack(rows).astype(np.float32) for key, rows in found.items()}

    def tokens_by_context(self, contexts):
        rows = self._by_text([text for _, _, text in contexts],
                               "SELECT title, heading, text, terms, counts FROM passages "
                               "WHERE md5(text) = ANY(%s)")
        wanted = set(contexts)
        return {(t, h, x): [term for term, count in zip(terms, counts) for _ in range(count)]
                for t, h, x, terms, counts in rows if (t, h, x) in wanted}

    def signatures_by_text(self, texts):
        rows = self._by_text(texts, "SELECT text, signature FROM passages WHERE md5(text) = ANY(%s)")
        wanted = set(texts)
        return {text: np.array(row, dtype=np.uint32) for text, row in rows if text in wanted}

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    # -- helpers ----------------------------------------------------------------------------------
    def _by_text(self, texts: list[str], sql: str) -> list[tuple]:
        """Rows of `sql`, whose one parameter is the md5 (PostgreSQL's, indexed) of the wanted
        texts; the caller keeps only exact matches."""
        hashes = sorted({hashlib.md5(text.encode("utf-8")).hexdigest() for text in texts})
        return self._rows(sql, (hashes,)) if hashes else []

    def _check_live(self, ids) -> None:
        """KeyError unless every one of `ids` is live in this snapshot; ids this reader has
        returned as results are known to be."""
        wanted = set(_ints(ids))
        unknown = sorted(wanted - self._live.of(wanted).keys())
        if unknown:
            found = {row[0] for row in self._rows("SELECT id FROM passages WHERE id = ANY(%s)",
                                                  (unknown,))}
            if set(unknown) - found:
                raise KeyError(f"passages not in this version: {sorted(set(unknown) - found)[:5]}")
            self._live.remember(found)


class _Kept:
    """Values read from a snapshot, by id, kept up to `limit` of them (then forgotten at once,
    which is cheaper than tracking use; a snapshot is asked mostly about the same few)."""

    def __init__(self, limit: int):
        self._limit, self._values, self._lock = limit, {}, threading.Lock()

    def of(self, ids) -> dict:
        """The kept values of those of `ids` that are kept."""
        with self._lock:
            return {i: self._values[i] for i in ids if i in self._values}

    def update(self, values: dict) -> None:
        with self._lock:
            if len(self._values) + len(values) > self._limit:
                self._values.clear()
            self._values.update(values)

    def remember(self, ids) -> None:
        """Keep `ids` as known (a set of ids kept this way)."""
        self.update(dict.fromkeys(ids, True))


def _ordinal(day) -> int:
    """A stored date as its proleptic ordinal (0 for none)."""
    return day.toordinal() if isinstance(day, date) else 0


def _document_record(row: tuple) -> DocumentRecord:
    """A DocumentRecord from a row of _DOCUMENT_COLUMNS."""
    return DocumentRecord(row[1], row[2], row[3], tuple(row[4]), *row[5:])


def _ints(ids) -> list[int]:
    """Ids as a Python list (numpy arrays would be sent as vectors by pgvector's adapter)."""
    return [int(i) for i in np.asarray(ids, dtype=np.int64).ravel()]


def _vector(vector):
    from pgvector import Vector

    return Vector(np.asarray(vector, dtype=np.float32).ravel())


def _in_order(ids, by_id: dict) -> list:
    """The value of each of `ids` in order; KeyError for an id that is not live."""
    try:
        return [by_id[i] for i in _ints(ids)]
    except KeyError as error:
        raise KeyError(f"passage {error.args[0]} is not in this version") from None


def _id_score_arrays(rows) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([row[0] for row in rows], dtype=np.int64),
            np.array([row[1] for row in rows], dtype=np.float32))


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)

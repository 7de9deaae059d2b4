"""A build's write session on the PostgreSQL index: one transaction, committed by `publish`.

Everything a build changes (documents, passages, vectors, BM25 statistics, near-duplicate groups,
the generation number) is written in one transaction, so readers see the previous version until
the commit and the new one after it, never a part; a killed build's transaction is rolled back by
the server. A transaction-level advisory lock makes builds take turns: a second writer is refused
with IndexBusy at once, and the lock goes with the transaction, whatever ends it. The writer's
connection names its process (qa.index.stores.owner) as its application name, so that a lock whose
connection outlived its build (held open by processes the build left) is taken over: that
connection is ended, with a warning.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import datetime, timezone

import numpy as np
import psycopg

from qa.errors import IndexBusy
from qa.index.stores.base import DocumentRecord, NewPassages, SkippedRecord, StoreReader, StoreWriter
from qa.index.stores.owner import describe, held_by_dead_process, taken_over, this_process
from qa.index.stores.postgres import bm25
from qa.index.stores.postgres.connection import lost_guard
from qa.index.stores.postgres.errors import redacted
from qa.index.stores.postgres.groups import band_keys, regroup

BUILD_LOCK = 0x5141_0002
# The writer's application name: this prefix, then its process (qa.index.stores.owner).
BUILDER = "briefing-qa build "
# How long ending a dead build's connection may take (ms).
TAKEOVER_WAIT_MS = 10_000
# Memory the vector graph's build may use: PostgreSQL's default (64 MB) holds the graph of ~30k
# vectors; one that does not fit is built far more slowly. Estimated per vector beside its own
# bytes (pgvector's neighbour lists and element), and capped.
GRAPH_BYTES_PER_VECTOR = 1024
GRAPH_BUILD_MEMORY_CAP = 4 << 30


class PostgresWriter(StoreWriter):
    def __init__(self, connection, url: str, model: str, dimension: int, fresh: bool,
                 reader: StoreReader | None):
        self._connection, self._url = connection, url
        self._reader = reader
        self._touched_groups: set[int] = set()
        self._new_ids: list[int] = []
        self._open = True
        # The dimension of a vector column typed by this build, whose graph is built at publish.
        self._new_graph_dimension: int | None = None
        self._vectors_written = 0
        with lost_guard(url):
            connection.execute("SELECT set_config('application_name', %s, false)",
                               (BUILDER + this_process(),))
            self._transaction = connection.transaction()
            self._transaction.__enter__()
            try:
                self._lock()
            except IndexBusy:
                self.close()
                raise
            if fresh:
                self._clear()
            self._prepare_vectors(dimension)
            # Into an empty index, the posting blocks and the BM25 statistics are written once at
            # publish rather than document by document (a first build or a copy).
            self._bulk = self._execute("SELECT NOT EXISTS (SELECT 1 FROM passages)").fetchone()[0]
            self._set_meta({"model": model, "dimension": dimension})

    def reader(self):
        return self._reader

    def _lock(self) -> None:
        """Take the build lock (IndexBusy while a running build holds it); a dead build's is
        taken over by ending its connection."""
        if self._try_lock():
            return
        backend, holder = self._holder()
        if backend is not None and held_by_dead_process(holder):
            logging.getLogger("qa").warning(taken_over(redacted(self._url), holder))
            if self._end(backend) and self._try_lock():
                return
        raise IndexBusy(redacted(self._url), describe(holder))

    def _try_lock(self) -> bool:
        return self._execute("SELECT pg_try_advisory_xact_lock(%s)", (BUILD_LOCK,)).fetchone()[0]

    def _end(self, backend: int) -> bool:
        """End server process `backend` (and with it its transaction); False when this user may
        not."""
        try:
            with self._connection.transaction():  # a savepoint: a refusal leaves ours usable
                self._execute("SELECT pg_terminate_backend(%s, %s)", (backend, TAKEOVER_WAIT_MS))
        except psycopg.errors.InsufficientPrivilege:
            logging.getLogger("qa").warning("this database user may not end another's connection: "
                                            "ask the database's administrator to end process %s", backend)
            return False
        return True

    def _holder(self) -> tuple[int | None, str]:
        """(server process, owner named by its application name) of the build lock's holder."""
        row = self._execute("""
            SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (
                SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid AND l.objsubid = 1""",
            (BUILD_LOCK >> 32, BUILD_LOCK & 0xFFFF_FFFF)).fetchone()
        if row is None:
            return None, ""
        name = row[1] or ""
        return row[0], name[len(BUILDER):] if name.startswith(BUILDER) else ""

    def _execute(self, sql: str, parameters=None):
        with lost_guard(self._url):
            return self._connection.execute(sql, parameters)

    def add_document(self, record: DocumentRecord, new: NewPassages) -> None:
        self.delete_document(record.source)
        document_id = self._execute("""
            INSERT INTO documents (source, read_ns, title, date, publisher, url, digest, size,
                                   modified_ns, paragraphs)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
            (record.source, record.read_ns, record.title, record.date, record.publisher,
             record.url, record.digest, record.size, record.modified_ns,
             list(record.paragraphs))).fetchone()[0]
        ids = [row[0] for row in self._execute(
            "SELECT nextval(pg_get_serial_sequence('passages', 'id')) "
            "FROM generate_series(1, %s)", (len(new.passages),)).fetchall()]
        with lost_guard(self._url):
            self._copy_passages(ids, document_id, record, new)
            self._copy_vectors(ids, new)
        self._vectors_written += len(new.vectors)
        if not self._bulk:
            self._execute("""
                INSERT INTO term_stats (term, df)
                SELECT term, count(*) FROM passages, unnest(terms) AS term
                WHERE document_id = %s GROUP BY term
                ON CONFLICT (term) DO UPDATE SET df = term_stats.df + excluded.df""", (document_id,))
            self._execute("""
                UPDATE corpus_stats SET passages = passages + s.n, total_length = total_length + s.total
                FROM (SELECT count(*) AS n, coalesce(sum(length), 0) AS total FROM passages
                      WHERE document_id = %s) AS s""", (document_id,))
        self._new_ids.extend(ids)

    def update_record(self, record: DocumentRecord) -> None:
        updated = self._execute("""
            UPDATE documents SET read_ns = %s, title = %s, date = %s, publisher = %s, url = %s,
                                 digest = %s, size = %s, modified_ns = %s, paragraphs = %s
            WHERE source = %s RETURNING id""",
            (record.read_ns, record.title, record.date, record.publisher, record.url, record.digest,
             record.size, record.modified_ns, list(record.paragraphs), record.source)).fetchone()
        if updated is None:
            raise KeyError(f"no document {record.source!r} in the index")
        self._execute("UPDATE passages SET date = %s WHERE document_id = %s AND date IS DISTINCT FROM %s",
                      (record.date, updated[0], record.date))

    def delete_document(self, source: str) -> None:
        found = self._execute("SELECT id FROM documents WHERE source = %s", (source,)).fetchone()
        if found is None:
            return
        document_id = found[0]
        if not self._bulk:  # their postings stay in the blocks until these are made again
            self._execute("INSERT INTO dead_passages SELECT id FROM passages WHERE document_id = %s "
                          "ON CONFLICT DO NOTHING", (document_id,))
        groups = self._execute("SELECT DISTINCT group_id FROM passages WHERE document_id = %s",
                               (document_id,)).fetchall()
        self._touched_groups.update(row[0] for row in groups)
        if not self._bulk:
            self._execute("""
                UPDATE term_stats AS t SET df = t.df - gone.n
                FROM (SELECT term, count(*) AS n FROM passages, unnest(terms) AS term
                      WHERE document_id = %s GROUP BY term) AS gone
                WHERE t.term = gone.term""", (document_id,))
            self._execute("""
                UPDATE corpus_stats SET passages = passages - s.n, total_length = total_length - s.total
                FROM (SELECT count(*) AS n, coalesce(sum(length), 0) AS total FROM passages
                      WHERE document_id = %s) AS s""", (document_id,))
        self._execute("DELETE FROM documents WHERE id = %s", (document_id,))

    def set_skipped(self, skipped: list[SkippedRecord]) -> None:
        self._execute("DELETE FROM skipped_files")
        with lost_guard(self._url), self._connection.cursor().copy(
                "COPY skipped_files (source, reason, size, modified_ns, read_ns) FROM STDIN") as copy:
            for record in {record.source: record for record in skipped}.values():
                copy.write_row((record.source, record.reason, record.size, record.modified_ns,
                                record.read_ns))

    def publish(self) -> str:
        with lost_guard(self._url):
            regroup(self._connection, self._new_ids, self._touched_groups)
            if self._bulk:
                self._count_terms()
                self._write_blocks()
                # The planner's row estimates for freshly filled tables (a first build or a copy).
                self._execute("ANALYZE passages, term_stats, posting_blocks")
            else:
                self._add_blocks()
            if self._new_graph_dimension is not None:
                self._build_graph(self._new_graph_dimension)
            self._execute("DELETE FROM term_stats WHERE df <= 0")
            generation = self._execute(
                "UPDATE qa_meta SET value = to_jsonb(value::text::bigint + 1) "
                "WHERE key = 'generation' RETURNING value").fetchone()[0]
            self._set_meta({"built_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
            self._transaction.__exit__(None, None, None)
            self._open = False
            if self._bulk:
                self._mark_visible()
        self.close()
        return f"g{generation}"

    def _mark_visible(self) -> None:
        """VACUUM the freshly filled tables, after the commit: until their pages are marked all
        visible, a row found through a covering index is read from the table too, and every
        question looks up hundreds of passages' groups and dates. A build killed here has
        published already."""
        self._execute("VACUUM (ANALYZE) passages, passage_vectors, posting_blocks")

    def close(self) -> None:
        if self._open:
            self._open = False
            try:
                self._transaction.__exit__(psycopg.Rollback, psycopg.Rollback(), None)
            except psycopg.Error:
                pass  # the connection is gone: the server rolls the transaction back itself
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._connection.close()

    # -- helpers ----------------------------------------------------------------------------------
    def _clear(self) -> None:
        """Remove every document and statistic (rows, not tables: readers keep their snapshot)."""
        for table in ("documents", "term_stats", "skipped_files", "posting_blocks", "dead_passages"):
            self._execute(f"DELETE FROM {table}")
        self._execute("UPDATE corpus_stats SET passages = 0, total_length = 0")
        self._touched_groups.clear()

    def _prepare_vectors(self, dimension: int) -> None:
        """Give the vector column its dimension (first build, or a new model). Its HNSW graph is
        then built at publish, over all the vectors at once: inserting them one by one into the
        graph is most of a large first build's time. Readers wait for the commit either way, as
        changing the column's type locks the table until then."""
        declared = self._execute("""
            SELECT format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = 'passage_vectors'::regclass AND attname = 'embedding'""").fetchone()[0]
        if declared == f"vector({dimension})":
            return
        self._clear()
        self._execute("DROP INDEX IF EXISTS passage_vectors_hnsw")
        self._execute(f"ALTER TABLE passage_vectors ALTER COLUMN embedding TYPE vector({int(dimension)})")
        self._new_graph_dimension = int(dimension)

    def _build_graph(self, dimension: int) -> None:
        """The HNSW graph of every vector (all written by this build), with the memory to hold it
        (for this transaction only, never less than the server's setting)."""
        wanted = min(self._vectors_written * (4 * dimension + GRAPH_BYTES_PER_VECTOR),
                     GRAPH_BUILD_MEMORY_CAP)
        current = self._execute("SELECT setting::bigint * 1024 FROM pg_settings "
                                "WHERE name = 'maintenance_work_mem'").fetchone()[0]
        if wanted > current:
            self._execute("SELECT set_config('maintenance_work_mem', %s, true)", (f"{wanted // 1024}kB",))
        self._execute("CREATE INDEX passage_vectors_hnsw ON passage_vectors "
                      "USING hnsw (embedding vector_ip_ops)")

    def _write_blocks(self) -> None:
        """Every term's postings as one block (no passage is dead then)."""
        self._execute("DELETE FROM posting_blocks")
        self._execute("DELETE FROM dead_passages")
        self._execute(bm25.BLOCKS.format(where="true"))

    def _add_blocks(self) -> None:
        """A block per term of the new passages; a term's blocks merged once they are many; all
        made again once the dead passages are too many."""
        dead, live = self._execute("SELECT (SELECT count(*) FROM dead_passages), passages "
                                   "FROM corpus_stats").fetchone()
        if dead > bm25.DEAD_SHARE * live:
            self._write_blocks()
            return
        if not self._new_ids:
            return
        terms = [row[0] for row in self._execute(
            bm25.BLOCKS.format(where="p.id = ANY(%(ids)s)") + " RETURNING term",
            {"ids": self._new_ids}).fetchall()]
        self._execute(bm25.MERGE, {"terms": terms, "merge_at": bm25.MERGE_AT})

    def _count_terms(self) -> None:
        """Count every term's document frequency and the corpus statistics from the passages."""
        self._execute("DELETE FROM term_stats")
        self._execute("INSERT INTO term_stats (term, df) "
                      "SELECT term, count(*) FROM passages, unnest(terms) AS term GROUP BY term")
        self._execute("UPDATE corpus_stats SET passages = s.n, total_length = s.total "
                      "FROM (SELECT count(*) AS n, coalesce(sum(length), 0) AS total FROM passages) AS s")

    def _set_meta(self, values: dict) -> None:
        for key, value in values.items():
            self._execute("INSERT INTO qa_meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                          "SET value = excluded.value", (key, json.dumps(value)))

    def _copy_passages(self, ids, document_id, record: DocumentRecord, new: NewPassages) -> None:
        columns = ("id, document_id, source, date, paragraph, title, heading, text, digest, page, "
                   "signature, bands, group_id, terms, counts, length")
        term_counts = [Counter(tokens) for tokens in new.tokens]
        with self._connection.cursor().copy(f"COPY passages ({columns}) FROM STDIN") as copy:
            for i, passage, counts, tokens, signature in zip(ids, new.passages, term_counts,
                                                             new.tokens, new.signatures):
                copy.write_row((
                    i, document_id, record.source, record.date, passage.paragraph, passage.title,
                    passage.heading, passage.text, passage.digest, passage.page,
                    [int(v) for v in signature], band_keys(signature), i,
                    list(counts), list(counts.values()), len(tokens)))

    def _copy_vectors(self, ids, new: NewPassages) -> None:
        windows = Counter()
        with self._connection.cursor().copy(
                "COPY passage_vectors (passage_id, window_no, embedding) FROM STDIN "
                "WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "int4", "vector"])
            for owner, vector in zip(new.owners.tolist(), new.vectors):
                copy.write_row((ids[owner], windows[owner], np.asarray(vector, dtype=np.float32)))
                windows[owner] += 1

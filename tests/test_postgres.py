"""The PostgreSQL + pgvector store (qa.index.stores.postgres) against a real server.

The server is the throwaway one of scripts/pg-server, started once per session, or the one named
by QA_TEST_DATABASE (CI starts one). Each test gets a database of its own. Results are checked
against brute force (numpy for vectors, bm25s through qa.search.lexical for BM25).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import re
import textwrap
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg
import pytest

import qa
from conftest import bm25s_scores, new_database, write_corpus
from qa.ingest.documents import text_digest
from qa.search.duplicates import signatures
from qa.errors import IndexBusy, IndexNotFound, QAError
from qa.search.filters import Filters
from qa.search.lexical import tokenize
from qa.index.stores import DocumentRecord, NewPassages, StoredPassage, open_store
from qa.index.stores.base import BM25_B, BM25_K1, bm25_idf
from qa.index.stores.postgres import bm25
from qa.index.stores.postgres.schema import MIGRATIONS
from qa.index.stores.postgres.errors import (DatabaseLost, DatabaseUnavailable, ExtensionMissing,
                                       SchemaTooNew)

ROOT = Path(__file__).resolve().parent.parent
DIMENSION = 8


@pytest.fixture
def database(pg_server):
    """The URL of a new, empty database on the test server, dropped after the test."""
    with new_database(pg_server) as url:
        yield url


# -- building blocks: documents made by hand, vectors from a seeded generator ---------------------

def unit_rows(rng, count: int) -> np.ndarray:
    rows = rng.normal(size=(count, DIMENSION)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def document(source: str, texts: list[str], date: str | None = None, seed: int = 0,
             long_first: bool = False):
    """(record, new passages) of a briefing; with `long_first`, its first passage has 2 windows."""
    rng = np.random.default_rng(seed)
    title = f"Title of {source}"
    passages = [StoredPassage(source, title, i + 1, text, "", text_digest(text))
                for i, text in enumerate(texts)]
    owners = np.array(([0] if long_first else []) + list(range(len(texts))), dtype=np.int64)
    new = NewPassages(passages, unit_rows(rng, len(owners)), owners,
                      tokenize([p.indexed_text for p in passages]), signatures(texts))
    record = DocumentRecord(source, title, text_digest("".join(texts)),
                            tuple(p.digest for p in passages), date=date)
    return record, new


CORPUS = {
    "wire/ports.txt": (["Dock workers in Rotterdam extended their strike into a second week.",
                        "The port of Antwerp handled extra container ships during the strike."],
                       "2025-03-05"),
    "notes/grain.md": (["Grain exports through the Black Sea corridor rose in March.",
                        "Ministers discussed a ceasefire and grain corridors in Istanbul."],
                       "2025-02-10"),
    "undated.txt": (["Tuna fishermen in Valletta reported the best catch in ten years.",
                     "The council approved a budget of 12 million euros for schools and ports."],
                    None),
}


def publish(store, documents: dict, fresh: bool = False, seed: int = 0) -> dict:
    """Add `documents` in one build; returns source -> (record, new) as added."""
    added = {}
    with store.writer("fake", DIMENSION, fresh=fresh) as writer:
        for offset, (source, (texts, day)) in enumerate(documents.items()):
            added[source] = document(source, texts, day, seed=seed + offset, long_first=offset == 0)
            writer.add_document(*added[source])
        writer.publish()
    return added


def live_passages(reader) -> tuple[np.ndarray, list[StoredPassage]]:
    ids = reader.passage_ids()
    return ids, reader.passages(ids)


# -- search against brute force -------------------------------------------------------------------

QUESTIONS = ["strike at the port of Rotterdam", "grain corridors ceasefire grain", "tuna catch",
             "schools budget euros", "nothing matches xylophone"]


def test_bm25_scores_match_bm25s_over_the_live_passages(database):
    store = open_store(database)
    publish(store, CORPUS)
    publish(store, {"wire/ports.txt": (["Dockers in Rotterdam ended the strike on Friday."], "2025-03-12")},
            seed=7)
    with store.reader("fake") as reader:
        ids, passages = live_passages(reader)
        assert len(ids) == 5
        texts = [p.indexed_text for p in passages]
        for question in QUESTIONS:
            tokens = tokenize([question])[0]
            expected = bm25s_scores(texts, question)
            np.testing.assert_allclose(reader.lexical_scores(tokens, ids), expected, rtol=1e-5, atol=1e-6)
            top_ids, top_scores = reader.lexical_top(tokens, 3)
            order = np.argsort(-expected, kind="stable")
            order = order[expected[order] > 0][:3]
            assert top_ids.tolist() == ids[order].tolist()
            np.testing.assert_allclose(top_scores, expected[order], rtol=1e-5)


@pytest.mark.parametrize("merge_at, dead_share", [(bm25.MERGE_AT, bm25.DEAD_SHARE), (1, 10.0), (16, 0.0)],
                         ids=["as-shipped", "merged-every-build", "made-again-every-build"])
def test_bm25_from_blocks_stays_exact_through_adds_replacements_and_deletions(
        database, merge_at, dead_share, monkeypatch):
    """Blocks are added per build, merged, and hold deleted passages until made again: whatever
    the policy, the top-k and the scores are brute force's over the live passages."""
    monkeypatch.setattr(bm25, "MERGE_AT", merge_at)
    monkeypatch.setattr(bm25, "DEAD_SHARE", dead_share)
    rng = np.random.default_rng(11)
    words = ["grain", "port", "strike", "ship", "corridor", "ceasefire", "tuna", "budget"]
    store = open_store(database)

    def texts(count: int) -> list[str]:
        return [" ".join(rng.choice(words, int(rng.integers(1, 12)))) for _ in range(count)]

    publish(store, {f"first/{i}.txt": (texts(6), None) for i in range(4)})
    for build in range(4):
        with store.writer("fake", DIMENSION) as writer:
            writer.delete_document(f"first/{build}.txt")
            source = f"later/{build}.txt" if build != 2 else "first/3.txt"  # a replacement too
            writer.add_document(*document(source, texts(5), seed=40 + build))
            writer.publish()
        with store.reader("fake") as reader:
            ids, passages = live_passages(reader)
            indexed = [p.indexed_text for p in passages]
            for question in ["grain strike", "tuna tuna budget port", "ceasefire corridor ship grain"]:
                expected = bm25s_scores(indexed, question)
                tokens = tokenize([question])[0]
                np.testing.assert_allclose(reader.lexical_scores(tokens, ids), expected, rtol=1e-5, atol=1e-6)
                order = np.lexsort((ids, -expected))
                order = order[expected[order] > 0]
                for k in [1, 4, 30]:
                    top_ids, top_scores = reader.lexical_top(tokens, k)
                    assert set(top_ids.tolist()) <= set(ids.tolist())  # no deleted passage
                    np.testing.assert_allclose(top_scores, expected[order[:k]], rtol=1e-5)


def test_a_passage_past_the_blocks_counts_scores_as_if_it_had_32767_tokens(database):
    """Posting blocks hold counts and lengths as int2: a passage of more tokens than that (ingest
    makes none) is stored and scored as one of 32,767, the others exactly."""
    store = open_store(database)
    words = 40_000
    publish(store, {"huge.txt": (["ships " * words, "two ships in port"], None),
                    "small.txt": (["ships sail at dawn"], None)})
    with store.reader("fake") as reader:
        ids, passages = live_passages(reader)
        lengths = np.array([len(tokenize([p.indexed_text])[0]) for p in passages], np.float64)
        counts = np.array([tokenize([p.indexed_text])[0].count("ship") for p in passages], np.float64)
        clipped_lengths, clipped_counts = np.minimum(lengths, 32_767), np.minimum(counts, 32_767)
        assert clipped_lengths.max() < lengths.max()
        norms = BM25_K1 * (1 - BM25_B + BM25_B * clipped_lengths / lengths.mean())
        expected = bm25_idf(len(ids), 3) * clipped_counts / (clipped_counts + norms)
        np.testing.assert_allclose(reader.lexical_scores(["ship"], ids), expected, rtol=1e-5)


def test_block_scores_are_summed_alike_for_close_and_spread_ids(monkeypatch):
    """Postings of ids close together are summed in an array indexed by id, of ids spread far
    apart by sorting them: the same sums and the same top either way, the dead left out, at
    every depth (the array's top ranks only what scores at least a floor sampled from the
    rarest term)."""
    rng = np.random.default_rng(4)
    ids = rng.integers(10**12, 10**12 + 500, 2_000)
    weights = np.round(rng.random(2_000), 1)  # ties, broken by the smaller id
    rare, common = np.unique(ids[:40]), ids[40:]
    dead = np.array([ids[0], ids[45], 7])
    expected = {}
    for i, w in zip(ids.tolist(), weights.tolist()):
        if i not in dead:
            expected[i] = expected.get(i, 0.0) + w
    ranked = sorted(expected, key=lambda i: (-expected[i], i))
    for span in (bm25.DENSE_SPAN, 10):  # the second forces the sorting path
        monkeypatch.setattr(bm25, "DENSE_SPAN", span)
        summed = bm25._summed(ids, weights, dead, [rare, np.unique(common)])
        assert summed.count() == len(expected)
        np.testing.assert_allclose(summed.of(np.array(sorted(expected))),
                                   [expected[i] for i in sorted(expected)])
        np.testing.assert_allclose(summed.of(np.array([ids[1], ids[0], 3, 10**13])),
                                   [expected[int(ids[1])], 0.0, 0.0, 0.0])
        for k in (1, 5, 30, 39, 200, 1000):
            top_ids, top_scores = summed.top(k)
            assert top_ids.tolist() == ranked[:k]
            np.testing.assert_allclose(top_scores, [expected[i] for i in ranked[:k]])


def test_dense_search_matches_brute_force_over_windows(database):
    store = open_store(database)
    added = publish(store, CORPUS)
    with store.reader("fake") as reader:
        ids, passages = live_passages(reader)
        by_text = {}
        for record, new in added.values():
            for position, passage in enumerate(new.passages):
                by_text[passage.text] = new.vectors[new.owners == position]
        question = unit_rows(np.random.default_rng(42), 1)[0]
        expected = np.array([float((by_text[p.text] @ question).max()) for p in passages], np.float32)
        np.testing.assert_allclose(reader.dense_scores(question, ids), expected, rtol=1e-5, atol=1e-6)
        top_ids, top_scores = reader.dense_top(question, 4)
        order = np.argsort(-expected, kind="stable")[:4]
        assert top_ids.tolist() == ids[order].tolist()
        np.testing.assert_allclose(top_scores, expected[order], rtol=1e-5, atol=1e-6)


def graph_index(url: str) -> tuple[int, str] | None:
    """(oid, definition) of the vector graph's index, None without one."""
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT c.oid::int, pg_get_indexdef(c.oid) FROM pg_class c "
            "WHERE c.relname = 'passage_vectors_hnsw'").fetchone()


def test_the_vector_graph_is_built_at_the_first_publish_and_kept_by_later_builds(database):
    store = open_store(database)
    publish(store, {"first.txt": (["Harbour cranes stopped in Rotterdam."], None)})
    oid, definition = graph_index(database)
    assert "hnsw" in definition and "vector_ip_ops" in definition
    publish(store, {"second.txt": (["Grain ships left Odesa."], None)}, seed=5)
    assert graph_index(database)[0] == oid
    with store.writer("another model", DIMENSION * 2) as writer:  # a new model: a new graph
        record, new = document("third.txt", ["Ferries resumed in Calais."])
        writer.add_document(record, replace(new, vectors=np.hstack([new.vectors, new.vectors]) / np.sqrt(2)))
        writer.publish()
    assert graph_index(database)[0] != oid
    with store.reader("another model") as reader:
        question = np.hstack([new.vectors[0], new.vectors[0]]) / np.sqrt(2)
        assert reader.passages(reader.dense_top(question, 1)[0])[0].source == "third.txt"


@pytest.mark.parametrize("filters, allowed_sources", [
    (Filters.of(since="2025-03-01"), {"wire/ports.txt"}),
    (Filters.of(until="2025-02"), {"notes/grain.md"}),
    (Filters.of(sources=["*.txt"]), {"wire/ports.txt", "undated.txt"}),
    (Filters.of(sources=["NOTES/*"], since="2025"), {"notes/grain.md"}),
    (Filters.of(sources=["*.pdf"]), set()),
])
def test_filters_restrict_both_halves_before_ranking(database, filters, allowed_sources):
    store = open_store(database)
    publish(store, CORPUS)
    with store.reader("fake") as reader:
        ids, passages = live_passages(reader)
        allowed = reader.allowed(filters)
        assert allowed.empty == (not allowed_sources)
        expected = [p.source in allowed_sources for p in passages]
        assert reader.allows(allowed, ids).tolist() == expected
        question = unit_rows(np.random.default_rng(1), 1)[0]
        dense_ids, _ = reader.dense_top(question, 10, allowed)
        lexical_ids, _ = reader.lexical_top(tokenize(["ports strike grain tuna schools"])[0], 10, allowed)
        allowed_ids = set(ids[np.array(expected, dtype=bool)].tolist()) if allowed_sources else set()
        assert set(dense_ids.tolist()) == allowed_ids
        assert set(lexical_ids.tolist()) <= allowed_ids and (not allowed_ids or len(lexical_ids))
    assert reader_allowed_none(store)


def reader_allowed_none(store) -> bool:
    with store.reader() as reader:
        return reader.allowed(Filters()) is None


# -- records, reuse and incremental builds ---------------------------------------------------------

def test_records_round_trip_and_reuse_lookups(database):
    store = open_store(database)
    added = publish(store, CORPUS)
    record, new = added["wire/ports.txt"]
    with store.reader("fake") as reader:
        assert reader.documents()["wire/ports.txt"] == record
        ids, passages = live_passages(reader)
        first = [i for i, p in zip(ids, passages) if p == new.passages[0]]
        assert len(first) == 1
        assert reader.dates(np.array(first)).tolist() == [739315]  # date(2025, 3, 5).toordinal()
        context = new.passages[0].context
        np.testing.assert_array_equal(reader.vectors_by_context([context, ("x", "", "y")])[context],
                                      new.vectors[new.owners == 0])
        assert sorted(reader.tokens_by_context([context])[context]) == sorted(new.tokens[0])
        text = new.passages[1].text
        assert np.array_equal(reader.signatures_by_text([text])[text], new.signatures[1])
        with pytest.raises(KeyError):
            reader.passages(np.array([10_000]))
        assert reader.passage_ids(["wire/ports.txt", "unknown.txt"]).tolist() == sorted(
            i for i, p in zip(ids.tolist(), passages) if p.source == "wire/ports.txt")


def test_replacing_a_briefing_keeps_ids_of_others_and_old_readers_see_their_version(database):
    store = open_store(database)
    publish(store, CORPUS)
    old_version = store.version()
    with store.reader("fake") as old:
        old_ids, old_passages = live_passages(old)
        publish(store, {"notes/grain.md": (["Grain exports fell in April."], "2025-04-01")}, seed=3)
        assert store.version() != old_version
        assert live_passages(old)[1] == old_passages  # the snapshot is unchanged
    with store.reader("fake") as new:
        ids, passages = live_passages(new)
        assert [p.text for p in passages if p.source == "notes/grain.md"] == ["Grain exports fell in April."]
        kept = {i for i, p in zip(old_ids.tolist(), old_passages) if p.source != "notes/grain.md"}
        assert kept <= set(ids.tolist())
        assert max(ids) > max(old_ids)  # new passages get new, larger ids
        assert new.info().passages == 5 and new.info().documents == 3


def test_near_duplicate_groups_follow_additions_and_deletions(database):
    store = open_store(database)
    wire = "Dock workers in Rotterdam extended their strike into a second week on Monday."
    publish(store, {"a.txt": ([wire, "Unrelated text about tuna."], "2025-01-01")})
    publish(store, {"b.txt": ([wire.replace("Monday", "Tuesday")], "2025-01-02")}, seed=1)
    with store.reader("fake") as reader:
        ids, passages = live_passages(reader)
        groups = reader.duplicate_groups(ids)
        by_text = {p.text: g.tolist() for p, g in zip(passages, groups)}
        assert by_text[wire] == by_text[wire.replace("Monday", "Tuesday")] and len(by_text[wire]) == 2
        assert len(by_text["Unrelated text about tuna."]) == 1
    with store.writer("fake", DIMENSION) as writer:
        writer.delete_document("b.txt")
        writer.publish()
    with store.reader("fake") as reader:
        ids, _ = live_passages(reader)
        assert [g.tolist() for g in reader.duplicate_groups(ids)] == [[i] for i in ids.tolist()]


# -- builds: one at a time, all or nothing ----------------------------------------------------------

def test_a_second_builder_is_told_the_index_is_busy(database):
    store = open_store(database)
    publish(store, CORPUS)
    with store.writer("fake", DIMENSION):
        with pytest.raises(IndexBusy):
            store.writer("fake", DIMENSION)
    with store.writer("fake", DIMENSION) as writer:  # free again once the first has ended
        writer.publish()


def test_an_unpublished_build_changes_nothing(database):
    store = open_store(database)
    publish(store, CORPUS)
    version = store.version()
    with store.writer("fake", DIMENSION) as writer:
        writer.delete_document("undated.txt")
    assert store.version() == version
    with store.reader("fake") as reader:
        assert "undated.txt" in reader.documents()


KILLED_BUILD = textwrap.dedent("""
    import os, sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from test_postgres import document
    from qa.index.stores import open_store
    writer = open_store(sys.argv[1]).writer("fake", 8)
    writer.delete_document("undated.txt")
    writer.add_document(*document("new.txt", ["A briefing that never lands."]))
    print("written", flush=True)
    sys.stdin.readline()
""")


def test_a_killed_build_leaves_the_previous_state_and_frees_the_lock(database):
    store = open_store(database)
    publish(store, CORPUS)
    version = store.version()
    script = KILLED_BUILD.format(root=str(ROOT), tests=str(ROOT / "tests"))
    builder = subprocess.Popen([sys.executable, "-c", script, database], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert builder.stdout.readline().strip() == "written"
        with pytest.raises(IndexBusy):
            store.writer("fake", DIMENSION)
    finally:
        builder.kill()
        builder.wait()
    assert store.version() == version
    with store.reader("fake") as reader:
        assert set(reader.documents()) == set(CORPUS)
    with store.writer("fake", DIMENSION) as writer:  # the server released the dead build's lock
        writer.publish()


# -- errors: one line each ---------------------------------------------------------------------------

def one_line(error: Exception) -> str:
    message = str(error)
    assert "\n" not in message and message
    return message


def test_an_empty_database_has_no_index(database):
    with pytest.raises(IndexNotFound) as caught:
        open_store(database).version()
    assert "no index in postgresql://" in one_line(caught.value)


def test_connection_errors_are_one_line_without_the_password(pg_server):
    parts = urlsplit(pg_server)
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    url = urlunsplit(parts._replace(netloc=f"postgres:secret@127.0.0.1:{closed_port}"))
    with pytest.raises(DatabaseUnavailable) as caught:
        open_store(url).version()
    message = one_line(caught.value)
    assert "cannot connect to the index database" in message and "secret" not in message


def test_a_missing_pgvector_extension_is_named(database):
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS qa_plain")
        admin.execute("CREATE ROLE qa_plain LOGIN")
        admin.execute(f"REVOKE CREATE ON DATABASE {urlsplit(database).path[1:]} FROM PUBLIC")
    url = urlunsplit(urlsplit(database)._replace(netloc=urlsplit(database).netloc.replace(
        "postgres@", "qa_plain@")))
    try:
        with pytest.raises(ExtensionMissing) as caught:
            open_store(url).version()
        assert "CREATE EXTENSION vector" in one_line(caught.value)
    finally:
        with psycopg.connect(database, autocommit=True) as admin:
            admin.execute("DROP ROLE qa_plain")


def test_a_schema_from_a_newer_version_is_refused(database):
    store = open_store(database)
    publish(store, CORPUS)
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute("INSERT INTO qa_schema (version) VALUES (99)")
    with pytest.raises(SchemaTooNew) as caught:
        open_store(database).reader()  # a new connection checks the schema
    assert "schema version 99" in one_line(caught.value)


def test_an_index_of_schema_version_1_is_migrated_and_keeps_its_bm25(database):
    store = open_store(database)
    publish(store, CORPUS)
    with store.reader("fake") as reader:
        ids = reader.passage_ids()
        before = {q: reader.lexical_scores(tokenize([q])[0], ids) for q in QUESTIONS}
    with psycopg.connect(database, autocommit=True) as admin:  # back to version 1's tables
        admin.execute("DROP TABLE posting_blocks, dead_passages")
        admin.execute("DROP SEQUENCE posting_block_numbers")
        admin.execute("DROP INDEX term_stats_unused, passages_group_members, passages_id_group")
        admin.execute("CREATE INDEX passages_group ON passages (group_id)")
        admin.execute("CREATE INDEX passages_terms ON passages USING gin (terms)")
        admin.execute("CREATE TABLE sentence_vectors (passage_id bigint PRIMARY KEY REFERENCES "
                      "passages (id) ON DELETE CASCADE, spans integer[] NOT NULL, embeddings bytea NOT NULL)")
        admin.execute("INSERT INTO sentence_vectors SELECT id, ARRAY[0, 1], '\\x00' FROM passages")
        admin.execute("DELETE FROM qa_schema WHERE version > 1")
    with open_store(database).reader("fake") as reader:
        for question, scores in before.items():
            tokens = tokenize([question])[0]
            np.testing.assert_allclose(reader.lexical_scores(tokens, ids), scores, rtol=1e-6)
            top_ids, top_scores = reader.lexical_top(tokens, 3)
            best = sorted(((-s, i) for i, s in zip(ids.tolist(), scores.tolist()) if s > 0))[:3]
            assert top_ids.tolist() == [i for _, i in best]
    with psycopg.connect(database) as check:
        assert check.execute("SELECT max(version) FROM qa_schema").fetchone()[0] == len(MIGRATIONS)
        assert check.execute("SELECT to_regclass('sentence_vectors')").fetchone()[0] is None


def test_a_database_that_goes_away_mid_query_is_reported(database):
    store = open_store(database)
    publish(store, CORPUS)
    reader = store.reader("fake")
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    with pytest.raises(DatabaseLost) as caught:
        reader.lexical_top(["strike"], 3)
    assert "was lost" in one_line(caught.value)
    assert isinstance(caught.value, QAError)
    assert store.version()  # the store's own connection is opened again


def test_skipped_files_are_replaced_with_each_publish(database):
    from qa.index.stores import SkippedRecord

    store = open_store(database)
    first = [SkippedRecord("scan.pdf", "a PDF without a text layer", 10, 20, 30),
             SkippedRecord("empty.txt", "no paragraphs with content", 0, 5, 30)]
    for skipped in (first, first[:1]):
        with store.writer("fake", DIMENSION) as writer:
            writer.add_document(*document("a.txt", ["Some text."]))
            writer.set_skipped(skipped)
            writer.publish()
        with store.reader("fake") as reader:
            assert reader.skipped() == sorted(skipped, key=lambda record: record.source)


# -- through the library: the same answers as the file index ---------------------------------------

@pytest.fixture(scope="module")
def sample_database(pg_server, sample_index):
    """The sample briefing indexed in PostgreSQL with the real model (the files twin: sample_index)."""
    with new_database(pg_server) as url:
        qa.build_index(Path(sample_index).parent / "corpus", url, progress=False)
        yield url


def sample_questions() -> list[str]:
    data = json.loads((ROOT / "bench" / "sample_questions.json").read_text(encoding="utf-8"))
    return [item["question"] for item in data["questions"]]


def shown(passages) -> list[tuple]:
    return [(p.source, p.paragraph, round(p.score, 3), p.citation, p.date,
             tuple(o.source for o in p.also_in)) for p in passages]


@pytest.mark.parametrize("question", sample_questions())
def test_sample_questions_get_the_same_top_passages_as_files(sample_index, sample_database, question):
    assert shown(qa.retrieve(question, k=5, index_dir=sample_database)) == shown(
        qa.retrieve(question, k=5, index_dir=sample_index))


def test_answers_are_the_same_as_from_files(sample_index, sample_database):
    question = "Which countries committed troops?"
    from_files = qa.answer(question, index_dir=sample_index)
    from_postgres = qa.answer(question, index_dir=sample_database)
    assert from_postgres.sentences == from_files.sentences and from_postgres.found
    assert "UK and France" in from_postgres.to_text()


BRIEFINGS = {
    "2025-03-05-harbour.md": "---\ntitle: Harbour Gazette\ndate: 2025-03-05\n---\n"
                             "Dock workers in Rotterdam extended their strike into a second week.\n\n"
                             "Container ships waited off the Hook of Holland for three days.\n",
    "wire/2025-03-12-talks.txt": "Ceasefire Talks\n\nMinisters met in Istanbul to discuss grain "
                                 "corridors and a ceasefire.\n\nDock workers in Rotterdam extended "
                                 "their strike into a second week.\n",
    "notes/tuna.txt": "Tuna Notes\n\nFishermen in Valletta reported the best tuna catch in ten "
                      "years.\n\nThe harbour reopened after the storm.\n",
}
FILTERED_QUESTIONS = [("strike in Rotterdam", {}), ("grain ceasefire", {"since": "2025-03-10"}),
                      ("tuna harbour", {"sources": ["*.txt"]}), ("harbour", {"until": "2025-03"}),
                      ("ships", {"sources": ["wire/*"], "since": "2025"})]


def test_builds_and_filters_through_postgres_match_files(fake_encoder, database, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", BRIEFINGS)
    qa.build_index(corpus, tmp_path / "index", progress=False)
    qa.build_index(corpus, database, progress=False)
    for question, filters in FILTERED_QUESTIONS:
        for mode in ("hybrid", "dense", "bm25"):
            assert shown(qa.retrieve(question, k=4, index_dir=database, mode=mode, **filters)) == shown(
                qa.retrieve(question, k=4, index_dir=tmp_path / "index", mode=mode, **filters)), (question, mode)


def test_an_incremental_build_embeds_only_new_text_and_replaces_the_briefing(fake_encoder, database,
                                                                            tmp_path):
    corpus = write_corpus(tmp_path / "corpus", BRIEFINGS)
    qa.build_index(corpus, database, progress=False)
    (corpus / "notes/tuna.txt").write_text(
        "Tuna Notes\n\nFishermen in Valletta reported the best tuna catch in ten years.\n\n"
        "Volcanoes on Sicily erupted overnight.\n", encoding="utf-8")
    os.utime(corpus / "notes/tuna.txt", (1, 1))  # unmistakably changed: size and time differ
    fake_encoder.encoded.clear()
    report = qa.build_index(corpus, database, progress=False)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 5)
    assert any("Volcanoes" in text for text in fake_encoder.encoded)
    assert not any("tuna catch" in text or "Rotterdam" in text for text in fake_encoder.encoded)
    texts = [p.text for p in qa.retrieve("harbour volcanoes tuna", k=10, index_dir=database)]
    assert "Volcanoes on Sicily erupted overnight." in texts
    assert "The harbour reopened after the storm." not in texts


def test_a_briefing_named_is_added_and_removed_through_postgres(fake_encoder, database, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", BRIEFINGS)
    qa.build_index(corpus, database, progress=False)
    comets = corpus / "comets.txt"
    comets.write_text("Comets\n\nComets were seen over Malta.", encoding="utf-8")
    report = qa.build_index(corpus, database, progress=False, only=[comets])
    assert (report.added, report.removed, report.unchanged) == (1, 0, 6)
    assert "comets.txt" in {p.source for p in qa.retrieve("comets over Malta", k=10, index_dir=database)}
    comets.unlink()
    report = qa.build_index(corpus, database, progress=False, only=[comets])
    assert (report.added, report.removed, report.unchanged) == (0, 1, 6)
    assert "comets.txt" not in {p.source for p in qa.retrieve("comets over Malta", k=10, index_dir=database)}


def test_a_file_index_copied_to_postgres_answers_the_same(fake_encoder, database, tmp_path):
    from qa.index.stores.postgres.transfer import copy_index

    corpus = write_corpus(tmp_path / "corpus", BRIEFINGS)
    qa.build_index(corpus, tmp_path / "index", progress=False)
    copied, _ = copy_index(tmp_path / "index", database)
    assert copied == 6
    for question, filters in FILTERED_QUESTIONS:
        assert shown(qa.retrieve(question, k=4, index_dir=database, **filters)) == shown(
            qa.retrieve(question, k=4, index_dir=tmp_path / "index", **filters))
    fake_encoder.encoded.clear()
    assert qa.build_index(corpus, database, progress=False).embedded == 0


# -- many app servers, one database ------------------------------------------------------------------

def test_an_upload_through_one_app_server_is_answered_by_another(pg_server, tmp_path):
    from bench.pg_two_servers import free_port, start_app, upload_then_ask_other, wait_ready

    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    with new_database(pg_server) as url:
        servers = []
        try:
            for number in range(2):
                port, log = free_port(), tmp_path / f"app{number}.log"
                servers.append((f"http://127.0.0.1:{port}/",
                                start_app(tmp_path / "corpus", url, port, log)))
                wait_ready(servers[-1][0], servers[-1][1], log)
            report, reply = upload_then_ask_other(servers[0][0], servers[1][0], tmp_path)
        finally:
            for _, process in servers:
                process.terminate()
                process.wait(timeout=30)
    assert "Added arctic shipping.md" in report and "1 added" in report
    assert re.search(r"\b42\b", reply.splitlines()[0])


def test_updating_a_record_keeps_the_passages_and_moves_the_date(database):
    from dataclasses import replace

    store = open_store(database)
    added = publish(store, CORPUS)
    record = replace(added["undated.txt"][0], date="2025-04-01", size=99, modified_ns=7)
    with store.writer("fake", DIMENSION) as writer:
        writer.update_record(record)
        with pytest.raises(KeyError):
            writer.update_record(replace(record, source="missing.txt"))
        writer.publish()
    with store.reader("fake") as reader:
        assert reader.documents()["undated.txt"] == record
        allowed = reader.allowed(Filters.of(since="2025-04-01"))
        ids = reader.passage_ids(["undated.txt"])
        assert len(ids) == 2 and reader.allows(allowed, ids).all()

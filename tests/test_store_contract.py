"""The store contract (qa.index.stores.base), checked against brute-force answers for every backend.

A backend joins by adding a location to `store_location`'s params (PostgreSQL: a new database on
the session's server, conftest.pg_server). Documents are written through the writer with random
vectors, in several sessions, so the files backend holds several segments, deletions and merges.
"""

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from qa.search.duplicates import signatures
from qa.search.filters import Filters
from qa.search.lexical import tokenize
from qa.index.stores import DocumentRecord, NewPassages, SkippedRecord, StoredPassage, open_store
from qa.index.stores.files import merging

from conftest import bm25s_scores, new_database

DIMENSION = 8
WORDS = [f"w{i}" for i in range(40)]


@pytest.fixture(params=["files", "postgres"])
def store_location(request, tmp_path):
    if request.param == "postgres":
        with new_database(request.getfixturevalue("pg_server")) as url:
            yield url
        return
    yield tmp_path / "index"


def make_document(rng, source: str, day: str | None, texts: list[str]):
    passages = [StoredPassage(source=source, title=f"T {source}", paragraph=i + 1, text=text,
                              heading="", digest=f"{source}-{i}") for i, text in enumerate(texts)]
    windows = rng.integers(1, 3, len(passages))
    vectors = rng.normal(size=(int(windows.sum()), DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    new = NewPassages(
        passages=passages, vectors=vectors, owners=np.repeat(np.arange(len(passages)), windows),
        tokens=tokenize([p.indexed_text for p in passages]), signatures=signatures(texts))
    record = DocumentRecord(source=source, title=f"T {source}", digest=source,
                            paragraphs=tuple(p.digest for p in passages), date=day, size=len(source))
    return record, new


def random_text(rng) -> str:
    return " ".join(rng.choice(WORDS, rng.integers(3, 12)))


@pytest.fixture
def filled(store_location, monkeypatch):
    """A store written in four sessions (adds, a replacement, a deletion), and what should be live:
    source -> (record, NewPassages)."""
    monkeypatch.setattr(merging, "FACTOR", 2)  # merges happen with few segments
    rng = np.random.default_rng(3)
    store, live = open_store(store_location), {}
    shared = "the same wire paragraph about grain exports from the black sea ports today"
    for session in range(4):
        with store.writer("m", DIMENSION) as writer:
            for number in range(3):
                source = f"s{session}-{number}.txt"
                texts = [random_text(rng) for _ in range(4)] + ([shared] if number == 0 else [])
                live[source] = make_document(rng, source, f"2025-03-{10 + session:02d}" if number else None, texts)
                writer.add_document(*live[source])
            if session == 2:
                writer.delete_document("s0-1.txt")
                live.pop("s0-1.txt")
                live["s1-2.txt"] = make_document(rng, "s1-2.txt", "2025-01-01", ["replaced text w1 w2"])
                writer.add_document(*live["s1-2.txt"])
            writer.set_skipped([SkippedRecord("bad.docx", "not a readable Word file", 10, 20)])
            writer.publish()
    return store, live


def test_records_and_passages_are_the_live_ones(filled):
    store, live = filled
    with store.reader() as reader:
        assert set(reader.documents()) == set(live)
        assert reader.documents(["s1-2.txt", "s0-1.txt", "never.txt"]) == {
            "s1-2.txt": reader.documents()["s1-2.txt"]}  # s0-1.txt was deleted
        ids = reader.passage_ids()
        stored = reader.passages(ids)
        assert sorted(p.text for p in stored) == sorted(p.text for _, n in live.values() for p in n.passages)
        assert reader.info().passages == len(ids) and reader.info().model == "m"
        assert reader.skipped() == [SkippedRecord("bad.docx", "not a readable Word file", 10, 20)]
        one = reader.passage_ids(["s1-2.txt"])
        assert [p.text for p in reader.passages(one)] == ["replaced text w1 w2"]
        with pytest.raises(KeyError):
            reader.passages(np.array([ids.max() + 1000]))


def test_dense_top_and_scores_match_brute_force(filled):
    store, live = filled
    rng = np.random.default_rng(5)
    with store.reader() as reader:
        ids = reader.passage_ids()
        id_of = {(p.source, p.paragraph): i for i, p in zip(ids.tolist(), reader.passages(ids))}
        for _ in range(3):
            query = rng.normal(size=DIMENSION).astype(np.float32)
            query /= np.linalg.norm(query)
            best = {}
            for _, new in live.values():
                for row, passage in enumerate(new.passages):
                    best[id_of[passage.source, passage.paragraph]] = float((new.vectors[new.owners == row] @ query).max())
            expected = sorted(best, key=lambda i: -best[i])[:7]
            got_ids, got_scores = reader.dense_top(query, 7)
            assert np.allclose(got_scores, [best[i] for i in expected], atol=1e-5)
            assert np.allclose(reader.dense_scores(query, ids), [best[i] for i in ids.tolist()], atol=1e-5)


def test_lexical_scores_are_exact_bm25_over_the_live_passages(filled):
    store, _ = filled
    with store.reader() as reader:
        ids = reader.passage_ids()
        texts = [p.indexed_text for p in reader.passages(ids)]
        for question in ["w1 w2", "w3 w3 w17", "grain exports", "nothing"]:
            query = tokenize([question])[0]
            expected = bm25s_scores(texts, question)
            assert np.allclose(reader.lexical_scores(query, ids), expected, rtol=1e-5, atol=1e-6)
            top_ids, top_scores = reader.lexical_top(query, 5)
            assert np.allclose(top_scores, np.sort(expected[expected > 0])[::-1][:5], rtol=1e-5)


@pytest.mark.parametrize("question", ["w1 w2", "w3 w3 w17 w30", "grain exports w5", "w0 w9 w19 w29 w39"])
def test_lexical_top_is_the_brute_force_ranking_at_every_depth(filled, question):
    """Every k, with and without a filter: the best allowed passages by score, ties by id, as
    ranking all passages by their exact scores gives them."""
    store, _ = filled
    query = tokenize([question])[0]
    with store.reader() as reader:
        ids = reader.passage_ids()
        scores = reader.lexical_scores(query, ids)
        for allowed in [None, reader.allowed(Filters.of(since="2025-03-11"))]:
            keep = (scores > 0) & reader.allows(allowed, ids)
            expected = ids[keep][np.lexsort((ids[keep], -scores[keep]))]
            for k in [1, 2, 3, 5, 8, 13, 21, len(ids) + 1]:
                top_ids, top_scores = reader.lexical_top(query, k, allowed)
                assert top_ids.tolist() == expected[:k].tolist(), (k, allowed)
                assert np.allclose(top_scores, reader.lexical_scores(query, top_ids))


def test_filters_are_applied_in_the_store(filled):
    store, live = filled
    filters = Filters.of(since="2025-03-11", sources="s2-*")
    with store.reader() as reader:
        allowed = reader.allowed(filters)
        ids = reader.passage_ids()
        wanted = {s for s, (record, _) in live.items()
                  if s.startswith("s2-") and record.date and date.fromisoformat(record.date) >= date(2025, 3, 11)}
        expected = set(reader.passage_ids(sorted(wanted)).tolist())
        assert set(ids[reader.allows(allowed, ids)].tolist()) == expected
        query = np.ones(DIMENSION, np.float32) / np.sqrt(DIMENSION)
        assert set(reader.dense_top(query, 100, allowed)[0].tolist()) == expected
        assert set(reader.lexical_top(tokenize(["w1 w2 w3 w4 w5"])[0], 100, allowed)[0].tolist()) <= expected
        assert reader.allowed(Filters.of(sources="nothing-matches")).empty
        assert reader.allowed(Filters()) is None


def test_near_duplicates_join_across_sessions_and_drop_deleted(filled):
    store, live = filled
    with store.reader() as reader:
        ids = reader.passage_ids()
        by_text = [i for i, p in zip(ids.tolist(), reader.passages(ids)) if p.text.startswith("the same wire")]
        assert len(by_text) == 4  # one a session, none deleted (s0-1 had none)
        groups = reader.duplicate_groups(np.array(by_text))
        assert all(list(group) == sorted(by_text) for group in groups)
        lone = [i for i in ids.tolist() if i not in by_text][:1]
        assert [list(g) for g in reader.duplicate_groups(np.array(lone))] == [lone]


def test_dates_and_reuse_lookups(filled):
    store, live = filled
    with store.reader() as reader:
        ids = reader.passage_ids(["s1-2.txt"])
        assert reader.dates(ids).tolist() == [date(2025, 1, 1).toordinal()]
        _, new = live["s1-2.txt"]
        [passage] = new.passages
        assert np.allclose(reader.vectors_by_context([passage.context])[passage.context], new.vectors)
        assert sorted(reader.tokens_by_context([passage.context])[passage.context]) == sorted(new.tokens[0])
        assert np.array_equal(reader.signatures_by_text([passage.text])[passage.text], new.signatures[0])
        assert reader.signatures_by_text(["never stored"]) == {}


def test_a_snapshot_answers_for_its_passages_after_they_are_deleted_and_refuses_deleted_ones(filled):
    """A reader keeps answering for the passages of its version (and what it read of them) after
    a later build deletes them; a reader opened after refuses them in every lookup by id, however
    much it has read and remembered before."""
    store, live = filled
    vector = np.ones(DIMENSION, np.float32) / np.sqrt(DIMENSION)
    tokens = tokenize(["w1 w2 w3 grain"])[0]
    with store.reader() as before:
        doomed = before.passage_ids(["s2-1.txt"])
        dates = before.dates(doomed).tolist()
        before.duplicate_groups(doomed)
        with store.writer("m", DIMENSION) as writer:
            writer.delete_document("s2-1.txt")
            writer.publish()
        with store.reader() as after:
            after.dense_top(vector, 100)  # every live passage read and so remembered
            after.lexical_top(tokens, 100)
            after.duplicate_groups(after.passage_ids())
            for lookup in (lambda ids: after.lexical_scores(tokens, ids),
                           lambda ids: after.dense_scores(vector, ids), after.dates,
                           after.duplicate_groups, after.passages):
                with pytest.raises(KeyError):
                    lookup(doomed[:1])
        assert before.dates(doomed).tolist() == dates
        assert len(before.passages(doomed)) == len(doomed)
        assert np.all(before.lexical_scores(tokens, doomed) >= 0)
        assert len(before.dense_scores(vector, doomed)) == len(doomed)


def test_live_model_is_the_published_model_and_dimension(store_location):
    store = open_store(store_location)
    assert store.live_model() is None
    rng = np.random.default_rng(5)
    with store.writer("m", DIMENSION) as writer:
        writer.add_document(*make_document(rng, "a.txt", None, ["w1 w2 w3"]))
        assert store.live_model() is None  # nothing published yet
        writer.publish()
    assert store.live_model() == ("m", DIMENSION)


def test_unpublished_session_changes_nothing_and_versions_change_on_publish(filled):
    store, live = filled
    version = store.version()
    with store.writer("m", DIMENSION) as writer:
        writer.delete_document("s3-0.txt")
    assert store.version() == version
    with store.reader() as reader:
        assert "s3-0.txt" in reader.documents()
        old_ids = reader.passage_ids(["s3-0.txt"])
        with store.writer("m", DIMENSION) as writer:
            writer.delete_document("s3-0.txt")
            writer.publish()
        assert store.version() != version
        assert "s3-0.txt" in reader.documents()  # a reader is a snapshot
        assert len(reader.passages(old_ids)) == len(old_ids)
    with store.reader() as reader:
        assert "s3-0.txt" not in reader.documents()


def test_a_file_reader_keeps_reading_after_its_segments_are_merged_away(tmp_path, monkeypatch):
    """Segment files are opened when the reader opens; a later publish that merges them and
    removes their folders does not break the reader's lexical or passage lookups."""
    monkeypatch.setattr(merging, "FACTOR", 2)
    rng = np.random.default_rng(5)
    store = open_store(tmp_path / "index")
    for session in range(2):
        with store.writer("m", DIMENSION) as writer:
            writer.add_document(*make_document(rng, f"a{session}.txt", None, [random_text(rng) for _ in range(3)]))
            writer.publish()
    with store.reader() as reader, store.reader() as twin:
        ids = reader.passage_ids()
        expected = twin.lexical_scores(["w1", "w2"], ids)  # `reader` looks nothing up until later
        with store.writer("m", DIMENSION) as writer:  # a third small segment: the tier merges
            writer.add_document(*make_document(rng, "a2.txt", None, [random_text(rng) for _ in range(3)]))
            writer.publish()
        assert not any((tmp_path / "index" / "segments" / s.name).exists() for s in reader.segments)
        np.testing.assert_allclose(reader.lexical_scores(["w1", "w2"], ids), expected)
        assert len(reader.passages(ids)) == len(ids)


@pytest.mark.parametrize("given, expected", [
    ("index", Path("index")), (Path("index"), Path("index")),
    ("postgresql://qa@host/db", "postgresql://qa@host/db"),
    (Path("postgresql:/qa"), Path("postgresql:/qa")),  # a Path is a folder, whatever its name
])
def test_an_index_location_is_a_url_or_a_folder(given, expected):
    from qa.index.stores import index_location

    assert index_location(given) == expected and type(index_location(given)) is type(expected)

"""Retrieval behaviour on the sample briefing with the real bundled model."""

import numpy as np
import pytest

import qa

from conftest import write_corpus


def test_troops_question_finds_uk_and_france_first(sample_index):
    best = qa.retrieve("Which countries committed troops?", index_dir=sample_index)[0]
    assert "UK and France" in best.text
    assert best.citation == f"UK Pressures Russia for Compromise in Ukraine Peace Talks, ¶{best.paragraph}"
    assert best.source == "uk-presses-russia-for-compromise.txt"


def test_lavrov_question_finds_lavrov_paragraph(sample_index):
    best = qa.retrieve("What did Lavrov say?", index_dir=sample_index)[0]
    assert "Lavrov" in best.text


@pytest.mark.parametrize("question, expected", [
    ("Poland", "Poland"),
    ("30-day", "30-day"),
    ("Marco Rubio", "Rubio"),
    ("Sébastien Lecornu", "Lecornu"),
])
def test_names_and_numbers_match(sample_index, question, expected):
    assert expected in qa.retrieve(question, k=1, index_dir=sample_index)[0].text


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25", "rrf"])
def test_modes_rank_best_first_without_duplicates(sample_index, mode):
    passages = qa.retrieve("peacekeeping force", k=5, index_dir=sample_index, mode=mode)
    assert passages
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert len({p.text for p in passages}) == len(passages)


def test_k_larger_than_index_returns_everything(sample_index):
    assert len(qa.retrieve("Ukraine", k=1000, index_dir=sample_index)) == 9


@pytest.mark.parametrize("question", [
    "x" * 100_000, "?!.,;", "🙂🚀", "ما هو وقف إطلاق النار؟", "ceasefire\x00\x07\x1b[31m",
    "<script>alert(1)</script>", "Quels pays ont promis des troupes ?",
])
def test_odd_questions_get_results_not_crashes(sample_index, question):
    """Odd text is searched like any other: at most k passages of the index, best first."""
    passages = qa.retrieve(question, k=3, index_dir=sample_index)
    everything = {(p.source, p.paragraph) for p in qa.retrieve("Ukraine", k=1000, index_dir=sample_index)}
    assert len(passages) <= 3 and {(p.source, p.paragraph) for p in passages} <= everything
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def labelled_questions():
    import json

    from conftest import ROOT

    return json.loads((ROOT / "bench" / "sample_questions.json").read_text())["questions"]


@pytest.mark.parametrize("item", labelled_questions(), ids=lambda item: item["question"])
def test_labelled_sample_questions_find_their_paragraph(sample_index, item):
    top5 = [p.paragraph for p in qa.retrieve(item["question"], k=5, index_dir=sample_index)]
    assert set(item["paragraphs"]) & set(top5)


def test_tokenize_matches_bm25s():
    import bm25s
    import Stemmer

    from qa.search.lexical import tokenize

    texts = ["The 30-day ceasefire, Lavrov said!", "Poland and Italy were THERE",
             "Café crème à Genève; naïve résumé", "", "a I x 42"]
    expected = bm25s.tokenize(texts, stopwords="en", stemmer=Stemmer.Stemmer("english"),
                              return_ids=False, show_progress=False)
    assert tokenize(texts) == expected


def test_passages_are_tokenised_once_and_embedded_like_their_text():
    """encode_passages cuts windows from one tokenisation and feeds the ids to the model: a text
    that fits one window gets encode's vector, a long one the windows the text cut would give."""
    from qa.index.encoder import get_encoder

    encoder = get_encoder()
    short = ["Troops were sent to the border on Monday.", "Prices rose by 3% in March."]
    long = " ".join(f"Sentence number {i} talks about a different topic today." for i in range(120))
    vectors, owners = encoder.encode_passages(short + [long])
    assert owners.tolist()[:2] == [0, 1]
    assert np.allclose(vectors[:2], encoder.encode(short), atol=1e-5)
    assert np.sum(owners == 2) == len(encoder.windows([long]).texts) > 1
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)


def test_graph_segments_find_the_exact_top_and_skip_deleted_or_filtered(tmp_path, fake_encoder, monkeypatch):
    """Past the ANN threshold a segment is searched through its HNSW graph: on a small set the
    graph finds what brute force finds, and never returns deleted or filtered-out passages."""
    from qa.index.stores.files import dense
    from qa.index.stores import open_store

    monkeypatch.setattr(dense, "ANN_THRESHOLD", 5)  # 64-dimension fake vectors: graphs past 30
    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(200)]
    corpus = write_corpus(tmp_path / "c", {f"doc{d}.txt": f"Doc {d}\n\n" + "\n\n".join(
        " ".join(rng.choice(words, 6)) + "." for _ in range(8)) for d in range(10)})
    qa.build_index(corpus, tmp_path / "index", progress=False)
    (corpus / "doc3.txt").unlink()
    qa.build_index(corpus, tmp_path / "index", progress=False)
    with open_store(tmp_path / "index").reader() as reader:
        assert any(segment.graph is not None for segment in reader.segments)
        ids = reader.passage_ids()
        sources = {i: p.source for i, p in zip(ids.tolist(), reader.passages(ids))}
        allowed = reader.allowed(qa.search.filters.Filters.of(sources="doc[0-4].txt"))
        for question in ["w1 w2 w3", "w50 w60", "w7"]:
            query = fake_encoder.encode([question])[0]
            exact = reader.dense_scores(query, ids)
            top_ids, top_scores = reader.dense_top(query, 10)
            assert np.allclose(top_scores, np.sort(exact)[::-1][:10], atol=1e-5)
            filtered, _ = reader.dense_top(query, 50, allowed)
            assert {sources[i] for i in filtered.tolist()} <= {f"doc{d}.txt" for d in (0, 1, 2, 4)}


def test_in_an_index_past_the_threshold_only_tiny_segments_are_searched_exactly(tmp_path, fake_encoder,
                                                                                monkeypatch):
    """A segment added to an index past the ANN threshold gets a graph from GRAPH_MIN_VECTORS on,
    though it is below the threshold itself; a smaller one is searched exactly; both are found."""
    from qa.index.stores.files import dense
    from qa.index.stores import open_store

    monkeypatch.setattr(dense, "ANN_THRESHOLD", 5)  # 64-dimension fake vectors: graphs past 30
    monkeypatch.setattr(dense, "GRAPH_MIN_VECTORS", 4)
    corpus = write_corpus(tmp_path / "c", {f"doc{d}.txt": f"Doc {d}\n\n" + "\n\n".join(
        f"Paragraph {p} of document {d} about topic {d * 10 + p}." for p in range(8)) for d in range(5)})
    qa.build_index(corpus, tmp_path / "index", progress=False)
    for name, paragraphs in [("mid.txt", 6), ("tiny.txt", 2)]:
        (corpus / name).write_text(f"{name}\n\n" + "\n\n".join(
            f"Added paragraph {p} of {name} on its own subject {p}." for p in range(paragraphs)), encoding="utf-8")
        qa.build_index(corpus, tmp_path / "index", progress=False, only=[corpus / name])
    with open_store(tmp_path / "index").reader() as reader:
        assert [(len(s), s.graph is not None) for s in reader.segments] == [(40, True), (6, True), (2, False)]
        ids = reader.passage_ids()
        query = fake_encoder.encode(["Added paragraph 1 of tiny.txt"])[0]
        top_ids, top_scores = reader.dense_top(query, 5)
        assert np.allclose(top_scores, np.sort(reader.dense_scores(query, ids))[::-1][:5], atol=1e-5)


def test_equal_scores_come_newest_first_and_only_ties_read_dates():
    from qa.index.catalog import Catalog

    class DatedStore:
        asked: list = []

        def dates(self, ids):
            self.asked.append(sorted(ids.tolist()))
            return np.array([{1: 10, 2: 30, 3: 20, 4: 5}[i] for i in ids.tolist()], np.int64)

    store = DatedStore()
    ranked = Catalog(store).newest_first_on_ties(np.array([1, 2, 3, 4]), np.array([0.5, 0.9, 0.5, 0.5]))
    assert ranked.first(1) == [(2, 0.9)] and store.asked == []  # the ties are not looked at yet
    assert [i for i, _ in ranked.first(4)] == [2, 3, 1, 4]
    assert store.asked == [[1, 3, 4]]
    assert Catalog(store).newest_first_on_ties(np.array([4, 1]), np.array([0.2, 0.7])).first(9) == [(1, 0.7), (4, 0.2)]
    assert store.asked == [[1, 3, 4]]  # no ties: no dates read


def test_a_ranking_read_in_parts_is_the_ranking_read_whole():
    """Ties are ordered newest first (then as given) as a ranking is read, part by part: every
    prefix is the start of the fully sorted ranking, whatever the parts."""
    from qa.index.catalog import Catalog

    rng = np.random.default_rng(7)
    ids = rng.permutation(200)
    scores = rng.integers(0, 12, 200) / 10
    days = rng.integers(0, 5, 200)

    class DatedStore:
        def dates(self, asked):
            return days[asked]

    whole = sorted(range(200), key=lambda p: (-scores[p], -days[ids[p]], p))
    expected = [(int(ids[p]), float(scores[p])) for p in whole]
    for parts in ([200], [1, 2, 50, 200], [7, 7, 13, 100, 199, 300]):
        ranked = Catalog(DatedStore()).newest_first_on_ties(ids, scores)
        for n in parts:
            assert ranked.first(n) == expected[:n]

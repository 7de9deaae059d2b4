"""Re-ranking (qa.search.rerank): plumbing with fake re-rankers, and the shipped model on the sample."""

import numpy as np
import pytest

import qa
from qa.search import rerank
from qa.search.rerank import ReaderRelevance, register_reranker, reranked
from qa.types import Passage

from conftest import FakeReader, write_corpus

PARAGRAPHS = [f"Paragraph {n} about the harbour strike, in its {n}th week of talks." for n in range(1, 13)]
DATED = {f"2025-03-{day:02d}-note.md": f"---\ndate: 2025-03-{day:02d}\n---\nNote {day}\n\n{text}\n"
         for day, text in zip(range(1, 13), PARAGRAPHS)}


class Reversing:
    """Scores each passage by its position: the last first."""

    name = "reversing"

    def __init__(self):
        self.calls: list[list[str]] = []

    def relevance(self, question, texts):
        self.calls.append(list(texts))
        return np.arange(len(texts), dtype=np.float64)


class Random:
    name = "random"

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def relevance(self, question, texts):
        return self.rng.normal(size=len(texts))


@pytest.fixture
def registered():
    def use(reranker):
        register_reranker(reranker)
        return reranker
    yield use
    register_reranker(None)


@pytest.fixture
def dated_index(tmp_path, fake_encoder):
    corpus = write_corpus(tmp_path / "corpus", DATED)
    qa.build_index(corpus, tmp_path / "index", progress=False)
    return tmp_path / "index"


def passages(count: int) -> list[Passage]:
    return [Passage(source=f"s{n}.txt", title="T", paragraph=1, text=f"text {n}", score=1 - n / count,
                    citation=f"T, ¶{n}")
            for n in range(count)]


def test_a_reversing_reranker_alone_reverses_the_order():
    given = passages(6)
    assert [p.source for p in reranked("q", given, Reversing(), weight=1.0)] == [
        p.source for p in reversed(given)]


def test_only_the_first_depth_candidates_are_reread_and_the_rest_keep_their_place():
    given, reranker = passages(8), Reversing()
    result = reranked("q", given, reranker, depth=5, weight=1.0)
    assert reranker.calls == [[p.text for p in given[:5]]]
    assert [p.source for p in result] == [p.source for p in given[4::-1] + given[5:]]


def test_the_blend_weighs_search_and_reranker():
    given = passages(4)
    blended = reranked("q", given, Reversing(), weight=0.5)
    assert sorted(p.source for p in blended) == sorted(p.source for p in given)
    by_search = reranked("q", given, Reversing(), weight=0.0)
    assert [p.source for p in by_search] == [p.source for p in given]
    assert [p.score for p in by_search] == pytest.approx([1.0, 2 / 3, 1 / 3, 0.0])


def test_retrieve_with_rerank_reverses_through_the_api(dated_index, registered, monkeypatch):
    monkeypatch.setattr(rerank, "RERANK_WEIGHT", 1.0)
    plain = qa.retrieve("harbour strike talks", k=12, index_dir=dated_index, rerank=False)
    reversing = registered(Reversing())
    again = qa.retrieve("harbour strike talks", k=12, index_dir=dated_index, rerank=True)
    assert [p.text for p in again] == [p.text for p in reversed(plain)]
    assert reversing.calls and len(reversing.calls[-1]) == 12


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 3, 12])
def test_reranking_never_drops_or_repeats_a_passage(dated_index, registered, seed, k):
    plain = qa.retrieve("harbour strike talks", k=12, index_dir=dated_index, rerank=False)
    registered(Random(seed))
    again = qa.retrieve("harbour strike talks", k=k, index_dir=dated_index, rerank=True)
    keys = [(p.source, p.paragraph) for p in again]
    assert len(keys) == len(set(keys)) == min(k, len(plain))
    assert set(keys) <= {(p.source, p.paragraph) for p in plain}
    if k == 12:
        assert set(keys) == {(p.source, p.paragraph) for p in plain}


def test_reranking_respects_filters(dated_index, registered):
    registered(Random(0))
    allowed = qa.retrieve("harbour strike talks", k=12, index_dir=dated_index, since="2025-03-05",
                          until="2025-03-08", rerank=True)
    assert sorted(p.date for p in allowed) == [f"2025-03-{d:02d}" for d in range(5, 9)]
    assert {p.source for p in qa.retrieve("harbour", k=12, index_dir=dated_index,
                                          sources=["*-03-1?-note.md"], rerank=True)} == {
        f"2025-03-{d}-note.md" for d in (10, 11, 12)}


def test_reader_relevance_follows_the_reader():
    reader = FakeReader(["12 million euros"], score=0.9)
    scores = ReaderRelevance(reader).relevance("How much?", ["Nothing here.", "It cost 12 million euros."])
    assert scores[1] > scores[0]


def test_the_shipped_model_puts_the_troops_paragraph_first(sample_index):
    question = "Which countries committed troops?"
    [first] = qa.retrieve(question, k=1, index_dir=sample_index, rerank=True)
    assert "troops" in first.text and "France" in first.text and first.paragraph == 3

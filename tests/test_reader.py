"""The reader contract (qa.answers.reader): windows over passages, span decoding, the answer built from
spans (with a fake reader: plumbing), and the shipped learned reader's own answers."""

import numpy as np
import pytest

import qa
from qa.answers.reader import Reading, Span
from qa.answers.reader.spans import MAX_ANSWER_TOKENS, decode
from qa.answers.reader.windows import MAX_LENGTH, encode
from qa.answers.short_answer import asks_for_list, split_items

from conftest import write_corpus


@pytest.fixture(scope="module")
def tokenizer():
    from qa.answers.reader.learned import MODEL_DIR
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(MODEL_DIR))


def test_windows_map_every_passage_token_back_to_its_characters(tokenizer):
    passages = ["The UK and France committed troops.", "Talks resume at 12:01 a.m. EDT April 3."]
    windows = encode(tokenizer, "Which countries committed troops?", passages)
    assert list(windows.passage) == [0, 1]
    for w, passage in enumerate(windows.passage):
        text = passages[passage]
        pieces = [text[s:e] for s, e in (o for o in windows.offsets[w] if o is not None)]
        assert "".join(pieces).lower() == "".join(text.split()).lower()


def test_a_long_passage_is_read_in_overlapping_windows(tokenizer):
    passage = " ".join(f"word{i}" for i in range(400))
    windows = encode(tokenizer, "Which word?", [passage])
    assert len(windows) >= 2 and windows.input_ids.shape[1] <= MAX_LENGTH
    first = {o for o in windows.offsets[0] if o is not None}
    second = {o for o in windows.offsets[1] if o is not None}
    assert first & second  # the windows overlap
    covered = set().union(*({o for o in windows.offsets[w] if o is not None} for w in range(len(windows))))
    assert max(end for _, end in covered) == len(passage)


def test_a_long_question_is_cut_before_reading(tokenizer):
    windows = encode(tokenizer, "why " * 5000, ["Short passage."])
    assert len(windows) == 1 and windows.input_ids.shape[1] < 100


def brute_force_best(offsets, starts, ends):
    inside = [t for t, o in enumerate(offsets) if o is not None]
    pairs = [(starts[s] + ends[e], s, e) for s in inside for e in inside if s <= e < s + MAX_ANSWER_TOKENS]
    return max(pairs)


@pytest.mark.parametrize("seed", range(5))
def test_decoding_finds_the_best_span_a_brute_force_search_finds(tokenizer, seed):
    passage = "The ceasefire would last 30 days, officials in Kyiv and Washington said on Tuesday."
    windows = encode(tokenizer, "How long is the ceasefire?", [passage])
    rng = np.random.default_rng(seed)
    starts, ends = rng.normal(size=windows.input_ids.shape), rng.normal(size=windows.input_ids.shape)
    spans, no_answer = decode(windows, starts, ends)
    logit, s, e = brute_force_best(windows.offsets[0], starts[0], ends[0])
    assert (spans[0].start, spans[0].end) == (windows.offsets[0][s][0], windows.offsets[0][e][1])
    assert spans[0].margin == pytest.approx(logit - (starts[0][0] + ends[0][0]))
    assert no_answer[0] == pytest.approx(starts[0][0] + ends[0][0])


@pytest.mark.parametrize("question, is_list", [
    ("Which countries committed troops?", True),
    ("Who were the winners?", True),
    ("Name the ministers who met.", True),
    ("Which country won?", False),
    ("What happens next?", False),
    ("Who is the UK defence secretary?", False),
])
def test_which_questions_ask_for_a_list(question, is_list):
    assert asks_for_list(question) == is_list


@pytest.mark.parametrize("span, items", [
    ("the UK and France", ["UK", "France"]),
    ("Britain, Germany, and Poland", ["Britain", "Germany", "Poland"]),
    ("Trinidad and Tobago", ["Trinidad and Tobago"]),
    ("John Smith", ["John Smith"]),
])
def test_a_span_that_lists_several_things_is_split_into_items(span, items):
    assert split_items(span) == items


TROOPS = {
    "troops.txt": "Troops Briefing\n\nOfficials met on Monday in Paris. Britain and France sent troops to "
                  "the border at 12:01 a.m. EDT April 3. Aid followed.\n\n"
                  "The UK, Germany and Poland sent troops too, a later report said.\n\n"
                  "Heavy rain fell across Spain on Sunday.\n",
}


@pytest.fixture
def troops_index(tmp_path, fake_encoder):
    corpus = write_corpus(tmp_path / "corpus", TROOPS)
    qa.build_index(corpus, tmp_path / "index", progress=False)
    return tmp_path / "index"


def test_the_short_answer_is_the_readers_best_span_and_its_offsets_point_at_it(troops_index, fake_reader):
    fake_reader.answers = ["12:01 a.m. EDT April 3"]
    result = qa.answer("When were troops sent?", index_dir=troops_index)
    assert result.found and result.short == "12:01 a.m. EDT April 3"
    at = result.short_at
    assert result.passages[at.passage - 1].text[at.start:at.end] == result.short
    sentence = result.sentences[0]
    assert sentence.text == "Britain and France sent troops to the border at 12:01 a.m. EDT April 3."
    start, end = result.highlights[sentence.passage - 1][0]
    assert result.passages[sentence.passage - 1].text[start:end] == sentence.text


def test_the_passage_holding_the_answer_comes_first(troops_index, fake_reader):
    fake_reader.answers = ["Spain"]
    result = qa.answer("Where did rain fall?", index_dir=troops_index)
    assert result.passages[0].text.startswith("Heavy rain") and result.short_at.passage == 1
    assert len({p.text for p in result.passages}) == len(result.passages)  # none dropped twice


def test_list_items_merge_names_of_one_country_and_cite_each_passage(troops_index, fake_reader):
    fake_reader.answers = ["Britain and France", "The UK, Germany and Poland"]
    result = qa.answer("Which countries sent troops?", index_dir=troops_index)
    cited = {item.text: {result.passages[n - 1].paragraph for n in item.passages} for item in result.items}
    assert cited == {"Britain": {1, 2}, "France": {1}, "Germany": {2}, "Poland": {2}}
    assert result.short == "Britain, France, Germany and Poland"
    assert len(result.sentences) == 2


def test_nothing_read_is_declined_with_the_closest_passages(troops_index, fake_reader):
    fake_reader.answers = []
    result = qa.answer("What is the boiling point of tungsten?", index_dir=troops_index)
    assert not result.found and result.short is None and result.items == () and result.sentences == ()
    assert result.passages and result.confidence == 0.0
    assert result.to_text().startswith("No briefing answers")


def test_the_reader_reads_the_top_passages_of_the_search(troops_index, fake_reader):
    fake_reader.answers = ["Spain"]
    qa.answer("Where did rain fall?", index_dir=troops_index, sources="nothing-matches-*.txt")
    assert fake_reader.read_passages[-1] == []
    qa.answer("Where did rain fall?", index_dir=troops_index)
    assert 1 <= len(fake_reader.read_passages[-1]) <= 5


def test_a_reading_scores_no_answer_from_its_best_spans():
    reading = Reading((Span(0, 0, 2, "UK", 0.8), Span(1, 0, 6, "France", 0.5)), 0.1)
    assert reading.best.text == "UK" and reading.passage_scores(3) == [0.8, 0.5, 0.0]


def test_a_reading_of_some_passages_keeps_their_spans_and_margins_in_the_new_order():
    from qa.answers.answer import reordered

    reading = Reading((Span(0, 0, 2, "UK", 0.8), Span(2, 0, 6, "France", 0.5)), 0.1, (1.4, -2.0, 0.0))
    kept = reordered(reading, [2, 1])
    assert [(s.passage, s.text) for s in kept.spans] == [(0, "France")]
    assert kept.margins == (0.0, -2.0) and kept.no_answer == pytest.approx(0.5)
    assert reordered(reading, [2, 0, 1]).no_answer == 0.1  # nothing dropped: the reader's own
    assert reading.relevance(3) == [1.4, -2.0, 0.0]
    assert Reading((Span(1, 0, 2, "UK", 0.5),), 0.5).relevance(2)[1] == pytest.approx(0.0, abs=1e-6)


def test_with_rerank_the_reader_reads_the_deeper_candidates_once(tmp_path, fake_encoder, fake_reader):
    from qa.search.rerank import RERANK_DEPTH

    notes = {f"note-{n}.txt": f"Note {n}\n\nRain and wind were reported in town number {n}.\n" for n in range(8)}
    index = tmp_path / "index"
    qa.build_index(write_corpus(tmp_path / "corpus", {**TROOPS, **notes}), index, progress=False)
    fake_reader.answers = ["Spain"]
    plain = qa.answer("Where did rain fall?", index_dir=index, rerank=False)
    count = len(fake_reader.read_passages)
    result = qa.answer("Where did rain fall?", index_dir=index, rerank=True)
    assert len(fake_reader.read_passages) == count + 1
    assert 5 < len(fake_reader.read_passages[-1]) <= RERANK_DEPTH
    assert result.short == plain.short == "Spain" and result.passages[0].text.startswith("Heavy rain")
    assert len({p.text for p in result.passages}) == len(result.passages) == 5


def test_after_rerank_the_answer_comes_from_the_best_few_only(tmp_path, fake_encoder, fake_reader, monkeypatch):
    from qa.search import rerank

    notes = {f"note-{n}.txt": f"Note {n}\n\nRain and wind were reported in town number {n}.\n" for n in range(8)}
    index = tmp_path / "index"
    qa.build_index(write_corpus(tmp_path / "corpus", {**TROOPS, **notes}), index, progress=False)
    last = qa.retrieve("Where did rain fall?", k=20, index_dir=index)[-1]
    monkeypatch.setattr(rerank, "RERANK_WEIGHT", 0.0)  # the search's order alone
    fake_reader.answers = [last.text]
    result = qa.answer("Where did rain fall?", index_dir=index, rerank=True)
    assert len(fake_reader.read_passages[-1]) > 5 and last.text in fake_reader.read_passages[-1]
    assert not result.found and last.text not in [p.text for p in result.passages]

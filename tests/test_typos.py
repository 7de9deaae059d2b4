"""Typing mistakes: which words are corrected, to what, and which are left as typed."""


import pytest

import qa
from conftest import TINY, write_corpus
from qa.answers import typos
from qa.answers.answer import answer
from qa.answers.follow_ups import CHAIN_QUESTIONS
from qa.search.lexical import tokenize
from qa.limits import MAX_QUESTION_CHARS

from qa.answers import answer as answer_module
from qa.answers.typos import Correction, apply, is_known_word, one_slip_apart, typing_mistakes

PASSAGES = [
    "The 30-day interim ceasefire was presented to Moscow. Its commitment to peace was doubted.",
    "Defense Secretary John Healey met President Zelensky and Mark Carey in Paris and Georgia. A monkey was "
    "uncrewed, he said, yearlong, undeserved.",
    "Countries that committed troops include the UK and France.",
    "Saying it would cover the favourable ratifiication of the treaty, he spoke. Some political parties. "
    "Raping, peppers and bloggers, defend the starter. The moderns dosing cares.",
]


def index_frequencies(stems):
    """Document frequencies over PASSAGES, as the index would give them."""
    held = [set(tokenize([text])[0]) for text in PASSAGES]
    return {stem: sum(stem in words for words in held) for stem in stems}


def corrections_of(question):
    searched = []

    def passages_for(typed):
        searched.append(typed)
        return PASSAGES

    return typing_mistakes(question, index_frequencies, passages_for), searched


@pytest.mark.parametrize("typed, meant", [
    ("ceasfire", "ceasefire"),  # a letter left out
    ("committted", "committed"), ("cpuntries", "countries"),  # a doubled or neighbouring key typed extra
    ("polutical", "political"),  # a neighbouring key instead of the right one
    ("whcih", "which"), ("secertary", "secretary"),  # two neighbouring letters swapped
])
def test_one_typing_slip(typed, meant):
    assert one_slip_apart(typed, meant)


@pytest.mark.parametrize("typed, meant", [
    ("vaping", "raping"), ("vloggers", "bloggers"),  # never the first letter
    ("defund", "defend"), ("starmer", "starter"), ("yellen", "yelled"),  # keys far apart
    ("peppers", "pepper"),  # an extra letter that neither doubles nor neighbours those beside it
    ("schoolers", "schools"), ("secratery", "secretary"),  # two slips
    ("france", "france"),
])
def test_not_one_typing_slip(typed, meant):
    assert not one_slip_apart(typed, meant)


@pytest.mark.parametrize("word", [
    "schoolers", "preppers", "kettling", "memers", "defund", "defunding", "esports",
    "ecommerce", "derisking", "yearslong", "monkeypox", "uncrewed", "underserved", "unfavourable", "mould",
    "draught",
])
def test_real_words_the_dictionary_lacks_are_known(word):
    assert is_known_word(word)


@pytest.mark.parametrize("word", ["ceasfire", "contries", "comitted", "secertary", "polutical", "whcih"])
def test_typing_mistakes_are_not_known_words(word):
    assert not is_known_word(word)


@pytest.mark.parametrize("question, expected", [
    ("How long is the proposed ceasfire?", [("ceasfire", "ceasefire")]),
    ("Whcih contries comitted troops?", [("Whcih", "Which"), ("contries", "countries"),
                                         ("comitted", "committed")]),  # stem of "commitment"
    ("Whcih treaty?", [("Whcih", "Which")]),  # a capitalised first word: only as a question word
    ("Which politicians were polutical?", [("polutical", "political")]),
])
def test_a_word_no_passage_holds_is_read_as_the_close_word_found(question, expected):
    found, searched = corrections_of(question)
    assert [(c.typed, c.read_as) for c in found] == expected
    assert searched == [question]


@pytest.mark.parametrize("question", [
    # names are left alone: one letter apart, they are often different people
    "Who is Mark Carney?", "What did Olena Zelenska say?",
    # words run together, which the dictionary lacks, are not typing mistakes
    "Was the yearslong monkeypox mission uncrewed?", "Which underserved countries committed?",
    "What did the secretary say in Paris?",  # every word known: no search at all
    "Who won the football tournament?",  # unknown words with nothing close
    "What is the ceasefire's 30-day term?",
    # real words the briefings lack are not read as the close words they hold
    "Who was slaying?", "Which rover was unfavourable?", "Is vaping banned?", "Who wants to defund it?",
    "Are preppers right?", "Which vloggers spoke?", "Did starmer speak?",
    "What did moderna say?", "Is doxing illegal?", "Which cafes closed?",  # newer words the dictionary lacks
    # the passages hold only their own typing mistake, "ratifiication", and the index lacks the
    # dictionary's "ratification"
    "Which treaty awaits ratifcation?",
    "Giorgia Meloni spoke?", "Ceasfire terms?",  # a capitalised first word may be a name
])
def test_words_are_left_as_typed_when_nothing_close_is_known(question):
    found, searched = corrections_of(question)
    assert found == [] and searched in ([], [question])


def test_known_words_need_no_search():
    found, searched = corrections_of("Which countries committed troops to the ceasefire?")
    assert found == [] and searched == []


def test_apply_replaces_whole_words_only():
    assert apply("ceasfire ceasfires ceasfire?", [Correction("ceasfire", "ceasefire")]) == \
        "ceasefire ceasfires ceasefire?"


@pytest.mark.parametrize("question, short", [
    ("How long is the proposed ceasfire?", "30-day"),
    ("Whcih contries committed troops?", "UK and France"),
    ("Who is the UK defence secertary?", "John Healey"),
])
def test_a_question_with_typing_mistakes_is_answered(sample_index, question, short):
    result = answer(question, index_dir=sample_index)
    assert result.found and result.short == short
    assert result.question == question and result.corrections
    assert "Read “" in result.to_text()
    assert result.to_dict()["corrections"][0]["typed"] in question


def test_an_off_topic_question_with_a_typo_is_still_declined(sample_index):
    result = answer("What is the boiling point of tungstenn?", index_dir=sample_index)
    assert not result.found


def test_a_file_name_or_web_address_is_not_read_as_words():
    found, _ = corrections_of("What does contries.txt or ceasfire.org/contries say?")
    assert found == []


def test_an_earlier_question_is_searched_with_its_typing_mistakes_corrected(sample_index):
    result = answer("And what about France?", history=["Which contries committed troops?"], index_dir=sample_index)
    assert result.query == "Which countries committed troops? And what about France?"
    assert result.corrections == ()  # the earlier question's answer reported them


def test_no_word_longer_than_a_word_is_split_or_checked(monkeypatch):
    checked = []
    real = typos.is_english
    monkeypatch.setattr(typos, "is_english", lambda word: checked.append(len(word)) or real(word))
    long_word = "ceasfire" * 4
    assert corrections_of(f"Who signed the {long_word}?")[0] == []
    assert corrections_of("Who " + "a" * 100_000)[0] == []
    assert max(checked, default=0) <= typos.MAX_LETTERS


def test_questions_and_earlier_questions_are_cut_before_the_typing_mistake_check(
        tmp_path, fake_encoder, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    qa.build_index(corpus, tmp_path / "index", progress=False)
    read = []
    real = answer_module.typing_mistakes
    monkeypatch.setattr(answer_module, "typing_mistakes",
                        lambda question, *rest: read.append(question) or real(question, *rest))
    answer("Who " + "a" * 100_000, index_dir=tmp_path / "index")
    assert len(read[-1]) <= MAX_QUESTION_CHARS
    answer("What did he say?", history=[f"Who is {letter * 50_000}?" for letter in "bcd"],
           index_dir=tmp_path / "index")
    assert len(read) > 2 and max(map(len, read)) <= (CHAIN_QUESTIONS + 1) * (MAX_QUESTION_CHARS + 1)

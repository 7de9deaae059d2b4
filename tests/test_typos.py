"""Typing mistakes: which words are corrected, to what, and which are left as typed."""

import pytest

from qa.answer import answer
from qa.lexical import tokenize
from qa.typos import Correction, apply, edit_distance, typing_mistakes

PASSAGES = [
    "The 30-day interim ceasefire was presented to Moscow. Its commitment to peace was doubted.",
    "Defense Secretary John Healey met President Zelensky and Mark Carey in Paris and Georgia. A monkey was "
    "uncrewed, he said, yearlong, undeserved.",
    "Countries that committed troops include the UK and France.",
    "Saying it would cover the favourable ratifiication of the treaty, he spoke. Political parties.",
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


@pytest.mark.parametrize("first, second, distance", [
    ("ceasfire", "ceasefire", 1), ("whcih", "which", 1), ("contries", "countries", 1),
    ("secertary", "secretary", 1), ("secratery", "secretary", 2), ("france", "france", 0), ("carney", "carey", 1),
    ("abcdef", "uvwxyz", 3),  # over the limit of 2: limit + 1
])
def test_edit_distance_counts_a_swap_as_one_edit(first, second, distance):
    assert edit_distance(first, second, 2) == distance


@pytest.mark.parametrize("question, expected", [
    ("How long is the proposed ceasfire?", [("ceasfire", "ceasefire")]),
    ("Whcih contries comitted troops?", [("Whcih", "Which"), ("contries", "countries"),
                                         ("comitted", "committed")]),  # stem of "commitment"
    ("Ceasfire terms?", [("Ceasfire", "Ceasefire")]),  # a first word is not a name
    ("Which politicians were polutical?", [("polutical", "political")]),  # the dictionary's word
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
    "Who was slaying?", "Which rover was unfavourable?",
    # the passages hold only their own typing mistake, "ratifiication", and the index lacks the
    # dictionary's "ratification"
    "Which treaty awaits ratifcation?",
    "Giorgia Meloni spoke?",  # a first word the dictionary knows only as a lower-case name
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
    ("How long is the proposed ceasfire?", "30 days"),
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

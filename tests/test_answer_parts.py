"""The pure parts of answering: spellings, follow-ups, country names as one key, confidence."""

import pytest

from qa.answers.confidence import Measures, confidence, declines
from qa.answers.countries import country_key
from qa.answers.follow_ups import earlier_questions, leans_on_previous, merged_query
from qa.answers.spelling import american, variants


@pytest.mark.parametrize("word, expected", [
    ("defence", "defense"), ("organisation", "organization"), ("recognised", "recognized"),
    ("colour", "color"), ("harbour", "harbor"), ("centre", "center"), ("analyse", "analyze"),
    ("travelled", "traveled"), ("programme", "program"),
    # words with one spelling stay as they are
    ("advise", "advise"), ("promise", "promise"), ("four", "four"), ("hour", "hour"), ("paris", "paris"),
])
def test_american_spelling(word, expected):
    assert american(word) == expected


def test_variants_of_a_question():
    assert variants("Who is the UK defence secretary?") == ["defense"]
    assert variants("the defense organization") == ["defence"]
    assert variants("Which countries committed troops?") == []


@pytest.mark.parametrize("question, leans", [
    ("and Germany?", True), ("What about France?", True), ("What did he say about NATO?", True),
    ("Why?", True), ("Did they agree to it?", True),
    ("Which countries committed troops?", False), ("What did Lavrov say?", False),
    ("How long is the proposed ceasefire?", False), ("Who is the UK defence secretary?", False),
    ("Is it true that Starmer will visit Washington?", False),
    ("Did they also sanction Russia?", True), ("Which countries sanctioned Iran too?", False),
    ("How old was Howard Hesseman when he died?", False),
    ("Where did Elon Musk send his Starlink terminals, and what did he say?", False),
    ("Who won the Women's Euro 2022 final and what did they say?", False),
    ("What did the company say about its profits?", True), ("What did NATO say after they met?", False),
    ("So which countries committed troops?", False), ("And which countries committed troops?", False),
    ("and when?", True), ("and what did he say about NATO?", True), ("And what about Turkey?", True),
    ("When did the president say he would leave?", False),
    ("When did it happen?", True), ("Is that also true for the smaller ports in the south?", True),
    ("Which state passed legislation this week that would prohibit diversity, equity and inclusion "
     "programs at public schools and universities?", False),
])
def test_leans_on_previous(question, leans):
    assert leans_on_previous(question) is leans


def test_earlier_questions_drop_filters_even_invalid_ones():
    assert earlier_questions(["after:2025-13-01 What did Lavrov say?", "", None, "in:memo troops"]) == [
        "What did Lavrov say?", "troops"]
    assert merged_query("and Germany?", ["before:2025-99-99 Which countries committed troops?"]) == (
        "Which countries committed troops? and Germany?")
    assert merged_query("and Germany?", []) is None
    assert merged_query("Which countries committed troops?", ["What did Lavrov say?"]) is None


@pytest.mark.parametrize("question, history, merged", [
    # a follow-up of a follow-up brings the question the chain started from
    ("Who hit him?", ["Which team signed Alonso?", "Where was Pete Alonso's accident?", "When did it happen?"],
     "Where was Pete Alonso's accident? When did it happen? Who hit him?"),
    ("and when?", ["Which countries sent troops?", "and how many?", "and where?", "and why?"],
     "and how many? and where? and why? and when?"),  # at most CHAIN_QUESTIONS earlier ones
    ("Who hit him?", ["Where was Pete Alonso's accident?", "Which countries sent troops?"],
     "Which countries sent troops? Who hit him?"),  # the chain stops at a question of its own
])
def test_a_follow_up_chain_is_searched_together(question, history, merged):
    assert merged_query(question, history) == merged


@pytest.mark.parametrize("name, key", [
    ("UK", "GBR"), ("Britain", "GBR"), ("the United Kingdom", "GBR"), ("U.S.", "USA"),
    ("Republic of Korea", "KOR"), ("France", "FRA"), ("England", "ENG"), ("Michael Jordan", None),
])
def test_country_names_share_a_key(name, key):
    assert country_key(name) == key


def test_confidence_rises_with_the_readers_margin_and_the_search_score():
    low = confidence(Measures(margin=-2.0, retrieval=0.3, no_answer=0.9))
    higher_margin = confidence(Measures(margin=4.0, retrieval=0.3, no_answer=0.9))
    higher_search = confidence(Measures(margin=-2.0, retrieval=1.0, no_answer=0.9))
    assert 0 < low < higher_margin < 1 and low < higher_search
    assert confidence(None) == 0.0 and declines(confidence(None))

"""Extractive answers: sentence splitting, highlighting, choosing sentences, follow-ups, no answer."""

import pytest

from qa.answer import answer, follow_up_query
from qa.sentences import highlight, split_sentences


@pytest.mark.parametrize("text, sentences", [
    ("One. Two! Three?", ["One.", "Two!", "Three?"]),
    ("The U.S. said no. Then Mr. Smith left.", ["The U.S. said no.", "Then Mr. Smith left."]),
    ("He said “stop.” Then he left", ["He said “stop.”", "Then he left"]),
    ("Version 2.5 is out. Yes.", ["Version 2.5 is out.", "Yes."]),
    ("No end at all", ["No end at all"]),
    ("Wait... what? Fine.", ["Wait... what?", "Fine."]),
])
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


@pytest.mark.parametrize("text, spans, expected", [
    ("One. Two. Three.", [(5, 9)], "One. **Two.** Three."),
    ("One. Two. Three.", [(10, 16), (0, 4)], "**One.** Two. **Three.**"),
    ("abc", [], "abc"),
    ("a<b> c", [(0, 4)], "**a&lt;b&gt;** c"),
])
def test_highlight(text, spans, expected):
    escape = lambda s: s.replace("<", "&lt;").replace(">", "&gt;")
    assert highlight(text, spans, escape=escape) == expected


@pytest.mark.parametrize("question, history, expected", [
    ("and Germany?", ["Which countries committed troops?"], "Which countries committed troops? and Germany?"),
    ("What did he say about NATO?", ["What did Lavrov say?"], "What did Lavrov say? What did he say about NATO?"),
    ("Which countries committed troops to the peacekeeping force in Ukraine?", ["What did Lavrov say?"],
     "Which countries committed troops to the peacekeeping force in Ukraine?"),
    ("and Germany?", [], "and Germany?"),
])
def test_follow_up_query(question, history, expected):
    assert follow_up_query(question, history) == expected


@pytest.mark.parametrize("question, must_contain", [
    ("Which countries committed troops?", "UK and France"),
    ("What did Lavrov say?", "Lavrov"),
    ("How many countries are prepared to contribute to the security architecture?", "15 countries"),
])
def test_answer_sentence_is_the_answering_one(sample_index, question, must_contain):
    result = answer(question, index_dir=sample_index)
    assert result.found
    assert must_contain in result.sentences[0].text
    first = result.sentences[0]
    cited = result.passages[first.passage - 1]
    start, end = result.highlights[first.passage - 1][0]
    assert cited.text[start:end] == first.text
    assert "[1]" in result.to_text()


@pytest.mark.parametrize("question", [
    "What is the boiling point of tungsten?",
    "Who won the 2018 football World Cup?",
    "How do I bake sourdough bread?",
])
def test_off_topic_question_gets_no_answer(sample_index, question):
    result = answer(question, index_dir=sample_index)
    assert not result.found
    assert result.sentences == ()
    assert result.passages  # closest matches are still shown
    assert result.to_text().startswith("No briefing answers")


def test_follow_up_uses_previous_question(sample_index):
    import qa

    result = qa.answer("and what about Lavrov?", history=["Which countries committed troops?"],
                    index_dir=sample_index)
    assert result.query.startswith("Which countries committed troops?")
    assert result.found


@pytest.mark.parametrize("follow_up, previous, expected", [
    ("and Germany?", "Which countries committed troops?", "Germany"),
    ("what did he say about NATO?", "What did Lavrov say?", "NATO troops"),
])
def test_follow_up_answer_is_about_the_new_words(sample_index, follow_up, previous, expected):
    result = answer(follow_up, history=[previous], index_dir=sample_index)
    assert result.found and expected in result.sentences[0].text

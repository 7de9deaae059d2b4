"""The chat reply's Markdown for passages with metadata and near-duplicates (no server needed)."""

import pytest

from qa_app.markup import escape_markdown
from qa_app.replies import format_answer
from qa.answers.answer import Answer, AnswerItem, AnswerSentence
from qa.types import Occurrence, Passage
from qa.answers.typos import Correction


def reply_for(passage: Passage, filters: str = "", short=None, items=(), found=True) -> str:
    return format_answer(Answer(
        question="q", query="q", found=found, short=short, items=items,
        sentences=(AnswerSentence(passage.text, 1, 0.9),) if found else (),
        passages=(passage,), highlights=(((0, len(passage.text)),),) if found else ((),),
        confidence=0.83 if found else 0.12, filters=filters))


def passage(**fields) -> Passage:
    base = dict(source="wire.html", title="Wire", paragraph=2, text="Rates rose.", score=1.0,
                citation="Wire, ¶2")
    return Passage(**{**base, **fields})


def test_date_publisher_and_web_link_are_shown():
    reply = reply_for(passage(date="2025-03-12", publisher="Daily *Wire*",
                              source_url="https://news.example.org/a"))
    assert "2025-03-12 · Daily \\*Wire\\* · `wire.html` · [link](<https://news.example.org/a>)" in reply


def test_other_urls_are_not_links():
    for url in ("javascript:alert(1)", "https://x.org/a b", "https://x.org/<script>", "data:text/html,x"):
        assert "[link]" not in reply_for(passage(source_url=url))


def test_near_duplicates_are_listed_newest_first_as_given():
    others = (Occurrence("b.txt", "B <i>", 1, "2025-02-01", "B <i>, ¶1"),
              Occurrence("c.txt", "C", 4, None, "C, ¶4"))
    reply = reply_for(passage(also_in=others))
    assert "_Also in 2 other briefings:_ B &lt;i&gt;, ¶1 (2025-02-01); C, ¶4" in reply


def test_filters_are_stated():
    assert reply_for(passage(), filters="from 2025-03-01").startswith("_Searched briefings from 2025-03-01._")


@pytest.mark.parametrize("short, items, first_line", [
    ("John Healey", (), "**John Healey** [1]"),
    ("UK and France", (AnswerItem("UK", (1,)), AnswerItem("France", (1,))), "**UK and France** [1]"),
    ("France, Germany and Poland", (AnswerItem("France", (1, 3)), AnswerItem("Germany", (2,)),
                                    AnswerItem("Poland", (2,))),
     "**France** [1][3], **Germany** [2], **Poland** [2]"),
    ("*Rates* <b>", (), "**\\*Rates\\* &lt;b&gt;** [1]"),
])
def test_the_short_answer_comes_first(short, items, first_line):
    reply = reply_for(passage(), short=short, items=items)
    lines = reply.splitlines()
    assert lines[0] == "**Answer:** " + first_line  # the answer leads, labelled
    assert lines[2] == "Rates rose. **[1]**"
    assert "Confidence ●●●●○ 83% that this answer is right" in reply


def test_without_a_short_answer_the_sentence_leads_and_declining_shows_confidence():
    assert reply_for(passage()).startswith("**Answer:** Rates rose. **[1]**")
    declined = reply_for(passage(), found=False)
    assert declined.startswith("**No briefing answers this question.**")
    assert "Confidence ●○○○○ 12%" in declined and "closest match, not an answer" in declined


def test_the_short_answer_leads_then_its_sentence_then_compact_sources():
    text = "Markets were calm. " * 8 + "Rates rose to 4.5% in March. " + "Traders shrugged. " * 8
    start = text.index("Rates rose")
    reply = format_answer(Answer(
        question="q", query="q", found=True, short="4.5%", items=(),
        sentences=(AnswerSentence("Rates rose to 4.5% in March.", 1, 0.9),),
        passages=(passage(text=text),), highlights=(((start, start + 28),),), confidence=0.9))
    lines = reply.splitlines()
    assert lines[0] == f"**Answer:** **{escape_markdown('4.5%')}** [1]"
    assert lines[2] == "Rates rose to 4.5% in March. **[1]**"
    quote = next(line for line in lines if line.startswith("> "))
    assert quote.startswith("> …") and "**Rates rose to 4.5% in March.**" in quote and len(quote) < 300
    assert "<details><summary>Full paragraph</summary>" in lines


def test_how_typing_mistakes_were_read_comes_before_the_answer_as_text():
    result = Answer(
        question="q", query="q", found=True, short="30 days", items=(),
        sentences=(AnswerSentence("Rates rose.", 1, 0.9),), passages=(passage(),),
        highlights=(((0, 11),),), confidence=0.8, corrections=(Correction("ceas*fire", "cease<b>fire"),))
    reply = format_answer(result)
    assert reply.index("_Read “ceas\\*fire” as “cease&lt;b&gt;fire”._") < reply.index("**Answer:**")

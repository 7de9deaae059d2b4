"""The chat reply's Markdown for passages with metadata and near-duplicates (no server needed)."""

from app import escape_markdown, format_answer
from qa.answer import Answer, AnswerSentence
from qa.types import Occurrence, Passage


def reply_for(passage: Passage, filters: str = "", short: str | None = None) -> str:
    return format_answer(Answer(
        question="q", query="q", found=True, short=short, items=(),
        sentences=(AnswerSentence(passage.text, 1, 0.9),), passages=(passage,),
        highlights=(((0, len(passage.text)),),), confidence=0.9, filters=filters))


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

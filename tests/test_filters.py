"""Filters by date and briefing, from arguments and from the question; near-duplicate collapsing."""

import fnmatch
import re
from datetime import date

import pytest

import qa
from qa.api import searcher_for
from qa.search.duplicates import near_duplicate_groups, signatures
from qa.search.filters import Filters, parse_question
from qa.limits import MAX_FILTER_CHARS, MAX_SOURCES

from formats import WIRE, write_format_corpus

RATE_QUESTION = "central bank interest rate inflation"


@pytest.fixture
def index(tmp_path, fake_encoder):
    corpus = write_format_corpus(tmp_path / "corpus")
    qa.build_index(corpus, tmp_path / "index", progress=False)
    return tmp_path / "index"


def sources(passages):
    return [p.source for p in passages]


@pytest.mark.parametrize("text, question, filters", [
    ("rates after:2025-02-01", "rates", Filters(since=date(2025, 2, 1))),
    ("before:2025-03 what about rates?", "what about rates?", Filters(until=date(2025, 3, 31))),
    ("since:2025 until:2025-06-30 x", "x", Filters(date(2025, 1, 1), date(2025, 6, 30))),
    ('in:ceasefire in:"port strike" talks', "talks", Filters(sources=("*ceasefire*", "*port strike*"))),
    ("in:*.pdf bans", "bans", Filters(sources=("*.pdf",))),
    ("within:2025 main:x", "within:2025 main:x", Filters()),
])
def test_parse_question(text, question, filters):
    assert parse_question(text) == (question, filters)


@pytest.mark.parametrize("text", ["x after:2025-13-01", "x before:yesterday", "x after:2025-03-02 before:2025-03-01"])
def test_bad_filter_dates_are_clear_errors(text):
    with pytest.raises(ValueError, match="date"):
        parse_question(text)


@pytest.mark.parametrize("text, refused", [
    ("Who? " + " ".join(f"in:note-{n}" for n in range(5000)), "at most 100 briefings or in: filters, not 5000"),
    ("Who? in:" + "x" * 100_000, "at most 500 characters long; '*xxx"),
    ("Who? after:" + "2" * 100_000, "at most 500 characters long; '222"),
])
def test_filters_beyond_their_bounds_are_refused_in_a_line(text, refused):
    with pytest.raises(ValueError, match=re.escape(refused)) as error:
        parse_question(text)
    assert len(str(error.value)) < 200


def test_the_bounds_of_filters_through_the_api():
    assert len(Filters.of(sources=[f"note-{n}" for n in range(MAX_SOURCES)]).sources) == MAX_SOURCES
    with pytest.raises(ValueError, match="at most 100 briefings"):
        Filters.of(sources=[f"note-{n}" for n in range(MAX_SOURCES + 1)])
    with pytest.raises(ValueError, match="at most 500 characters"):
        Filters.of(since="2025-01-01" + " " * MAX_FILTER_CHARS)


def test_matching_patterns_keeps_no_process_wide_cache_of_them():
    cached = fnmatch._compile_pattern.cache_info().currsize
    for n in range(600):
        assert Filters.of(sources=[f"*{n:04d}" + "x" * 400]).allows_source(f"a/{n:04d}" + "x" * 400)
    assert fnmatch._compile_pattern.cache_info().currsize == cached


def test_since_and_until_keep_dated_briefings_in_range(index):
    found = qa.retrieve(RATE_QUESTION, k=20, index_dir=index, since="2025-02-15", until="2025-03-10")
    assert all("2025-02-15" <= p.date <= "2025-03-10" for p in found)
    assert set(sources(found)) == {
        "port-strike.md", "2025-03-01-economy.txt", "sanctions.pdf", "grain-corridor.docx"}


def test_a_date_filter_leaves_out_undated_briefings(tmp_path, fake_encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "undated.txt").write_text("Undated\n\nThe central bank raised rates.", encoding="utf-8")
    (corpus / "2025-01-05-dated.txt").write_text("Dated\n\nThe central bank held rates.", encoding="utf-8")
    qa.build_index(corpus, tmp_path / "index", progress=False)
    assert sources(qa.retrieve("central bank", index_dir=tmp_path / "index", since="2025")) == [
        "2025-01-05-dated.txt"]


def test_sources_are_paths_or_globs(index):
    assert set(sources(qa.retrieve("export", k=20, index_dir=index, sources="*.pdf"))) == {"sanctions.pdf"}
    assert set(sources(qa.retrieve("talks", k=20, index_dir=index, sources=["ceasefire.html", "port-strike.md"]))) == {
        "ceasefire.html", "port-strike.md"}
    assert qa.retrieve("talks", index_dir=index, sources="ceasefire") == []  # not a path: no match


def test_nothing_allowed_gives_an_empty_answer(index):
    result = qa.answer("rates in:no-such-briefing", index_dir=index)
    assert not result.found and result.passages == ()
    assert result.filters == "in *no-such-briefing*"
    assert "No briefing matches these filters." in result.to_text()


def test_question_filters_replace_the_arguments_of_their_kind(index):
    result = qa.answer(f"{RATE_QUESTION} before:2025-01-31", k=10, index_dir=index, since="2024-12-01",
                       until="2025-12-31")
    assert result.filters == "from 2024-12-01, until 2025-01-31"
    assert set(sources(result.passages)) == {"2025-01-10-rates.txt"}
    assert "before:" not in result.query


def test_near_duplicates_collapse_into_the_newest_with_the_others_listed(index):
    found = qa.retrieve(RATE_QUESTION, k=10, index_dir=index)
    wires = [p for p in found if "central bank raised" in p.text]
    assert len(wires) == 1
    [wire] = wires
    assert wire.source == "2025-03-01-economy.txt"
    assert [(o.source, o.date, o.citation) for o in wire.also_in] == [
        ("2025-02-14-markets.txt", "2025-02-14", "Markets Morning, ¶1"),
        ("2025-01-10-rates.txt", "2025-01-10", "Rates Wire, ¶1"),
    ]


def test_a_collapsed_group_shows_its_newest_allowed_member(index):
    [wire] = [p for p in qa.retrieve(RATE_QUESTION, k=10, index_dir=index, until="2025-02-20")
              if "central bank raised" in p.text]
    assert wire.source == "2025-02-14-markets.txt"
    assert {o.source for o in wire.also_in} == {"2025-03-01-economy.txt", "2025-01-10-rates.txt"}


def test_equal_scores_go_to_the_newer_briefing(tmp_path, fake_encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("2024-05-01-copy.txt", "2025-05-01-copy.txt", "2023-05-01-copy.txt"):
        (corpus / name).write_text("Copy\n\nSame words about the harbour.", encoding="utf-8")
    qa.build_index(corpus, tmp_path / "index", progress=False)
    ranked = searcher_for(tmp_path / "index").search("harbour", 3, collapse=False)
    assert [p.date for p in ranked] == ["2025-05-01", "2024-05-01", "2023-05-01"]
    assert len({p.score for p in ranked}) == 1


@pytest.mark.parametrize("first, second, same", [
    (WIRE.format(day="Thursday", end="."), WIRE.format(day="Thursday", end="!"), True),
    (WIRE.format(day="Thursday", end="."), WIRE.format(day="Friday", end="."), True),
    (WIRE.format(day="Thursday", end="."), WIRE.format(day="Thursday", end=".").upper(), True),
    (WIRE.format(day="Thursday", end="."), "The central bank kept its main interest rate unchanged "
                                           "at 5 percent on Thursday, pointing to slowing growth.", False),
    ("UK troops confirmed.", "French troops confirmed.", False),  # short: one word is the meaning
    ("Talks resume.", "Talks resume!", True),
])
def test_near_duplicate_pairs(first, second, same):
    groups = near_duplicate_groups([first, second], signatures([first, second]))
    assert bool(groups[0] == groups[1]) is same


def test_index_panel_states_the_date_range(index):
    from qa_app import index_panel

    panel = index_panel.describe_index(index.parent / "corpus", index)
    assert "**7** briefings" in panel
    assert "Dated 2025-01-10 to 2025-03-12" in panel and "undated" not in panel


def test_a_question_is_read_once_into_its_text_and_typed_filters():
    from qa.search.question import Question

    asked = Question.read("  troops in:wire after:2025-03  ", typed_filters=True)
    assert asked.text == "troops" and asked.typed_filters == parse_question("in:wire after:2025-03")[1]
    assert Question.read("troops in:wire").text == "troops in:wire"  # retrieve keeps the words
    for raw, message in [("in:wire", "only filters"), ("   ", "empty"), (5, "must be text")]:
        with pytest.raises(ValueError, match=message):
            Question.read(raw, typed_filters=True)

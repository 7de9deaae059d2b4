"""The page's Gradio-free parts: summaries, examples, removing, the viewer, the kept conversation
and its export, the reply's snippets, the port check (no server needed)."""

import socket

import pytest

import app
from app import escape_markdown
import qa
from conftest import TINY, write_corpus
from qa.status import index_status, indexed_briefings
from qa.uploads import same_content
from qa_app.conversation import cited_passages, export_markdown, restore
from qa_app.corpus import briefing_path, example_questions, remove_briefing, summarise
from qa_app.viewer import cited_number, read_briefing, render_briefing


@pytest.mark.parametrize("names, expected", [
    ([], ""),
    (["a.txt"], "1 new file: a.txt"),
    (["a", "b", "c", "d"], "4 new files: a, b, c, d"),
    ([f"f{n}" for n in range(55)], "55 new files: f0, f1, f2 ... and 52 more"),
])
def test_summarise(names, expected):
    assert summarise(names, "new") == expected


def test_example_questions_name_distinct_titles_in_order():
    titles = ["Port Strike Update.", "port strike update", "", "x" * 200, "Rates Wire", "A", "B", "C"]
    assert example_questions(titles) == [
        "What do the briefings say about Port Strike Update?",
        "What do the briefings say about Rates Wire?",
        "What do the briefings say about A?", "What do the briefings say about B?"]


@pytest.mark.parametrize("source", ["../outside.txt", "", "missing.txt", "sub", "/etc/passwd"])
def test_only_files_inside_the_corpus_can_be_removed(tmp_path, source):
    corpus = write_corpus(tmp_path / "corpus", {"alpha.txt": "A\n\nText.\n", "sub/b.txt": "B\n\nText.\n"})
    (tmp_path / "outside.txt").write_text("keep")
    with pytest.raises(ValueError):
        remove_briefing(corpus, source)
    assert (tmp_path / "outside.txt").exists() and len(list(corpus.rglob("*.txt"))) == 2


def test_remove_deletes_the_briefing(tiny_corpus):
    assert remove_briefing(tiny_corpus, "alpha.txt") == tiny_corpus / "alpha.txt"
    assert not (tiny_corpus / "alpha.txt").exists() and (tiny_corpus / "beta.md").exists()
    assert briefing_path(tiny_corpus, "beta.md").name == "beta.md"


def test_adding_and_removing_on_the_page_index_those_files_alone(tmp_path, fake_encoder):
    """An upload or a removal updates the index for the files it touched, without listing the
    corpus (its cost does not grow with it); a file dropped in by hand waits for Rebuild."""
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    qa.build_index(corpus, index, progress=False)
    (corpus / "dropped.txt").write_text("Dropped\n\nPut in the folder by hand.\n", encoding="utf-8")
    upload = tmp_path / "harbour.txt"
    upload.write_text("Harbour\n\nThe harbour pilots went on strike.\n", encoding="utf-8")

    assert "Added harbour.txt" in app.upload([str(upload)], corpus, index)
    assert {b.source for b in indexed_briefings(index)} == {"alpha.txt", "beta.md", "harbour.txt"}
    assert "Removed alpha.txt" in app.remove("alpha.txt", corpus, index)
    assert {b.source for b in indexed_briefings(index)} == {"beta.md", "harbour.txt"}
    status = index_status(corpus, index)
    assert status.new == ["dropped.txt"] and not status.removed and not status.changed


def test_removing_a_linked_briefing_deletes_the_link_not_its_target(tmp_path, fake_encoder):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    (corpus / "link.txt").symlink_to(corpus / "alpha.txt")
    qa.build_index(corpus, index, progress=False)
    assert "Removed link.txt" in app.remove("link.txt", corpus, index)
    assert (corpus / "alpha.txt").is_file() and not (corpus / "link.txt").is_symlink()
    assert {b.source for b in indexed_briefings(index)} == {"alpha.txt", "beta.md"}


def test_viewer_shows_every_paragraph_and_quotes_the_cited_one(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"memo.txt": "Memo *One*\n\nFirst <b>bold</b> point.\n\n"
                                                         "Second point.\n\nThird point.\n"})
    markdown = render_briefing(read_briefing(corpus, "memo.txt"), 2, escape_markdown)
    assert markdown.splitlines()[0] == "### Memo \\*One\\*"
    assert "**¶1** First &lt;b&gt;bold&lt;/b&gt; point." in markdown
    assert [line for line in markdown.splitlines() if line.startswith(">")] == ["> ▶ _cited_ **¶2** Second point."]
    assert "**¶3** Third point." in markdown
    with pytest.raises(ValueError, match="not a briefing"):
        read_briefing(corpus, "../memo.txt")


def test_the_cited_paragraph_is_found_by_its_text_when_numbers_drift(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"memo.txt": "Memo\n\nFirst.\n\nSecond.\n\nThird.\n"})
    document = read_briefing(corpus, "memo.txt")
    assert cited_number(document, 3, "Second.") == 2  # an index that numbered it 3
    assert cited_number(document, 3, "Gone.") == 3 and cited_number(document, 1) == 1


TURN = {"question": "Which *ports*?", "answer": {
    "found": True, "short": "Rotterdam", "answer": [{"text": "Rotterdam struck.", "passage": 2}],
    "passages": [
        {"source": "a.txt", "title": "Alpha", "paragraph": 1, "citation": "Alpha, ¶1", "date": None},
        {"source": "wire/b.md", "title": "Port `Wire`", "paragraph": 4, "citation": "Port Wire, ¶4",
         "date": "2025-03-05", "source_url": "https://harbour.example.com/strike", "page": None}]}}


def test_export_cites_as_footnotes_numbered_across_turns():
    second = {"question": "And Antwerp?", "answer": {"found": False, "answer": [], "passages": [
        {"source": "c.pdf", "title": "C", "paragraph": 2, "page": 3}]}}
    again = {"question": "Which port struck?", "answer": {**TURN["answer"], "confidence": 0.874}}
    text = export_markdown([TURN, second, again], escape_markdown, "2025-03-06 10:00")
    assert "## Which \\*ports\\*?\n\n**Answer: Rotterdam**[^2]\n\nRotterdam struck.[^2]\n\nSources: [^1] [^2]\n" in text
    assert "[^1]: Alpha, ¶1, file `a.txt`" in text
    assert "[^2]: Port \\`Wire\\`, ¶4, 2025-03-05, file `wire/b.md`, https\\://harbour.example.com/strike" in text
    assert "closest matches below._\n\nSources: [^3]\n" in text and "[^3]: C, ¶2, p. 3, file `c.pdf`" in text
    assert "Rotterdam struck.[^2]\n\n_Confidence 87% that this answer is right._\n\nSources: [^1] [^2]" in text
    assert text.count("[^1]:") == 1 and "[^4]" not in text  # a paragraph cited again keeps its footnote


def test_restore_keeps_well_formed_bounded_turns_only():
    stored = {"messages": [{"role": "user", "content": "q"}, {"role": "system", "content": "x"},
                           {"role": "assistant", "content": [{"type": "text", "text": "a"}]}, "junk"],
              "turns": [TURN, {"question": 3}, {"question": "q", "answer": {"passages": [{"source": 1}]}}]
              + [TURN] * 60}
    messages, turns = restore(stored)
    assert messages == [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    assert len(turns) == 50 and all(turn is TURN for turn in turns)
    assert restore("not a dict") == ([], [])
    assert [(label, p["source"]) for label, p in cited_passages(TURN)] == [
        ("[1] Alpha, ¶1", "a.txt"), ("[2] Port Wire, ¶4", "wire/b.md")]


@pytest.mark.parametrize("text, spans, expected", [
    ("Short.", [(0, 6)], (0, 6)),
    ("a " * 100 + "Fact here." + " b" * 100, [(200, 210)], (110, 300)),
    ("word " * 100, [], (0, 179)),
])
def test_snippet_keeps_context_around_the_highlight_cut_at_spaces(text, spans, expected):
    start, end, shown = app.snippet(text, spans)
    assert (start, end) == expected and shown == text[start:end]
    assert all(start <= a and b <= end for a, b in spans)


def test_long_paragraph_is_folded_in_the_reply():
    text = "a " * 100 + "The fact." + " b" * 100
    lines = app._source_text(text, [(200, 209)])
    assert lines[0].startswith("> …") and "**The fact.**" in lines[0] and lines[0].endswith("…")
    assert "<details><summary>Full paragraph</summary>" in lines
    assert app._source_text("Whole.", [(0, 6)]) == ["> **Whole.**"]


def test_same_content_finds_the_identical_briefing(tiny_corpus):
    assert same_content(tiny_corpus, (tiny_corpus / "beta.md").read_bytes()) == "beta.md"
    assert same_content(tiny_corpus, TINY["beta.md"].encode() + b" ") is None


def test_port_in_use_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        message = app.port_in_use("127.0.0.1", port)
    assert message == (f"error: port {port} on 127.0.0.1 is in use: choose another with --port N "
                       "(in a checkout: make run PORT=N)")
    assert app.port_in_use("127.0.0.1", port) is None


class Progress:
    """Records what the page's handlers report, as gr.Progress would show it."""

    def __init__(self):
        self.calls = []

    def __call__(self, value, desc=None):
        self.calls.append((value, desc))


def test_remove_rebuilds_without_the_briefing_and_reports_progress(fake_encoder, tiny_corpus, tmp_path):
    index = tmp_path / "index"
    progress = Progress()
    assert "2 briefings; " in app.unescape_markdown(app.rebuild(tiny_corpus, index, progress))
    assert progress.calls == [(0, "Reading the corpus folder")]
    report = app.unescape_markdown(app.remove("alpha.txt", tiny_corpus, index, progress))
    assert report.startswith("Removed alpha.txt") and "1 briefing; paragraphs: 0 added, 0 updated, 2 removed" in report
    assert [b[1] for b in app.briefing_choices(index)] == ["beta.md"]
    assert app.remove("alpha.txt", tiny_corpus, index).startswith("⚠️")


def test_export_takes_odd_stored_turns_without_failing():
    odd = {"question": "q", "answer": {"found": True, "short": "x", "confidence": float("nan"),
                                       "answer": [{"text": "t", "passage": 1}],
                                       "passages": [{"source": "a.txt", "paragraph": 1, "page": [1]}]}}
    bare = {"question": "q2", "answer": {"found": True, "confidence": True, "answer": [{"text": "u", "passage": [1]}],
                                         "passages": []}}
    text = export_markdown(restore({"turns": [odd, bare]})[1], escape_markdown, "now")
    assert "Confidence" not in text and "Sources: \n" not in text and text.count("[^1]:") == 1


@pytest.mark.parametrize("built_at, shown", [
    ("2026-11-27T15:31:45+00:00", "2026-11-27 15:31 UTC"),
    ("2026-11-27T16:31:45+01:00", "2026-11-27 15:31 UTC"),
    ("not a time", "not a time"),
])
def test_the_build_time_is_shown_readably(built_at, shown):
    assert app.readable_time(built_at) == shown

"""The page's Gradio-free parts: summaries, examples, removing, the viewer, the kept conversation
and its export, the reply's snippets, the port check (no server needed)."""

import re
import socket
import tempfile
import threading
from collections import deque
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from qa_app import app, index_panel, markup, replies, startup
import qa
from conftest import TINY, write_corpus
from qa.limits import MAX_QUESTION_CHARS
from qa.index.status import index_status, indexed_briefings
from qa.ingest.uploads import same_content
from qa_app import exports
from qa_app.conversation import MAX_TURNS, cited_passages, export_markdown, restore
from qa_app.corpus import briefing_path, example_questions, removal_prompt, remove_briefing, summarise
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
    assert example_questions(titles, lambda question: True) == [
        "What happened with Port Strike Update?", "What happened with Rates Wire?",
        "What happened with A?", "What happened with B?"]


def test_an_example_is_a_question_the_briefings_answer():
    """Each title gets the first form that is answered; one answered form per title."""
    asked = []

    def answered(question):
        asked.append(question)
        return question.startswith("When") or question == "Where did Rates Wire happen?"

    assert example_questions(["Port Strike", "Rates Wire"], answered) == [
        "When did Port Strike happen?", "When did Rates Wire happen?"]
    assert asked == ["What happened with Port Strike?", "When did Port Strike happen?",
                     "What happened with Rates Wire?", "When did Rates Wire happen?"]


def test_the_sample_examples_are_answered_by_the_shipped_reader(sample_index):
    examples = index_panel.examples_for(sample_index)
    assert examples and all(qa.answer(question, index_dir=sample_index).found for [question] in examples)


def test_examples_stop_after_their_tries_when_nothing_is_answered():
    asked = []
    assert example_questions([f"Title {n}" for n in range(50)], asked.append, tries=7) == []
    assert len(asked) == 7


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

    assert "Added harbour.txt" in index_panel.upload([str(upload)], corpus, index)
    assert {b.source for b in indexed_briefings(index)} == {"alpha.txt", "beta.md", "harbour.txt"}
    assert "Removed alpha.txt" in index_panel.remove("alpha.txt", corpus, index)
    assert {b.source for b in indexed_briefings(index)} == {"beta.md", "harbour.txt"}
    status = index_status(corpus, index)
    assert status.new == ["dropped.txt"] and not status.removed and not status.changed


def test_removing_a_linked_briefing_deletes_the_link_not_its_target(tmp_path, fake_encoder):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    (corpus / "link.txt").symlink_to(corpus / "alpha.txt")
    qa.build_index(corpus, index, progress=False)
    assert "Removed link.txt" in index_panel.remove("link.txt", corpus, index)
    assert (corpus / "alpha.txt").is_file() and not (corpus / "link.txt").is_symlink()
    assert {b.source for b in indexed_briefings(index)} == {"alpha.txt", "beta.md"}


def test_viewer_shows_every_paragraph_and_quotes_the_cited_one(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"memo.txt": "Memo *One*\n\nFirst <b>bold</b> point.\n\n"
                                                         "Second point.\n\nThird point.\n"})
    markdown = render_briefing(read_briefing(corpus, "memo.txt"), 2)
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
    text = export_markdown(restore({"turns": [TURN, second, again]})[1], "2025-03-06 10:00")
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
    assert len(turns) == 50 and all(turn == turns[0] for turn in turns)
    assert turns[0]["question"] == TURN["question"] and turns[0]["answer"]["passages"] == [
        {name: value for name, value in passage.items() if value is not None}
        for passage in TURN["answer"]["passages"]]  # None is what a missing field means
    assert restore("not a dict") == ([], [])
    assert [(label, p["source"]) for label, p in cited_passages(TURN)] == [
        ("[1] Alpha, ¶1", "a.txt"), ("[2] Port Wire, ¶4", "wire/b.md")]


@pytest.mark.parametrize("text, spans, expected", [
    ("Short.", [(0, 6)], (0, 6)),
    ("a " * 100 + "Fact here." + " b" * 100, [(200, 210)], (110, 300)),
    ("word " * 100, [], (0, 179)),
])
def test_snippet_keeps_context_around_the_highlight_cut_at_spaces(text, spans, expected):
    start, end, shown = replies.snippet(text, spans)
    assert (start, end) == expected and shown == text[start:end]
    assert all(start <= a and b <= end for a, b in spans)


def test_long_paragraph_is_folded_in_the_reply():
    text = "a " * 100 + "The fact." + " b" * 100
    lines = replies._source_text(text, [(200, 209)])
    assert lines[0].startswith("> …") and "**The fact.**" in lines[0] and lines[0].endswith("…")
    assert "<details><summary>Full paragraph</summary>" in lines
    assert replies._source_text("Whole.", [(0, 6)]) == ["> **Whole.**"]


def test_same_content_finds_the_identical_briefing(tiny_corpus):
    assert same_content(tiny_corpus, (tiny_corpus / "beta.md").read_bytes()) == "beta.md"
    assert same_content(tiny_corpus, TINY["beta.md"].encode() + b" ") is None


def test_port_in_use_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        message = startup.port_in_use("127.0.0.1", port)
    assert message == (f"error: port {port} on 127.0.0.1 is in use: choose another with --port N "
                       "(in a checkout: make run PORT=N)")
    assert startup.port_in_use("127.0.0.1", port) is None


class Progress:
    """Records what the page's handlers report, as gr.Progress would show it."""

    def __init__(self):
        self.calls = []

    def __call__(self, value, desc=None):
        self.calls.append((value, desc))


def test_remove_rebuilds_without_the_briefing_and_reports_progress(fake_encoder, tiny_corpus, tmp_path):
    index = tmp_path / "index"
    progress = Progress()
    assert "2 briefings; " in markup.unescape_markdown(index_panel.rebuild(tiny_corpus, index, progress))
    assert progress.calls == [(0, "Reading the corpus folder")]
    report = markup.unescape_markdown(index_panel.remove("alpha.txt", tiny_corpus, index, progress))
    assert report.startswith("Removed alpha.txt") and "1 briefing; paragraphs: 0 added, 0 updated, 2 removed" in report
    assert [b[1] for b in index_panel.briefing_choices(index)] == ["beta.md"]
    assert index_panel.remove("alpha.txt", tiny_corpus, index).startswith("⚠️")


def test_export_takes_odd_stored_turns_without_failing():
    odd = {"question": "q", "answer": {"found": True, "short": "x", "confidence": float("nan"),
                                       "answer": [{"text": "t", "passage": 1}],
                                       "passages": [{"source": "a.txt", "paragraph": 1, "page": [1]}]}}
    bare = {"question": "q2", "answer": {"found": True, "confidence": True, "answer": [{"text": "u", "passage": [1]}],
                                         "passages": []}}
    text = export_markdown(restore({"turns": [odd, bare]})[1], "now")
    assert "Confidence" not in text and "Sources: \n" not in text and text.count("[^1]:") == 1


@pytest.mark.parametrize("built_at, shown", [
    ("2026-11-27T15:31:45+00:00", "2026-11-27 15:31 UTC"),
    ("2026-11-27T16:31:45+01:00", "2026-11-27 15:31 UTC"),
    ("not a time", "not a time"),
])
def test_the_build_time_is_shown_readably(built_at, shown):
    assert index_panel.readable_time(built_at) == shown


# -- corpus strings never become markup; what is kept stays bounded (issue 29) --------------------

# Blank lines end a code span's paragraph; what follows would be HTML and an image.
HOSTILE_NAME = "evil\n\n<img src=x onerror=alert(1)>\n\n![i](http:evil.example.com)\n.txt"


def markup_of(markdown: str) -> list[str]:
    """The HTML and image tokens a CommonMark renderer makes of `markdown`."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [t.type for token in tokens for t in [token, *(token.children or [])]
            if t.type in ("html_block", "html_inline", "image")]


def test_a_hostile_file_name_and_forged_fields_are_text_in_the_export():
    forged = "<img src=p onerror=alert(2)>\n\n<img src=q>"
    turn = {"question": f"Who?\n\n{forged}", "answer": {
        "found": True, "short": forged, "answer": [{"text": forged, "passage": 1}],
        "passages": [{"source": HOSTILE_NAME, "title": HOSTILE_NAME, "paragraph": 1, "page": forged,
                      "date": f"2025-01-01\n\n{forged}", "source_url": f"https://x.example.com\n\n{forged}"}]}}
    text = export_markdown(restore({"turns": [turn]})[1], f"now\n\n{forged}")
    assert markup_of(text) == []
    assert "onerror=alert(1)" in MarkdownIt("commonmark").render(text)  # shown, as text


def test_a_hostile_file_name_is_text_in_the_viewer_and_the_remove_confirmation(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {HOSTILE_NAME: "Title\n\nThe harbour reopened.\n"})
    viewer = render_briefing(read_briefing(corpus, HOSTILE_NAME), 1)
    assert markup_of(viewer) == [] and "onerror=alert(1)" in viewer.splitlines()[1]
    assert markup_of(removal_prompt(HOSTILE_NAME)) == []


def test_bidirectional_controls_cannot_reverse_what_is_shown(tmp_path):
    title = "Budget \u202etroper tuc\u202c talks"
    assert "\u202e" not in markup.escape_label(title) and "\\u202e" in markup.escape_label(title)
    assert markup.escape_markdown(f"The {title}.") == "The Budget troper tuc talks."
    assert example_questions([title], lambda question: True) == ["What happened with Budget troper tuc talks?"]
    corpus = write_corpus(tmp_path / "corpus", {f"{title}.txt": f"{title}\n\nThe {title} went on.\n"})
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", render_briefing(read_briefing(corpus, f"{title}.txt"), 1))


@pytest.mark.parametrize("stored", [
    {"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]},
    {"turns": [{"question": "q", "answer": {"found": 1, "short": 5, "confidence": "high", "answer": [{"text": 5}],
                "passages": [{"source": "a.txt", "paragraph": 1, "text": 5, "title": ["T"], "page": "2"}]}}]},
    {"turns": [{"question": "q", "answer": {"answer": "text", "passages": "a.txt"}}]},
    {"turns": [{"question": "q", "answer": {"passages": [{"source": "a.txt", "paragraph": True}]}}]},
])
def test_any_stored_value_is_restored_without_failing(stored):
    messages, turns = restore(stored)
    export_markdown(turns, "now")
    for turn in turns:
        for label, passage in cited_passages(turn):
            assert isinstance(label, str) and isinstance(passage["paragraph"], int)
            assert all(isinstance(passage.get(name), (str, type(None))) for name in ("text", "title"))


def test_only_the_newest_exports_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(exports, "_root", None)
    monkeypatch.setattr(exports, "_written", deque())
    paths = [Path(app.export([TURN])) for _ in range(exports.EXPORTS_KEPT + 10)]
    [root] = tmp_path.iterdir()  # one folder holds every export
    assert len(list(root.iterdir())) == exports.EXPORTS_KEPT
    assert all(path.is_file() for path in paths[-exports.EXPORTS_KEPT:]) and not paths[0].exists()
    assert paths[-1].name.startswith("conversation-") and "# Briefing QA conversation" in paths[-1].read_text()


def test_the_server_keeps_the_turns_a_reload_keeps_and_the_question_the_library_reads(tmp_path, fake_encoder):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    qa.build_index(corpus, index, progress=False)
    messages = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}] * MAX_TURNS
    _, messages, turns, _ = app.respond(index, "Where did the harbour reopen?", messages, [TURN] * MAX_TURNS,
                                        None, None, None)
    assert (len(messages), len(turns)) == (2 * MAX_TURNS, MAX_TURNS)
    assert turns[-1]["question"] == "Where did the harbour reopen?"
    _, messages, turns, _ = app.respond(index, "Who " + "a" * 100_000, messages, turns, None, None, None)
    assert len(turns[-1]["question"]) == MAX_QUESTION_CHARS and len(messages[-2]["content"]) == MAX_QUESTION_CHARS


# -- start-up: the last published index is served while the start-up build runs (issue 29) -------

def test_start_up_serves_the_last_index_while_its_build_runs(tmp_path, fake_encoder, monkeypatch):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    qa.build_index(corpus, index, progress=False)
    (corpus / "gamma.txt").write_text("Gamma\n\nRail freight resumed in Gdansk.\n", encoding="utf-8")
    started, release, build = threading.Event(), threading.Event(), qa.build_index

    def slow_build(*args, **kwargs):  # as an upload's build that a crash left to do
        started.set()
        assert release.wait(60)
        return build(*args, **kwargs)

    monkeypatch.setattr(qa, "build_index", slow_build)
    thread = startup.start_index(corpus, index)
    assert started.wait(60) and thread.is_alive()
    assert qa.retrieve("tuna catch", k=1, index_dir=index)[0].source == "alpha.txt"  # served meanwhile
    release.set()
    thread.join(60)
    assert "gamma.txt" in {b.source for b in indexed_briefings(index)}


def test_a_start_up_build_that_fails_leaves_the_last_index_served(tmp_path, fake_encoder, monkeypatch, capsys):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    qa.build_index(corpus, index, progress=False)

    def full_disk(*args, **kwargs):
        raise qa.IndexNotWritable(index, "the disk is full")

    monkeypatch.setattr(qa, "build_index", full_disk)
    startup.start_index(corpus, index).join(60)
    assert "serving the last one built" in capsys.readouterr().err
    assert qa.retrieve("tuna catch", k=1, index_dir=index)[0].source == "alpha.txt"


def test_without_an_index_the_start_up_build_runs_before_serving(tmp_path, fake_encoder):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    assert startup.start_index(corpus, index) is None
    assert {b.source for b in indexed_briefings(index)} == {"alpha.txt", "beta.md"}


def test_counts_read_as_words(tmp_path, fake_encoder):
    assert [markup.counted(n, "briefing") for n in (0, 1, 2)] == ["0 briefings", "1 briefing", "2 briefings"]
    corpus = write_corpus(tmp_path / "corpus", {"alpha.txt": "Alpha\n\nThe harbour reopened.\n"})
    qa.build_index(corpus, tmp_path / "index", progress=False)
    assert index_panel.describe_index(corpus, tmp_path / "index").startswith("**1** briefing, **1** paragraph\n")
    assert summarise(["a.txt"], "new") == "1 new file: a.txt"


def test_the_sources_to_open_name_the_question_they_answer():
    assert app.sources_label([]) == "Open a source in the viewer"
    turns = [{"question": "First?"}, {"question": "Which countries\ncommitted troops?"}]
    assert app.sources_label(turns) == "Open a source of the reply to: Which countries\\ncommitted troops?"
    long = app.sources_label([{"question": "w" * 500}])
    assert long.endswith("w…") and len(long) < 120


def test_examples_are_worked_out_once_per_index_version(tmp_path, fake_encoder, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    index = tmp_path / "index"
    qa.build_index(corpus, index, progress=False)
    asked = []
    monkeypatch.setattr(index_panel, "answered", lambda question, where: asked.append(question) or True)
    first = index_panel.examples_for(index)
    assert first and index_panel.examples_for(index) == first and len(asked) == len(first)
    (corpus / "gamma.txt").write_text("Gamma Wire\n\nComets were seen over Malta.\n")
    qa.build_index(corpus, index, progress=False)
    assert ["What happened with Gamma Wire?"] in index_panel.examples_for(index)  # a new version


def test_a_title_cut_short_makes_a_question_without_a_gap():
    assert example_questions(["Williams keeps the legend ..."], lambda question: True) == [
        "What happened with Williams keeps the legend?"]

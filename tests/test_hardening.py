"""Hostile and odd input (issue 13): each test builds the attack in tmp_path and fails without the
bound or the escape that stops it."""

from __future__ import annotations

import errno
import html
import os
import re
import subprocess
import zipfile
from pathlib import Path

import httpx
import markdown_it
import pytest

from qa_app import app, chat, index_panel, markup, replies, startup
from bench.hardening import write_docx_bomb  # the benchmark's bomb: one builder for both
import qa
from qa.index.stores.files import store as file_store
from qa.ingest.documents import read_document
from qa.errors import write_error
from qa.ingest.formats import html as html_reader
from qa.ingest.formats import pdf as pdf_reader
from qa.ingest.formats.base import MAX_METADATA_CHARS
from qa.ingest.formats.word import MAX_UNPACKED_BYTES
from qa.index.status import index_status
from qa.ingest.textfiles import UnreadableFile, decode_text
from qa.types import Passage, make_citation

from conftest import TINY, write_corpus
from formats import write_pdf


# 327 bytes: seven levels of nine aliases, 9**7 "lol"s when the title is turned into text.
ALIAS_BOMB = "---\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdef", "bcdefg")) + "title: *g\n---\n\n# Harbour\n\nThe harbour reopened at six, the port said\n"


def rendered(markdown: str) -> str:
    """HTML as a CommonMark renderer (with GFM tables and strikethrough) makes it."""
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def shown_text(markdown: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered(markdown)))


# -- metadata and decompression bounds ---------------------------------------------------------

def test_alias_bomb_front_matter_is_not_expanded(tmp_path):
    path = tmp_path / "bomb.md"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    assert len(path.read_bytes()) == 327
    document = read_document(path, "bomb.md")
    assert document.title == "Harbour"  # the aliased front matter gives no metadata
    assert [p.text for p in document.paragraphs] == ["The harbour reopened at six, the port said"]


def test_alias_bomb_in_a_corpus_builds(tmp_path, fake_encoder):
    corpus = write_corpus(tmp_path / "corpus", {**TINY, "bomb.md": ALIAS_BOMB})
    report = qa.build_index(corpus, tmp_path / "index", progress=False)
    assert report.documents == 3 and max(len(text) for text in fake_encoder.encoded) < 2000


def _long_docx(folder: Path, title: str, heading: str) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(heading, style="Title")
    document.add_paragraph("The harbour of Valletta reopened on Monday after the storm.")
    document.core_properties.title = title
    path = folder / "long.docx"
    document.save(str(path))
    return path


@pytest.mark.parametrize("name, content", [
    ("front.md", "---\ntitle: " + "Harbour " * 2000 + "\npublisher: " + "P" * 9000 +
     "\n---\n\nThe harbour reopened on Monday.\n"),
    ("heading.md", "# " + "Harbour " * 2000 + "\n\nThe harbour reopened on Monday.\n"),
    ("page.html", "<html><head><title>" + "Harbour " * 2000 + "</title></head><body><article>"
     "<p>The harbour of Valletta reopened on Monday after the storm and the fishermen "
     "returned to sea.</p></article></body></html>"),
    ("long.docx", None),
])
def test_every_metadata_value_is_capped(tmp_path, name, content):
    if content is None:
        path = _long_docx(tmp_path, "Title " * 42, "Heading " * 3000)
    else:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
    document = read_document(path, name)
    assert len(document.title) <= MAX_METADATA_CHARS
    assert all(len(value or "") <= MAX_METADATA_CHARS for value in (document.publisher, document.url))
    assert all(len(p.heading) <= MAX_METADATA_CHARS for p in document.paragraphs)


def test_docx_bomb_is_refused_before_inflating(tmp_path, monkeypatch):
    path = write_docx_bomb(tmp_path, MAX_UNPACKED_BYTES + (8 << 20))
    assert path.stat().st_size < 1 << 20
    inflated = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open",
                        lambda self, name, *a, **k: inflated.append(name) or real_open(self, name, *a, **k))
    with pytest.raises(UnreadableFile, match="unpacks to 73 MB"):
        read_document(path, "bomb.docx")
    assert inflated == []


def test_pdf_text_is_bounded(tmp_path, monkeypatch):
    path = write_pdf(tmp_path)
    monkeypatch.setattr(pdf_reader, "MAX_TEXT_CHARS", 300)
    with pytest.raises(UnreadableFile, match="more than 300 characters"):
        read_document(path, path.name)


def test_pdf_whose_pages_all_carry_the_same_text_is_read(tmp_path):
    same = ["The harbour of Valletta reopened on Monday after the storm, the port authority said."]
    path = write_pdf(tmp_path, "same.pdf", pages=[same] * 4)
    document = read_document(path, path.name)
    assert [p.text for p in document.paragraphs] == same and document.paragraphs[0].page == 1


# -- odd but honest files -----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Harbour Notes\n\nThe council met on Monday.",
                                  "Zürich Notes\n\nThe council met on Monday.",
                                  "Киев\n\nСовет собрался в понедельник.",
                                  "Αθήνα\n\nΤο συμβούλιο συνεδρίασε."])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark(text, encoding):
    assert decode_text(text.encode(encoding)) == text


def test_binary_is_still_binary():
    with pytest.raises(UnreadableFile, match="binary"):
        decode_text(bytes(range(256)) * 64)


def test_html_date_comes_from_markup_or_file_name_never_from_body(tmp_path):
    body = ("<body><article><h1>Talks resume</h1><p>The memo was drafted in 2022 and revised many "
            "times since by the negotiating team.</p><p>Ministers met for many hours to discuss the "
            "harbour and the grain corridor.</p></article></body>")
    undated = tmp_path / "2025-03-12-talks.html"
    undated.write_text(f"<html><head><title>Talks</title></head>{body}</html>", encoding="utf-8")
    assert read_document(undated, undated.name).date == "2025-03-12"
    declared = tmp_path / "2025-03-12-declared.html"
    declared.write_text('<html><head><meta property="article:published_time" content="2025-03-10">'
                        f"</head>{body}</html>", encoding="utf-8")
    assert read_document(declared, declared.name).date == "2025-03-10"


def test_large_html_page_skips_the_superlinear_fallback_extractors(tmp_path, monkeypatch):
    import trafilatura.core

    def fallback(*args, **kwargs):
        raise AssertionError("readability/jusText fallback used: its time grows faster than the page")

    monkeypatch.setattr(trafilatura.core, "compare_extraction", fallback)
    rows = "".join(f"<div class='c{i % 7}'><span>Delegates from port {i} discussed the grain "
                   f"corridor</span> <a href='/a{i}'>more</a></div>\n" for i in range(3000))
    page = f"<html><head><title>Corridor log</title></head><body><nav>menu</nav><div id=main>{rows}</div></body></html>"
    assert len(page) > html_reader.FALLBACK_MAX_CHARS
    path = tmp_path / "page.html"
    path.write_text(page)
    document = read_document(path, path.name)
    assert len(document.paragraphs) == 3000


def test_file_and_folder_names_that_are_not_utf8(tmp_path, fake_encoder):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    root = os.fsencode(corpus)
    (Path(os.fsdecode(root + b"/caf\xe9.txt"))).write_bytes(b"Cafe Notes\n\nThe cafe by the port sells tuna.\n")
    os.mkdir(root + b"/d\xfcsseldorf")
    Path(os.fsdecode(root + b"/d\xfcsseldorf/notes.txt")).write_bytes(b"Rhine\n\nBarges carry coal.\n")
    report = qa.build_index(corpus, tmp_path / "index", progress=False)
    assert report.documents == 4 and not report.skipped
    sources = {p.source for p in qa.retrieve("tuna cafe port coal barges", k=5, index_dir=tmp_path / "index")}
    assert {"caf\\xe9.txt", "d\\xfcsseldorf/notes.txt"} <= sources
    assert not index_status(corpus, tmp_path / "index").stale


# -- full disk and read-only index ----------------------------------------------------------------

@pytest.mark.parametrize("error", [
    OSError(errno.ENOSPC, "No space left on device"),
    OSError("38976 requested and 17376 written"),
    RuntimeError("Error in void faiss::write_index(...) at index_write.cpp:499: Error: 'ret == "
                 "(size * 4)' failed: write error in /srv/secret/index/vectors.faiss: 8147 != 13824 "
                 "(No space left on device)"),
])
def test_a_full_disk_is_one_line_without_server_paths(error):
    explained = write_error(Path("index"), error)
    assert "disk is full" in str(explained) and "\n" not in str(explained)
    assert "/srv/secret" not in str(explained) and "requested" not in str(explained)


def test_other_errors_are_not_called_a_full_disk():
    assert write_error(Path("index"), ValueError("bad")) is None
    assert write_error(Path("index"), OSError(errno.EACCES, "denied", "/elsewhere/model")) is None


@pytest.fixture
def small_disk(tmp_path):
    """A 512 KB filesystem (tmpfs) at tmp_path/disk; skipped where mounting is not allowed."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small filesystem here")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_build_on_a_full_disk_says_so(tmp_path, fake_encoder, small_disk):
    corpus = write_corpus(tmp_path / "corpus", {f"n{i}.txt": f"Note {i}\n\n" + "Harbour tuna. " * 400
                                                for i in range(20)})
    with pytest.raises(qa.IndexNotWritable, match="disk is full") as caught:
        qa.build_index(corpus, small_disk / "index", progress=False)
    assert "\n" not in str(caught.value)


def test_read_only_index_is_served_when_nothing_changed(tmp_path, fake_encoder, small_disk, capsys):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    index = small_disk / "index"
    qa.build_index(corpus, index, progress=False)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    startup.prepare_index(corpus, index)
    assert "read-only" in capsys.readouterr().err
    assert qa.retrieve("Valletta harbour tuna catch", k=1, index_dir=index)[0].source == "alpha.txt"
    (corpus / "gamma.txt").write_text("Gamma\n\nA new briefing about rail freight.\n")
    with pytest.raises(qa.IndexNotWritable, match="read-only"):
        startup.prepare_index(corpus, index)


def test_read_only_index_simulated(tmp_path, fake_encoder, monkeypatch, capsys):
    """The same without mounting: the lock file, the first thing a build writes, is refused."""
    corpus = write_corpus(tmp_path / "corpus", TINY)
    index = tmp_path / "index"
    qa.build_index(corpus, index, progress=False)

    def read_only(index_dir):
        raise OSError(errno.EROFS, "Read-only file system", str(index_dir / ".lock"))

    monkeypatch.setattr(file_store, "take_lock", read_only)
    startup.prepare_index(corpus, index)
    assert "read-only" in capsys.readouterr().err
    (corpus / "alpha.txt").write_text("Alpha\n\nChanged text about rail freight.\n")
    with pytest.raises(qa.IndexNotWritable, match="read-only"):
        startup.prepare_index(corpus, index)
    startup.start_index(corpus, index).join(60)  # the app's start: the last index is served, with a warning
    *stages, warning = capsys.readouterr().err.splitlines()  # what it does, then one line on why not
    assert stages and all(line.startswith("reading ") for line in stages)
    assert "read-only" in warning and "serving the last one built" in warning


# -- nothing from a briefing or a question becomes markup ----------------------------------------

HOSTILE = [
    "nl\n> ![a](https:\nevil.example.com\nx.png)\n.txt",
    "# heading\n## another\n1. list\n- item\n---\n===",
    "![q](https://evil.example.com/q.png) <img src=x> &lt; *em* `code` [l](x) www.evil.example.com",
    "back\\slash \\* \\\\ | table | ~~strike~~ $x$ a@b.example 10.5 \r\n# after CR",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_markdown_renders_as_the_text_itself(text):
    output = rendered(markup.escape_markdown(text))
    assert not re.search(r"<(img|a|h\d|ol|ul|li|hr|code|del|em|strong|table|blockquote)\b", output)
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    assert [line.strip() for line in shown_text(markup.escape_markdown(text)).split("\n") if line.strip()] == [
        line for line in lines if line]
    assert markup.unescape_markdown(markup.escape_markdown(text)) == text.replace("\r\n", "\n")


def _passage(source: str, title: str) -> Passage:
    return Passage(text="The harbour reopened.", source=source, title=title, paragraph=1, score=0.9,
                   citation=make_citation(title, 1), date="2025-03-12", publisher="Pub\n# lisher")


def test_reply_shows_hostile_file_and_folder_names_as_text():
    source = HOSTILE[0]
    result = qa.Answer(question="harbour?", query="harbour?", found=False, short=None, items=(), sentences=(),
                       passages=(_passage(source, "T\n# itle"),), highlights=((),), confidence=0.0,
                       filters="in:x\n# y")
    output = rendered(replies.format_answer(result))
    assert "<img" not in output and "evil.example.com/x.png\"" not in output
    assert not re.search(r"<h\d", output)
    assert "nl\\n&gt; ![a](https:\\nevil.example.com\\nx.png)\\n.txt" in output


def test_index_panel_shows_hostile_names_as_text(tmp_path, fake_encoder):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    qa.build_index(corpus, tmp_path / "index", progress=False)
    for name in ("# new heading.txt", "evil\n# heading\n![i](https:\nx.example\ni.png).pdf"):
        (corpus / name).write_bytes(b"\x00\x01\x02" * 100)  # skipped as binary, listed as new
    output = rendered(index_panel.describe_index(corpus, tmp_path / "index"))
    assert not re.search(r"<(h\d|img|a)\b", output)
    assert "# new heading.txt" in html.unescape(output)


def test_picker_labels_are_one_line(tmp_path, fake_encoder):
    corpus = write_corpus(tmp_path / "corpus", {"evil\n# x.txt": "the text here, with no title line.\n"})
    qa.build_index(corpus, tmp_path / "index", progress=False)
    labels = [label for label, _ in index_panel.briefing_choices(tmp_path / "index")]
    assert labels == ["evil\\n# x"]


def test_user_messages_are_kept_as_text_in_the_chat_history(sample_index):
    question = "![q](https://evil.example.com/q.png)\n# not a heading"
    _, messages, turns, _ = app.respond(sample_index, question, [], [], None, None, None)
    shown = rendered(messages[0]["content"])
    assert "<img" not in shown and not re.search(r"<h\d", shown)
    assert chat.earlier_questions(messages) == [question]
    assert turns[0]["question"] == question
    _, messages, _, _ = app.respond(sample_index, None, [], [], None, None, None)
    assert messages[0]["content"] == "" and messages[1]["content"].startswith("⚠️")


def test_rebuild_failure_shows_no_server_path(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("Error in faiss at /srv/secret/index/vectors.faiss")

    monkeypatch.setattr(qa, "build_index", broken)
    reply = index_panel.rebuild(tmp_path / "corpus", tmp_path / "index")
    assert "could not be rebuilt" in reply and "/srv/secret" not in reply


# -- the served app --------------------------------------------------------------------------------

def test_foreign_host_header_is_refused(served):
    url = served[0]
    assert httpx.get(url).status_code == 200
    for host in ("evil.example.com", "evil.example.com:7860", "127.0.0.1.evil.example.com"):
        assert httpx.get(url, headers={"Host": host}).status_code == 400
    assert httpx.get(url, headers={"Host": "localhost"}).status_code == 200


def test_host_names_with_ports():
    from qa_app.web_guards import host_name

    assert [host_name(h) for h in ("127.0.0.1:7860", "[::1]:7860", "LocalHost", "::1", "")] == [
        "127.0.0.1", "::1", "localhost", "::1", ""]


def test_upload_route_keeps_only_readable_types(served):
    response = httpx.post(served[0] + "gradio_api/upload", files={"files": ("tool.exe", b"MZ")})
    assert response.status_code == 415 and ".pdf" in response.text
    readable = httpx.post(served[0] + "gradio_api/upload", files={"files": ("note.txt", b"Harbour")})
    stored = readable.json()
    assert readable.status_code == 200 and Path(stored[0]).read_bytes() == b"Harbour"
    assert not list(Path(stored[0]).parent.parent.glob("*/tool.exe"))


def test_upload_cache_is_cleaned(tmp_path):
    blocks = app.build_app(tmp_path / "corpus", tmp_path / "index")
    assert blocks.delete_cache == app.UPLOAD_CACHE_CLEANUP


def test_null_message_gets_a_clear_error(served):
    gr_client = pytest.importorskip("gradio_client")
    reply = gr_client.Client(served[0], verbose=False).predict(None, api_name="/chat")
    assert "question is empty" in reply


def test_a_filter_that_leaves_one_passage_shows_it_as_the_best(tmp_path, fake_encoder):
    corpus = write_corpus(tmp_path / "corpus", {**TINY, "gamma.txt": "Gamma\n\nRail freight resumed in Gdansk.\n"})
    qa.build_index(corpus, tmp_path / "index", progress=False)
    [passage] = qa.retrieve("rail freight", k=5, index_dir=tmp_path / "index", sources=["gamma.txt"])
    assert passage.score == 1.0

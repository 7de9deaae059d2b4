"""Bad input, faults and hostile text: each behaviour here fails without the code that handles it."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

import qa
from qa.ingest import changes as changes_module
from qa.index.stores import open_store

from conftest import ROOT, TINY, write_corpus


def test_messy_corpus_builds_what_it_can(tmp_path, fake_encoder):
    corpus = write_corpus(tmp_path / "corpus", {
        "good one.txt": "Good\n\nA fine paragraph.",
        "-leading-dash.md": "# Dash\n\nDash content here.",
        "ünïcödé 名前.txt": "Unicode\n\nUnicode content.",
        "long line.txt": "Long\n\n" + "word " * 200_000,
        "one block.txt": "x " * 10 + ("A sentence without a blank line. " * 30_000),
    })
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(os.urandom(4096))
    (corpus / "latin1.txt").write_bytes("Latin\n\nCafé crème à Genève.".encode("latin-1"))
    (corpus / "utf16.txt").write_bytes("UTF16\n\nZürich notes.".encode("utf-16"))
    with open(corpus / "huge.txt", "wb") as huge:  # 50 MB
        huge.truncate(50 * 1024 * 1024)
    report = qa.build_index(corpus, tmp_path / "index", progress=False)
    skipped = {s.source: s.reason for s in report.skipped}
    assert set(skipped) == {"empty.txt", "binary.txt", "huge.txt"}
    assert "too large" in skipped["huge.txt"] and "empty" in skipped["empty.txt"]
    with open_store(tmp_path / "index").reader() as reader:
        sources = set(reader.documents())
    assert {"good one.txt", "-leading-dash.md", "ünïcödé 名前.txt", "latin1.txt", "utf16.txt",
            "long line.txt", "one block.txt"} == sources
    assert qa.retrieve("Café crème Genève", k=1, index_dir=tmp_path / "index")[0].source == "latin1.txt"


def test_file_deleted_during_build_is_skipped(tmp_path, fake_encoder, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    listed = changes_module.corpus_sources(corpus)

    def list_then_delete(folder):
        (corpus / "alpha.txt").unlink()
        return listed

    monkeypatch.setattr(changes_module, "corpus_sources", list_then_delete)
    report = qa.build_index(corpus, tmp_path / "index", progress=False)
    assert [s.source for s in report.skipped] == ["alpha.txt"]
    assert "cannot read" in report.skipped[0].reason
    assert report.documents == 1


KILL_DRIVER = textwrap.dedent("""
    import os, signal, sys
    sys.path[:0] = [{root!r}, {tests!r}]
    import qa
    from qa.index.stores.files import writer as file_writer
    from qa.index.stores.files import store as files
    from qa.index.stores.files import merging, segment
    from conftest import FakeEncoder
    from qa.index.encoder import register_encoder
    encoder = FakeEncoder()
    register_encoder(encoder)
    os.environ["QA_MODEL"] = encoder.name
    point = sys.argv[1]
    die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    if point == "embedding":
        encoder.encode = die
    elif point == "segment":  # half a segment written
        segment._write_lexical = die
    elif point == "segment-renamed":  # a whole segment in segments/, no generation names it
        original_register = file_writer.FileWriter._register
        file_writer.FileWriter._register = lambda self, *a: die() if getattr(self, "_opened", None) else original_register(self, *a)
    elif point == "generation":
        files.write_atomically = die
    elif point == "swap":
        original = files.write_atomically
        def swap(path, text):
            if path.name != files.POINTER:
                return original(path, text)
            temporary = path.with_name(path.name + ".killed.tmp")
            temporary.write_text(text)
            die()
        files.write_atomically = swap
    elif point == "merge":
        merging.FACTOR = 2
        merging.merged = die
        file_writer.merged = die
    elif point == "cleanup":
        files.remove_unreferenced = die
    qa.build_index(sys.argv[2], sys.argv[3], progress=False)
""")


@pytest.mark.parametrize("point", ["embedding", "segment", "segment-renamed", "generation", "swap",
                                   "merge", "cleanup"])
def test_sigkill_at_any_point_leaves_a_working_index(tmp_path, fake_encoder, point):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    index = tmp_path / "index"
    qa.build_index(corpus, index, progress=False)
    before = [p.text for p in qa.retrieve("tuna harbour budget", k=10, index_dir=index)]
    (corpus / "gamma.txt").write_text("Gamma\n\nComets were seen over Malta.", encoding="utf-8")
    driver = tmp_path / "driver.py"
    driver.write_text(KILL_DRIVER.format(root=str(ROOT), tests=str(ROOT / "tests")))
    killed = subprocess.run([sys.executable, str(driver), point, str(corpus), str(index)],
                            capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    after = [p.text for p in qa.retrieve("tuna harbour budget", k=10, index_dir=index)]
    if point == "cleanup":  # killed after the swap: the new build is complete and live
        assert len(after) == 5
    else:
        assert after == before
    report = qa.build_index(corpus, index, progress=False)  # no stale lock blocks the next build
    assert report.documents == 3
    assert qa.retrieve("comets Malta", k=1, index_dir=index)[0].source == "gamma.txt"
    store = open_store(index)
    leftovers = [p.name for p in index.iterdir() if p.name.startswith(("g-", ".build-", "CURRENT."))]
    assert leftovers == [f"{store.version()}.json"]
    named = {entry["name"] for entry in store.manifest()["segments"]}
    assert {p.name for p in (index / "segments").iterdir()} == named


def test_mismatched_manifest_is_detected(tiny_corpus, tmp_path, fake_encoder):
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    path = index / f"{open_store(index).version()}.json"
    manifest = json.loads(path.read_text())
    manifest["segments"][0]["passages"] += 3
    path.write_text(json.dumps(manifest))
    with pytest.raises(qa.IndexDamaged, match="passage count"):
        qa.retrieve("tuna", index_dir=index)


def test_chat_shows_damaged_index_and_offers_rebuild(tiny_corpus, tmp_path, fake_encoder):
    from qa_app import chat, index_panel

    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    [segment] = (index / "segments").iterdir()
    (segment / "vectors.npy").write_bytes(b"garbage")
    reply = chat.make_chat(index)("tuna?", [])
    assert reply.startswith("⚠️") and "damaged" in reply and "Rebuild" in reply
    assert "Rebuild index" in index_panel.describe_index(tiny_corpus, index)
    assert "added" in index_panel.rebuild(tiny_corpus, index)
    assert "Alpha Briefing" in chat.make_chat(index)("tuna catch fishermen?", [])


@pytest.mark.parametrize("host, auth, warns", [
    ("127.0.0.1", False, False), ("localhost", False, False),
    ("0.0.0.0", False, True), ("0.0.0.0", True, True),
])
def test_non_loopback_bind_warns(host, auth, warns):
    from qa_app import startup

    warning = startup.bind_warning(host, auth)
    assert (warning is not None) is warns
    if warns and not auth:
        assert "--auth" in warning


@pytest.mark.parametrize("question", [
    "x" * 100_000, "?!?!", "🙂🚀🔥", "ما هي الدول التي التزمت بإرسال قوات؟", "troops\x00\x1b[2J\x07",
    "<img src=x onerror=alert(1)>", "Quels pays ont promis des troupes ?",
])
def test_odd_questions_through_the_chat(sample_index, question):
    from qa_app import chat

    reply = chat.make_chat(sample_index)(question, [])
    assert isinstance(reply, str) and reply
    assert "<img" not in reply and "⚠️ The question could not be answered" not in reply


def test_chat_survives_an_unexpected_failure(sample_index, monkeypatch):
    from qa_app import chat

    monkeypatch.setattr(chat, "answer", lambda *a, **k: 1 / 0)
    reply = chat.make_chat(sample_index)("Which countries committed troops?", [])
    assert "could not be answered" in reply

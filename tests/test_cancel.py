"""Cancelling a build (qa.index.cancellation): mid-read, mid-embedding and from the page's upload;
the index stays as it was and no worker process is left."""

import os
import textwrap
import threading
import time

import pytest

import qa
from qa.errors import BuildCancelled
from qa.index import derive
from qa.index.cancellation import Cancellation
from qa_app import index_panel

from conftest import TINY, write_corpus

# Loaded by every worker interpreter (PYTHONPATH): reading a file named slow* writes the worker's
# pid to a marker file, then takes ten minutes.
SLOW_READER = textwrap.dedent("""
    import os, time
    import qa.index.build as build
    original = build.read_indexable
    def read_slowly(path, source):
        if source.startswith("slow"):
            with open(os.environ["QA_TEST_SLOW_MARKER"], "w") as marker:
                marker.write(str(os.getpid()))
            time.sleep(600)
        return original(path, source)
    build.read_indexable = read_slowly
""")


def test_cancelling_mid_read_ends_the_worker_and_keeps_the_index(tmp_path, fake_encoder, monkeypatch):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    qa.build_index(corpus, index, progress=False)
    before = (index / "CURRENT").read_text()
    hooks, marker = tmp_path / "hooks", tmp_path / "reading"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SLOW_READER)
    monkeypatch.setenv("PYTHONPATH", str(hooks))
    monkeypatch.setenv("QA_TEST_SLOW_MARKER", str(marker))
    (corpus / "slow.txt").write_text("Slow\n\nA briefing that takes ten minutes to read.\n")

    cancellation, raised = Cancellation(), []
    def build():
        try:
            qa.build_index(corpus, index, progress=False, cancellation=cancellation)
        except BaseException as error:  # noqa: BLE001 - the test looks at it
            raised.append(error)
    builder = threading.Thread(target=build)
    builder.start()
    for _ in range(600):
        if marker.exists() and marker.read_text():
            break
        time.sleep(0.1)
    worker = int(marker.read_text())
    cancellation.cancel()
    builder.join(60)
    assert not builder.is_alive() and len(raised) == 1 and isinstance(raised[0], BuildCancelled)
    assert (index / "CURRENT").read_text() == before  # nothing published
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)
    assert qa.build_index(corpus, index, progress=False, only=[corpus / "alpha.txt"]).added == 0  # lock freed


def test_cancelling_mid_embedding_publishes_nothing(tmp_path, fake_encoder, monkeypatch):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    monkeypatch.setattr(derive, "CANCELLABLE_CHUNK", 1)
    cancellation, encode = Cancellation(), fake_encoder.encode_passages
    calls = []

    def encode_then_cancel(texts, progress=False):
        calls.append(texts)
        cancellation.cancel()
        return encode(texts, progress)

    monkeypatch.setattr(fake_encoder, "encode_passages", encode_then_cancel)
    with pytest.raises(BuildCancelled, match="index is as it was"):
        qa.build_index(corpus, index, progress=False, cancellation=cancellation)
    assert len(calls) == 1 and not (index / "CURRENT").exists()


def test_a_cancelled_upload_takes_its_new_file_back_out(tmp_path, fake_encoder, monkeypatch):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    qa.build_index(corpus, index, progress=False)
    upload = tmp_path / "glacier.txt"
    upload.write_text("Glacier\n\nThe Aletsch glacier lost ice.\n")
    running = index_panel.RunningBuild()
    encode = fake_encoder.encode_passages

    def cancel_while_embedding(texts, progress=False):
        assert running.cancel() == "Cancelling the build: the index stays as it was."
        return encode(texts, progress)

    monkeypatch.setattr(fake_encoder, "encode_passages", cancel_while_embedding)
    said = index_panel.upload([str(upload)], corpus, index, running=running)
    assert "the build was cancelled" in said and "Not added: glacier.txt" in said
    assert not (corpus / "glacier.txt").exists()
    assert "glacier" not in {p.source for p in qa.retrieve("glacier ice", k=10, index_dir=index)}
    assert running.cancel() == "No build is running."

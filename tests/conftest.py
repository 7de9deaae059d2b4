"""Shared fixtures: a fake deterministic encoder for plumbing, the real model for behaviour."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import socket
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pytest

import qa
from qa.index.encoder import Encoder, Windows, register_encoder, unregister_encoder

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
# The model's ONNX copy for questions (qa.index.onnx_backend) goes to the checkout's ignored cache, for
# this process and the CLI and app processes tests start, not to the user's home.
os.environ.setdefault("QA_CACHE_DIR", str(ROOT / ".cache" / "models"))


class FakeEncoder(Encoder):
    """Bag-of-words vectors from word hashes: deterministic, instant, no model files.

    Windows are WINDOW words long, so window logic is exercised with short texts.
    """

    WINDOW = 12
    DIMENSION = 64

    def __init__(self):
        super().__init__("fake-hash-encoder")
        self.encoded: list[str] = []

    @property
    def dimension(self) -> int:
        return self.DIMENSION

    @property
    def max_tokens(self) -> int:
        return self.WINDOW

    def encode(self, texts, progress=False):
        self.encoded.extend(texts)
        vectors = np.zeros((len(texts), self.DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                slot = int(hashlib.md5(word.encode()).hexdigest(), 16) % self.DIMENSION
                vectors[row, slot] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)

    def encode_questions(self, questions):
        return self.encode(questions)

    def encode_passages(self, texts, progress=False):
        windows = self.windows(texts)
        return self.encode(windows.texts), windows.owners

    def windows(self, texts):
        pieces, owners = [], []
        for owner, text in enumerate(texts):
            words = text.split()
            for start in range(0, max(1, len(words) - 2), self.WINDOW - 2):
                pieces.append(" ".join(words[start:start + self.WINDOW]))
                owners.append(owner)
        return Windows(pieces, np.asarray(owners, dtype=np.int64))


@pytest.fixture
def fake_encoder(monkeypatch):
    """A fresh fake encoder that the library uses (QA_MODEL names it) for this test."""
    from qa import api

    encoder = FakeEncoder()
    register_encoder(encoder)
    monkeypatch.setenv("QA_MODEL", encoder.name)
    # Plumbing tests check the search's own order; the reader re-ranks real text (test_rerank).
    monkeypatch.setattr(api, "RERANK_BY_DEFAULT", False)
    yield encoder
    unregister_encoder(encoder)


def write_corpus(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


TINY = {
    "alpha.txt": "Alpha Briefing\n\nThe harbour of Valletta reopened on Monday after the storm.\n\n"
                 "Fishermen said the catch of tuna was the best in ten years.\n",
    "beta.md": "# Beta Report\n\nThe council approved a budget of 12 million euros for schools.\n\n"
               "Teachers welcomed the new laboratory equipment.\n",
}


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    return write_corpus(tmp_path / "corpus", TINY)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    """The sample briefing indexed with the real bundled model, once per session."""
    folder = tmp_path_factory.mktemp("sample")
    corpus = folder / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    qa.build_index(corpus, folder / "index", progress=False)
    return folder / "index"


PAYLOAD_BRIEFING = (
    "Envoy Notes\n\n"
    "The envoy's memo on grain corridors quoted <img src=x onerror=\"document.title='pwned'\"> "
    "and <script>document.title='pwned'</script> verbatim, as sent by the embassy.\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """(url, corpus folder) of the chat serving the sample briefing plus a payload briefing."""
    from qa_app import app, startup

    folder = tmp_path_factory.mktemp("app")
    corpus, index = folder / "corpus", folder / "index"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    (corpus / "envoy-notes.txt").write_text(PAYLOAD_BRIEFING, encoding="utf-8")
    startup.prepare_index(corpus, index)
    port = free_port()
    demo = app.build_app(corpus, index)
    demo.launch(server_port=port, prevent_thread_lock=True, quiet=True, **app.launch_options("127.0.0.1"))
    yield f"http://127.0.0.1:{port}/", corpus
    demo.close()


# -- PostgreSQL (qa.index.stores.postgres): one throwaway server per session, a database per test ------

def _pg_server_module():
    spec = importlib.util.spec_from_file_location("pg_server", ROOT / "scripts" / "pg_server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def pg_server():
    """The URL of a PostgreSQL server with pgvector: QA_TEST_DATABASE's (CI starts one with
    scripts/pg-server), else a throwaway one started here. Never skipped."""
    if os.environ.get("QA_TEST_DATABASE"):
        yield os.environ["QA_TEST_DATABASE"]
        return
    server = _pg_server_module()
    # Not under pytest's base folder: a concurrent pytest run may prune that while we run.
    folder = Path(tempfile.mkdtemp(prefix="qa-postgres-"))
    try:
        yield server.start(folder / "data")
    finally:
        server.stop(folder / "data", delete=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def new_database(server_url: str):
    """The URL of a new, empty database on the server at `server_url`, dropped afterwards."""
    import psycopg

    name = f"qa_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class FakeReader:
    """Finds the first of `answers` (in order) that a passage holds, at a fixed score; no model."""

    name = "fake-reader"

    def __init__(self, answers: list[str], score: float = 0.9):
        self.answers, self.score = answers, score
        self.read_passages: list[list[str]] = []

    def read(self, question, passages, k=10):
        from qa.answers.reader import Reading, Span

        self.read_passages.append(list(passages))
        spans = []
        for rank, answer in enumerate(self.answers):
            for number, text in enumerate(passages):
                start = text.find(answer)
                if start >= 0:
                    spans.append(Span(number, start, start + len(answer), answer, self.score - 0.01 * rank))
        spans.sort(key=lambda span: -span.score)
        return Reading(tuple(spans[:k]), 1.0 - self.score if spans else 1.0)


@pytest.fixture
def fake_reader(monkeypatch):
    """Registers a FakeReader for this test (set its `answers`) and removes it afterwards. Any
    span it finds is answered: the decline threshold, fitted to the shipped reader's scores, is
    not what plumbing tests are about."""
    from qa.answers import confidence
    from qa.answers.reader import register_reader

    monkeypatch.setattr(confidence, "DECLINE_BELOW", 1e-9)
    reader = FakeReader([])
    register_reader(reader)
    yield reader
    register_reader(None)


SLOW_FIXTURES = {"served", "pg_server"}
SLOW_MODULES = {"test_install", "test_browser", "test_quality", "test_load", "test_training",
                "test_killed_build"}


def pytest_collection_modifyitems(items):
    """Marks slow the tests that start app servers or PostgreSQL, and whole slow modules."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or item.module.__name__ in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def bm25s_scores(texts: list[str], question: str):
    """bm25s's Lucene BM25 score of every text for `question` (the reference our stores match)."""
    import bm25s
    import numpy as np

    from qa.search.lexical import tokenize

    reference = bm25s.BM25()
    reference.index(tokenize(texts), show_progress=False)
    known = [token for token in tokenize([question])[0] if token in reference.vocab_dict]
    return reference.get_scores(known).astype(np.float32) if known else np.zeros(len(texts), np.float32)

"""ONNX Runtime: the optional int8 backend (exported locally, close to the PyTorch vectors, same
answers) and the float32 copy questions are embedded with (the PyTorch vectors, or PyTorch itself)."""

import logging
import os
import shutil
import time

import numpy as np
import pytest

import qa
from qa.index.build import read_corpus
from qa.index import onnx_backend
from qa.index.encoder import DEFAULT_MODEL, QUICK_SWITCH, QUICK_TEXTS, Encoder, get_encoder
from qa.index.onnx_backend import FLOAT_FILE, SUFFIX, quick_model

from conftest import SAMPLE_CORPUS


@pytest.fixture(scope="module")
def onnx_name(tmp_path_factory):
    cache = tmp_path_factory.mktemp("onnx-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QA_CACHE_DIR", str(cache))
        name = DEFAULT_MODEL + SUFFIX
        get_encoder(name).model  # export and quantize into the temporary cache
        assert list(cache.rglob("model-int8.onnx"))
        yield name


def test_int8_vectors_stay_close_to_the_float_model(onnx_name):
    [document], _ = read_corpus(SAMPLE_CORPUS)
    texts = [p.text for p in document.paragraphs]
    texts.append("Which countries committed troops?")
    reference = get_encoder().encode(texts)
    quantized = get_encoder(onnx_name).encode(texts)
    assert quantized.shape == reference.shape
    assert np.allclose(np.linalg.norm(quantized, axis=1), 1.0, atol=1e-4)
    assert (quantized * reference).sum(axis=1).min() > 0.98


def test_index_built_with_the_int8_model_answers_alike(onnx_name, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_MODEL", onnx_name)
    shutil.copytree(SAMPLE_CORPUS, tmp_path / "corpus")
    qa.build_index(tmp_path / "corpus", tmp_path / "index", progress=False)
    [passage] = qa.retrieve("Which countries committed troops?", k=1, index_dir=tmp_path / "index")
    assert passage.paragraph == 3


QUESTIONS = ["Which countries committed troops?", "Who is the UK defence secretary?",
             "How long is the proposed ceasefire?"]


def same_vectors(vectors, reference) -> bool:
    return vectors.shape == reference.shape and (vectors * reference).sum(axis=1).min() > 0.99999


def test_questions_get_the_pytorch_vectors_from_the_quick_model(monkeypatch):
    encoder = get_encoder()
    assert encoder.quick_model is not None
    reference = encoder.encode(QUESTIONS)
    monkeypatch.setattr(encoder, "_encode_token_ids", None)  # PyTorch's path must not be taken
    quick = encoder.encode_questions(QUESTIONS)
    assert quick.dtype == np.float32 and same_vectors(quick, reference)


def test_builds_and_many_questions_stay_on_pytorch(monkeypatch):
    encoder = get_encoder()
    texts = [f"{question} Asked {i} times." for i, question in enumerate(QUESTIONS * QUICK_TEXTS)]
    reference = encoder.model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    monkeypatch.setattr(onnx_backend.OnnxSentenceModel, "encode", None)  # must not be called
    assert same_vectors(encoder.encode_questions(texts), reference)
    assert same_vectors(encoder.encode(texts[:2]), reference[:2])  # what a build embeds


class SharedModelEncoder(Encoder):
    """An Encoder of its own (its own quick model) over the session's loaded model."""

    def _load(self):
        return get_encoder().model


def test_a_failed_export_leaves_questions_to_pytorch(tmp_path, monkeypatch, caplog):
    def broken_export(*_):
        raise RuntimeError("the exporter broke\nwith details")

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(onnx_backend, "_export", broken_export)
    encoder = SharedModelEncoder(DEFAULT_MODEL)
    with caplog.at_level(logging.WARNING, logger="qa"):
        vectors = encoder.encode_questions(QUESTIONS)
    assert encoder.quick_model is None
    assert "questions are embedded by PyTorch: the exporter broke" in caplog.text
    assert same_vectors(vectors, encoder.encode(QUESTIONS))


def test_an_export_that_gives_other_vectors_is_not_kept(tmp_path, monkeypatch, caplog):
    exports = []
    real_export = onnx_backend._export
    monkeypatch.setattr(onnx_backend, "_export", lambda *a: exports.append(a) or real_export(*a))
    monkeypatch.setattr(onnx_backend, "_gives_vectors_of", lambda *_: False)
    with caplog.at_level(logging.WARNING, logger="qa"):
        assert quick_model(get_encoder().model, tmp_path) is None
    assert len(exports) == 1 and not list(tmp_path.iterdir())
    assert "gives other vectors" in caplog.text


def test_only_mean_pooled_transformers_get_a_quick_copy(tmp_path, monkeypatch):
    def module(kind, **attributes):
        return type(kind, (), attributes)()

    monkeypatch.setattr(onnx_backend, "_export", None)  # nothing may be exported
    cls_pooled = [module("Transformer"), module("Pooling", pooling_mode="cls")]
    with_dense = [module("Transformer"), module("Pooling", pooling_mode="mean"), module("Dense")]
    assert quick_model(cls_pooled, tmp_path) is None and quick_model(with_dense, tmp_path) is None
    assert not list(tmp_path.iterdir())


def test_the_switch_keeps_questions_on_pytorch(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv(QUICK_SWITCH, "0")
    encoder = SharedModelEncoder(DEFAULT_MODEL)
    assert encoder.encode_questions(QUESTIONS[:1]).shape == (1, encoder.dimension)
    assert encoder.quick_model is None and not list(tmp_path.iterdir())


def test_a_damaged_cached_export_is_made_again(tmp_path):
    (tmp_path / FLOAT_FILE).write_bytes(b"not an ONNX model")
    model = quick_model(get_encoder().model, tmp_path)
    assert model is not None
    assert (tmp_path / FLOAT_FILE).stat().st_size > 1_000_000
    assert list(tmp_path.iterdir()) == [tmp_path / FLOAT_FILE]  # no staging folder left


def test_staging_left_by_a_killed_export_is_swept_and_a_running_one_kept(tmp_path):
    killed, running = tmp_path / ".export-killed0", tmp_path / ".export-running"
    for staging in (killed, running):
        staging.mkdir()
        (staging / "model.onnx").write_bytes(b"half a model")
    long_ago = time.time() - onnx_backend.STALE_STAGING_SECONDS - 60
    os.utime(killed, (long_ago, long_ago))

    def make(staging):
        (staging / "made.onnx").write_bytes(b"whole")
        return staging / "made.onnx"

    target = onnx_backend._cached(tmp_path / "model.onnx", make)
    assert target.read_bytes() == b"whole"
    assert sorted(path.name for path in tmp_path.iterdir()) == [".export-running", "model.onnx"]
    assert (running / "model.onnx").exists()

"""The optional int8 ONNX backend: exported locally, close to the PyTorch vectors, same answers."""

import shutil

import numpy as np
import pytest

import qa
from qa.build import read_corpus
from qa.encoder import DEFAULT_MODEL, get_encoder
from qa.onnx_backend import SUFFIX

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

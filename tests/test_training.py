"""The reader's training program (training/) keeps working: a few steps on a tiny sample, a run
that continues where it stopped, and an ONNX export that gives PyTorch's logits. Training itself
is never run by the tests."""

import json

import pytest

from conftest import SHARED
from qa.answers.reader.learned import MODEL_DIR

pytestmark = pytest.mark.skipif(not (SHARED / "train").is_dir(), reason="needs ../shared/train")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from training.train import SETTINGS, train

    run = tmp_path_factory.mktemp("run")
    settings = dict(SETTINGS, epochs=1, batch_size=4)
    train(run, settings, run / "no-negatives.json", limit=12, save_every=1, max_steps=2)
    first = json.loads((run / "settings.json").read_text())
    final = train(run, settings, run / "no-negatives.json", limit=12, save_every=1)
    return run, final, first


def test_a_stopped_run_continues_where_it_stopped(trained):
    import torch

    run, final, settings = trained
    state = torch.load(run / "checkpoint.pt", weights_only=False)["state"]
    assert state["step"] == 3 and len(state["losses"]) == 3  # 12 examples, batches of 4
    assert (final / "model.safetensors").exists() and settings["batch_size"] == 4


def test_the_float_export_gives_pytorchs_logits(trained, tmp_path):
    from training.data import load_all
    from training.export import PARITY_FLOAT, export_float, float_parity

    _, final, _ = trained
    export_float(final, tmp_path / "float.onnx")
    examples = [e for e in load_all()[1] if e.answerable][:4]
    assert float_parity(final, tmp_path / "float.onnx", examples) < PARITY_FLOAT


def test_int8_keeps_the_matmuls_asked_for_in_float(trained, tmp_path):
    import onnx

    from training.export import export_float, quantize

    _, final, _ = trained
    export_float(final, tmp_path / "float.onnx")
    quantize(tmp_path / "float.onnx", tmp_path / "all.onnx")
    quantize(tmp_path / "float.onnx", tmp_path / "kept.onnx", keep_float=r"qa_outputs")

    def float_matmuls(path):
        return {n.name for n in onnx.load(str(path)).graph.node if n.op_type == "MatMul" and "qa_outputs" in n.name}

    assert not float_matmuls(tmp_path / "all.onnx") and float_matmuls(tmp_path / "kept.onnx")


def test_labels_point_at_the_answer_tokens():
    from transformers import AutoTokenizer

    from qa.answers.reader.learned import MODEL_DIR
    from qa.answers.reader.windows import encode_pairs
    from training.data import Example
    from training.features import label

    tokenizer = AutoTokenizer.from_pretrained(str(MODEL_DIR))
    context = "Officials said the ceasefire would last 30 days from Tuesday."
    example = Example("q", "test", "How long?", context, ("30 days",), context.index("30 days"), "p", "g")
    windows = encode_pairs(tokenizer, [example.question], [context])
    first, last = label(example, windows.offsets[0])
    assert context[windows.offsets[0][first][0]:windows.offsets[0][last][1]] == "30 days"
    assert label(Example("q", "test", "How long?", context, ("x",), None, "p", "g"), windows.offsets[0]) == (0, 0)


def test_weights_read_back_from_an_export_are_the_trained_ones(trained, tmp_path):
    """training.from_onnx matches each exported matrix to its layer: exactly from the float
    export, within a quantization step from int8 (a MatMul kept in float included)."""
    import numpy as np
    from transformers import AutoModelForQuestionAnswering

    from training.export import export_float, quantize
    from training.from_onnx import float_weights

    _, final, _ = trained
    expected = {name: value.numpy() for name, value in
                AutoModelForQuestionAnswering.from_pretrained(str(final)).state_dict().items()
                if name != "bert.embeddings.position_ids"}
    export_float(final, tmp_path / "float.onnx")
    quantize(tmp_path / "float.onnx", tmp_path / "int8.onnx", keep_float=r"layer\.5/intermediate")
    exact, approximate = float_weights(tmp_path / "float.onnx"), float_weights(tmp_path / "int8.onnx")
    assert exact.keys() == approximate.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_allclose(exact[name], value, atol=1e-6, err_msg=name)
        step = (value.max() - value.min()) / 254
        assert np.abs(approximate[name] - value).max() <= step + 1e-6, name


def test_the_shipped_reader_read_back_as_float_answers_like_it(tmp_path):
    from qa.answers.reader.learned import load_shipped
    from training.evaluate import torch_reader
    from training.from_onnx import write_start_folder

    assert write_start_folder(MODEL_DIR, tmp_path / "start") > 100
    question = "How long is the proposed ceasefire?"
    paragraph = ("European leaders proposed a 30-day ceasefire covering air, sea and energy "
                 "infrastructure, to be monitored by observers.")
    read_back = torch_reader(tmp_path / "start").read(question, [paragraph], k=1).best
    shipped = load_shipped().read(question, [paragraph], k=1).best
    assert read_back.text == shipped.text and "30" in read_back.text

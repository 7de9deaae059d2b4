"""The reader's training program (training/) keeps working: a few steps on a tiny sample, a run
that continues where it stopped, and an ONNX export that gives PyTorch's logits. Training itself
is never run by the tests."""

import json

import pytest

from conftest import SHARED

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

"""Float weights of a shipped reader, to train further from (`python -m training.train
--start-from FOLDER`): the int8 export is all that ships, and a new machine has no checkpoint.

    python -m training.from_onnx --out ~/.cache/briefing-qa/training/shipped [--model qa/answers/reader/model]

Each int8 matrix is dequantized (scale x (integer - zero point), per output column or per
tensor as it was quantized). The export names its matrices after graph positions, not layers, so
each is matched to its layer through the bias the graph adds to its product, whose name is the
layer's. The result differs from the trained float weights by the quantization error, which the
further training absorbs; `python -m training.evaluate --model FOLDER` measures it against the
model card.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from qa.answers.reader.learned import MODEL_DIR, MODEL_FILE

from .train import base_model_path

PREFIX = "model."  # the export wraps the model (training/export.py: Forward.model)


def float_weights(onnx_file: Path) -> dict[str, np.ndarray]:
    """The model's parameters by their PyTorch names, in float32, read from the ONNX export."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_file)).graph
    stored = {item.name: numpy_helper.to_array(item) for item in graph.initializer}
    weights = {}
    for name, value in stored.items():
        if name.startswith(PREFIX) and not name.endswith(("_scale", "_zero_point")):
            weights[_torch_name(name)] = _dequantized(stored, name) if name.endswith("_quantized") else value
    for matrix, bias in _matrices_and_their_biases(graph, stored).items():
        layer = _torch_name(bias)[:-len(".bias")]
        weights[f"{layer}.weight"] = _dequantized(stored, matrix).T.copy()  # [in, out] -> Linear's [out, in]
    return {name: value.astype(np.float32) for name, value in weights.items()}


def _torch_name(onnx_name: str) -> str:
    return onnx_name[len(PREFIX):].removesuffix("_quantized")


def _dequantized(stored: dict, name: str) -> np.ndarray:
    """A stored matrix as float: as it is when float, else from its integers, scale and zero point
    (per column of a [in, out] matrix, or one for the whole tensor)."""
    if not name.endswith("_quantized"):
        return stored[name].astype(np.float32)
    base = name[:-len("_quantized")]
    integers = stored[name].astype(np.float32)
    scale, zero = stored[f"{base}_scale"], stored[f"{base}_zero_point"].astype(np.float32)
    return (integers - zero) * scale


def _matrices_and_their_biases(graph, stored: dict) -> dict[str, str]:
    """For each weight matrix a MatMul (or MatMulInteger) multiplies by, the named bias added to
    its product: found by following the product through the nodes that rescale it."""
    consumers: dict[str, list] = {}
    for node in graph.node:
        for tensor in node.input:
            consumers.setdefault(tensor, []).append(node)
    found = {}
    for node in graph.node:
        if node.op_type not in ("MatMul", "MatMulInteger") or node.input[1] not in stored:
            continue
        bias = _bias_after(node, consumers, stored)
        if bias is None:
            raise ValueError(f"no bias found after the product with {node.input[1]}")
        found[node.input[1]] = bias
    return found


def _bias_after(node, consumers: dict, stored: dict, depth: int = 4) -> str | None:
    """The name of the `.bias` initializer an Add within `depth` nodes after `node` adds."""
    for following in consumers.get(node.output[0], []):
        if following.op_type == "Add":
            named = [t for t in following.input if t in stored and t.endswith(".bias")]
            if named:
                return named[0]
        if depth > 1 and following.op_type in ("Cast", "Mul", "Add"):
            bias = _bias_after(following, consumers, stored, depth - 1)
            if bias is not None:
                return bias
    return None


def write_start_folder(model_dir: Path, out: Path) -> int:
    """A Hugging Face folder (base model's configuration and tokenizer, the export's weights) that
    `train --start-from` and `evaluate --model` read; returns the number of parameters set."""
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    model = AutoModelForQuestionAnswering.from_pretrained(base_model_path())
    expected = model.state_dict()
    weights = float_weights(model_dir / MODEL_FILE)
    missing = sorted(set(expected) - set(weights) - {"bert.embeddings.position_ids"})
    unknown = sorted(set(weights) - set(expected))
    if missing or unknown:
        raise ValueError(f"the export does not match the model: missing {missing[:5]}, unknown {unknown[:5]}")
    for name, value in weights.items():
        if tuple(expected[name].shape) != value.shape:
            raise ValueError(f"{name}: shape {value.shape}, the model has {tuple(expected[name].shape)}")
    model.load_state_dict({name: torch.from_numpy(value) for name, value in weights.items()}, strict=False)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(base_model_path()).save_pretrained(out)
    return len(weights)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL_DIR, help="a shipped model folder")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    count = write_start_folder(args.model, args.out)
    print(f"{count} parameters from {args.model / MODEL_FILE} written to {args.out}")


if __name__ == "__main__":
    main()

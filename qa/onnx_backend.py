"""The optional ONNX Runtime backend with dynamic int8 quantization: name a model with the suffix
"+onnx-int8" (e.g. `--model all-MiniLM-L6-v2+onnx-int8` or QA_MODEL) to use it.

On first use the model's transformer is exported to ONNX locally (torch.onnx, nothing is
downloaded) and its weight matrices quantized to int8 per channel (onnxruntime); the files are
cached under $QA_CACHE_DIR (default ~/.cache/briefing-qa). Tokenizer, window length and mean
pooling are the sentence-transformers model's own, so only the transformer runs differently.
Its speed and quality against the PyTorch path are in docs/benchmarks.md.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
import warnings
from pathlib import Path

import numpy as np

SUFFIX = "+onnx-int8"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def is_onnx(name: str) -> bool:
    return name.lower().endswith(SUFFIX)


def base_model(name: str) -> str:
    return name[: -len(SUFFIX)] if is_onnx(name) else name


def cache_folder(name: str) -> Path:
    root = Path(os.environ.get("QA_CACHE_DIR") or Path.home() / ".cache" / "briefing-qa")
    return root / "onnx" / re.sub(r"[^A-Za-z0-9._-]+", "-", base_model(name)).strip("-")


class OnnxSentenceModel:
    """The parts of a SentenceTransformer the Encoder uses, with the transformer run by ONNX Runtime."""

    def __init__(self, sentence_model, model_file: Path, threads: int | None = None):
        import onnxruntime

        pooling = str(getattr(sentence_model[1], "pooling_mode", "")) if len(sentence_model) > 1 else ""
        if pooling != "mean":
            raise RuntimeError(f"the ONNX backend supports mean-pooling models, not {pooling!r} pooling")
        self.tokenizer = sentence_model.tokenizer
        self.max_seq_length = sentence_model.max_seq_length
        get_dimension = getattr(sentence_model, "get_embedding_dimension", None) or getattr(
            sentence_model, "get_sentence_embedding_dimension")
        self._dimension = int(get_dimension())
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        self._session = onnxruntime.InferenceSession(
            str(model_file), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def get_sentence_embedding_dimension(self) -> int:
        return self._dimension

    def encode(self, texts: list[str], batch_size: int = 32, **_) -> np.ndarray:
        """Mean-pooled, L2-normalised vectors (what the Encoder asks sentence-transformers for)."""
        vectors = []
        for start in range(0, len(texts), batch_size):
            batch = self.tokenizer(texts[start:start + batch_size], padding=True, truncation=True,
                                   max_length=self.max_seq_length, return_tensors="np")
            feed = {name: batch[name].astype(np.int64) for name in INPUTS if name in self._inputs}
            hidden = self._session.run(None, feed)[0]
            mask = batch["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            vectors.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
        return np.concatenate(vectors).astype(np.float32) if vectors else np.zeros((0, self._dimension), np.float32)


def quantized_model_file(sentence_model, folder: Path) -> Path:
    """The int8 ONNX file of `sentence_model`'s transformer in `folder`, exported on first use."""
    target = folder / "model-int8.onnx"
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".export-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        full = staging / "model.onnx"
        _export(sentence_model, full)
        _quantize(full, staging / target.name)
        os.replace(staging / target.name, target)  # atomic: a reader never sees half a file
    finally:
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()
    return target


def _export(sentence_model, path: Path) -> None:
    import torch

    transformer = sentence_model[0].auto_model.eval()

    class Forward(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    sample = sentence_model.tokenizer(["an example sentence"], return_tensors="pt")
    token_types = sample.get("token_type_ids", torch.zeros_like(sample["input_ids"]))
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "hidden")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's notes on operators this model does not hit
        torch.onnx.export(Forward(), (sample["input_ids"], sample["attention_mask"], token_types),
                          str(path), input_names=list(INPUTS), output_names=["hidden"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)


def _quantize(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Weight matrices only, one scale per output channel: quantizing the attention products too
    # moved vectors to a mean cosine of 0.93 from the float model's; this keeps it at 0.99.
    logging.disable(logging.WARNING)  # its advice to pre-process the model is for static quantization
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"], extra_options={"MatMulConstBOnly": True})
    finally:
        logging.disable(logging.NOTSET)

"""ONNX Runtime for the embedding model's transformer, in two uses.

- The optional int8 backend: name a model with the suffix "+onnx-int8" (e.g. `--model
  all-MiniLM-L6-v2+onnx-int8` or QA_MODEL). Its weight matrices are quantized to int8 per channel.
- Questions with any CPU model (`quick_model`): the same float32 weights, checked to give the
  PyTorch vectors, for a few short texts at a time, where ONNX Runtime is several times faster.

On first use the transformer is exported to ONNX locally (torch.onnx, nothing is downloaded); the
files are cached under $QA_CACHE_DIR (default ~/.cache/briefing-qa). Tokenizer, window length and
mean pooling are the sentence-transformers model's own, so only the transformer runs differently.
Speed and quality against the PyTorch path are in docs/benchmarks.md.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import time
import uuid
import warnings
from pathlib import Path

import numpy as np

from qa.threads import usable_cores

SUFFIX = "+onnx-int8"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
FLOAT_FILE = "model-float32.onnx"
INT8_FILE = "model-int8.onnx"
# Texts the float32 export must embed as PyTorch does before it is used for questions.
PROBES = ("Which countries committed troops?", "The ceasefire would last 30 days, officials said.")
SAME_VECTOR = 0.99999  # least cosine to PyTorch's vector of a probe
MAX_EXPORT_BYTES = 1 << 30  # one ONNX file holds at most 2 GB; larger exports split their weights
STAGING_PREFIX = ".export-"
# A staging folder untouched this long was left by a killed process (an export takes seconds).
STALE_STAGING_SECONDS = 3600

log = logging.getLogger("qa")


def is_onnx(name: str) -> bool:
    return name.lower().endswith(SUFFIX)


def base_model(name: str) -> str:
    return name[: -len(SUFFIX)] if is_onnx(name) else name


def cache_folder(name: str) -> Path:
    root = Path(os.environ.get("QA_CACHE_DIR") or Path.home() / ".cache" / "briefing-qa")
    return root / "onnx" / re.sub(r"[^A-Za-z0-9._-]+", "-", base_model(name)).strip("-")


class OnnxSentenceModel:
    """The parts of a SentenceTransformer the Encoder uses, with the transformer run by ONNX Runtime."""

    def __init__(self, sentence_model, model_file: Path, threads: int | None = None,
                 spinning: bool = True):
        import onnxruntime

        pooling = _pooling(sentence_model)
        if pooling != "mean":
            raise RuntimeError(f"the ONNX backend supports mean-pooling models, not {pooling!r} pooling")
        self.tokenizer = sentence_model.tokenizer
        self.max_seq_length = sentence_model.max_seq_length
        get_dimension = getattr(sentence_model, "get_embedding_dimension", None) or getattr(
            sentence_model, "get_sentence_embedding_dimension")
        self._dimension = int(get_dimension())
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or usable_cores()
        if not spinning:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
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


def quick_model(sentence_model, folder: Path) -> OnnxSentenceModel | None:
    """`sentence_model` run by ONNX Runtime in float32 (exported to `folder` on first use), or None
    where that cannot give its vectors: ONNX Runtime is missing, the model is not a transformer
    with mean pooling (and normalisation) alone or is too large for one ONNX file, the export
    fails or gives other vectors. A cached export that fails is made again once (a model changed
    under the same name).

    Its threads sleep between calls instead of spinning: a question's embedding is followed at once
    by the search, which needs the cores.
    """
    unsupported = _unsupported(sentence_model)
    if unsupported:
        log.info("questions are embedded by PyTorch: %s", unsupported)
        return None
    target = folder / FLOAT_FILE
    for _ in range(2):
        cached = target.exists()
        try:
            model = OnnxSentenceModel(sentence_model, float_model_file(sentence_model, folder),
                                      spinning=False)
            if _gives_vectors_of(model, sentence_model):
                return model
            reason = "its ONNX export gives other vectors"
        except Exception as error:  # export, load and run raise many kinds; each means "use PyTorch"
            reason = _first_line(error)
        target.unlink(missing_ok=True)  # never kept unless it gives the model's vectors
        if not cached:
            break
    log.warning("questions are embedded by PyTorch: %s", reason)
    return None


def _unsupported(sentence_model) -> str | None:
    """Why the float32 export cannot stand in for `sentence_model`, or None."""
    if not all(importlib.util.find_spec(name) for name in ("onnx", "onnxruntime")):
        return "ONNX Runtime is not installed"
    kinds = [type(module).__name__ for module in sentence_model]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return f"the ONNX copy takes a transformer, mean pooling and normalisation, not {kinds}"
    if _pooling(sentence_model) != "mean":
        return f"the ONNX copy takes mean pooling, not {_pooling(sentence_model)!r}"
    if sum(p.numel() * p.element_size() for p in sentence_model.parameters()) > MAX_EXPORT_BYTES:
        return "the model is too large for one ONNX file"
    return None


def _pooling(sentence_model) -> str:
    """The pooling mode of a sentence-transformers model ("mean", "cls", ...; "" for none)."""
    return str(getattr(sentence_model[1], "pooling_mode", "")) if len(sentence_model) > 1 else ""


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]


def _gives_vectors_of(model: OnnxSentenceModel, sentence_model) -> bool:
    expected = sentence_model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
    return float((model.encode(list(PROBES)) * expected).sum(axis=1).min()) >= SAME_VECTOR


def float_model_file(sentence_model, folder: Path) -> Path:
    """The float32 ONNX file of `sentence_model`'s transformer in `folder`, exported on first use."""
    def export(staging: Path) -> Path:
        _export(sentence_model, staging / "model.onnx")
        return staging / "model.onnx"

    return _cached(folder / FLOAT_FILE, export)


def quantized_model_file(sentence_model, folder: Path) -> Path:
    """The int8 ONNX file of `sentence_model`'s transformer in `folder`, exported on first use."""
    def export_and_quantize(staging: Path) -> Path:
        _export(sentence_model, staging / "model.onnx")
        _quantize(staging / "model.onnx", staging / INT8_FILE)
        return staging / INT8_FILE

    return _cached(folder / INT8_FILE, export_and_quantize)


def _cached(target: Path, make) -> Path:
    """`target`, made by `make(staging folder) -> file` if missing and moved into place whole."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale_staging(target.parent)
    staging = target.parent / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        os.replace(make(staging), target)  # atomic: a reader never sees half a file
    finally:
        _remove_staging(staging)
    return target


def _remove_staging(staging: Path) -> None:
    for leftover in staging.iterdir():
        leftover.unlink()
    staging.rmdir()


def _sweep_stale_staging(folder: Path) -> None:
    """Remove the staging folders of exports killed mid-way (older than STALE_STAGING_SECONDS);
    a younger one may belong to an export running in another process."""
    now = time.time()
    for staging in folder.glob(f"{STAGING_PREFIX}*"):
        try:
            if staging.is_dir() and not staging.is_symlink() and \
                    now - staging.stat().st_mtime > STALE_STAGING_SECONDS:
                _remove_staging(staging)
        except OSError as error:  # another process swept it first, or it holds a folder
            log.info("could not remove %s: %s", staging, error)


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

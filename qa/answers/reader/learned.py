"""The learned reader as shipped: an int8 ONNX export of this project's fine-tuned MiniLM span
model, run by ONNX Runtime with its own tokenizer (qa/answers/reader/model; nothing is downloaded)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from qa.threads import usable_cores
from qa.answers.reader.base import SpanReader
from qa.answers.reader.windows import Windows

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = "model.onnx"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def load_shipped(folder: Path = MODEL_DIR, threads: int | None = None) -> SpanReader:
    """The reader in `folder` (model.onnx, tokenizer files, card.json); RuntimeError naming what is
    missing when the folder is incomplete."""
    missing = [name for name in (MODEL_FILE, "tokenizer.json", "card.json") if not (folder / name).exists()]
    if missing:
        raise RuntimeError(f"the reader model in {folder} is incomplete: {', '.join(missing)} missing "
                           "(reinstall the package, or export one with `python -m training.export`)")
    from transformers import AutoTokenizer

    card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    return SpanReader(f"{card['name']} {card['version']}", tokenizer, onnx_logits(folder / MODEL_FILE, threads))


def onnx_logits(model_file: Path, threads: int | None = None):
    """A logits function running `model_file` in ONNX Runtime on the CPU."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or usable_cores()
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}

    def run(windows: Windows) -> tuple[np.ndarray, np.ndarray]:
        feed = {name: getattr(windows, name) for name in INPUTS if name in names}
        starts, ends = session.run(["start_logits", "end_logits"], feed)
        return starts, ends

    return run

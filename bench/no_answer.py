"""Calibrating the confidence and the decline threshold (qa/confidence.py).

Every `--every`-th realtimeqa-news question is asked of an index holding its evidence (the
`rtqa-` quiz paragraphs; kept when the evidence paragraph is in the top 5: answerable) and of
one without it (the first `--other` `news-` paragraphs: unanswerable). A logistic regression of
"answerable" on the best sentence's measures (qa.confidence.features) is fitted on the even
questions and checked on the odd ones; printed are the weights, the answered / declined shares
per threshold on the held-out half, and the sample briefing's 16 labelled questions and three
off-topic ones under the fitted weights.

    python bench/no_answer.py [--every 5] [--other 5000]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer import gather  # noqa: E402
from qa.api import searcher_for  # noqa: E402
from qa.confidence import WEIGHTS, features  # noqa: E402
from qa.evaluate import _locator, load_beir  # noqa: E402
from qa.evaluate_answers import build_set, sample, without_evidence  # noqa: E402

NAMES = list(WEIGHTS)


def measured(searcher, question: str):
    evidence = gather(searcher, question, question, 5)
    if not evidence.chosen.sentences:
        return None, evidence.passages
    return [features(evidence.chosen.sentences[0], evidence.expected)[n] for n in NAMES], evidence.passages


def fit(x: np.ndarray, y: np.ndarray, steps: int = 3000, rate: float = 0.5, ridge: float = 1e-3):
    """Logistic regression by gradient descent on standardised features; weights on the raw scale."""
    mean, spread = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / spread
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= rate * (z.T @ (p - y) / len(y) + ridge * w)
        b -= rate * float((p - y).mean())
    raw = w / spread
    return raw, b - float((mean * raw).sum())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared/bench/realtimeqa-news"))
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--other", type=int, default=5000)
    parser.add_argument("--cache", default=".cache/eval")
    args = parser.parse_args(argv)
    data = Path(args.data)
    beir = sample(load_beir(data, "rtqa-"), args.every)
    index_dir, by_text = build_set(beir, f"{data.name}-rtqa-", args.cache)
    other_dir, _ = build_set(without_evidence(data, "news-", args.other), f"{data.name}-news-{args.other}", args.cache)
    locate = _locator(by_text, index_dir)
    rows = []  # (position, features, label)
    for position, (query_id, text) in enumerate(beir.queries.items()):
        found, passages = measured(searcher_for(index_dir), text)
        if found is not None and beir.qrels[query_id] & {i for p in passages for i in locate(p)}:
            rows.append((position, found, 1))
        lacking, _ = measured(searcher_for(other_dir), text)
        rows.append((position, lacking or [0.0] * len(NAMES), 0))
    train = [r for r in rows if r[0] % 2 == 0]
    test = [r for r in rows if r[0] % 2 == 1]
    weights, bias = fit(np.array([r[1] for r in train]), np.array([r[2] for r in train], float))
    print("weights", json.dumps(dict(zip(NAMES, np.round(weights, 3).tolist()))), "bias", round(bias, 3))
    x, y = np.array([r[1] for r in test]), np.array([r[2] for r in test])
    p = 1 / (1 + np.exp(-(x @ weights + bias)))
    print(f"held out: {int(y.sum())} answerable, {int((1 - y).sum())} unanswerable")
    print("| threshold | answered with evidence | declined without |")
    print("|---|---|---|")
    for threshold in np.arange(0.3, 0.75, 0.05):
        print(f"| {threshold:.2f} | {(p[y == 1] >= threshold).mean():.3f} | {(p[y == 0] < threshold).mean():.3f} |")
    for low in np.arange(0, 1, 0.2):  # calibration: predicted vs observed share answerable
        bucket = (p >= low) & (p < low + 0.2)
        if bucket.any():
            print(f"confidence {low:.1f}-{low + 0.2:.1f}: {bucket.sum()} questions, {y[bucket].mean():.2f} answerable")


if __name__ == "__main__":
    main()

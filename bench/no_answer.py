"""Calibrating the confidence and the decline threshold (qa/answers/confidence.py), and the answer figures
that go with them, from one pass over the questions.

Every `--every`-th realtimeqa-news question (of `--year` alone, when given: 2024 is the reader's
held-out year) is asked of an index holding its evidence (the `rtqa-` quiz paragraphs) and of one
without it (the first `--other` `news-` paragraphs, by id). `--part evidence` / `--part without`
record, per question, the measures the confidence is computed from (qa.answers.confidence.Measures),
whether the gold paragraph is among the passages returned, the best sentence and the short answer,
in `--out`/PART.json (the two parts can run at the same time). `--part fit` then fits a logistic
regression of "the short answer is right" (token F1 >= 0.5 against the gold answer; every answer
from the index without the evidence counts as wrong) on the even questions, and reports on the odd
(held-out) ones the reliability table (confidence against the share right), the answered /
declined shares per threshold, and the answer figures.

    python bench/no_answer.py --part evidence --year 2024 & python bench/no_answer.py --part without --year 2024; wait
    python bench/no_answer.py --part fit

`--rerank` answers after re-ranking (qa.search.rerank), in files of their own.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answers.answer import corrected, gather, measures  # noqa: E402
from qa.api import searcher_for  # noqa: E402
from qa.answers.confidence import WEIGHTS  # noqa: E402
from bench.evaluate import _locator, load_beir  # noqa: E402
from bench.evaluate_answers import (build_set, contains, exact_match, load_answers, of_year,  # noqa: E402
                                 sample, token_f1, without_evidence)

NAMES = list(WEIGHTS)
RIGHT_F1 = 0.5


def record(data: Path, part: str, every: int, other: int, cache: str, year: str | None,
           rerank: bool = False) -> list[dict]:
    golds = load_answers(data)
    beir = sample(of_year(load_beir(data, "rtqa-"), year), every)
    if part == "evidence":
        index_dir, by_text = build_set(load_beir(data, "rtqa-"), f"{data.name}-rtqa-", cache)
        locate = _locator(by_text, index_dir)
    else:
        index_dir, _ = build_set(without_evidence(data, "news-", other), f"{data.name}-news-{other}", cache)
        locate = lambda passage: []  # noqa: E731
    searcher, rows = searcher_for(index_dir), []
    for position, (query_id, text) in enumerate(beir.queries.items()):
        text, _ = corrected(searcher, text)
        evidence = gather(searcher, text, text, 5, rerank=rerank)
        measured = measures(evidence)
        sentence = evidence.chosen.sentences[0].text if evidence.chosen.sentences else ""
        gold_rows = beir.qrels[query_id]
        shown = {i for p in evidence.passages for i in locate(p)}
        rows.append({
            "position": position, "query_id": query_id, "gold": golds[query_id],
            "features": [measured.as_dict()[n] for n in NAMES] if measured else None,
            "reachable": bool(gold_rows & shown),
            "first_is_gold": bool(evidence.passages) and bool(gold_rows & set(locate(evidence.passages[0]))),
            "gold_holds": any(contains(beir.corpus[r]["text"], golds[query_id]) for r in gold_rows),
            "sentence": sentence, "short": evidence.chosen.short})
    return rows


def fit(x: np.ndarray, y: np.ndarray, steps: int = 4000, rate: float = 0.5, ridge: float = 1e-3):
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


def right(row: dict, with_evidence: bool) -> float:
    return float(with_evidence and token_f1(row["short"], row["gold"]) >= RIGHT_F1)


def report(with_evidence: list[dict], without: list[dict]) -> None:
    def xs(rows):
        return np.array([r["features"] or [0.0] * len(NAMES) for r in rows])

    train = [(r, True) for r in with_evidence if r["position"] % 2 == 0 and r["features"]] + \
            [(r, False) for r in without if r["position"] % 2 == 0 and r["features"]]
    weights, bias = fit(xs([r for r, _ in train]), np.array([right(r, e) for r, e in train]))
    print("WEIGHTS =", json.dumps(dict(zip(NAMES, np.round(weights, 3).tolist()))), "BIAS =", round(bias, 3))

    def confidence(rows):
        return np.array([0.0 if r["features"] is None else 1 / (1 + np.exp(-(x @ weights + bias)))
                         for r, x in zip(rows, xs(rows))])

    held_with = [r for r in with_evidence if r["position"] % 2 == 1]
    held_without = [r for r in without if r["position"] % 2 == 1]
    p_with, p_without = confidence(held_with), confidence(held_without)
    reachable = np.array([r["reachable"] for r in held_with])
    print(f"held out: {len(held_with)} questions ({reachable.sum()} reachable) with evidence, "
          f"{len(held_without)} without")
    print("\n| threshold | answered with evidence (all / reachable) | declined without evidence |")
    print("|---|---|---|")
    for threshold in np.arange(0.05, 0.75, 0.05):
        print(f"| {threshold:.2f} | {(p_with >= threshold).mean():.3f} / {(p_with[reachable] >= threshold).mean():.3f} "
              f"| {(p_without < threshold).mean():.3f} |")
    p = np.concatenate([p_with, p_without])
    y = np.array([right(r, True) for r in held_with] + [0.0] * len(held_without))
    print("\n| confidence | answers | right (observed) | mean confidence (predicted) |\n|---|---|---|---|")
    for low in np.arange(0, 1, 0.1):
        bucket = (p >= low) & (p < low + 0.1 + (low >= 0.9))
        if bucket.any():
            print(f"| {low:.1f}-{low + 0.1:.1f} | {bucket.sum()} | {y[bucket].mean():.2f} | {p[bucket].mean():.2f} |")
    reach = [r for r in with_evidence if r["reachable"]]
    holding = [r for r in reach if r["gold_holds"]]
    print(f"\nall {len(with_evidence)} questions with evidence: reachable {len(reach)}, gold paragraph "
          f"holds the answer {len(holding)}; first passage is the gold one "
          f"{np.mean([r['first_is_gold'] for r in with_evidence]):.3f}")
    for name, rows in (("all", with_evidence), ("reachable", reach), ("reachable, gold holds answer", holding)):
        print(f"{name}: best sentence contains the answer {np.mean([contains(r['sentence'], r['gold']) for r in rows]):.3f}, "
              f"short EM {np.mean([exact_match(r['short'], r['gold']) for r in rows]):.3f}, "
              f"F1 {np.mean([token_f1(r['short'], r['gold']) for r in rows]):.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["evidence", "without", "fit"], required=True)
    parser.add_argument("--data", default=str(ROOT.parent / "shared/bench/realtimeqa-news"))
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--year", default="2024", help="questions of this year only ('' for all)")
    parser.add_argument("--other", type=int, default=5000)
    parser.add_argument("--cache", default=".cache/eval")
    parser.add_argument("--out", default=".cache/no_answer")
    parser.add_argument("--rerank", action="store_true", help="answer after re-ranking (qa.search.rerank)")
    args = parser.parse_args(argv)
    out, suffix = Path(args.out), "-rerank" if args.rerank else ""
    if args.part == "fit":
        report(*[json.loads((out / f"{part}{suffix}.json").read_text()) for part in ("evidence", "without")])
        return
    rows = record(Path(args.data), args.part, args.every, args.other, args.cache, args.year or None, args.rerank)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.part}{suffix}.json").write_text(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()

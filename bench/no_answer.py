"""Calibrating the confidence and the decline threshold (qa/confidence.py), and the answer figures
that go with them, from one pass over the questions.

Every `--every`-th realtimeqa-news question is asked of an index holding its evidence (the
`rtqa-` quiz paragraphs) and of one without it (the first `--other` `news-` paragraphs, by id).
`--part evidence` / `--part without` record, per question, the best sentence's measures
(qa.confidence.features), whether the gold paragraph is in the top 5, the best sentence and the
short answer, and further measures tried (`extra`), in `--out`/PART.json (the two parts can run at
the same time; `--offset` starts the sample elsewhere). `--part fit [--extra NAMES]` then
fits a logistic regression of "answerable" (evidence index, gold paragraph in the top 5: 1;
index without the evidence: 0) on the even questions, and reports on the odd (held-out) ones the
answered / declined shares per threshold, the calibration, and the answer figures.

    python bench/no_answer.py --part evidence & python bench/no_answer.py --part without; wait
    python bench/no_answer.py --part fit
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer import corrected, gather  # noqa: E402
from qa.lexical import tokenize  # noqa: E402
from qa.sentence_choice import question_terms  # noqa: E402
from qa.api import searcher_for  # noqa: E402
from qa.confidence import WEIGHTS, features  # noqa: E402
from qa.evaluate import _locator, load_beir  # noqa: E402
from qa.evaluate_answers import (build_set, contains, exact_match, load_answers, sample,  # noqa: E402
                                 token_f1, without_evidence)

NAMES = list(WEIGHTS)


def record(data: Path, part: str, every: int, other: int, cache: str, offset: int = 0,
           typos: bool = True) -> list[dict]:
    golds = load_answers(data)
    beir = sample(load_beir(data, "rtqa-"), every, offset)
    if part == "evidence":
        index_dir, by_text = build_set(beir, f"{data.name}-rtqa-", cache)
        locate = _locator(by_text, index_dir)
    else:
        index_dir, _ = build_set(without_evidence(data, "news-", other), f"{data.name}-news-{other}", cache)
        locate = lambda passage: []  # noqa: E731
    searcher, rows = searcher_for(index_dir), []
    for position, (query_id, text) in enumerate(beir.queries.items()):
        text, corrections = corrected(searcher, text) if typos else (text, ())
        evidence = gather(searcher, text, text, 5)
        best = evidence.chosen.sentences[0] if evidence.chosen.sentences else None
        gold_rows = beir.qrels[query_id]
        rows.append({
            "position": position, "query_id": query_id, "gold": golds[query_id],
            "features": [features(best, evidence.expected)[n] for n in NAMES] if best else None,
            "extra": extra_measures(searcher, text, evidence),
            "reachable": bool(gold_rows & {i for p in evidence.passages for i in locate(p)}),
            "gold_holds": any(contains(beir.corpus[r]["text"], golds[query_id]) for r in gold_rows),
            "sentence": best.text if best else "", "short": evidence.chosen.short,
            "corrections": [[c.typed, c.read_as] for c in corrections]})
    return rows


def extra_measures(searcher, question: str, evidence) -> dict:
    """Measures tried as further confidence features (not in qa.confidence yet): the IDF-weighted
    share of the question's words found in any of the top 5 passages, the best cosine of any
    sentence there, and the best BM25 score over log(1 + passages)."""
    terms = question_terms(question)
    weights = searcher.store.idf(sorted(terms)) if terms else {}
    found = set().union(set(), *(question_terms(p.text) for p in evidence.passages[:5]))
    total = sum(weights.values()) or 1.0
    sentences = evidence.chosen.sentences
    _, lexical = searcher.store.lexical_top(tokenize([question])[0], 1)
    best_lexical = float(lexical[0]) if len(lexical) else 0.0
    return {"passage_coverage": sum(w for t, w in weights.items() if t in found) / total,
            "max_similarity": max((s.similarity for s in sentences), default=0.0),
            "lexical_strength": best_lexical / np.log1p(searcher.store.info().passages)}


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


def report(with_evidence: list[dict], without: list[dict], extra: list[str]) -> None:
    def xs(rows):
        return np.array([(r["features"] or [0.0] * len(NAMES)) + [r["extra"][name] for name in extra]
                         for r in rows])

    train_pos = [r for r in with_evidence if r["position"] % 2 == 0 and r["reachable"] and r["features"]]
    train_neg = [r for r in without if r["position"] % 2 == 0]
    weights, bias = fit(xs(train_pos + train_neg), np.array([1.0] * len(train_pos) + [0.0] * len(train_neg)))
    named = dict(zip(NAMES + extra, np.round(weights, 3).tolist()))
    print("weights", json.dumps(named), "bias", round(bias, 3))

    def confidence(rows):
        return np.array([0.0 if r["features"] is None else 1 / (1 + np.exp(-(x @ weights + bias)))
                         for r, x in zip(rows, xs(rows))])

    held_with = [r for r in with_evidence if r["position"] % 2 == 1]
    held_without = [r for r in without if r["position"] % 2 == 1]
    p_with, p_without = confidence(held_with), confidence(held_without)
    reachable = np.array([r["reachable"] for r in held_with])
    print(f"held out: {len(held_with)} questions ({reachable.sum()} reachable) with evidence, "
          f"{len(held_without)} without")
    print("| threshold | answered with evidence (all / reachable) | declined without evidence |")
    print("|---|---|---|")
    for threshold in np.arange(0.05, 0.75, 0.05):
        print(f"| {threshold:.2f} | {(p_with >= threshold).mean():.3f} / {(p_with[reachable] >= threshold).mean():.3f} "
              f"| {(p_without < threshold).mean():.3f} |")
    p = np.concatenate([p_with[reachable], p_without])
    y = np.concatenate([np.ones(reachable.sum()), np.zeros(len(p_without))])
    for low in np.arange(0, 1, 0.2):
        bucket = (p >= low) & (p < low + 0.2)
        if bucket.any():
            print(f"confidence {low:.1f}-{low + 0.2:.1f}: {bucket.sum()} questions, {y[bucket].mean():.2f} answerable")
    reach = [r for r in with_evidence if r["reachable"]]
    holding = [r for r in reach if r["gold_holds"]]
    print(f"all {len(with_evidence)} questions with evidence: reachable {len(reach)}, gold paragraph "
          f"holds the answer {len(holding)}")
    for name, rows in (("reachable", reach), ("reachable, gold holds answer", holding)):
        print(f"best sentence contains the answer, {name}: "
              f"{np.mean([contains(r['sentence'], r['gold']) for r in rows]):.3f}")
        print(f"short answer given {np.mean([r['short'] is not None for r in rows]):.3f}, "
              f"EM {np.mean([exact_match(r['short'], r['gold']) for r in rows]):.3f}, "
              f"F1 {np.mean([token_f1(r['short'], r['gold']) for r in rows]):.3f} ({name})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["evidence", "without", "fit"], required=True)
    parser.add_argument("--data", default=str(ROOT.parent / "shared/bench/realtimeqa-news"))
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--other", type=int, default=5000)
    parser.add_argument("--offset", type=int, default=0, help="start the sample at this question")
    parser.add_argument("--cache", default=".cache/eval")
    parser.add_argument("--out", default=".cache/no_answer")
    parser.add_argument("--no-typos", action="store_true", help="ask the questions as typed, "
                        "without correcting their typing mistakes (qa.typos)")
    parser.add_argument("--extra", default="", help="with --part fit: further measures to fit on, "
                        "comma-separated (passage_coverage, max_similarity, lexical_strength)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.part == "fit":
        parts = [json.loads((out / f"{part}.json").read_text()) for part in ("evidence", "without")]
        report(*parts, [name for name in args.extra.split(",") if name])
        return
    rows = record(Path(args.data), args.part, args.every, args.other, args.cache, args.offset,
                  typos=not args.no_typos)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.part}.json").write_text(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Choosing the re-ranker's depth, weight and signal (qa.search.rerank) by measurement.

For every question of a BEIR-layout set (of `--year` alone, when given), the hybrid search's top
`--depth` passages are read once by the shipped reader, and three relevance signals are kept per
passage: the reader's best span margin over "no answer" (what qa.search.rerank uses), minus its
no-answer logit, and its best span logit. Each (signal, depth, weight) is then scored offline:
the first `depth` candidates re-ordered by weight x z(signal) + (1 - weight) x z(hybrid score),
nDCG@10, R@1 and R@5 against the set's judgements; weight 0 is the hybrid search alone. Prints a
Markdown table, and the seconds the reader took per question at each depth.

    python bench/rerank.py --data ../shared/bench/realtimeqa-news --id-prefix rtqa- --year 2024
    python bench/rerank.py --data ../shared/bench/scifact
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.api import searcher_for  # noqa: E402
from bench.evaluate import _locator, load_beir, of_year, score_run, set_name  # noqa: E402
from bench.evaluate_answers import build_set  # noqa: E402
from qa.answers.reader import get_reader  # noqa: E402
from qa.answers.reader.spans import decode  # noqa: E402
from qa.answers.reader.windows import encode  # noqa: E402
from qa.search.rerank import blended_order  # noqa: E402

DEPTHS = (5, 10, 15, 20, 30)
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)
SIGNALS = ("margin", "answerable", "span")


def signals(reader, question: str, texts: list[str]) -> dict[str, np.ndarray]:
    """The three relevance signals of each text (see the module's docstring)."""
    windows = encode(reader.tokenizer, question, texts)
    starts, ends = reader.logits(windows)
    spans, no_answer = decode(windows, starts, ends)
    margin = np.full(len(texts), -30.0)
    span = np.full(len(texts), -30.0)
    for s in spans:
        margin[s.passage] = max(margin[s.passage], s.margin)
        span[s.passage] = max(span[s.passage], s.logit)
    return {"margin": margin, "answerable": -no_answer, "span": span}


def collect(data: Path, prefix: str, year: str | None, depth: int, cache: str):
    beir = of_year(load_beir(data, prefix), year)
    index_dir, by_text = build_set(load_beir(data, prefix), set_name(data, prefix), cache)
    locate, searcher, reader = _locator(by_text, index_dir), searcher_for(index_dir), get_reader()
    rows, seconds = [], []
    for query_id, text in beir.queries.items():
        passages = searcher.search(text, depth)
        started = time.perf_counter()
        found = signals(reader, text, [p.text for p in passages])
        seconds.append(time.perf_counter() - started)
        rows.append((query_id, [locate(p) for p in passages], np.array([p.score for p in passages]), found))
    return beir, rows, seconds


def scored(beir, rows, signal: str, depth: int, weight: float) -> dict[str, float]:
    run = {}
    for query_id, located, hybrid, found in rows:
        count = min(depth, len(hybrid))
        order = blended_order(found[signal][:count], hybrid[:count], weight)[0] if count > 1 else list(range(count))
        order = order + list(range(count, len(hybrid)))
        ranking: dict[str, float] = {}
        for position in order:
            for corpus_id in located[position]:
                ranking.setdefault(corpus_id, float(len(order) * 10 - len(ranking)))
        run[query_id] = ranking
    metrics = score_run({q: beir.qrels[q] for q in run}, run)
    return {name: metrics[name] for name in ("nDCG@10", "R@1", "R@5")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--id-prefix", default="")
    parser.add_argument("--year", default=None)
    parser.add_argument("--cache", default=".cache/eval")
    parser.add_argument("--depths", default=",".join(map(str, DEPTHS)))
    parser.add_argument("--weights", default=",".join(map(str, WEIGHTS[1:])))
    args = parser.parse_args(argv)
    depths, weights = [int(d) for d in args.depths.split(",")], [float(w) for w in args.weights.split(",")]
    beir, rows, seconds = collect(Path(args.data), args.id_prefix, args.year, max(depths), args.cache)
    print(f"{args.data} {args.id_prefix}{' ' + args.year if args.year else ''}: {len(rows)} questions; "
          f"reading {max(depths)} passages took {np.median(seconds) * 1000:.0f} ms a question (median)")
    base = scored(beir, rows, "margin", 1, 0.0)
    print(f"hybrid alone: nDCG@10 {base['nDCG@10']:.4f}, R@1 {base['R@1']:.4f}, R@5 {base['R@5']:.4f}\n")
    print("| signal | depth | weight | nDCG@10 | R@1 | R@5 |\n|---|---|---|---|---|---|")
    for signal in SIGNALS:
        for depth in depths:
            for weight in weights:
                m = scored(beir, rows, signal, depth, weight)
                print(f"| {signal} | {depth} | {weight} | {m['nDCG@10']:.4f} | {m['R@1']:.4f} | {m['R@5']:.4f} |",
                      flush=True)


if __name__ == "__main__":
    main()

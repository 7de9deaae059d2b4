"""Latency of `qa.retrieve` and `qa.answer` (k=5), with and without re-ranking, taking turns on
one index: p50 / p95 in milliseconds over the questions of a BEIR-layout set (of `--year` alone,
when given; every `--every`-th). The index is the one `python -m qa eval` builds for the set.

    python bench/answer_latency.py --data ../shared/bench/realtimeqa-news --year 2024
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa import answer, retrieve  # noqa: E402
from bench.evaluate import load_beir, of_year, percentiles, set_name  # noqa: E402
from bench.evaluate_answers import build_set, sample  # noqa: E402

WARM_UP = 3


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--id-prefix", default="")
    parser.add_argument("--year", default=None)
    parser.add_argument("--every", type=int, default=2)
    parser.add_argument("--cache", default=".cache/eval")
    args = parser.parse_args(argv)
    data = Path(args.data)
    index, _ = build_set(load_beir(data, args.id_prefix), set_name(data, args.id_prefix), args.cache)
    questions = list(sample(of_year(load_beir(data, args.id_prefix), args.year), args.every).queries.values())
    calls = {f"{name}{', re-ranked' if rerank else ''}": (call, rerank)
             for name, call in (("retrieve", retrieve), ("answer", answer)) for rerank in (False, True)}
    for text in questions[:WARM_UP]:
        for call, rerank in calls.values():
            call(text, 5, index_dir=index, rerank=rerank)
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for text in questions:
        for name, (call, rerank) in calls.items():
            started = time.perf_counter()
            call(text, 5, index_dir=index, rerank=rerank)
            timings[name].append((time.perf_counter() - started) * 1000)
    print(f"{data.name} {args.id_prefix}{args.year or ''}: {len(questions)} questions, index {index}")
    print("| call | p50 | p95 |\n|---|---|---|")
    for name, values in timings.items():
        figures = percentiles(values)
        print(f"| `{name}` | {figures['p50']:.0f} ms | {figures['p95']:.0f} ms |")


if __name__ == "__main__":
    main()

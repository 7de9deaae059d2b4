"""`qa.answer` against `qa.retrieve` on one index, taken in turns question by question.

    python -m qa bench answer_latency --index DIR [--queries FILE] [--every 100] [--count 30]

Prints the p50 of each and their ratio (issue 10's latency target is answer <= 1.5 x retrieve).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

import qa  # noqa: E402

WARM_UP = 3


def measure(index: str, questions: list[str]) -> dict:
    """p50 milliseconds of retrieve and answer (k = 5), alternating, after WARM_UP questions."""
    for question in questions[:WARM_UP]:
        qa.retrieve(question, index_dir=index)
        qa.answer(question, index_dir=index)
    timings = {"retrieve": [], "answer": []}
    for question in questions:
        for name, call in (("retrieve", qa.retrieve), ("answer", qa.answer)):
            started = time.perf_counter()
            call(question, 5, index_dir=index)
            timings[name].append((time.perf_counter() - started) * 1000)
    p50 = {name: statistics.median(values) for name, values in timings.items()}
    return {"questions": len(questions), "retrieve_p50_ms": round(p50["retrieve"], 1),
            "answer_p50_ms": round(p50["answer"], 1), "ratio": round(p50["answer"] / p50["retrieve"], 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa bench answer_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="an index folder or postgresql:// URL")
    parser.add_argument("--queries", default=str(ROOT.parent / "shared/bench/realtimeqa-news/queries.jsonl"))
    parser.add_argument("--every", type=int, default=100, help="take every Nth question")
    parser.add_argument("--count", type=int, default=30, help="how many questions")
    args = parser.parse_args(argv)
    with open(args.queries, encoding="utf-8") as lines:
        questions = [json.loads(line)["text"] for line in lines][::args.every][:args.count]
    print(json.dumps(measure(args.index, questions)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

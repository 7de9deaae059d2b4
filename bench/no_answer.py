"""Choosing the no-answer threshold: how similar is the best answer sentence to the question, for
questions the sample briefing answers and for questions it does not (realtimeqa-news quiz questions
about other news)?

    python bench/no_answer.py [--off-topic 500]

Prints the distribution of the best-sentence cosine for both groups and, for candidate thresholds,
how many answerable questions would be refused and how many unanswerable ones answered.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import sys

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qa  # noqa: E402
from qa.answer import answer  # noqa: E402
ANSWERABLE = [item["question"] for item in json.loads(
    (ROOT / "bench" / "sample_questions.json").read_text())["questions"]]


def relevances(questions: list[str], index_dir: Path) -> np.ndarray:
    return np.array([answer(q, index_dir=index_dir).relevance for q in questions])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--off-topic", type=int, default=500, help="realtimeqa-news questions to use")
    parser.add_argument("--data", default=str(ROOT.parent / "shared/bench/realtimeqa-news"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        qa.build_index(corpus, Path(work) / "index", progress=False)
        with open(Path(args.data) / "queries.jsonl", encoding="utf-8") as lines:
            off_topic = [json.loads(line)["text"] for line in lines][: args.off_topic]
        good = relevances(ANSWERABLE, Path(work) / "index")
        bad = relevances(off_topic, Path(work) / "index")
    print(f"answerable ({len(good)}): min {good.min():.3f}, p10 {np.percentile(good, 10):.3f}, "
          f"median {np.median(good):.3f}")
    print(f"off-topic ({len(bad)}): median {np.median(bad):.3f}, p90 {np.percentile(bad, 90):.3f}, "
          f"p99 {np.percentile(bad, 99):.3f}, max {bad.max():.3f}")
    print("| threshold | answerable refused | off-topic answered |")
    print("|---|---|---|")
    for threshold in np.arange(0.25, 0.50, 0.025):
        print(f"| {threshold:.3f} | {(good < threshold).sum()}/{len(good)} | "
              f"{(bad >= threshold).sum()}/{len(bad)} |")


if __name__ == "__main__":
    main()

"""Build figures and retrieval quality on the sample briefing, with hand-labelled questions
(bench/sample_questions.json).

    python bench/sample_eval.py
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qa  # noqa: E402
from bench.evaluate import score_run  # noqa: E402

QUESTIONS = json.loads((ROOT / "bench" / "sample_questions.json").read_text())["questions"]


def main(argv: list[str] | None = None) -> None:
    import argparse

    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        corpus, index = Path(work) / "corpus", Path(work) / "index"
        shutil.copytree(ROOT / "corpus", corpus)
        qa.build_index(corpus, Path(work) / "warm", progress=False)  # load the model first
        report = qa.build_index(corpus, index, progress=False)
        print(f"build: {report.summary()}; {report.embedded / report.seconds:.1f} paragraphs/s")
        qrels = {str(n): {str(p): 1 for p in q["paragraphs"]} for n, q in enumerate(QUESTIONS)}
        for mode in ("dense", "bm25", "hybrid"):
            run = {}
            for n, item in enumerate(QUESTIONS):
                passages = qa.retrieve(item["question"], k=10, index_dir=index, mode=mode)
                run[str(n)] = {str(p.paragraph): 10.0 - rank for rank, p in enumerate(passages)}
            metrics = score_run(qrels, run)
            print(f"| {mode} | " + " | ".join(f"{name} {value:.3f}" for name, value in metrics.items()) + " |")


if __name__ == "__main__":
    main()

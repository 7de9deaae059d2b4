"""Hard negatives: for every question, the paragraphs this project's own retrieval ranks highest.

The paragraphs of all training files and the news quiz pages are written as briefings and indexed
with `qa.build_index`; each question goes through `qa.retrieve` (hybrid, not re-ranked). The
ranked paragraph ids (gold included; the trainer leaves out gold and answer-holding ones) are cached
as JSON, so training can be rerun without searching again.

    python -m training.negatives [--out ~/.cache/briefing-qa/training/negatives.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tqdm import tqdm

from qa.api import retrieve
from qa.index.build import build_index
from bench.evaluate import BeirSet, _locator, write_corpus

from .data import SQUAD_FILES, TRAIN_DIR, load_all, news_paragraphs

CACHE = Path.home() / ".cache" / "briefing-qa" / "training"
DEPTH = 10


def all_paragraphs() -> dict[str, dict]:
    """Every paragraph that examples read, as BEIR corpus rows (`_id`, `title`, `text`)."""
    rows = {}
    for part in SQUAD_FILES:
        articles = json.loads((TRAIN_DIR / f"{part}.json").read_text(encoding="utf-8"))["data"]
        for a, article in enumerate(articles):
            for p, paragraph in enumerate(article["paragraphs"]):
                corpus_id = f"{part}/{a}#{p}"
                rows[corpus_id] = {"_id": corpus_id, "title": article["title"].replace("_", " "),
                                   "text": paragraph["context"]}
    rows.update(news_paragraphs())
    return rows


def rank_all(out: Path, work: Path) -> None:
    train, validation = load_all()
    questions = {example.id: example.question for example in train + validation}
    beir = BeirSet(all_paragraphs(), questions, {})
    by_text = write_corpus(beir, work / "corpus")
    print(build_index(work / "corpus", work / "index", progress=True).summary())
    locate = _locator(by_text, work / "index")
    ranked = {}
    for question_id, question in tqdm(questions.items(), desc="retrieving", unit="question"):
        # Not re-ranked: the re-ranker is the reader being trained, and it would take ~3 h here.
        passages = retrieve(question, k=DEPTH, index_dir=work / "index", rerank=False)
        ranked[question_id] = [cid for passage in passages for cid in locate(passage)][:DEPTH]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(ranked), encoding="utf-8")
    print(f"ranked paragraphs for {len(ranked)} questions -> {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CACHE / "negatives.json")
    parser.add_argument("--work", type=Path, default=CACHE / "retrieval")
    args = parser.parse_args()
    rank_all(args.out, args.work)


if __name__ == "__main__":
    main()

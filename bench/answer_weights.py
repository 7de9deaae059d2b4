"""Choosing the sentence-scoring weights of qa/sentence_choice.py on realtimeqa-news.

Every `--every`-th question is searched once on the evidence-only index (the `rtqa-` rows); the
top five passages' sentences are scored once, and the share of reachable questions (gold
paragraph in the top 5, gold paragraph holding the answer) whose best sentence holds the answer is
computed for a grid of weights from the scores' parts.

    python bench/answer_weights.py [--every 10] [--misses]

`--misses` also prints each question whose best sentence (at the chosen weights) misses the
answer, with the chosen sentence and the best-placed one that holds it.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer import ANSWER_PASSAGES, _sentence_vectors  # noqa: E402
from qa.api import searcher_for  # noqa: E402
from qa.entities import expected_type  # noqa: E402
from qa.evaluate import _locator, load_beir  # noqa: E402
from qa.evaluate_answers import build_set, contains, load_answers, sample  # noqa: E402
from qa.sentence_choice import score_sentences  # noqa: E402
from qa.spelling import variants  # noqa: E402


def collect(data: Path, every: int, cache: str):
    """(question, vector, passages, sentence vectors, gold answers) of the reachable questions."""
    golds = load_answers(data)
    beir = sample(load_beir(data, "rtqa-"), every)
    index_dir, by_text = build_set(beir, f"{data.name}-rtqa-", cache)
    searcher, locate = searcher_for(index_dir), _locator(by_text, index_dir)
    cases = []
    for query_id, text in beir.queries.items():
        vector = searcher.question_vector(text)
        passages = searcher.search(" ".join([text, *variants(text)]), ANSWER_PASSAGES, vector=vector)
        shown = {i for p in passages for i in locate(p)}
        gold_rows = beir.qrels[query_id]
        if gold_rows & shown and any(contains(beir.corpus[r]["text"], golds[query_id]) for r in gold_rows):
            cases.append((text, vector, passages, _sentence_vectors(searcher, passages), golds[query_id]))
    return cases, searcher.store.idf


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared/bench/realtimeqa-news"))
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--cache", default=".cache/eval")
    parser.add_argument("--misses", action="store_true", help="print the questions missed")
    args = parser.parse_args()
    cases, idf = collect(Path(args.data), args.every, args.cache)
    print(f"{len(cases)} reachable questions whose gold paragraph holds the answer")
    print("| IDF weight | passage weight | type weight | best sentence holds the answer |")
    print("|---|---|---|---|")
    scored = [(score_sentences(text, vector, passages, vectors, idf, expected_type(text)), passages, gold)
              for text, vector, passages, vectors, gold in cases]
    for idf_weight, passage_weight, type_weight in itertools.product(
            (0.0, 0.25, 0.5, 1.0, 2.0), (0.0, 0.15, 0.3), (0.0, 0.1, 0.2)):
        right = 0
        for sentences, passages, gold in scored:
            best = max(sentences, default=None, key=lambda s: (
                s.similarity + idf_weight * s.coverage + passage_weight * passages[s.passage - 1].score
                + type_weight * bool(s.spans)))
            right += best is not None and contains(best.text, gold)
        print(f"| {idf_weight} | {passage_weight} | {type_weight} | {right / len(cases):.3f} |")
    if args.misses:
        print_misses(cases, scored)


def print_misses(cases, scored) -> None:
    """Each miss at the chosen weights: the question, the gold answer, the chosen sentence and
    the best-ranked sentence that holds the answer (passage number, rank among sentences)."""
    for (text, *_), (sentences, _, gold) in zip(cases, scored):
        if not sentences or contains(sentences[0].text, gold):
            continue
        print(f"\nQ: {text}\n   gold: {gold}\n   chosen [{sentences[0].passage}]: {sentences[0].text}")
        holding = next(((rank, s) for rank, s in enumerate(sentences) if contains(s.text, gold)), None)
        if holding:
            print(f"   holds it [{holding[1].passage}], rank {holding[0] + 1}: {holding[1].text}")


if __name__ == "__main__":
    main()

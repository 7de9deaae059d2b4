"""Choosing the sentence-scoring weights of qa/sentence_choice.py on realtimeqa-news.

Every `--every`-th question is searched once on the evidence-only index (the `rtqa-` rows); the
top five passages' sentences are scored once, and the share of reachable questions (gold
paragraph in the top 5, gold paragraph holding the answer) whose best sentence holds the answer is
computed for a grid of weights from the scores' parts; then the best weights of each half of the
questions (even, odd) are checked on the other half.

    python bench/answer_weights.py [--every 1] [--misses]

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
from qa.sentence_choice import IDF_WEIGHT, LEAD_WEIGHT, PASSAGE_WEIGHT, TYPE_WEIGHT, score_sentences  # noqa: E402
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
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--cache", default=".cache/eval")
    parser.add_argument("--misses", action="store_true", help="print the questions missed")
    args = parser.parse_args()
    cases, idf = collect(Path(args.data), args.every, args.cache)
    print(f"{len(cases)} reachable questions whose gold paragraph holds the answer")
    scored = [(score_sentences(text, vector, passages, vectors, idf, expected_type(text)), passages, gold)
              for text, vector, passages, vectors, gold in cases]
    grid = list(itertools.product((0.5, 1.0), (0.15, 0.3, 0.5, 1.0, 1.5), (0.1, 0.2, 0.3), (0.0, 0.1, 0.2, 0.3)))
    share = {weights: right_share(scored, weights) for weights in grid}
    print("| IDF weight | passage weight | type weight | lead weight | best sentence holds the answer |")
    print("|---|---|---|---|---|")
    chosen = (IDF_WEIGHT, PASSAGE_WEIGHT, TYPE_WEIGHT, LEAD_WEIGHT)
    for weights in sorted(share, key=lambda w: -share[w])[:8] + [(1.0, 0.15, 0.2, 0.0), chosen]:
        mark = " (chosen)" if weights == chosen else " (before)" if weights == (1.0, 0.15, 0.2, 0.0) else ""
        print("| " + " | ".join(map(str, weights)) + f" | {right_share(scored, weights):.3f}{mark} |")
    halves = scored[0::2], scored[1::2]
    for fitted, held in (halves, halves[::-1]):
        best = max(grid, key=lambda weights: right_share(fitted, weights))
        print(f"best on one half {best}: {right_share(fitted, best):.3f} there, "
              f"{right_share(held, best):.3f} on the other half (chosen weights: {right_share(held, chosen):.3f})")
    if args.misses:
        print_misses(cases, scored)


def right_share(scored, weights) -> float:
    """The share of questions whose best sentence under `weights` holds the answer."""
    idf_weight, passage_weight, type_weight, lead_weight = weights
    right = 0
    for sentences, passages, gold in scored:
        best = max(sentences, default=None, key=lambda s: (
            s.similarity + idf_weight * s.coverage + passage_weight * passages[s.passage - 1].score
            + type_weight * bool(s.spans) + lead_weight * s.opens_paragraph))
        right += best is not None and contains(best.text, gold)
    return right / max(1, len(scored))


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

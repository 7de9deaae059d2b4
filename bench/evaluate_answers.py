"""Answer quality on realtimeqa-news (queries-meta.jsonl holds each question's answer), through
`qa.answer` itself.

The same questions are asked of two indexes: one holding their evidence (the `rtqa-` quiz
paragraphs) and one without it (a fixed slice of the `news-` articles). Reported:
- best sentence contains the answer (SQuAD normalisation), among the questions whose gold
  paragraph is in the top 5 ("reachable"), and among those whose gold paragraph holds the answer;
- the short answer's exact match and token F1 (all answered questions with evidence);
- answered with evidence, declined without it;
- `qa.answer` p50/p95 beside `qa.retrieve` on the evidence index.
"""

from __future__ import annotations

import json
import re
import string
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from qa.answers.answer import answer
from qa.api import retrieve
from qa.index.build import build_index
from bench.evaluate import BeirSet, _locator, load_beir, of_year, percentiles, set_folder, write_corpus


@dataclass
class AnswerRecord:
    """What one question got: gold answers, gold paragraph reachable, the answer's parts."""

    query_id: str
    gold: list[str]
    reachable: bool
    gold_holds_answer: bool
    found: bool
    confidence: float
    sentence: str
    short: str | None
    features: dict = field(default_factory=dict)


def normalize(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, articles or extra space."""
    text = "".join(char for char in text.lower() if char not in set(string.punctuation) | {"’", "‘", "“", "”", "—"})
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def contains(text: str, golds: list[str]) -> bool:
    return any(normalize(gold) and f" {normalize(gold)} " in f" {normalize(text)} " for gold in golds)


def exact_match(prediction: str | None, golds: list[str]) -> float:
    return float(prediction is not None and any(normalize(prediction) == normalize(g) for g in golds))


def token_f1(prediction: str | None, golds: list[str]) -> float:
    """SQuAD token F1 against the best-matching gold answer (0 for no prediction)."""
    if prediction is None:
        return 0.0
    best = 0.0
    for gold in golds:
        predicted, wanted = normalize(prediction).split(), normalize(gold).split()
        common = sum((Counter(predicted) & Counter(wanted)).values())
        if common:
            precision, recall = common / len(predicted), common / len(wanted)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def load_answers(data_dir: Path) -> dict[str, list[str]]:
    with open(data_dir / "queries-meta.jsonl", encoding="utf-8") as rows:
        return {row["_id"]: row["answer"] for row in map(json.loads, rows)}


def sample(beir: BeirSet, every: int, offset: int = 0) -> BeirSet:
    """Every `every`-th question (file order) from the `offset`-th, so a run fits the shared cores."""
    kept = dict(list(beir.queries.items())[offset::every])
    return BeirSet(beir.corpus, kept, {q: beir.qrels[q] for q in kept})


def without_evidence(data_dir: Path, prefix: str, count: int) -> BeirSet:
    """The first `count` rows (by id) whose id starts with `prefix`: an index lacking the evidence."""
    rows = load_beir(data_dir, prefix).corpus
    return BeirSet({i: rows[i] for i in sorted(rows)[:count]}, {}, {})


def build_set(beir: BeirSet, name: str, cache_dir) -> tuple[Path, dict]:
    work = set_folder(cache_dir, name)
    by_text = write_corpus(beir, work / "corpus")
    build_index(work / "corpus", work / "index", progress=False)
    return work / "index", by_text


def ask_all(beir: BeirSet, golds: dict[str, list[str]], index_dir: Path, locate,
            rerank: bool = False) -> list[AnswerRecord]:
    records = []
    for query_id, text in beir.queries.items():
        result = answer(text, k=5, index_dir=index_dir, rerank=rerank)
        shown = [corpus_id for passage in result.passages for corpus_id in locate(passage)]
        gold_rows = beir.qrels.get(query_id, set())
        records.append(AnswerRecord(
            query_id, golds.get(query_id, []), bool(gold_rows & set(shown)),
            any(contains(beir.corpus[row]["text"], golds.get(query_id, [])) for row in gold_rows if row in beir.corpus),
            result.found, result.confidence,
            result.sentences[0].text if result.sentences else "", result.short))
    return records


def latency(beir: BeirSet, index_dir: Path, count: int = 40, rerank: bool = False) -> dict:
    """p50/p95 (ms) of `qa.retrieve` (k=5) and `qa.answer` (k=5) over the first `count` questions,
    both re-ranked when `rerank`."""
    texts = list(beir.queries.values())[:count]
    timings: dict[str, list[float]] = {"retrieve": [], "answer": []}
    for text in texts[:3]:
        answer(text, index_dir=index_dir, rerank=rerank)
    for text in texts:
        for name, call in (("retrieve", retrieve), ("answer", answer)):
            started = time.perf_counter()
            call(text, 5, index_dir=index_dir, rerank=rerank)
            timings[name].append((time.perf_counter() - started) * 1000)
    return {name: percentiles(values) for name, values in timings.items()}


def summarise(with_evidence: list[AnswerRecord], without: list[AnswerRecord]) -> dict:
    reachable = [r for r in with_evidence if r.reachable]
    holding = [r for r in reachable if r.gold_holds_answer]
    answered = [r for r in with_evidence if r.found]

    def share(records, test):
        return round(sum(map(test, records)) / len(records), 4) if records else 0.0

    return {
        "questions": len(with_evidence), "reachable": len(reachable),
        "reachable_gold_holds_answer": len(holding),
        "best_sentence_contains_answer_reachable": share(reachable, lambda r: contains(r.sentence, r.gold)),
        "best_sentence_contains_answer_gold_holds": share(holding, lambda r: contains(r.sentence, r.gold)),
        "short_given": share(answered, lambda r: r.short is not None),
        "short_em": share(answered, lambda r: exact_match(r.short, r.gold)),
        "short_f1": share(answered, lambda r: token_f1(r.short, r.gold)),
        "short_em_gold_holds": share([r for r in holding if r.found], lambda r: exact_match(r.short, r.gold)),
        "short_f1_gold_holds": share([r for r in holding if r.found], lambda r: token_f1(r.short, r.gold)),
        "answered_with_evidence": share(with_evidence, lambda r: r.found),
        "declined_without_evidence": share(without, lambda r: not r.found),
    }


def evaluate_answers(data_dir, *, evidence_prefix: str = "rtqa-", other_prefix: str = "news-",
                     other_count: int = 5000, every: int = 10, cache_dir=".cache/eval",
                     year: str | None = None, rerank: bool = False) -> dict:
    """Answer metrics of every `every`-th question (of `year` alone, when given: question ids
    start with their date), asked with and without its evidence, re-ranked when `rerank`."""
    data_dir = Path(data_dir)
    golds = load_answers(data_dir)
    beir = sample(of_year(load_beir(data_dir, evidence_prefix), year), every)
    index_dir, by_text = build_set(beir, f"{data_dir.name}-{evidence_prefix}", cache_dir)
    with_evidence = ask_all(beir, golds, index_dir, _locator(by_text, index_dir), rerank)
    other = without_evidence(data_dir, other_prefix, other_count)
    other_index, _ = build_set(other, f"{data_dir.name}-{other_prefix}{other_count}", cache_dir)
    without = ask_all(BeirSet(other.corpus, beir.queries, {}), golds, other_index, lambda passage: [], rerank)
    return {"summary": summarise(with_evidence, without), "latency_ms": latency(beir, index_dir, rerank=rerank),
            "with_evidence": [r.__dict__ for r in with_evidence], "without_evidence": [r.__dict__ for r in without]}

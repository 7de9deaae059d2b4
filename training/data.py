"""Span examples from ../shared/train (SQuAD format) and realtimeqa-news, split into training and
validation parts, with no-answer examples.

Validation parts: every tenth article of each SQuAD file (chosen by a hash of file and title, or of
the paragraph for a file that is one "article", such as Reddit), and the latest year (2024) of the
news questions. A question's `answer_start` is None for a no-answer example.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, replace
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TRAIN_DIR = SHARED / "train"
NEWS_DIR = SHARED / "bench" / "realtimeqa-news"
SQUAD_FILES = ("squadshifts-new-wiki", "squadshifts-reddit", "squadshifts-amazon", "squad2-train-first10")
NEWS_PART = "realtimeqa-news"
NEWS_HELD_OUT_YEAR = "2024"
HELD_OUT_EVERY = 10


@dataclass(frozen=True)
class Example:
    """One question read against one paragraph: the gold span, or none (`answer_start` None)."""

    id: str
    part: str
    question: str
    context: str
    answers: tuple[str, ...]
    answer_start: int | None
    paragraph_id: str
    group: str  # paragraphs of one group (an article) make same-article negatives

    @property
    def answerable(self) -> bool:
        return self.answer_start is not None


def held_out(part: str, key: str) -> bool:
    """Deterministic one-in-HELD_OUT_EVERY choice of validation articles."""
    digest = hashlib.sha1(f"{part}\n{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % HELD_OUT_EVERY == 0


def load_squad(part: str, train_dir: Path = TRAIN_DIR) -> tuple[list[Example], list[Example]]:
    """(training, validation) examples of one SQuAD-format file; unanswerable questions kept."""
    articles = json.loads((train_dir / f"{part}.json").read_text(encoding="utf-8"))["data"]
    by_paragraph = len(articles) == 1
    splits: tuple[list[Example], list[Example]] = ([], [])
    for a, article in enumerate(articles):
        for p, paragraph in enumerate(article["paragraphs"]):
            context = paragraph["context"]
            key = context if by_paragraph else article["title"]
            group = f"{part}/{a}" if not by_paragraph else f"{part}/{a}/{p}"
            target = splits[1] if held_out(part, key) else splits[0]
            for qa in paragraph["qas"]:
                answers = qa.get("answers") or []
                start = None if qa.get("is_impossible") or not answers else answers[0]["answer_start"]
                texts = tuple(dict.fromkeys(answer["text"] for answer in answers))
                target.append(Example(qa["id"], part, qa["question"], context, texts, start,
                                      f"{part}/{a}#{p}", group))
    return splits


def load_news(news_dir: Path = NEWS_DIR) -> tuple[list[Example], list[Example]]:
    """(training, validation) span examples of the news questions whose answer occurs verbatim
    (case aside) in their evidence paragraph; validation is the latest year."""
    paragraphs = {row["_id"]: row for row in _jsonl(news_dir / "corpus.jsonl") if row["_id"].startswith("rtqa-")}
    questions = {row["_id"]: row["text"] for row in _jsonl(news_dir / "queries.jsonl")}
    gold = _gold_paragraphs(news_dir)
    splits: tuple[list[Example], list[Example]] = ([], [])
    for meta in _jsonl(news_dir / "queries-meta.jsonl"):
        paragraph_id = gold.get(meta["_id"])
        if paragraph_id not in paragraphs:
            continue
        context = paragraphs[paragraph_id]["text"]
        found = [match for answer in meta["answer"] if answer.strip()
                 for match in [re.search(rf"(?<!\w){re.escape(answer.strip())}(?!\w)", context, re.I)] if match]
        if not found:
            continue
        start, answer = found[0].start(), found[0].group(0)
        target = splits[1] if meta["date"].startswith(NEWS_HELD_OUT_YEAR) else splits[0]
        target.append(Example(meta["_id"], NEWS_PART, questions[meta["_id"]], context,
                              (answer,), start, paragraph_id,
                              paragraph_id.split("#")[0]))
    return splits


def news_paragraphs(news_dir: Path = NEWS_DIR) -> dict[str, dict]:
    """The quiz pages' evidence paragraphs (`rtqa-` rows), by id."""
    return {row["_id"]: row for row in _jsonl(news_dir / "corpus.jsonl") if row["_id"].startswith("rtqa-")}


def paragraph_year(row: dict) -> str:
    """The year of a quiz paragraph, from its title ("CNN news quiz, 2020/01/03")."""
    return row.get("title", "").rsplit(",", 1)[-1].strip()[:4]


def load_all() -> tuple[list[Example], list[Example]]:
    """Every training and every validation example of all parts (answerable and SQuAD 2.0's
    unanswerable ones; no made negatives)."""
    train, validation = [], []
    for part in SQUAD_FILES:
        t, v = load_squad(part)
        train += t
        validation += v
    t, v = load_news()
    return train + t, validation + v


def contains_answer(context: str, answers: tuple[str, ...]) -> bool:
    lowered = context.lower()
    return any(answer.strip() and answer.lower() in lowered for answer in answers)


def made_negatives(examples: list[Example], hard: dict[str, list[str]], texts: dict[str, str],
                   *, hard_share: float, easy_share: float, seed: int) -> list[Example]:
    """No-answer examples: a question paired with a paragraph that does not hold its answer.

    `hard` maps a question id to paragraph ids this project's retrieval ranks high for it (best
    first); `texts` maps paragraph ids to text. A `hard_share` of the answerable questions gets its
    best-ranked such paragraph, an `easy_share` another paragraph of its own article (or any)."""
    rng = random.Random(seed)
    by_group: dict[str, list[str]] = {}
    for example in examples:
        by_group.setdefault(example.group, [])
        if example.paragraph_id not in by_group[example.group]:
            by_group[example.group].append(example.paragraph_id)
    everything = sorted(texts)
    negatives = []
    for example in examples:
        if not example.answerable:
            continue
        if rng.random() < hard_share:
            choice = _first_without_answer(hard.get(example.id, []), example, texts)
            if choice:
                negatives.append(_negative(example, choice, texts[choice], "hard"))
        if rng.random() < easy_share:
            same = [p for p in by_group.get(example.group, []) if p != example.paragraph_id]
            pool = same or [rng.choice(everything)]
            choice = _first_without_answer(rng.sample(pool, min(len(pool), 3)), example, texts)
            if choice:
                negatives.append(_negative(example, choice, texts[choice], "easy"))
    return negatives


def _first_without_answer(candidates: list[str], example: Example, texts: dict[str, str]) -> str | None:
    return next((c for c in candidates if c != example.paragraph_id and c in texts
                 and not contains_answer(texts[c], example.answers)), None)


def _negative(example: Example, paragraph_id: str, context: str, kind: str) -> Example:
    return replace(example, id=f"{example.id}/no-{kind}", context=context, answer_start=None,
                   paragraph_id=paragraph_id)


def _gold_paragraphs(news_dir: Path) -> dict[str, str]:
    gold = {}
    with open(news_dir / "qrels" / "test.tsv", encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            query_id, corpus_id = line.split("\t")[:2]
            gold.setdefault(query_id, corpus_id)
    return gold


def _jsonl(path: Path):
    with open(path, encoding="utf-8") as rows:
        for line in rows:
            yield json.loads(line)

"""Questions with a typing mistake: answered as typed, and read through qa.answers.typos.

Every `--every`-th realtimeqa-news question gets one typing slip in one of its lower-case words
of six letters or more (a letter left out, a neighbouring key's letter typed extra or in place of
the right one, or two letters swapped; never the first letter; seeded, so every run makes the
same ones). Each is asked of the evidence-only index
(the `rtqa-` rows) and of one without the evidence (the first `--other` `news-` rows), once as
typed and once with qa.answer's correction, and scored as in bench/no_answer.py with the
confidence and threshold qa/answers/confidence.py ships; the questions as written give the baseline.

    python bench/typos.py [--every 5]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answers.answer import corrected, gather, measures  # noqa: E402
from qa.api import searcher_for  # noqa: E402
from qa.answers.confidence import confidence, declines  # noqa: E402
from bench.evaluate import _locator, load_beir  # noqa: E402
from bench.evaluate_answers import build_set, contains, load_answers, sample, without_evidence  # noqa: E402
from qa.search.lexical import tokenize  # noqa: E402
from qa.answers.typos import neighbouring_keys  # noqa: E402

_WORD = re.compile(r"\b[a-z]{6,}\b")


def mistyped(question: str, rng: random.Random) -> str | None:
    """`question` with one typing slip in one of its long lower-case content words (a letter left
    out, a neighbouring key's letter typed extra or in place of the right one, or two letters
    swapped; never the first letter), or None when it has no such word."""
    words = [m for m in _WORD.finditer(question) if tokenize([m.group()])[0]]
    if not words:
        return None
    match = rng.choice(words)
    word, at = match.group(), rng.randrange(1, len(match.group()) - 1)
    near = [key for key in "abcdefghijklmnopqrstuvwxyz" if neighbouring_keys(word[at], key)] or [word[at]]
    slips = {
        "left out": word[:at] + word[at + 1:],
        "extra": word[:at] + rng.choice(near) + word[at:],
        "swap": word[:at] + word[at + 1] + word[at] + word[at + 2:],
        "neighbour": word[:at] + rng.choice(near) + word[at + 1:],
    }
    typo = slips[rng.choice(sorted(slips))]
    return question[:match.start()] + typo + question[match.end():]


def asked(searcher, question: str, read: bool, locate, gold_rows, golds) -> dict:
    """The measures of one question asked of one index, as typed or read through qa.answers.typos."""
    text, corrections = corrected(searcher, question) if read else (question, ())
    evidence = gather(searcher, text, text, 5)
    best = evidence.chosen.sentences[0] if evidence.chosen.sentences else None
    return {"read": text, "changed": bool(corrections),
            "found": best is not None and not declines(confidence(measures(evidence))),
            "reachable": bool(gold_rows & {i for p in evidence.passages for i in locate(p)}),
            "holds": best is not None and contains(best.text, golds)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared/bench/realtimeqa-news"))
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--other", type=int, default=5000)
    parser.add_argument("--cache", default=".cache/eval")
    args = parser.parse_args()
    data, rng = Path(args.data), random.Random(10)
    golds = load_answers(data)
    beir = sample(load_beir(data, "rtqa-"), args.every)
    evidence_dir, by_text = build_set(beir, f"{data.name}-rtqa-", args.cache)
    without_dir, _ = build_set(without_evidence(data, "news-", args.other), f"{data.name}-news-{args.other}",
                               args.cache)
    with_index, without_index = searcher_for(evidence_dir), searcher_for(without_dir)
    locate = _locator(by_text, evidence_dir)
    rows = {"as written": [], "as written, read through qa.answers.typos": [], "mistyped, as typed": [],
            "mistyped, read through qa.answers.typos": []}
    restored = 0
    for query_id, question in beir.queries.items():
        typo = mistyped(question, rng)
        if typo is None:
            continue
        gold_rows, gold = beir.qrels[query_id], golds[query_id]
        for name, text, read in (("as written", question, False), ("as written, read through qa.answers.typos", question, True),
                                 ("mistyped, as typed", typo, False), ("mistyped, read through qa.answers.typos", typo, True)):
            with_evidence = asked(with_index, text, read, locate, gold_rows, gold)
            without = asked(without_index, text, read, lambda _: [], set(), gold)
            rows[name].append((with_evidence, without))
            restored += read and text == typo and with_evidence["read"] == question
    count = len(rows["as written"])
    print(f"{count} questions with a word to mistype; read back exactly as written: {restored}")
    print("| questions | reachable | answered (of reachable) | best sentence holds the answer (reachable) "
          "| declined without evidence | changed with / without evidence |")
    print("|---|---|---|---|---|---|")
    for name, pairs in rows.items():
        reach = [w for w, _ in pairs if w["reachable"]]
        print(f"| {name} | {len(reach) / count:.3f} | {sum(w['found'] for w in reach) / len(reach):.3f} "
              f"| {sum(w['holds'] for w in reach) / len(reach):.3f} "
              f"| {sum(not o['found'] for _, o in pairs) / count:.3f} "
              f"| {sum(w['changed'] for w, _ in pairs)} / {sum(o['changed'] for _, o in pairs)} |")


if __name__ == "__main__":
    main()

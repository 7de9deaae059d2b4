"""Short answers by the kind of answer each question asks for (qa.entities.expected_type), on
realtimeqa-news: every `--every`-th question asked of the evidence-only index (the `rtqa-` rows,
built once into `--cache` as by `python -m qa eval`) through `qa.answer`; exact match and token F1
of the short answer against the gold answers (SQuAD normalisation), per kind and overall.

    python bench/answer_kinds.py [--every 4] [--answers FILE]

`--answers` also writes each question's short answer, gold answers and exact match (JSON lines),
to compare two versions question by question.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answer import answer  # noqa: E402
from qa.entities import expected_type  # noqa: E402
from qa.evaluate import load_beir  # noqa: E402
from qa.evaluate_answers import build_set, exact_match, load_answers, sample, token_f1  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared/bench/realtimeqa-news"))
    parser.add_argument("--every", type=int, default=4)
    parser.add_argument("--cache", default=".cache/eval")
    parser.add_argument("--answers", help="write each question's short answer here (JSON lines)")
    args = parser.parse_args()
    data = Path(args.data)
    golds = load_answers(data)
    beir = sample(load_beir(data, "rtqa-"), args.every)
    index_dir, _ = build_set(beir, f"{data.name}-rtqa-", args.cache)
    scores = defaultdict(list)  # kind -> [(exact match, F1)]
    answers = []
    for query_id, question in beir.queries.items():
        result = answer(question, index_dir=index_dir)
        short = result.short if result.found else None
        measured = (exact_match(short or "", golds[query_id]), token_f1(short or "", golds[query_id]))
        scores[str(expected_type(question).kind)].append(measured)
        scores["all"].append(measured)
        answers.append({"question": question, "short": short, "gold": golds[query_id], "em": measured[0]})
    if args.answers:
        Path(args.answers).write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in answers))
    print("| kind | questions | EM | F1 |\n|---|---|---|---|")
    for kind, rows in sorted(scores.items(), key=lambda item: -len(item[1])):
        print(f"| {kind} | {len(rows)} | {sum(r[0] for r in rows) / len(rows):.3f} | "
              f"{sum(r[1] for r in rows) / len(rows):.3f} |")


if __name__ == "__main__":
    main()

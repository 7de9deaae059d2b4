"""A large file index beside its copy in PostgreSQL: writing, retrieve() latency, adding one briefing.

    python bench/pg_scale.py --index DIR --database postgresql://... [--skip-copy]

DIR is a published file index, such as the million synthetic passages that
`python -m qa bench speed million --keep DIR` keeps. It is copied into the (emptied) database
without embedding again (`--skip-copy` reuses a copy made before), then:
- retrieve(k=10, rerank=False) p50/p95 of each, the two taking turns question by question (realtimeqa-news
  questions, as `bench speed million` asks);
- the search path's steps in each (`--steps`): the question's two candidate lists (`dense_top`,
  `lexical_top`), blending (both scores of their union) and collapsing (the first 10 groups),
  medians in ms, the stores taking turns question by question;
- adding the sample briefing to each by name (`build_index(..., only=[file])`, which leaves the
  rest of the index as it is) and removing it again, in seconds.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pg_compare import BRIEFING, interleaved_latency  # noqa: E402
from bench.evaluate import percentiles  # noqa: E402

from qa import build_index  # noqa: E402
from bench.evaluate import load_beir  # noqa: E402
from qa.index.stores.postgres.transfer import copy_index  # noqa: E402


def search_steps(questions: list[str], locations: dict[str, object], warm_up: int = 3) -> dict:
    """Median ms of each step of the search path (qa.search.hybrid) in each location, the
    locations taking turns question by question; the question is embedded once, outside."""
    from qa.index.catalog import Catalog
    from qa.index.encoder import get_encoder
    from qa.index.stores import open_store
    from qa.search.hybrid import MIN_DEPTH
    from qa.search.lexical import tokenize

    encoder = get_encoder()
    readers = {name: open_store(location).reader() for name, location in locations.items()}
    catalogs = {name: Catalog(reader) for name, reader in readers.items()}
    timings = {name: {} for name in locations}
    for number, question in enumerate(questions):
        vector, tokens = encoder.encode_questions([question])[0], tokenize([question])[0]
        for name, reader in readers.items():
            steps = {}
            started = time.perf_counter()
            dense_ids, dense_top_scores = reader.dense_top(vector, MIN_DEPTH)
            steps["dense_top"] = time.perf_counter()
            lexical_ids, _ = reader.lexical_top(tokens, MIN_DEPTH)
            steps["lexical_top"] = time.perf_counter()
            candidates = np.union1d(dense_ids, lexical_ids)
            # As the search blends: the dense search's own candidates keep its scores.
            others = np.setdiff1d(candidates, dense_ids)
            known = dict(zip(dense_ids.tolist(), dense_top_scores.tolist()))
            known.update(zip(others.tolist(), reader.dense_scores(vector, others).tolist()))
            dense = np.array([known[i] for i in candidates.tolist()])
            lexical = reader.lexical_scores(tokens, candidates)
            steps["blending"] = time.perf_counter()
            blended = dense + lexical / max(float(lexical.max()), 1e-9)
            order = np.argsort(-blended, kind="stable")
            catalogs[name].collapsed(catalogs[name].newest_first_on_ties(candidates[order], blended[order]), 10, None)
            steps["collapsing"] = time.perf_counter()
            if number >= warm_up:
                last = started
                for step, moment in steps.items():
                    timings[name].setdefault(step, []).append((moment - last) * 1000)
                    last = moment
    for reader in readers.values():
        reader.close()
    return {name: {step: percentiles(values)["p50"] for step, values in steps.items()}
            for name, steps in timings.items()}


def adding_one_briefing_by_name(locations: dict[str, object]) -> dict:
    """Seconds to add the sample briefing by name to each location, and to remove it again."""
    result = {}
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus"
        corpus.mkdir()
        added = corpus / f"zz-pg-scale-{BRIEFING.name}"
        for name, location in locations.items():
            shutil.copy(BRIEFING, added)
            report = build_index(corpus, location, progress=False, only=[added])
            added.unlink()
            removal = build_index(corpus, location, progress=False, only=[added])
            result[name] = {"add_s": round(report.seconds, 2), "added": report.added,
                            "remove_s": round(removal.seconds, 2), "removed": removal.removed}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="a published file index")
    parser.add_argument("--database", required=True, help="postgresql:// URL (its index is replaced)")
    parser.add_argument("--skip-copy", action="store_true", help="the database holds the copy already")
    parser.add_argument("--data", default=str(ROOT.parent / "shared/bench/realtimeqa-news"))
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--steps", type=int, default=0, metavar="N",
                        help="also time the search path's steps on N questions")
    parser.add_argument("--no-latency", action="store_true", help="skip retrieve() and adding")
    args = parser.parse_args()
    out = {"index": str(args.index)}
    if not args.skip_copy:
        copied, seconds = copy_index(args.index, args.database)
        out["copy"] = {"passages": copied, "seconds": round(seconds, 1),
                       "passages_per_s": round(copied / seconds, 1)}
        print(json.dumps(out["copy"]), flush=True)
    questions = list(load_beir(Path(args.data), "rtqa-").queries.values())[:args.questions]
    locations = {"files": args.index, "postgres": args.database}
    if args.steps:
        out["steps_p50_ms"] = search_steps(questions[:args.steps], locations)
        print(json.dumps(out["steps_p50_ms"]), flush=True)
    if not args.no_latency:
        out["latency_ms"] = interleaved_latency(questions, locations)
        out["add_one_briefing_by_name"] = adding_one_briefing_by_name(locations)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

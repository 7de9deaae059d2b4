"""A large file index beside its copy in PostgreSQL: writing, retrieve() latency, adding one briefing.

    python bench/pg_scale.py --index DIR --database postgresql://... [--skip-copy]

DIR is a published file index, such as the million synthetic passages that
`python -m qa bench speed million --keep DIR` keeps. It is copied into the (emptied) database
without embedding again (`--skip-copy` reuses a copy made before), then:
- retrieve(k=10) p50/p95 of each, the two taking turns question by question (realtimeqa-news
  questions, as `bench speed million` asks);
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pg_compare import BRIEFING, interleaved_latency  # noqa: E402

from qa import build_index  # noqa: E402
from bench.evaluate import load_beir  # noqa: E402
from qa.index.stores.postgres.transfer import copy_index  # noqa: E402


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
    args = parser.parse_args()
    out = {"index": str(args.index)}
    if not args.skip_copy:
        copied, seconds = copy_index(args.index, args.database)
        out["copy"] = {"passages": copied, "seconds": round(seconds, 1),
                       "passages_per_s": round(copied / seconds, 1)}
        print(json.dumps(out["copy"]), flush=True)
    questions = list(load_beir(Path(args.data), "rtqa-").queries.values())[:args.questions]
    locations = {"files": args.index, "postgres": args.database}
    out["latency_ms"] = interleaved_latency(questions, locations)
    out["add_one_briefing_by_name"] = adding_one_briefing_by_name(locations)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

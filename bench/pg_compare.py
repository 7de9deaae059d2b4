"""The PostgreSQL index beside the file index, in one run: quality, latency, writing, adding one
briefing (docs/benchmarks.md, "PostgreSQL").

    python bench/pg_compare.py --data ../shared/bench/scifact --database postgresql://...
    python bench/pg_compare.py --data ../shared/bench/realtimeqa-news --id-prefix rtqa- --database ...

The set is indexed in files through `python -m qa eval`'s cache (embedding only what is new),
copied into the (emptied) database without embedding again, then:
- nDCG@10 and the other metrics through each (the eval's own code path, `bench.evaluate`);
- retrieve(k=10, rerank=False) latency, the two backends taking turns question by question, so that load from
  other work on the machine falls on both alike;
- writing: the copy into PostgreSQL against the same copy into a new file index (passages/s);
- adding one briefing (the sample briefing) with build_index, then removing it again, in each.

`--from-old-index VERSION_FOLDER` fills the file index from an index of the format before the
store contract (a `v-...` folder: passages, FAISS vectors, BM25 tokens, signatures) instead of
embedding the set again; its corpus folder must be copied (with its file times) to the cache
first. Sentence vectors, which only `qa.answer` reads, are then left empty: `retrieve` does not
use them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from qa import build_index, retrieve  # noqa: E402
from qa.index.stores import DocumentRecord, NewPassages, StoredPassage, open_store  # noqa: E402
from bench.evaluate import load_beir, percentiles, set_folder, set_name, evaluate_set  # noqa: E402
from qa.index.stores.postgres.transfer import copy_index  # noqa: E402

LATENCY_QUESTIONS = 300
BRIEFING = ROOT / "corpus" / "uk-presses-russia-for-compromise.txt"


def interleaved_latency(questions: list[str], locations: dict[str, object]) -> dict:
    """retrieve(k=10, rerank=False) p50/p95 (ms) of each location, taking turns on every question.

    Without the re-ranker, which reads the same candidates the same way whatever the store, and
    costs more than the whole search on these CPUs: with it the stores' difference is hidden."""
    for location in locations.values():
        for question in questions[:5]:
            retrieve(question, k=10, index_dir=location, rerank=False)
    timings = {name: [] for name in locations}
    for question in questions:
        for name, location in locations.items():
            started = time.perf_counter()
            retrieve(question, k=10, index_dir=location, rerank=False)
            timings[name].append((time.perf_counter() - started) * 1000)
    return {name: percentiles(values) for name, values in timings.items()}


def adding_one_briefing(corpus: Path, locations: dict[str, object]) -> dict:
    """Seconds to add one briefing and to remove it again, with build_index, per location."""
    result = {}
    added = corpus / BRIEFING.name
    for name, location in locations.items():
        shutil.copy(BRIEFING, added)
        started = time.perf_counter()
        report = build_index(corpus, location, progress=False)
        add_seconds = time.perf_counter() - started
        added.unlink()
        started = time.perf_counter()
        build_index(corpus, location, progress=False)
        result[name] = {"add_s": round(add_seconds, 2), "added": report.added,
                        "remove_s": round(time.perf_counter() - started, 2)}
    return result


def import_old_index(version: Path, target) -> int:
    """Write the old-format index version folder `version` into the store at `target`."""
    import faiss

    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    with open(version / "passages.jsonl", encoding="utf-8") as lines:
        passages = [StoredPassage(**json.loads(line)) for line in lines]
    index = faiss.read_index(str(version / "vectors.faiss"))
    vectors, owners = index.reconstruct_n(0, index.ntotal), np.load(version / "owners.npy")
    with open(version / "bm25" / "tokens.txt", encoding="utf-8") as lines:
        tokens = [line.split() for line in lines]
    signatures = np.load(version / "signatures.npy")
    positions: dict[str, list[int]] = {}
    for position, passage in enumerate(passages):
        positions.setdefault(passage.source, []).append(position)
    with open_store(target).writer(manifest["model"], manifest["dimension"], fresh=True) as writer:
        for source, entry in manifest["documents"].items():
            mine = positions[source]
            rows = np.flatnonzero(np.isin(owners, mine))
            local = {position: number for number, position in enumerate(mine)}
            writer.add_document(
                DocumentRecord(source, entry["title"], entry["digest"], tuple(entry["paragraphs"]),
                               entry.get("date"), entry.get("publisher"), entry.get("url"),
                               entry.get("size", 0), entry.get("modified_ns", 0),
                               manifest.get("read_started_ns", 0)),
                NewPassages([passages[p] for p in mine], vectors[rows],
                            np.array([local[int(o)] for o in owners[rows]], dtype=np.int64),
                            [tokens[p] for p in mine], signatures[mine]))
        writer.publish()
    return len(passages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--id-prefix", default="")
    parser.add_argument("--database", required=True, help="postgresql:// URL (its index is replaced)")
    parser.add_argument("--cache", default=".cache/eval")
    parser.add_argument("--limit", type=int, default=None, help="first N queries only")
    parser.add_argument("--from-old-index", type=Path, default=None,
                        help="an old-format version folder to fill the file index from")
    args = parser.parse_args()
    beir = load_beir(Path(args.data), args.id_prefix, args.limit)
    name = set_name(Path(args.data), args.id_prefix)
    if args.from_old_index:
        import_old_index(args.from_old_index, set_folder(args.cache, name) / "index")
    files = evaluate_set(beir, name, cache_dir=args.cache, progress=False)
    folder = set_folder(args.cache, name)
    out = {"set": name, "paragraphs": files.paragraphs, "queries": files.queries}
    copied, seconds = copy_index(folder / "index", args.database)
    with tempfile.TemporaryDirectory() as scratch:
        file_copied, file_seconds = copy_index(folder / "index", Path(scratch) / "index")
    out["write_passages_per_s"] = {"files": round(file_copied / file_seconds, 1),
                                   "postgres": round(copied / seconds, 1)}
    postgres = evaluate_set(beir, name, cache_dir=args.cache, progress=False, index=args.database)
    out["metrics"] = {"files": files.metrics, "postgres": postgres.metrics}
    out["eval_latency_ms"] = {"files": files.latency_ms, "postgres": postgres.latency_ms}
    locations = {"files": folder / "index", "postgres": args.database}
    questions = list(beir.queries.values())[:LATENCY_QUESTIONS]
    out["latency_ms"] = interleaved_latency(questions, locations)
    out["add_one_briefing"] = adding_one_briefing(folder / "corpus", locations)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

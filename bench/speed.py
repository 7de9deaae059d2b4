"""Speed benchmarks: raw encoding vs the full build, the int8 ONNX backend vs PyTorch, query
latency at several corpus sizes, the ANN switch's recall, incremental rebuilds and cold start.

    python -m qa bench speed [PART]      (from a checkout; or python bench/speed.py [PART])

Every part prints one Markdown table row per measurement; docs/benchmarks.md holds the results.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from qa.index.stores.base import HNSW_SEARCH_DEPTH
from qa.index.stores.files.dense import ANN_THRESHOLD, build_vector_index, search_vectors
from qa.index.encoder import get_encoder
from bench.evaluate import BeirSet, load_beir, percentiles, score_run, set_folder, set_name, write_corpus
from qa.search.hybrid import MIN_DEPTH

BATCH_SIZES = (16, 32, 64, 128)
SEARCH_DEPTHS = (300, 600, 1000, 2000)
LATENCY_QUERIES = 200
WARM_UP = 10


def _timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def _title_text(row: dict) -> str:
    """A corpus row as the reference runs embed it: "title text"."""
    return f"{row.get('title', '')} {row['text']}".strip()


def _build_set(beir: BeirSet, work: Path, progress: bool = False):
    """Write `beir`'s corpus as briefing files under `work` and index it; the BuildReport."""
    from qa.index.build import build_index

    write_corpus(beir, work / "corpus")
    return build_index(work / "corpus", work / "index", progress=progress)


def bench_encode(data: Path, id_prefix: str, limit: int | None) -> dict:
    """(a) raw SentenceTransformer.encode throughput at the best batch size, (b) the full build on
    the same texts, as paragraphs per second and as a ratio to (a)."""
    beir = load_beir(data, id_prefix)
    rows = list(beir.corpus.values())[:limit]
    texts = [_title_text(row) for row in rows]
    model = get_encoder().model
    model.encode(texts[:64], batch_size=32)
    ordered = sorted(texts, key=len, reverse=True)
    rates = {}
    for batch_size in BATCH_SIZES:
        _, seconds = _timed(model.encode, ordered, batch_size=batch_size, normalize_embeddings=True)
        rates[batch_size] = len(texts) / seconds
        print(f"| raw encode, batch {batch_size} | {rates[batch_size]:.1f} paragraphs/s |", flush=True)
    best = max(rates, key=rates.get)
    with tempfile.TemporaryDirectory() as work:
        report = _build_set(BeirSet({row["_id"]: row for row in rows}, {}, {}), Path(work))
    build_rate = report.embedded / report.seconds
    print(f"| full build (read, split, embed, write) | {build_rate:.1f} paragraphs/s "
          f"({report.embedded} in {report.seconds:.1f} s), {build_rate / rates[best]:.2f} x raw |")
    return {"texts": len(texts), "raw_rates": rates, "best_batch": best,
            "build_rate": build_rate, "build_seconds": report.seconds, "ratio": build_rate / rates[best]}


def bench_onnx(data: Path, id_prefix: str, questions: list[str]) -> dict:
    """The int8 ONNX backend against PyTorch on the same texts: paragraphs/s, question latency and
    how close its vectors stay (cosine to the PyTorch vector)."""
    from qa.index.encoder import DEFAULT_MODEL
    from qa.index.onnx_backend import SUFFIX

    texts = sorted((_title_text(row) for row in load_beir(data, id_prefix).corpus.values()),
                   key=len, reverse=True)
    results, vectors = {}, {}
    for label, name in (("pytorch", DEFAULT_MODEL), ("onnx-int8", DEFAULT_MODEL + SUFFIX)):
        model = get_encoder(name).model
        model.encode(texts[:64], batch_size=32)
        vectors[label], seconds = _timed(model.encode, texts, batch_size=32, normalize_embeddings=True)
        timings = [_timed(model.encode, [q], batch_size=1)[1] * 1000 for q in questions[:LATENCY_QUERIES]]
        results[label] = {"rate": len(texts) / seconds, "question_ms": percentiles(timings)}
        print(f"| {label}: encode {len(texts)} paragraphs | {results[label]['rate']:.1f} paragraphs/s | "
              f"question p50 {results[label]['question_ms']['p50']} ms |", flush=True)
    cosines = (vectors["pytorch"] * vectors["onnx-int8"]).sum(axis=1)
    results["speedup"] = results["onnx-int8"]["rate"] / results["pytorch"]["rate"]
    results["cosine"] = {"mean": float(cosines.mean()), "min": float(cosines.min())}
    print(f"| speedup | {results['speedup']:.2f} x | cosine to PyTorch mean {cosines.mean():.4f}, "
          f"min {cosines.min():.4f} |")
    return results


def bench_tutorial(data: Path, id_prefix: str) -> dict:
    """(c) the tutorial way: encode "title text", FAISS flat, no hybrid; nDCG@10 and latency."""
    import faiss

    beir = load_beir(data, id_prefix)
    ids = list(beir.corpus)
    texts = [_title_text(beir.corpus[i]) for i in ids]
    model = get_encoder().model
    vectors, seconds = _timed(model.encode, texts, batch_size=32, normalize_embeddings=True)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    run, timings = {}, []
    for query_id, question in beir.queries.items():
        started = time.perf_counter()
        query = model.encode([question], normalize_embeddings=True)
        scores, rows = index.search(query, 100)
        timings.append((time.perf_counter() - started) * 1000)
        run[query_id] = {ids[r]: float(s) for r, s in zip(rows[0], scores[0])}
    ndcg = score_run(beir.qrels, run)["nDCG@10"]
    p50, p95 = percentiles(timings[WARM_UP:]).values()
    print(f"| tutorial (encode + FAISS flat) | nDCG@10 {ndcg:.4f} | build {seconds:.1f} s | "
          f"p50 {p50} ms, p95 {p95} ms |")
    return {"ndcg10": ndcg, "build_seconds": seconds, "p50": p50, "p95": p95}


def bench_latency(index_dir: Path, questions: list[str], label: str) -> dict:
    """(d) retrieve() latency, one query at a time after warm-up."""
    from qa.api import retrieve, searcher_for

    size = searcher_for(index_dir).catalog.passage_count
    for question in questions[:WARM_UP]:
        retrieve(question, k=10, index_dir=index_dir)
    timings = []
    for question in questions[:LATENCY_QUERIES]:
        _, seconds = _timed(retrieve, question, k=10, index_dir=index_dir)
        timings.append(seconds * 1000)
    p50, p95 = percentiles(timings).values()
    print(f"| retrieve() latency, {label} | {size} paragraphs | p50 {p50} ms | p95 {p95} ms |")
    return {"paragraphs": size, "p50": p50, "p95": p95}


def synthetic_vectors(seed_vectors: np.ndarray, count: int, noise: float = 0.35,
                      picks: np.ndarray | None = None) -> np.ndarray:
    """`count` normalised vectors scattered around real ones (random ones, or the rows `picks`),
    so they keep real clustering."""
    rng = np.random.default_rng(0)
    vectors = np.empty((count, seed_vectors.shape[1]), dtype=np.float32)
    for start in range(0, count, 100_000):
        end = min(count, start + 100_000)
        chosen = picks[start:end] if picks is not None else rng.integers(0, len(seed_vectors), end - start)
        base = seed_vectors[chosen]
        jitter = rng.standard_normal(base.shape).astype(np.float32) * noise / np.sqrt(base.shape[1])
        block = base + jitter
        vectors[start:end] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return vectors


def bench_ann(seed_vectors: np.ndarray, questions: list[str], count: int) -> dict:
    """(d) the approximate index past ANN_THRESHOLD: recall@10 against exact search and latency of
    the dense part at `count` synthetic vectors (the real query encoder embeds the questions)."""
    import faiss

    vectors = synthetic_vectors(seed_vectors, count)
    queries = get_encoder().encode(questions[:LATENCY_QUERIES])
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    approximate, seconds = _timed(build_vector_index, vectors, vectors.shape[1])
    truths = [set(search_vectors(exact, query, 10)[0].tolist()) for query in queries]
    rows = []
    for search_depth in SEARCH_DEPTHS:
        hits, timings = 0, []
        for query, truth in zip(queries, truths):
            started = time.perf_counter()
            found, _ = search_vectors(approximate, query, MIN_DEPTH, search_depth=search_depth)
            timings.append((time.perf_counter() - started) * 1000)
            hits += len(truth & set(found[:10].tolist()))
        recall = hits / (10 * len(queries))
        p50, p95 = percentiles(timings).values()
        print(f"| HNSW at {count} vectors, efSearch {max(search_depth, MIN_DEPTH)} | recall@10 {recall:.4f} | "
              f"build {seconds:.0f} s | search p50 {p50} ms, p95 {p95} ms |", flush=True)
        rows.append({"search_depth": search_depth, "recall10": recall, "p50": p50, "p95": p95})
    return {"vectors": count, "build_seconds": seconds, "approximate": count > ANN_THRESHOLD,
            "default_search_depth": HNSW_SEARCH_DEPTH, "rows": rows}


def bench_million(store, index_dir: Path, questions: list[str], count: int, keep: Path | None = None) -> dict:
    """(d) `Searcher.search` (what retrieve() runs once the index is loaded) end to end at `count`
    passages: each synthetic passage is a real paragraph, with that paragraph's text and BM25 tokens
    and a vector scattered around its own vector, so both halves see real statistics. The index is
    written through the store writer (qa.index.stores) into a temporary folder, 50 passages a briefing;
    with `keep`, into that folder, which is kept, and an index already there is searched as it is
    (the synthetic passages are then not made: the process holds what a server would)."""
    from qa.search.hybrid import Searcher
    from qa.index.stores import open_store

    folder = keep or Path(tempfile.mkdtemp(prefix="million-"))
    seconds = None
    if not (keep and (keep / "CURRENT").exists()):
        _, seconds = _timed(_write_million, store, folder, count)
    searcher = Searcher(open_store(folder).reader(), get_encoder())
    for question in questions[:WARM_UP]:
        searcher.search(question, 10)
    timings = [_timed(searcher.search, question, 10)[1] * 1000 for question in questions[:LATENCY_QUERIES]]
    p50, p95 = percentiles(timings).values()
    if keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    built = f"index build {seconds:.0f} s" if seconds is not None else f"index kept in {folder}"
    print(f"| search end to end at {count} passages (k = 10) | p50 {p50} ms, p95 {p95} ms | {built} |",
          flush=True)
    return {"passages": count, "build_seconds": seconds, "p50": p50, "p95": p95}


def _write_million(store, folder: Path, count: int) -> None:
    """`count` synthetic passages written through the store writer into `folder`, 50 a briefing:
    each a real paragraph of `store` (its text, BM25 tokens and signature) with a
    vector scattered around the paragraph's own, titled after its synthetic briefing."""
    from dataclasses import replace

    from qa.index.stores import DocumentRecord, NewPassages, open_store

    passages = store.passages(store.passage_ids())
    contexts = [p.context for p in passages]
    windows, tokens = store.vectors_by_context(contexts), store.tokens_by_context(contexts)
    signatures = store.signatures_by_text([p.text for p in passages])
    picks = np.random.default_rng(1).integers(0, len(passages), count)
    vectors = synthetic_vectors(np.stack([windows[c][0] for c in contexts]), count, picks=picks)
    info = store.info()
    with open_store(folder).writer(info.model, info.dimension) as writer:
        for start in range(0, count, 50):
            chosen = [passages[i] for i in picks[start:start + 50].tolist()]
            source = f"synthetic/{start // 50:06d}.txt"
            # Titled after their own briefing: a copy to another store, which reuses vectors by
            # (title, heading, text), then carries each copy's own vector.
            new = [replace(p, source=source, title=source, paragraph=j + 1) for j, p in enumerate(chosen)]
            writer.add_document(
                DocumentRecord(source=source, title=source, digest=source,
                               paragraphs=tuple(p.digest for p in new)),
                NewPassages(new, vectors[start:start + len(new)], np.arange(len(new)),
                            [tokens[p.context] for p in chosen],
                            np.stack([signatures[p.text] for p in chosen])))
        writer.publish()


def bench_query_encoding(questions: list[str]) -> dict:
    """The question-embedding part of every retrieve(), one question at a time."""
    encoder = get_encoder()
    timings = []
    for question in questions[:LATENCY_QUERIES]:
        _, seconds = _timed(encoder.encode_questions, [question])
        timings.append(seconds * 1000)
    p50, p95 = percentiles(timings).values()
    print(f"| question embedding | p50 {p50} ms | p95 {p95} ms |", flush=True)
    return {"p50": p50, "p95": p95}


def bench_incremental(corpus_dir: Path, index_dir: Path, briefing: Path) -> dict:
    """(e) seconds to add one briefing to a built index (model already loaded and run once), then
    to remove it."""
    from qa.index.build import build_index

    build_index(corpus_dir, index_dir, progress=False)
    get_encoder().encode(["warm-up: the first call pays for setting up the model's threads"])
    target = corpus_dir / f"zz-bench-{briefing.name}"
    shutil.copy(briefing, target)
    try:
        added = build_index(corpus_dir, index_dir, progress=False)
    finally:
        target.unlink()
    removed = build_index(corpus_dir, index_dir, progress=False)
    print(f"| add one briefing to {added.unchanged} paragraphs | {added.seconds:.2f} s "
          f"({added.added} added) | remove it again {removed.seconds:.2f} s |")
    return {"add_seconds": added.seconds, "remove_seconds": removed.seconds, "paragraphs": added.unchanged}


def bench_cold_start(index_dir: Path, question: str) -> dict:
    """(f) seconds from process start to the printed answer of `python -m qa ask`."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qa", "ask", question, "--index", str(index_dir)],
                   check=True, capture_output=True)
    seconds = time.perf_counter() - started
    print(f"| cold start: `python -m qa ask` to first answer | {seconds:.1f} s |")
    return {"seconds": seconds}


def run(part: str, data: Path, out: Path | None, sample_corpus: Path, cache: Path,
        keep: Path | None = None, passages: int = 1_000_000) -> None:
    results = {"machine": _machine()}
    print(f"machine: {results['machine']}")
    questions = list(load_beir(data, "rtqa-").queries.values()) if "realtimeqa" in data.name else []
    if part in ("encode", "all"):
        results["encode"] = bench_encode(data, "rtqa-", None)
    if part in ("tutorial", "all"):
        results["tutorial"] = bench_tutorial(data, "rtqa-")
    if part in ("onnx", "all"):
        results["onnx"] = bench_onnx(data, "rtqa-", questions)
    if part in ("latency", "incremental", "ann", "million", "all"):
        full = _cached_index(cache, data, "")
        if part in ("latency", "all"):
            small = _small_index(cache, data)
            results["latency"] = [bench_latency(small, questions, "1k"),
                                  bench_latency(full / "index", questions, "48k")]
        if part in ("incremental", "all"):
            briefing = next(sample_corpus.glob("*.txt"))
            results["incremental"] = bench_incremental(full / "corpus", full / "index", briefing)
        if part in ("ann", "million", "all"):
            from qa.api import searcher_for

            store = searcher_for(full / "index").store  # loaded once for both parts
        if part in ("ann", "all"):
            passages = store.passages(store.passage_ids())
            windows = store.vectors_by_context([passage.context for passage in passages])
            seeds = np.concatenate(list(windows.values()))
            results["ann"] = bench_ann(seeds, questions, 1_000_000)
            results["query_encoding"] = bench_query_encoding(questions)
        if part in ("million", "all"):
            results["million"] = bench_million(store, full / "index", questions, passages, keep)
    if part in ("coldstart", "all"):
        results["cold_start"] = bench_cold_start(Path("index"), "Which countries committed troops?")
    if out:
        out.write_text(json.dumps(results, indent=1, default=str))


def _cached_index(cache: Path, data: Path, id_prefix: str) -> Path:
    """The eval cache folder of the set, brought up to date through build_index."""
    work = set_folder(cache, set_name(data, id_prefix))
    _build_set(load_beir(data, id_prefix, limit=0), work, progress=sys.stderr.isatty())
    return work


def _small_index(cache: Path, data: Path) -> Path:
    beir = load_beir(data, "rtqa-")
    work = cache / "bench-1k"
    _build_set(BeirSet(dict(list(beir.corpus.items())[:1000]), {}, {}), work)
    return work / "index"


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import faiss
    import sentence_transformers
    import torch

    return (f"{os.cpu_count()} cores, {cpu}; Python {sys.version.split()[0]}, torch {torch.__version__}, "
            f"sentence-transformers {sentence_transformers.__version__}, faiss {faiss.__version__}")


PARTS = ("all", "encode", "onnx", "tutorial", "latency", "incremental", "ann", "million", "coldstart")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m qa bench speed", description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", default="all", choices=PARTS)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "bench" / "realtimeqa-news"))
    parser.add_argument("--cache", default=".cache/eval")
    parser.add_argument("--corpus", default=str(ROOT / "corpus"), help="where the briefing to add is taken from")
    parser.add_argument("--out", default=None, help="also write the results as JSON here")
    parser.add_argument("--keep", default=None, help="million: write its index here and keep it; "
                        "an index already there is only searched")
    parser.add_argument("--passages", type=int, default=1_000_000,
                        help="million: how many synthetic passages to write")
    args = parser.parse_args(argv)
    run(args.part, Path(args.data), Path(args.out) if args.out else None, Path(args.corpus), Path(args.cache),
        Path(args.keep) if args.keep else None, args.passages)
    return 0


if __name__ == "__main__":
    sys.exit(main())

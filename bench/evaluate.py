"""Retrieval quality on a BEIR-layout evaluation set, through the same build and retrieve code path.

The set's corpus is written as briefing files (one Markdown file a document: `# title`, then one
block a paragraph) into a cache folder, indexed with `build_index` (so a second run re-embeds
nothing), and every query goes through `retrieve`. A returned passage counts as the rows it
shows: its own, then those of the near-duplicates collapsed into it (listed as "also in"), in
that order. Metrics come from ir-measures.
"""

from __future__ import annotations

import json
import re
import resource
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qa.api import retrieve, searcher_for
from qa.index.build import build_index
from qa.index.encoder import model_name

METRICS = ("nDCG@10", "R@1", "R@5", "R@10", "R@100", "RR@10")
RANKING_DEPTH = 100
LATENCY_K = 10
WARM_UP_QUERIES = 5


@dataclass
class BeirSet:
    """Corpus rows by id, queries by id and relevance labels (query id -> relevant corpus ids)."""

    corpus: dict[str, dict]
    queries: dict[str, str]
    qrels: dict[str, set[str]]


@dataclass
class EvalResult:
    metrics: dict[str, float]
    queries: int
    paragraphs: int
    build_seconds: float
    embedded: int
    latency_ms: dict[str, float]
    peak_memory_mb: float
    mode: str
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def load_beir(data_dir: Path, id_prefix: str = "", limit: int | None = None) -> BeirSet:
    """Read a BEIR-layout folder; keep corpus rows whose id starts with `id_prefix` and the first
    `limit` queries (in file order) that have a relevant row left."""
    corpus = {}
    with open(data_dir / "corpus.jsonl", encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            if row["_id"].startswith(id_prefix):
                corpus[row["_id"]] = row
    qrels: dict[str, set[str]] = defaultdict(set)
    with open(data_dir / "qrels" / "test.tsv", encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            query_id, corpus_id, score = line.rstrip("\n").split("\t")[:3]
            if int(score) > 0 and corpus_id in corpus:
                qrels[query_id].add(corpus_id)
    queries = {}
    with open(data_dir / "queries.jsonl", encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            if row["_id"] in qrels and (limit is None or len(queries) < limit):
                queries[row["_id"]] = row["text"]
    return BeirSet(corpus, queries, {q: qrels[q] for q in queries})


def write_corpus(beir: BeirSet, corpus_dir: Path) -> dict[tuple[str, str], str]:
    """Write the rows as briefing files; returns (source, paragraph text) -> corpus id."""
    documents: dict[str, list[dict]] = defaultdict(list)
    for corpus_id, row in beir.corpus.items():
        documents[corpus_id.split("#")[0]].append(row)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    wanted, by_text = set(), {}
    for document_id, rows in documents.items():
        source = re.sub(r"[^A-Za-z0-9._-]", "_", document_id) + ".md"
        wanted.add(source)
        title = " ".join((rows[0].get("title") or document_id).split())
        blocks = [" ".join(row["text"].split()) for row in rows]
        text = f"# {title}\n\n" + "\n\n".join(blocks) + "\n"
        path = corpus_dir / source
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        for row, block in zip(rows, blocks):
            by_text[(source, block)] = row["_id"]
    for stale in corpus_dir.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    return by_text


def evaluate(data_dir, *, id_prefix: str = "", limit: int | None = None, mode: str = "hybrid",
             cache_dir=".cache/eval", progress: bool = True, rerank: bool = False,
             year: str | None = None) -> EvalResult:
    """Index the set (cached per set, prefix and model) and score every query (of `year` alone,
    when given: realtimeqa question ids start with their date)."""
    data_dir = Path(data_dir)
    beir = of_year(load_beir(data_dir, id_prefix, limit), year)
    return evaluate_set(beir, set_name(data_dir, id_prefix), mode=mode, cache_dir=cache_dir, progress=progress,
                        rerank=rerank)


def of_year(beir: BeirSet, year: str | None) -> BeirSet:
    """The questions of `year` (their ids start with their date, "20240105_3"); all when None."""
    if not year:
        return beir
    kept = {q: text for q, text in beir.queries.items() if q.startswith(year)}
    return BeirSet(beir.corpus, kept, {q: beir.qrels[q] for q in kept})


def set_name(data_dir: Path, id_prefix: str = "") -> str:
    return f"{Path(data_dir).name}-{id_prefix}"


def evaluate_set(beir: BeirSet, name: str, *, mode: str = "hybrid", cache_dir=".cache/eval",
                 progress: bool = True, index=None, rerank: bool = False) -> EvalResult:
    """Score `beir` through build_index and retrieve; its index is kept under `cache_dir`/`name`,
    or at `index` (a folder or URL) when given."""
    work = set_folder(cache_dir, name)
    by_text = write_corpus(beir, work / "corpus")
    index = work / "index" if index is None else index
    report = build_index(work / "corpus", index, progress=progress)
    run, latencies = _run_queries(beir, index, mode, _locator(by_text, index), rerank)
    return EvalResult(
        metrics=score_run(beir.qrels, run), queries=len(beir.queries),
        paragraphs=searcher_for(index).catalog.passage_count,
        build_seconds=report.seconds, embedded=report.embedded, latency_ms=latencies,
        peak_memory_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, mode=mode,
        extra={"rerank": rerank})


def set_folder(cache_dir, name: str) -> Path:
    """Where the corpus files and index of evaluation set `name` are kept, per model."""
    return Path(cache_dir) / re.sub(r"[^A-Za-z0-9]+", "-", f"{name}-{model_name()}").strip("-")


def with_distractors(beir: BeirSet, count: int) -> BeirSet:
    """The set cut to its relevant rows plus the first `count` other rows (by id, so fixed)."""
    relevant = set().union(*beir.qrels.values()) if beir.qrels else set()
    others = sorted(set(beir.corpus) - relevant)[:count]
    keep = relevant | set(others)
    return BeirSet({i: row for i, row in beir.corpus.items() if i in keep}, beir.queries, beir.qrels)


def _locator(by_text: dict[tuple[str, str], str], index_dir: Path):
    """Passage -> the corpus ids it stands for, in the order shown: its own, then those of the
    near-duplicates collapsed into it (`also_in`). A paragraph split into pieces maps to the row
    that contains it."""
    rows_of_source: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (source, text), corpus_id in by_text.items():
        rows_of_source[source].append((text, corpus_id))
    store = searcher_for(index_dir).store
    stored_text = {(p.source, p.paragraph): p.text for p in store.passages(store.passage_ids())}

    def locate_one(source: str, text: str) -> str | None:
        exact = by_text.get((source, text))
        if exact:
            return exact
        return next((corpus_id for row_text, corpus_id in rows_of_source.get(source, [])
                     if text in row_text), None)

    def locate(passage) -> list[str]:
        shown = [(passage.source, passage.text)] + [
            (other.source, stored_text.get((other.source, other.paragraph), "")) for other in passage.also_in]
        return [corpus_id for corpus_id in (locate_one(*pair) for pair in shown) if corpus_id]

    return locate


def _run_queries(beir: BeirSet, index_dir: Path, mode: str, locate, rerank: bool = False):
    """Rankings for every query (corpus id -> score) and the latency of k=LATENCY_K retrievals."""
    texts = list(beir.queries.items())
    for _, text in texts[:WARM_UP_QUERIES]:
        retrieve(text, k=LATENCY_K, index_dir=index_dir, mode=mode, rerank=rerank)
    timings, run = [], {}
    for query_id, text in texts:
        started = time.perf_counter()
        retrieve(text, k=LATENCY_K, index_dir=index_dir, mode=mode, rerank=rerank)
        timings.append((time.perf_counter() - started) * 1000)
        shown = [corpus_id for passage in retrieve(text, k=RANKING_DEPTH, index_dir=index_dir, mode=mode, rerank=rerank)
                 for corpus_id in locate(passage)]
        ranking: dict[str, float] = {}
        for corpus_id in shown:
            ranking.setdefault(corpus_id, float(len(shown) - len(ranking)))
        run[query_id] = ranking
    return run, percentiles(timings)


def percentiles(timings: list[float]) -> dict[str, float]:
    """The median and 95th percentile of `timings` (milliseconds)."""
    if len(timings) < 2:
        return {"p50": timings[0] if timings else 0.0, "p95": timings[0] if timings else 0.0}
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return {"p50": round(cuts[49], 2), "p95": round(cuts[94], 2)}


def score_run(qrels: dict[str, set[str]], run: dict[str, dict[str, float]]) -> dict[str, float]:
    """METRICS of `run` (query id -> {corpus id: score}) against the relevant ids, averaged."""
    try:
        import ir_measures
    except ImportError:
        raise RuntimeError("evaluation needs ir-measures: pip install 'briefing-qa[eval]'") from None

    measures = [ir_measures.parse_measure(name) for name in METRICS]
    judged = {q: {d: 1 for d in docs} for q, docs in qrels.items()}
    aggregate = ir_measures.calc_aggregate(measures, judged, run)
    return {name: round(float(aggregate[measure]), 4) for name, measure in zip(METRICS, measures)}

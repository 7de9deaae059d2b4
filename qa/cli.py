"""The command line: `python -m qa index|ask|eval|bench`. Errors are one line and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from .errors import QAError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    try:
        return args.run(args)
    except (QAError, ValueError, FileNotFoundError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous index is still in place", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m qa", description="Cited answers from briefings.")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser(
        "index", help="build or update the index from the corpus folder",
        description="Read every briefing in the corpus folder (.txt, .md, .html/.htm, .pdf, "
                    ".docx) and bring the index up to date; other files are skipped and listed.")
    index.add_argument("--corpus", default="corpus", help="folder of briefings (default: corpus)")
    _index_option(index)
    index.add_argument("--full", action="store_true", help="rebuild from scratch, re-embedding all")
    _model_options(index)
    index.set_defaults(run=_index)

    ask = commands.add_parser("ask", help="answer a question with cited passages")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, default=5, help="passages to show (default: 5)")
    ask.add_argument("--json", action="store_true",
                     help="print the answer as JSON: short answer, items, confidence, sentences "
                          "and passages")
    ask.add_argument("--since", default=None, metavar="DATE",
                     help="only briefings dated on or after DATE (YYYY-MM-DD, YYYY-MM or YYYY); "
                          "or write after:DATE in the question")
    ask.add_argument("--until", default=None, metavar="DATE",
                     help="only briefings dated on or before DATE; or before:DATE in the question")
    ask.add_argument("--in", dest="sources", action="append", default=None, metavar="WORD",
                     help="only briefings whose file path contains WORD (or matches a glob such "
                          "as '*.pdf'); repeatable; or in:WORD in the question")
    _index_option(ask)
    ask.set_defaults(run=_ask)

    evaluate = commands.add_parser("eval", help="measure retrieval quality on a BEIR-layout set")
    evaluate.add_argument("--data", required=True, help="folder with corpus.jsonl, queries.jsonl, qrels/")
    evaluate.add_argument("--id-prefix", default="", help="keep corpus rows whose id starts so")
    evaluate.add_argument("--limit", type=int, default=None, help="first N queries only")
    evaluate.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "bm25", "rrf"])
    evaluate.add_argument("--cache", default=".cache/eval", help="where set indexes are kept")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--answers", action="store_true",
                          help="measure answers instead (needs queries-meta.jsonl): every --every-th "
                               "question asked with its evidence (--id-prefix rows) and without it "
                               "(the first --other rows of --other-prefix)")
    evaluate.add_argument("--every", type=int, default=10, help="with --answers: question sample step")
    evaluate.add_argument("--other-prefix", default="news-", help="with --answers: rows lacking evidence")
    evaluate.add_argument("--other", type=int, default=5000, help="with --answers: how many such rows")
    evaluate.set_defaults(run=_eval)

    bench = commands.add_parser("bench", help="speed benchmarks (see docs/benchmarks.md)")
    bench.add_argument("part", nargs="?", default="all",
                       choices=["all", "encode", "onnx", "tutorial", "latency", "incremental", "ann",
                                "million", "coldstart", "scale"])
    bench.add_argument("--data", default="../shared/bench/realtimeqa-news")
    bench.add_argument("--cache", default=".cache/eval")
    bench.add_argument("--corpus", default="corpus", help="where the briefing to add is taken from")
    bench.add_argument("--out", default=None, help="also write the results as JSON here")
    bench.add_argument("--sizes", default="25000,250000", help="index sizes for updates (part scale)")
    bench.add_argument("--build-sizes", default="250000", help="corpus sizes for full builds (part scale)")
    bench.set_defaults(run=_bench)
    return parser


def _index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", default="index", help="index folder (default: index)")


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None,
                        help="sentence-transformers model name or folder (default: $QA_MODEL or "
                             "the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: automatic)")


def _index(args) -> int:
    from .build import build_index

    report = build_index(args.corpus, args.index, full=args.full, model=args.model,
                         device=args.device, progress=sys.stderr.isatty())
    for skipped in report.skipped:
        print(f"skipped {skipped.source}: {skipped.reason}")
    print(report.summary())
    return 0


def _ask(args) -> int:
    from .answer import answer
    from .filters import contains

    sources = [contains(word) for word in args.sources] if args.sources else None
    result = answer(args.question, args.k, index_dir=args.index, since=args.since,
                    until=args.until, sources=sources)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(result.to_text())
    return 0


def _eval(args) -> int:
    from .evaluate import evaluate

    if args.answers:
        return _eval_answers(args)

    result = evaluate(args.data, id_prefix=args.id_prefix, limit=args.limit, mode=args.mode,
                      cache_dir=args.cache, progress=sys.stderr.isatty())
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
        return 0
    print(f"{args.data} ({args.mode}): {result.queries} queries, {result.paragraphs} paragraphs")
    print("  " + "  ".join(f"{name} {value:.4f}" for name, value in result.metrics.items()))
    rate = result.embedded / result.build_seconds if result.build_seconds else 0.0
    print(f"  build {result.build_seconds:.1f} s ({result.embedded} embedded, {rate:.0f} paragraphs/s)")
    print(f"  latency p50 {result.latency_ms['p50']:.1f} ms, p95 {result.latency_ms['p95']:.1f} ms; "
          f"peak memory {result.peak_memory_mb:.0f} MB")
    return 0


def _eval_answers(args) -> int:
    from .evaluate_answers import evaluate_answers

    result = evaluate_answers(args.data, evidence_prefix=args.id_prefix or "rtqa-",
                              other_prefix=args.other_prefix, other_count=args.other,
                              every=args.every, cache_dir=args.cache)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    print(f"{args.data} answers, every {args.every}th question:")
    for name, value in result["summary"].items():
        print(f"  {name} {value}")
    for name, cuts in result["latency_ms"].items():
        print(f"  {name} p50 {cuts['p50']:.1f} ms, p95 {cuts['p95']:.1f} ms")
    return 0


def _bench(args) -> int:
    from pathlib import Path

    if args.part == "scale":  # bench/scale.py, outside the package
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from bench.scale import main as scale

        return scale(["--sizes", args.sizes, "--build-sizes", args.build_sizes, "--data", args.data]
                     + (["--out", args.out] if args.out else []))
    from .bench import run

    run(args.part, Path(args.data), Path(args.out) if args.out else None, Path(args.corpus),
        Path(args.cache))
    return 0

"""The command line: `python -m qa index|ask|eval|bench` (`briefing-qa`, installed, adds `serve`:
qa_app.cli).

Errors are one line and a non-zero exit. The corpus and index folders default to ./corpus and
./index of the working directory, or $QA_CORPUS and $QA_INDEX when set (qa.config). Other
programs add commands of their own with `main(argv, commands)`: the web app adds `serve` so that
this library never imports it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.config import default_corpus, default_index
from qa.errors import QAError

# bench/ beside the package: present in a checkout, absent from an installed package.
BENCH_DIR = Path(__file__).resolve().parent.parent / "bench"


@dataclass(frozen=True)
class Command:
    """A command another program adds: its name, help line, and `run(options)`, which gets every
    word after the name and returns the exit status."""

    name: str
    help: str
    description: str
    run: Callable[[list[str]], int]


def main(argv: list[str] | None = None, commands: Sequence[Command] = ()) -> int:
    """Run the command line `argv` (default: sys.argv[1:]) with this library's commands and
    `commands`; returns the exit status."""
    parser = _parser(commands)
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command not in {command.name for command in commands}:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if unknown:  # argparse leaves options that open a REMAINDER ("serve --port 7860") unparsed
        args.options = unknown + args.options
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    try:
        return args.run(args)
    except (QAError, ValueError, FileNotFoundError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous index is still in place", file=sys.stderr)
        return 130


def _parser(extra: Sequence[Command] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing-qa", description="Cited answers from briefings.")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser(
        "index", help="build or update the index from the corpus folder",
        description="Read every briefing in the corpus folder (.txt, .md, .html/.htm, .pdf, "
                    ".docx) and bring the index up to date; other files are skipped and listed.")
    index.add_argument("--corpus", default=default_corpus(),
                       help="folder of briefings (default: $QA_CORPUS or ./corpus)")
    _index_option(index)
    index.add_argument("--full", action="store_true", help="rebuild from scratch, re-embedding all")
    index.add_argument("--only", nargs="+", default=None, metavar="FILE",
                       help="update just these corpus files (added, changed or deleted) without "
                            "listing the corpus: fast on a large archive")
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
    ask.add_argument("--rerank", action=argparse.BooleanOptionalAction, default=None,
                     help="read the best candidates with the learned re-ranker before answering "
                          "(qa.search.rerank; default: on where it measured better)")
    _index_option(ask)
    ask.set_defaults(run=_ask)

    evaluate = commands.add_parser("eval", help="measure retrieval quality on a BEIR-layout set "
                                                "(from a checkout: bench/evaluate.py)")
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
    evaluate.add_argument("--year", help="only questions of this year (realtimeqa ids start with their "
                                         "date; the reader's held-out news questions are 2024's)")
    evaluate.add_argument("--rerank", action=argparse.BooleanOptionalAction, default=None,
                          help="re-rank the best candidates with the learned re-ranker (qa.search.rerank; "
                               "default: as qa.retrieve does)")
    evaluate.add_argument("--other-prefix", default="news-", help="with --answers: rows lacking evidence")
    evaluate.add_argument("--other", type=int, default=5000, help="with --answers: how many such rows")
    evaluate.set_defaults(run=_eval)

    for command in extra:
        added = commands.add_parser(command.name, help=command.help, description=command.description,
                                    add_help=False)
        added.add_argument("options", nargs=argparse.REMAINDER)
        added.set_defaults(run=lambda args, command=command: command.run(args.options))

    bench = commands.add_parser(
        "bench", help="benchmarks from a checkout's bench/ folder (see docs/benchmarks.md)",
        description="Run bench/NAME.py's main with the remaining options (speed, load, no_answer, "
                    "sample_eval, ...); only from a checkout of the repository.")
    bench.add_argument("name", help="a module of bench/, e.g. speed")
    bench.add_argument("options", nargs=argparse.REMAINDER)
    bench.set_defaults(run=_bench)
    return parser


def _index_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", default=default_index(),
                        help="index folder (default: $QA_INDEX or ./index)")


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None,
                        help="sentence-transformers model name or folder (default: $QA_MODEL or "
                             "the bundled all-MiniLM-L6-v2)")
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: automatic)")


def _index(args) -> int:
    from qa.index.build import build_index

    report = build_index(args.corpus, args.index, full=args.full, model=args.model,
                         device=args.device, progress=sys.stderr.isatty(), only=args.only)
    for skipped in report.skipped:
        print(f"skipped {skipped.source}: {skipped.reason}")
    print(report.summary())
    return 0


def _ask(args) -> int:
    from qa.answers.answer import answer
    from qa.index.encoder import QUICK_SWITCH
    from qa.search.filters import contains

    # One question: loading the model's ONNX Runtime copy (~0.5 s; ~6 s to export it the first
    # time) would cost more than it saves.
    os.environ.setdefault(QUICK_SWITCH, "0")
    sources = [contains(word) for word in args.sources] if args.sources else None
    result = answer(args.question, args.k, index_dir=args.index, since=args.since,
                    until=args.until, sources=sources, rerank=args.rerank)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(result.to_text())
    return 0


def _eval(args) -> int:
    from qa.api import reranks_by_default

    evaluate = _checkout_module("evaluate").evaluate

    args.rerank = reranks_by_default(args.mode) if args.rerank is None else args.rerank
    if args.answers:
        return _eval_answers(args)

    result = evaluate(args.data, id_prefix=args.id_prefix, limit=args.limit, mode=args.mode,
                      cache_dir=args.cache, progress=sys.stderr.isatty(), rerank=args.rerank, year=args.year)
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
        return 0
    reranked = ", re-ranked" if args.rerank else ""
    print(f"{args.data} ({args.mode}{reranked}): {result.queries} queries, {result.paragraphs} paragraphs")
    print("  " + "  ".join(f"{name} {value:.4f}" for name, value in result.metrics.items()))
    rate = result.embedded / result.build_seconds if result.build_seconds else 0.0
    print(f"  build {result.build_seconds:.1f} s ({result.embedded} embedded, {rate:.0f} paragraphs/s)")
    print(f"  latency p50 {result.latency_ms['p50']:.1f} ms, p95 {result.latency_ms['p95']:.1f} ms; "
          f"peak memory {result.peak_memory_mb:.0f} MB")
    return 0


def _eval_answers(args) -> int:
    evaluate_answers = _checkout_module("evaluate_answers").evaluate_answers

    result = evaluate_answers(args.data, evidence_prefix=args.id_prefix or "rtqa-",
                              other_prefix=args.other_prefix, other_count=args.other,
                              every=args.every, cache_dir=args.cache, year=args.year, rerank=args.rerank)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    print(f"{args.data} answers, every {args.every}th question{' of ' + args.year if args.year else ''}:")
    for name, value in result["summary"].items():
        print(f"  {name} {value}")
    for name, cuts in result["latency_ms"].items():
        print(f"  {name} p50 {cuts['p50']:.1f} ms, p95 {cuts['p95']:.1f} ms")
    return 0


def _bench(args) -> int:
    module = _checkout_module(args.name)
    if not hasattr(module, "main"):
        raise ValueError(f"bench/{args.name}.py is evaluation code, not a benchmark: see python -m qa eval")
    return module.main(args.options) or 0


def _checkout_module(name: str):
    """bench/NAME.py of the checkout this package runs from (evaluation and benchmarks are not
    installed); ValueError naming the choices, or saying a checkout is needed."""
    if not name.isidentifier() or not (BENCH_DIR / f"{name}.py").is_file():
        found = sorted(p.stem for p in BENCH_DIR.glob("*.py") if p.stem != "__init__") if BENCH_DIR.is_dir() else []
        where = f"one of {', '.join(found)}" if found else "run from a checkout of the repository"
        raise ValueError(f"no benchmark {name!r}: benchmarks and evaluation live in the repository's "
                         f"bench/ folder ({where})")
    if str(BENCH_DIR.parent) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR.parent))
    return importlib.import_module(f"bench.{name}")

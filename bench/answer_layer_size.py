"""The answer layer's size and its hand-written patterns, at any git revision.

Counts, over the modules that turn passages into an answer: lines, regular-expression sites (calls
of re.compile / search / match / fullmatch / finditer / findall / sub / split) and alternatives
(the `|` characters in string constants other than docstrings: the branches of patterns and word
lists joined into them).

    python bench/answer_layer_size.py            # the working tree
    python bench/answer_layer_size.py --rev 2195231
"""

from __future__ import annotations

import argparse
import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSWER_LAYER = ("qa/answers/answer.py", "qa/entities.py", "qa/answers/short_answer.py", "qa/sentence_choice.py",
                "qa/sentence_vectors.py", "qa/answers/confidence.py", "qa/answers/countries.py", "qa/answers/typos.py",
                "qa/answers/follow_ups.py", "qa/answers/sentences.py", "qa/answers/spelling.py", "qa/answers/reader/__init__.py",
                "qa/answers/reader/base.py", "qa/answers/reader/learned.py", "qa/answers/reader/spans.py", "qa/answers/reader/windows.py")
RE_CALLS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "split"}


def source(path: str, rev: str | None) -> str | None:
    if rev is None:
        file = ROOT / path
        return file.read_text(encoding="utf-8") if file.exists() else None
    shown = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True)
    return shown.stdout if shown.returncode == 0 else None


def measure(text: str) -> tuple[int, int, int]:
    tree = ast.parse(text)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    sites = sum(1 for node in ast.walk(tree) if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute) and node.func.attr in RE_CALLS
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re")
    alternatives = sum(node.value.count("|") for node in ast.walk(tree)
                       if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings)
    return len(text.splitlines()), sites, alternatives


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", help="a git revision (default: the working tree)")
    args = parser.parse_args()
    totals = [0, 0, 0]
    print("| module | lines | regex sites | alternatives |\n|---|---:|---:|---:|")
    for path in ANSWER_LAYER:
        text = source(path, args.rev)
        if text is None:
            continue
        figures = measure(text)
        totals = [a + b for a, b in zip(totals, figures)]
        print(f"| {path} | {figures[0]} | {figures[1]} | {figures[2]} |")
    print(f"| all | {totals[0]} | {totals[1]} | {totals[2]} |")


if __name__ == "__main__":
    main()

"""Hostile input stays bounded (issues 13 and 29): build memory, page-load time, HTML parsing
time, and the CPU a hostile question costs.

    python bench/hardening.py memory     # peak RSS of a build: sample corpus alone, then plus each bomb
    python bench/hardening.py pageload   # the page's load event (index panel + picker), with and without a bomb
    python bench/hardening.py html       # reading an HTML page at 1x and 10x size
    python bench/hardening.py questions  # CPU seconds of hostile questions, history and filters
    python bench/hardening.py exports    # what 30 exports of a 50-turn conversation leave on disk

Each build runs in a fresh process with the bundled model, so its peak RSS is its own. The bombs
are made here: the 327-byte YAML alias bomb, a 1 MB .docx whose word/document.xml inflates to 1 GB,
and HTML pages of 168 KB and 1.7 MB (the markup that made parsing superlinear).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus"
ALIAS_BOMB = "---\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdef", "bcdefg")) + "title: *g\n---\n\n# Harbour\n\nThe harbour reopened at six, the port said\n"


def write_alias_bomb(folder: Path) -> Path:
    path = folder / "bomb.md"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    return path


def write_docx_bomb(folder: Path, unpacked: int = 1 << 30) -> Path:
    """A valid .docx whose word/document.xml inflates to `unpacked` bytes."""
    import docx

    template_path = folder / "template.docx.tmp"
    document = docx.Document()
    document.add_paragraph("The harbour reopened on Monday.")
    document.save(str(template_path))
    template = zipfile.ZipFile(template_path)
    path = folder / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for member in template.infolist():
            if member.filename != "word/document.xml":
                bomb.writestr(member, template.read(member))
        head, tail = template.read("word/document.xml").split(b"<w:body>")
        with bomb.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(head + b"<w:body><w:p><w:r><w:t>")
            chunk = b"a" * (1 << 20)
            for _ in range(unpacked >> 20):
                out.write(chunk)
            out.write(b"</w:t></w:r></w:p>" + tail)
    template_path.unlink()
    return path


def html_page(rows: int) -> str:
    """Many small blocks with links: the markup whose parsing grew faster than its size."""
    blocks = "".join(
        f"<div class='c{i % 7}'><span>the ministers met on Tuesday to discuss grain corridors and "
        f"the harbour budget {i}</span> <a href='/a{i}'>more</a><div><small>{i}</small></div></div>\n"
        for i in range(rows))
    nav = "".join(f"<a href='/n{i}'>nav {i}</a>" for i in range(50))
    return (f"<html><head><title>Talks</title></head><body><nav>{nav}</nav><div id=main>{blocks}"
            "</div><footer>f</footer></body></html>")


BOMBS = {"alias bomb (327 B .md)": write_alias_bomb, "docx bomb (1 MB -> 1 GB)": write_docx_bomb}

_BUILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
import qa
started = time.perf_counter()
report = qa.build_index({corpus!r}, {index!r}, progress=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.perf_counter() - started,
      report.documents, len(report.skipped))
"""


def build_peak(corpus: Path, index: Path) -> dict:
    """Peak RSS (MB) and seconds of a full build of `corpus`, in a fresh process."""
    code = _BUILD.format(root=str(ROOT), corpus=str(corpus), index=str(index))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    peak_kb, seconds, documents, skipped = out.stdout.split()
    return {"peak_mb": int(peak_kb) / 1024, "seconds": float(seconds), "documents": int(documents),
            "skipped": int(skipped)}


def memory(work: Path) -> list[dict]:
    rows = []
    for label, make in [("sample alone", None), *BOMBS.items()]:
        corpus = work / f"corpus-{len(rows)}"
        shutil.copytree(SAMPLE, corpus)
        if make:
            make(corpus)
        result = build_peak(corpus, work / f"index-{len(rows)}")
        rows.append({"corpus": label, **result})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def pageload(work: Path, repeats: int = 5) -> list[dict]:
    """Median seconds of the page's load event (app.build_app's refresh: panel + picker)."""
    sys.path.insert(0, str(ROOT))
    from qa_app import index_panel
    import qa

    rows = []
    for label, make in [("sample alone", None), ("docx bomb (1 MB -> 1 GB)", write_docx_bomb),
                        ("alias bomb (327 B .md)", write_alias_bomb)]:
        corpus, index = work / f"page-corpus-{len(rows)}", work / f"page-index-{len(rows)}"
        shutil.copytree(SAMPLE, corpus)
        if make:
            make(corpus)
        qa.build_index(corpus, index, progress=False)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            index_panel.describe_index(corpus, index)
            index_panel.briefing_choices(index)
            times.append(time.perf_counter() - started)
        rows.append({"corpus": label, "median_s": statistics.median(times)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def html(work: Path, repeats: int = 3) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from qa.ingest.documents import read_document

    rows = []
    for rows_in_page in (1_000, 10_000):
        path = work / f"page-{rows_in_page}.html"
        path.write_text(html_page(rows_in_page), encoding="utf-8")
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            document = read_document(path, path.name)
            times.append(time.perf_counter() - started)
        rows.append({"kb": path.stat().st_size // 1024, "paragraphs": len(document.paragraphs),
                     "median_s": statistics.median(times)})
        print(json.dumps(rows[-1]), flush=True)
    print(f"10x size: {rows[1]['median_s'] / rows[0]['median_s']:.1f}x the time")
    return rows


def hostile_questions() -> dict:
    """(question, history) of each hostile question, by label."""
    return {
        "100 KB one-word question": ("Who " + "a" * 100_000, None),
        "three 50 KB words in the history": ("What did he say?", [f"Who is {letter * 50_000}?" for letter in "bcd"]),
        "5,000 in: filters": ("Who reopened the port? " + " ".join(f"in:note-{n:04d}" for n in range(5000)), None),
    }


def questions(work: Path) -> list[dict]:
    """CPU seconds (this process, all its threads) each hostile question costs, answered or
    refused, over the sample briefing indexed with the bundled model."""
    sys.path.insert(0, str(ROOT))
    import qa

    shutil.copytree(SAMPLE, work / "corpus")
    qa.build_index(work / "corpus", work / "index", progress=False)
    qa.answer("warm-up question", index_dir=work / "index")
    rows = []
    for label, (question, history) in hostile_questions().items():
        started = time.process_time()
        try:
            result = "answered" if qa.answer(question, 5, history, index_dir=work / "index") else ""
        except ValueError as error:
            result = f"refused: {error}"
        rows.append({"attack": label, "cpu_s": round(time.process_time() - started, 2), "result": result[:80]})
        print(json.dumps(rows[-1]), flush=True)
    for patterns in (5000, 100):
        rows.append(filter_matching(patterns))
        print(json.dumps(rows[-1]), flush=True)
    rows.append(pattern_memory())
    print(json.dumps(rows[-1]), flush=True)
    return rows


def filter_matching(patterns: int, briefings: int = 1025) -> dict:
    """CPU seconds of `patterns` in: filters over `briefings` file names (what a search's filter
    costs before ranking)."""
    from qa.search.filters import Filters, contains

    names = [f"2025/briefing-{n:04d}.txt" for n in range(briefings)]
    started = time.process_time()
    try:
        filters = Filters.of(sources=[contains(f"note-{n:04d}") for n in range(patterns)])
        outcome = f"{sum(filters.allows_source(name) for name in names)} allowed"
    except ValueError as error:
        outcome = f"refused: {error}"
    return {"attack": f"{patterns:,} in: filters x {briefings:,} briefings",
            "cpu_s": round(time.process_time() - started, 2), "result": outcome[:80]}


def pattern_memory(patterns: int = 600, chars: int = 50_000) -> dict:
    """How much the process grows (peak RSS, MB) after matching `patterns` distinct in: patterns
    of `chars` characters each."""
    from qa.search.filters import Filters, contains

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for n in range(patterns):
        try:
            Filters.of(sources=[contains(f"{n:04d}" + "x" * chars)]).allows_source("2025/briefing.txt")
        except ValueError:
            pass
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return {"attack": f"{patterns} distinct {chars // 1000} KB in: patterns", "grown_mb": round(grown, 1)}


def exports(work: Path, count: int = 30) -> list[dict]:
    """Folders and MB that `count` exports of a 50-turn conversation leave in the temporary folder."""
    sys.path.insert(0, str(ROOT))
    from qa_app import app

    passage = {"source": "wire/2025-03-12-talks.txt", "title": "Talks", "paragraph": 3, "text": "x" * 2000,
               "citation": "Talks, ¶3"}
    turn = {"question": "Who met?", "answer": {"found": True, "short": "the envoys", "confidence": 0.8,
                                               "answer": [{"text": "The envoys met. " * 50, "passage": 1}],
                                               "passages": [passage] * 5}}
    tempfile.tempdir = str(work)
    try:
        for _ in range(count):
            app.export([turn] * 50)
    finally:
        tempfile.tempdir = None
    files = [path for path in work.rglob("*") if path.is_file()]
    row = {"attack": f"{count} exports of a 50-turn conversation", "files_left": len(files),
           "mb_left": round(sum(path.stat().st_size for path in files) / 2**20, 1)}
    print(json.dumps(row), flush=True)
    return [row]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["memory", "pageload", "html", "questions", "exports"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        parts = {"memory": memory, "pageload": pageload, "html": html, "questions": questions, "exports": exports}
        parts[args.part](Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The command line, run as a user runs it: `python -m qa ...` in a subprocess."""

import json
import subprocess
import sys

import pytest

from qa.answers.confidence import DECLINE_BELOW

from conftest import ROOT, write_corpus, TINY


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "qa", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_index_then_ask(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    index = tmp_path / "index"
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    built = run_cli("index", "--corpus", corpus, "--index", index)
    assert built.returncode == 0, built.stderr
    assert "4 added, 0 updated, 0 removed, 0 unchanged" in built.stdout
    again = run_cli("index", "--corpus", corpus, "--index", index)
    assert "0 added, 0 updated, 0 removed, 4 unchanged" in again.stdout
    (corpus / "gamma.txt").write_text("Gamma\n\nComets were seen over Malta.", encoding="utf-8")
    named = run_cli("index", "--corpus", corpus, "--index", index, "--only", corpus / "gamma.txt")
    assert "1 added, 0 updated, 0 removed, 4 unchanged" in named.stdout, named.stderr
    outside = run_cli("index", "--corpus", corpus, "--index", index, "--only", tmp_path / "x.txt")
    assert outside.returncode == 1 and "Traceback" not in outside.stderr
    assert "is not in the corpus folder" in outside.stderr

    asked = run_cli("ask", "How good was the tuna catch?", "-k", "2", "--index", index)
    assert asked.returncode == 0, asked.stderr
    assert "[1] Alpha Briefing, ¶2 (alpha.txt)" in asked.stdout
    assert "best in ten years" in asked.stdout

    as_json = run_cli("ask", "How much did the council approve for schools?", "-k", "1", "--json", "--index", index)
    answer = json.loads(as_json.stdout)
    assert answer["found"] and answer["short"] == "12 million euros" and answer["items"] == []
    assert answer["answer"] == [{"text": "The council approved a budget of 12 million euros for schools.",
                                 "passage": 1}]
    assert DECLINE_BELOW <= answer["confidence"] <= 1
    [passage] = answer["passages"]
    assert set(passage) == {"source", "title", "paragraph", "text", "score", "citation", "date",
                            "publisher", "source_url", "page", "also_in"}
    assert passage["source"] == "beta.md" and passage["paragraph"] == 1
    # One-shot commands never make the model's ONNX copy for questions (qa.index.encoder.QUICK_SWITCH).
    assert not (tmp_path / "cache").exists()


def test_errors_are_one_line_without_traceback(tmp_path):
    missing = run_cli("ask", "anything", "--index", tmp_path / "none")
    assert missing.returncode == 1
    assert "python -m qa index" in missing.stderr and "Traceback" not in missing.stderr
    no_corpus = run_cli("index", "--corpus", tmp_path / "nothing", "--index", tmp_path / "i")
    assert no_corpus.returncode == 1 and "Traceback" not in no_corpus.stderr
    assert "does not exist" in no_corpus.stderr


def test_skipped_files_are_reported(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    (corpus / "broken.txt").write_bytes(b"\x00\xff\x00binary" * 100)
    built = run_cli("index", "--corpus", corpus, "--index", tmp_path / "index")
    assert built.returncode == 0
    assert "skipped broken.txt: binary content" in built.stdout


def test_serve_passes_its_options_to_the_app(monkeypatch):
    from qa_app import app, cli

    seen = []
    monkeypatch.setattr(app, "main", lambda options: seen.append(options) or 0)
    assert cli.main(["serve", "--port", "7861", "--corpus", "briefings"]) == 0
    assert cli.main(["serve"]) == 0
    assert seen == [["--port", "7861", "--corpus", "briefings"], []]
    with pytest.raises(SystemExit):
        cli.main(["ask", "Which countries committed troops?", "--port", "7861"])

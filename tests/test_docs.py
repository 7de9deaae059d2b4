"""The documentation names only what exists: the README's and docs/' API names, command-line
options, environment variables and constants are checked against the code."""

import argparse
import importlib
import re
from pathlib import Path

import pytest

from qa_app import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "training" / "README.md"]
# Pages that record history (figures and names of code since replaced) rather than describe it.
HISTORY = {"decisions.md"}
CURRENT = [page for page in DOCS if page.name not in HISTORY]
SOURCES = [*ROOT.glob("qa/**/*.py"), *ROOT.glob("qa_app/*.py"), ROOT / "app.py", *ROOT.glob("training/*.py"),
           *ROOT.glob("bench/*.py"), *ROOT.glob("scripts/*"), ROOT / "Makefile"]
COMMAND = re.compile(r"(?:python -m qa|briefing-qa) (index|ask|eval|serve)\b([^`\n|#]*)")
APP = re.compile(r"python app\.py\b([^`\n|#]*)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def text_of(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def source_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in SOURCES if path.is_file())


def options_of(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.cli._parser([cli.SERVE])
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(commands.choices)


def app_options() -> set[str]:
    from qa_app import startup

    return options_of(startup.parser())


def resolves(dotted: str) -> bool:
    """Whether `dotted` (qa.a.b...) is a module or a name in one: its longest importable prefix,
    then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


@pytest.mark.parametrize("page", CURRENT, ids=lambda p: p.name)
def test_documented_qa_names_exist(page):
    named = set(re.findall(r"`(qa(?:_app)?(?:\.[A-Za-z_][A-Za-z0-9_]*)+)", text_of(page)))
    missing = sorted(name for name in named if not resolves(name))
    assert not missing, f"{page.name} names {missing}, which do not exist"


@pytest.mark.parametrize("page", CURRENT, ids=lambda p: p.name)
def test_documented_paths_exist(page):
    named = set(re.findall(r"`((?:qa|qa_app|bench|training|tests|docs|scripts)/[\w/.-]*)`", text_of(page)))
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert not missing, f"{page.name} names {missing}, which do not exist"


@pytest.mark.parametrize("page", CURRENT, ids=lambda p: p.name)
def test_documented_cli_options_exist(page):
    parsers = subcommands()
    wrong = []
    for command, rest in COMMAND.findall(text_of(page)):
        known = options_of(parsers[command]) | (app_options() if command == "serve" else set())
        wrong += [f"{command} {option}" for option in OPTION.findall(rest) if option not in known]
    assert not wrong, f"{page.name} documents options the CLI does not have: {wrong}"


@pytest.mark.parametrize("page", CURRENT, ids=lambda p: p.name)
def test_documented_app_options_exist(page):
    pytest.importorskip("gradio")
    known = app_options()
    wrong = [option for rest in APP.findall(text_of(page)) for option in OPTION.findall(rest)
             if option not in known]
    assert not wrong, f"{page.name} documents app.py options it does not have: {wrong}"


@pytest.mark.parametrize("page", CURRENT, ids=lambda p: p.name)
def test_documented_constants_and_environment_variables_exist(page):
    named = set(re.findall(r"`((?:QA_|GRADIO_)[A-Z_]+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`", text_of(page)))
    code = source_text()
    missing = sorted(name for name in named if not re.search(rf"\b{name}\b", code))
    assert not missing, f"{page.name} names {missing}, which the code does not have"


def test_the_docs_links_between_pages_resolve():
    broken = []
    for page in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+\.(?:md|png))(?:#[^)]*)?\)", text_of(page)):
            if not target.startswith("http") and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken


def test_the_readme_stays_a_front_door():
    assert len(text_of(ROOT / "README.md").splitlines()) <= 200

"""Managing the corpus folder from the page: removing a briefing, summarising long lists of files,
and example questions drawn from the briefings in use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qa_app.markup import code_label, counted, plain

SHOWN_NAMES = 3
EXAMPLE_COUNT = 4
# Each example is checked by answering it; this many checks at most (about 0.15 s each, once per
# published index).
EXAMPLE_TRIES = 24
# Ways to ask about a briefing by its title, tried in turn until the briefings answer one. A title
# is a headline, not a question, so which form an extractive reader can answer depends on it.
QUESTION_FORMS = ("What happened with {title}?", "When did {title} happen?",
                  "Who is involved in {title}?", "Where did {title} happen?")
# A title longer than this makes an example question too long to read at a glance.
EXAMPLE_TITLE_CHARS = 90


def briefing_path(corpus_dir, source: str) -> Path:
    """The file of briefing `source` (a path relative to `corpus_dir`); ValueError when it is not
    a file inside the corpus folder."""
    root = Path(corpus_dir).resolve()
    path = (root / source).resolve()
    if not source or root not in path.parents or not path.is_file():
        raise ValueError(f"{source!r} is not a briefing in the corpus folder")
    return path


def remove_briefing(corpus_dir, source: str) -> Path:
    """Delete briefing `source` from the corpus folder (the caller rebuilds the index); its path,
    as the corpus listing names it (a link is deleted, not the file it points to)."""
    briefing_path(corpus_dir, source)
    path = Path(corpus_dir) / source
    path.unlink()
    return path


def removal_prompt(source: str) -> str:
    """The Markdown asking to confirm that briefing `source` be removed."""
    return f"Remove {code_label(source)} from the corpus folder and the index? The file is deleted."


def summarise(names: list[str], label: str, shown: int = SHOWN_NAMES) -> str:
    """"55 new files: a, b, c ... and 52 more" (all names when there are few); '' for none."""
    if not names:
        return ""
    count = counted(len(names), f"{label} file")
    if len(names) <= shown + 1:
        return f"{count}: {', '.join(names)}"
    return f"{count}: {', '.join(names[:shown])} ... and {len(names) - shown} more"


def example_questions(titles: list[str], answered: Callable[[str], bool],
                      count: int = EXAMPLE_COUNT, tries: int = EXAMPLE_TRIES) -> list[str]:
    """At most `count` questions, one per distinct title (pass the newest first), each the first
    of QUESTION_FORMS that `answered` says the briefings answer. `answered` is called at most
    `tries` times, so a corpus whose questions are all declined gets no examples, quickly."""
    questions = []
    for title in _distinct(titles):
        for form in QUESTION_FORMS:
            if len(questions) == count or tries == 0:
                return questions
            tries -= 1
            if answered(form.format(title=title)):
                questions.append(form.format(title=title))
                break
    return questions


def _distinct(titles: list[str]) -> list[str]:
    """The titles as plain text without end punctuation, each once (case aside), none empty or
    too long to read at a glance, in the order given."""
    shown, seen = [], set()
    for title in titles:
        title = plain(title).strip().rstrip(" .?!…")
        if title and title.casefold() not in seen and len(title) <= EXAMPLE_TITLE_CHARS:
            seen.add(title.casefold())
            shown.append(title)
    return shown

"""Managing the corpus folder from the page: removing a briefing, summarising long lists of files,
and example questions drawn from the briefings in use."""

from __future__ import annotations

from pathlib import Path

from .markup import code_label, plain

SHOWN_NAMES = 3
EXAMPLE_COUNT = 4
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
    count = f"{len(names)} {label} file{'s' if len(names) != 1 else ''}"
    if len(names) <= shown + 1:
        return f"{count}: {', '.join(names)}"
    return f"{count}: {', '.join(names[:shown])} ... and {len(names) - shown} more"


def example_questions(titles: list[str], count: int = EXAMPLE_COUNT) -> list[str]:
    """Questions about the first `count` distinct titles (pass the newest first)."""
    questions, seen = [], set()
    for title in titles:
        title = plain(title).rstrip(".?!")
        if not title or title.casefold() in seen or len(title) > EXAMPLE_TITLE_CHARS:
            continue
        seen.add(title.casefold())
        questions.append(f"What do the briefings say about {title}?")
        if len(questions) == count:
            break
    return questions

"""What the Index tab does, without Gradio: describing the index, rebuilding it, adding and
removing briefings, and the example questions and briefing choices that follow a rebuild."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import qa
from qa.api import searcher_for
from qa.errors import BuildCancelled
from qa.index.cancellation import Cancellation
from qa.index.status import index_status, indexed_briefings
from qa.ingest.uploads import MAX_UPLOAD_BYTES, UploadRejected, safe_name, same_content, save_upload
from qa_app.corpus import example_questions, remove_briefing, summarise
from qa_app.markup import code_label, counted, escape_label, escape_markdown, one_line

log = logging.getLogger("qa.app")
# Example questions by index location: (index version, examples).
_examples: dict[str, tuple[str, list[list[str]]]] = {}
_examples_lock = threading.Lock()


def describe_index(corpus_dir: Path, index_dir: Path) -> str:
    """Markdown for the index panel: what the index holds and what changed since (long lists
    summarised)."""
    try:
        status = index_status(corpus_dir, index_dir)
    except qa.QAError as error:
        return f"⚠️ {escape_label(str(error))}\n\nUse **Rebuild index** below."
    lines = [f"{counted(status.briefings, 'briefing', f'**{status.briefings}**')}, "
             f"{counted(status.paragraphs, 'paragraph', f'**{status.paragraphs}**')}"]
    if status.dates:
        undated = f" ({status.undated} undated)" if status.undated else ""
        lines.append(f"Dated {status.dates[0]} to {status.dates[1]}{undated}")
    lines += [f"Model: {code_label(status.model)}", f"Built: {escape_label(readable_time(status.built_at))}"]
    if status.stale:
        for label, names in (("new", status.new), ("changed", status.changed), ("removed", status.removed)):
            if names:
                lines.append(escape_label(summarise(names, label)))
        lines.append("The corpus changed since the build: **Rebuild index** to include it.")
    else:
        lines.append("Up to date with the corpus folder.")
    if status.skipped:
        lines.append("Skipped " + escape_label(summarise(status.skipped, "unreadable")))
    return "\n\n".join(lines)


def readable_time(iso: str) -> str:
    """"2026-11-27T15:31:45+00:00" as "2026-11-27 15:31 UTC"; any other text as it is."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if moment.tzinfo is not None else "")


class RunningBuild:
    """The page's build in progress, if any (the page runs one at a time), so that the Cancel
    button can stop it (qa.index.cancellation)."""

    def __init__(self):
        self._current: Cancellation | None = None
        self._lock = threading.Lock()

    @contextmanager
    def running(self) -> Iterator[Cancellation]:
        """The Cancellation of a build run within the block."""
        cancellation = Cancellation()
        with self._lock:
            self._current = cancellation
        try:
            yield cancellation
        finally:
            with self._lock:
                if self._current is cancellation:
                    self._current = None

    def cancel(self) -> str:
        """Stop the build in progress; what happened, as Markdown."""
        with self._lock:
            current = self._current
        if current is None:
            return "No build is running."
        current.cancel()
        return "Cancelling the build: the index stays as it was."


def rebuild(corpus_dir: Path, index_dir: Path, progress=None, only=None,
            running: RunningBuild | None = None) -> str:
    """Bring the index up to date, reporting progress (files read, paragraphs embedded); with
    `only` (the files an upload or a removal touched), for those files alone, without listing the
    corpus, so the cost does not grow with it. With `running`, the Cancel button can stop it."""
    return _rebuilt(corpus_dir, index_dir, progress, only, running)[0]


def _rebuilt(corpus_dir: Path, index_dir: Path, progress, only, running) -> tuple[str, bool]:
    """(what the build did, as Markdown; whether it was cancelled)."""
    try:
        report = _build(corpus_dir, index_dir, progress, only, running)
    except BuildCancelled as cancelled:
        return f"⚠️ {escape_label(str(cancelled))}", True
    except qa.QAError as error:
        return f"⚠️ {escape_label(str(error))}", False
    except Exception as error:  # the page must say something, and not the server's paths
        log.exception("rebuild failed")
        return (f"⚠️ The index could not be rebuilt ({escape_label(type(error).__name__)}); "
                "the server's log has the details. The previous index is still in use."), False
    skipped = [f"{s.source}: {s.reason}" for s in report.skipped]
    return escape_markdown(report.summary()) + (
        "\n\n" + escape_label(summarise(skipped, "skipped")) if skipped else ""), False


def _build(corpus_dir: Path, index_dir: Path, progress, only, running: RunningBuild | None):
    if progress is not None:
        progress(0, desc="Reading the corpus folder")
    if running is None:
        return qa.build_index(corpus_dir, index_dir, progress=progress is not None, only=only)
    with running.running() as cancellation:
        return qa.build_index(corpus_dir, index_dir, progress=progress is not None, only=only,
                              cancellation=cancellation)


def upload(files, corpus_dir: Path, index_dir: Path, replace: bool = False, progress=None,
           running: RunningBuild | None = None) -> str:
    """Add the uploaded files to the corpus and rebuild; identical content is not added twice. A
    cancelled build takes the files it was adding back out of the corpus (a file that replaced
    another stays, unindexed, and the reply says so)."""
    lines, added, new = [], [], []
    for file in files or []:
        path = Path(file if isinstance(file, str) else file.name)
        existed = (Path(corpus_dir) / safe_name(path.name)).exists()
        line, saved = _add_upload(path, corpus_dir, replace)
        lines.append(line)
        added += [saved] if saved else []
        new += [saved] if saved and not (existed and saved.name == safe_name(path.name)) else []
    if added:
        said, cancelled = _rebuilt(corpus_dir, index_dir, progress, added, running)
        lines.append(said)
        if cancelled:
            lines.append(_taken_back(new, [path for path in added if path not in new]))
    return "\n\n".join(lines) or "No file chosen."


def _taken_back(new: list[Path], kept: list[Path]) -> str:
    """Take the `new` files of a cancelled upload out of the corpus; what happened, as Markdown."""
    for path in new:
        path.unlink(missing_ok=True)
    said = [f"Not added: {', '.join(escape_label(p.name) for p in new)}"] if new else []
    if kept:
        said.append(f"{', '.join(escape_label(p.name) for p in kept)} replaced the earlier file and "
                    "is not indexed: remove it, or use **Rebuild index**")
    return "\n\n".join(said)


def _add_upload(path: Path, corpus_dir: Path, replace: bool) -> tuple[str, Path | None]:
    """(what happened, in Markdown; the file saved in the corpus, if any) for one uploaded file."""
    name = escape_label(path.name)
    try:
        with path.open("rb") as file:
            content = file.read(MAX_UPLOAD_BYTES + 1)  # one byte over is enough for save_upload to refuse
        existing = same_content(corpus_dir, content)
        if existing:
            return f"{name} is already in the corpus as {escape_label(existing)}: not added again", None
        saved = save_upload(corpus_dir, path.name, content, replace=replace)
    except (UploadRejected, OSError) as error:
        return f"⚠️ {escape_markdown(str(error))}", None
    note = "" if saved.name == safe_name(path.name) else (
        f" (a different {escape_label(safe_name(path.name))} exists: tick **Replace** to overwrite it)")
    return f"Added {escape_label(saved.name)}{note}", saved


def remove(source: str | None, corpus_dir: Path, index_dir: Path, progress=None) -> str:
    """Delete briefing `source` from the corpus folder and rebuild the index without it."""
    try:
        removed = remove_briefing(corpus_dir, source or "")
    except (ValueError, OSError) as error:
        return f"⚠️ {escape_markdown(str(error))}"
    return f"Removed {escape_label(source)}\n\n" + rebuild(corpus_dir, index_dir, progress, only=[removed])


def briefing_choices(index_dir: Path) -> list[tuple[str, str]]:
    """(label, path) of the indexed briefings, newest first; none without an index."""
    try:
        return [(one_line(b.label), b.source) for b in indexed_briefings(index_dir)]
    except qa.QAError:
        return []


def examples_for(index_dir: Path) -> list[list[str]]:
    """Example questions about the newest briefings of the index in use, each one the briefings
    answer (not declined); worked out once per published version of the index, since every page
    load asks for them."""
    try:
        version = searcher_for(index_dir).version
        titles = [b.title for b in indexed_briefings(index_dir)]
    except (qa.QAError, ValueError):
        return []
    key = str(index_dir)
    with _examples_lock:
        if key in _examples and _examples[key][0] == version:
            return _examples[key][1]
    examples = [[question] for question in example_questions(titles, lambda q: answered(q, index_dir))]
    with _examples_lock:
        _examples[key] = (version, examples)
    return examples


def answered(question: str, index_dir: Path) -> bool:
    """Whether the briefings in `index_dir` answer `question` (False on any error)."""
    try:
        return qa.answer(question, index_dir=index_dir).found
    except qa.QAError:
        return False

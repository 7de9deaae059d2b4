"""The web chat: a thin Gradio layer over the `qa` library.

    python app.py [--corpus corpus] [--index index] [--host 127.0.0.1] [--port 7860] [--auth user:pw]

On start the index is built or brought up to date from the corpus folder, beside serving when
there is an index to serve meanwhile (a read-only index folder is served as it is when nothing
changed). Corpus text, file names and questions are always
shown as text: every piece of it is escaped before it reaches Markdown (qa_app.markup, the one
escaping path of the page and the export), the user's own messages included, and names and titles
are shown on one line with their line breaks visible.
"""

from __future__ import annotations

import argparse
import errno
import glob
import logging
import os
import re
import socket
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

import qa
from qa.answer import Answer, answer, read_as
from qa.api import searcher_for
from qa.cli import default_corpus, default_index
from qa.errors import IndexBusy
from qa.limits import bounded
from qa.readers import EXTENSIONS
from qa.sentences import highlight
from qa.status import index_status, indexed_briefings
from qa.types import Passage
from qa.uploads import MAX_UPLOAD_BYTES, UploadRejected, safe_name, same_content, save_upload
from qa_app.conversation import capped, cited_passages, export_markdown, restore
from qa_app.corpus import example_questions, removal_prompt, remove_briefing, summarise
from qa_app.exports import save_export
from qa_app.markup import code_label, escape_label, escape_markdown, one_line, unescape_markdown
from qa_app.viewer import cited_number, read_briefing, render_briefing
from qa_app.web_guards import LOOPBACK_NAMES, HostGuard, UploadGuard

log = logging.getLogger("qa.app")
TITLE = "Briefing QA"
TAGLINE = ("Ask questions about your briefings: every answer is taken from them and cites the "
           "paragraph it comes from.")
CONCURRENCY_LIMIT = 4
# The system's fonts: the theme's web font draws some bold capitals from another font offline.
THEME = gr.themes.Default(font=("ui-sans-serif", "system-ui", "sans-serif"),
                          font_mono=("ui-monospace", "Consolas", "monospace"))
ANOTHER_PORT = "choose another with --port N (in a checkout: make run PORT=N)"
LOOPBACK = LOOPBACK_NAMES
# Gradio keeps each upload in its cache; the app has copied it into the corpus within seconds.
UPLOAD_CACHE_CLEANUP = (900, 900)  # every 15 minutes, files older than 15 minutes
# A URL shown as a link: http(s) only, and nothing that could end the link or start markup.
_WEB_URL = re.compile(r"^https?://[^\s<>`\\]+$", re.IGNORECASE)
# Characters of context either side of a source's highlighted sentence in the compact reply.
SNIPPET_CONTEXT = 90


def format_answer(result: Answer) -> str:
    """The chat reply, answer first (after the filters and how typing mistakes were read, when
    there are any): the short answer or list items with their [n] citations (or,
    when no short answer fits, the supporting sentences), the sentences, the calibrated confidence,
    then compact numbered sources (citation and origin, the highlighted sentence with a little
    context, the full paragraph folded away)."""
    lines = [f"_Searched briefings {escape_label(result.filters)}._", ""] if result.filters else []
    if result.corrections:
        lines += [f"_Read {escape_label(read_as(result.corrections))}._", ""]
    if result.found:
        lead = _lead(result)
        sentences = " ".join(f"{escape_markdown(s.text)} **[{s.passage}]**" for s in result.sentences)
        lines += (["**Answer:** " + lead, "", sentences] if lead else ["**Answer:** " + sentences]) + [
            "", f"_{_confidence(result.confidence, 'that this answer is right')}_", "", "**Sources**"]
    elif not result.passages:
        return "\n".join(lines + ["**No briefing matches these filters.** "
                                  "Widen the dates or choose other briefings (a date filter leaves out "
                                  "briefings with no known date)."])
    else:
        lines += ["**No briefing answers this question.** "
                  "The closest matches are shown below; they may not be relevant.", "",
                  f"_{_confidence(result.confidence, 'that the best answer found would be right')}_", "",
                  "**Closest matches**"]
    for number, (passage, spans) in enumerate(zip(result.passages, result.highlights), start=1):
        label = "" if result.found else " · closest match, not an answer"
        lines += ["", f"**[{number}] {escape_label(passage.citation)}** · {_origin(passage)}{label}"]
        lines += _source_text(passage.text, spans)
        if passage.also_in:
            lines += ["", _also_in(passage)]
    return "\n".join(lines)


def _source_text(text: str, spans) -> list[str]:
    """A source's highlighted sentence with a little context, and the whole paragraph folded
    away when the snippet leaves some of it out."""
    start, end, shown = snippet(text, spans)
    quote = highlight(shown, [(a - start, b - start) for a, b in spans if start <= a and b <= end],
                      escape=escape_markdown)
    lines = ["> " + ("…" if start else "") + quote + ("…" if end < len(text) else "")]
    if start or end < len(text):
        lines += ["", "<details><summary>Full paragraph</summary>", "",
                  highlight(text, spans, escape=escape_markdown), "", "</details>"]
    return lines


def snippet(text: str, spans, context: int = SNIPPET_CONTEXT) -> tuple[int, int, str]:
    """(start, end, text[start:end]): the highlighted spans with about `context` characters either
    side, cut at spaces; the paragraph's opening when nothing is highlighted."""
    if spans:
        first, last = min(a for a, _ in spans), max(b for _, b in spans)
    else:
        first, last = 0, min(len(text), context)
    start = 0 if first <= context else text.find(" ", first - context - 1, first) + 1
    end = len(text) if last + context >= len(text) else text.rfind(" ", last, last + context + 1)
    end = len(text) if end < 0 else end
    return start, end, text[start:end]


def _lead(result: Answer) -> str:
    """The short answer in bold with its citation; list items each with theirs, or joined under
    one citation when they all share it. '' when no short answer fits."""
    def cite(numbers) -> str:
        return "".join(f"[{n}]" for n in numbers)

    if result.items and len({item.passages for item in result.items}) > 1:
        return ", ".join(f"**{escape_markdown(item.text)}** {cite(item.passages)}" for item in result.items)
    if result.items:
        return f"**{escape_markdown(result.short or '')}** {cite(result.items[0].passages)}"
    if result.short:
        return f"**{escape_markdown(result.short)}** [{result.sentences[0].passage}]"
    return ""


def _confidence(value: float, meaning: str) -> str:
    """The calibrated confidence as a five-dot bar and a percentage, and what it is the chance of."""
    filled = max(0, min(5, round(value * 5)))
    return f"Confidence {'●' * filled}{'○' * (5 - filled)} {value:.0%} {meaning}"


def _origin(passage: Passage) -> str:
    """Date, publisher, file and (a web link only) URL of a passage's briefing."""
    # Dates are ISO dates the library wrote (digits and dashes), safe as they are.
    parts = [passage.date] if passage.date else []
    parts += [escape_label(passage.publisher)] if passage.publisher else []
    parts.append(code_label(passage.source))
    url = passage.source_url or ""
    if _WEB_URL.match(url):
        parts.append(f"[link](<{url}>)")
    return " · ".join(parts)


def _also_in(passage: Passage) -> str:
    count = len(passage.also_in)
    others = "; ".join(
        escape_label(o.citation) + (f" ({o.date})" if o.date else "") for o in passage.also_in)
    return f"_Also in {count} other briefing{'s' if count > 1 else ''}:_ {others}"


def earlier_questions(history) -> list[str]:
    """The user's earlier questions, as typed: from a list of questions or a Gradio chat history
    (messages, their user messages stored escaped, or pairs)."""
    questions = []
    for turn in history or []:
        if isinstance(turn, str):
            questions.append(turn)
        elif isinstance(turn, dict) and turn.get("role") == "user":
            content = turn.get("content")
            if isinstance(content, list):
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            if isinstance(content, str):
                questions.append(unescape_markdown(content))  # stored escaped: see respond
        elif isinstance(turn, (list, tuple)) and turn and isinstance(turn[0], str):
            questions.append(turn[0])
    return questions


def ask(index_dir: Path, message: str, history, since=None, until=None, briefings=None) -> Answer | str:
    """The Answer to one question within the page's filters, or a message saying why there is
    none; never raises, so the chat keeps serving whatever one question does. `history` holds the
    earlier questions (or a Gradio chat history)."""
    try:
        return answer(message or "", 5, earlier_questions(history), index_dir=index_dir,
                      since=_date_text(since), until=_date_text(until),
                      sources=[glob.escape(source) for source in briefings or [] if isinstance(source, str)])
    except (ValueError, qa.QAError) as error:
        return f"⚠️ {escape_markdown(str(error)) or 'The question could not be answered.'}"
    except Exception as error:  # noqa: BLE001
        log.exception("query failed")
        return f"⚠️ The question could not be answered: {escape_markdown(type(error).__name__)}."


def _date_text(value) -> str | None:
    """A date filter from the page (a date picker's text or a timestamp) as text, or None."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value).date().isoformat()
    text = str(value or "").strip()
    return text.split(" ")[0] or None


def make_chat(index_dir: Path):
    def chat(message: str, since: str = "", until: str = "", briefings: list[str] | None = None) -> str:
        """The reply (Markdown) to `message`. `since` and `until` are dates (YYYY-MM-DD, YYYY-MM or
        YYYY); `briefings` the file paths to search (none: all), any briefing in the index now."""
        result = ask(index_dir, message, [], since, until, briefings)
        return result if isinstance(result, str) else format_answer(result)
    return chat


def respond(index_dir: Path, message, messages, turns, since, until, briefings):
    """The page's ask: (cleared box, messages, turns, the reply's sources to open). The
    conversation keeps its last turns only (qa_app.conversation.capped), the question as far as
    the library reads it (qa.limits)."""
    message = bounded(message) if isinstance(message, str) else message
    earlier = [turn["question"] for turn in turns or []]
    result = ask(index_dir, message, earlier, since, until, briefings)
    reply = result if isinstance(result, str) else format_answer(result)
    messages = list(messages or []) + [{"role": "user", "content": escape_markdown(message or "")},
                                       {"role": "assistant", "content": reply}]
    if not isinstance(result, str):
        turns = list(turns or []) + [{"question": message, "answer": result.to_dict()}]
    messages, turns = capped(messages, list(turns or []))
    return "", messages, turns, source_choices(turns)


def source_choices(turns) -> gr.Radio:
    """The latest turn's sources, to open in the viewer (values: their 0-based positions)."""
    choices = [(label, str(n)) for n, (label, _) in enumerate(cited_passages(turns[-1]))] if turns else []
    return gr.Radio(choices=choices, value=None, visible=bool(choices))


def open_source(corpus_dir: Path, choice: str | None, turns):
    """(viewer Markdown, selected tab) for the latest turn's source at position `choice`."""
    passages = cited_passages(turns[-1]) if turns else []
    if not choice or not choice.isdigit() or int(choice) >= len(passages):
        return gr.update(), gr.update()
    passage = passages[int(choice)][1]
    try:
        document = read_briefing(corpus_dir, passage["source"])
    except ValueError as error:
        return f"⚠️ {escape_markdown(str(error))}", gr.Tabs(selected="viewer")
    cited = cited_number(document, passage["paragraph"], str(passage.get("text") or ""))
    return render_briefing(document, cited), gr.Tabs(selected="viewer")


def export(turns) -> str | None:
    """The conversation as a Markdown file (path), citations as footnotes; None when empty.
    Only the newest few export files are kept (qa_app.exports)."""
    _, turns = restore({"turns": turns})
    if not turns:
        gr.Warning("Nothing to export yet: ask a question first.")
        return None
    stamp = datetime.now()
    text = export_markdown(turns, stamp.strftime("%Y-%m-%d %H:%M"))
    return str(save_export(f"conversation-{stamp:%Y%m%d-%H%M%S}.md", text))


def describe_index(corpus_dir: Path, index_dir: Path) -> str:
    """Markdown for the index panel: what the index holds and what changed since (long lists
    summarised)."""
    try:
        status = index_status(corpus_dir, index_dir)
    except qa.QAError as error:
        return f"⚠️ {escape_label(str(error))}\n\nUse **Rebuild index** below."
    lines = [f"**{status.briefings}** briefings, **{status.paragraphs}** paragraphs"]
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


def rebuild(corpus_dir: Path, index_dir: Path, progress=None, only=None) -> str:
    """Bring the index up to date, reporting progress (files read, paragraphs embedded); with
    `only` (the files an upload or a removal touched), for those files alone, without listing the
    corpus, so the cost does not grow with it."""
    if progress is not None:
        progress(0, desc="Reading the corpus folder")
    try:
        report = qa.build_index(corpus_dir, index_dir, progress=progress is not None, only=only)
    except qa.QAError as error:
        return f"⚠️ {escape_label(str(error))}"
    except Exception as error:  # the page must say something, and not the server's paths
        log.exception("rebuild failed")
        return (f"⚠️ The index could not be rebuilt ({escape_label(type(error).__name__)}); "
                "the server's log has the details. The previous index is still in use.")
    skipped = [f"{s.source}: {s.reason}" for s in report.skipped]
    return escape_markdown(report.summary()) + (
        "\n\n" + escape_label(summarise(skipped, "skipped")) if skipped else "")


def upload(files, corpus_dir: Path, index_dir: Path, replace: bool = False, progress=None) -> str:
    """Add the uploaded files to the corpus and rebuild; identical content is not added twice."""
    lines, added = [], []
    for file in files or []:
        path = Path(file if isinstance(file, str) else file.name)
        line, saved = _add_upload(path, corpus_dir, replace)
        lines.append(line)
        added += [saved] if saved else []
    if added:
        lines.append(rebuild(corpus_dir, index_dir, progress, only=added))
    return "\n\n".join(lines) or "No file chosen."


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
    answer (not declined)."""
    try:
        titles = [b.title for b in indexed_briefings(index_dir)]
    except qa.QAError:
        return []
    return [[question] for question in example_questions(titles, lambda q: answered(q, index_dir))]


def answered(question: str, index_dir: Path) -> bool:
    """Whether the briefings in `index_dir` answer `question` (False on any error)."""
    try:
        return qa.answer(question, index_dir=index_dir).found
    except qa.QAError:
        return False


# After a reply, bring the newest question and the top of its answer into view (a chat would
# otherwise show the end of a long reply).
SHOW_ANSWER_JS = """() => setTimeout(() => {
  const rows = document.querySelectorAll('#chat .user-row');
  const row = rows[rows.length - 1];
  let box = row?.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY))) {
    box = box.parentElement;
  }
  if (box) box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top;
}, 50)"""
SHOW_CITED_JS = """() => setTimeout(() => {
  document.querySelector('#viewer blockquote')?.scrollIntoView({block: 'center'});
}, 100)"""
STORAGE_KEY = "briefing-qa-conversation"


def index_location(index):
    """A `postgresql://...` URL as given (a Path would fold its //), anything else as a folder."""
    return index if "://" in str(index) and not isinstance(index, Path) else Path(index)


def build_app(corpus_dir="corpus", index_dir="index") -> gr.Blocks:
    """The chat page over `index_dir`, managing the briefings of `corpus_dir`."""
    corpus_dir, index_dir = Path(corpus_dir), index_location(index_dir)
    with gr.Blocks(title=TITLE, delete_cache=UPLOAD_CACHE_CLEANUP) as app:
        gr.Markdown(f"# {TITLE}\n{TAGLINE}")
        saved = gr.BrowserState({"messages": [], "turns": []}, storage_key=STORAGE_KEY)
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chat_area = _chat_area(index_dir)
            with gr.Column(scale=2):
                with gr.Tabs() as tabs:
                    with gr.Tab("Briefing", id="viewer"):
                        viewer = gr.Markdown("Choose a source under the chat to read its briefing here.",
                                             elem_id="viewer", max_height=640)
                    with gr.Tab("Index", id="index"):
                        panel = _index_panel(corpus_dir, index_dir)
        _wire_chat(app, chat_area, turns, saved, index_dir)
        _wire_panel(app, panel, chat_area, corpus_dir, index_dir)
        chat_area["sources"].change(lambda choice, kept: open_source(corpus_dir, choice, kept),
                                    [chat_area["sources"], turns], [viewer, tabs], api_visibility="private").then(
            None, js=SHOW_CITED_JS)
        gr.api(make_chat(index_dir), api_name="chat", concurrency_limit=CONCURRENCY_LIMIT)
    app.queue(default_concurrency_limit=CONCURRENCY_LIMIT)
    return app


def _chat_area(index_dir: Path) -> dict:
    """The chat column's components, by name."""
    area = {"chatbot": gr.Chatbot(height=560, sanitize_html=True, latex_delimiters=[], allow_tags=False,
                                  buttons=["copy"], label="Chat", show_label=False, elem_id="chat",
                                  autoscroll=False)}
    with gr.Row():
        area["message"] = gr.Textbox(placeholder="Ask about the briefings…", show_label=False, scale=5,
                                     max_lines=4, submit_btn=True, autofocus=True)
    area["sources"] = gr.Radio([], label="Open a source in the viewer", visible=False)
    area["examples"] = gr.Dataset(components=[area["message"]], samples=examples_for(index_dir),
                                  label="Examples from your briefings", type="values")
    with gr.Accordion("Filters: dates and briefings", open=False):
        with gr.Row():
            area["since"] = gr.DateTime(None, include_time=False, type="string", label="From",
                                        info="Briefings dated on or after (or type after:DATE)")
            area["until"] = gr.DateTime(None, include_time=False, type="string", label="To",
                                        info="Briefings dated on or before (or type before:DATE)")
        area["picker"] = gr.Dropdown(choices=briefing_choices(index_dir), value=[], multiselect=True,
                                     label="Briefings", allow_custom_value=True,
                                     info="Search only these (none chosen: all). Or type in:WORD in a question.")
    with gr.Row():
        area["export"] = gr.Button("Export as Markdown", size="sm")
        area["clear"] = gr.Button("Clear conversation", size="sm")
    area["download"] = gr.File(label="Conversation (Markdown)", visible=False, interactive=False,
                                elem_id="export")
    return area


def _wire_chat(app: gr.Blocks, area: dict, turns: gr.State, saved: gr.BrowserState, index_dir: Path):
    """Asking, keeping the conversation in the browser, restoring it, exporting and clearing it."""
    chatbot, sources = area["chatbot"], area["sources"]

    def keep(messages, kept_turns):
        return {"messages": messages, "turns": kept_turns}

    def restored(stored):
        messages, kept_turns = restore(stored)
        return messages, kept_turns, source_choices(kept_turns)

    asking = dict(fn=lambda *values: respond(index_dir, *values),
                  inputs=[area["message"], chatbot, turns, area["since"], area["until"], area["picker"]],
                  outputs=[area["message"], chatbot, turns, sources], api_visibility="private",
                  concurrency_limit=CONCURRENCY_LIMIT)
    chosen = area["examples"].click(lambda sample: sample[0], area["examples"], area["message"],
                                    api_visibility="private")
    for asked in (area["message"].submit(**asking), chosen.then(**asking)):  # an example is asked at once
        asked.then(None, js=SHOW_ANSWER_JS).then(keep, [chatbot, turns], saved, api_visibility="private")
    area["export"].click(export, turns, area["download"], api_visibility="private").then(
        lambda path: gr.File(visible=bool(path)), area["download"], area["download"],
        api_visibility="private")
    area["clear"].click(lambda: ([], [], source_choices([]), {"messages": [], "turns": []}),
                        outputs=[chatbot, turns, sources, saved], api_visibility="private")
    app.load(restored, saved, [chatbot, turns, sources], api_visibility="private")


def _index_panel(corpus_dir: Path, index_dir: Path) -> dict:
    """The index tab's components, by name: status, rebuild, upload, remove."""
    panel = {"status": gr.Markdown(describe_index(corpus_dir, index_dir)),
             "rebuild": gr.Button("Rebuild index")}
    panel["files"] = gr.File(label=f"Add briefings ({', '.join(EXTENSIONS)})",
                             file_count="multiple", file_types=list(EXTENSIONS))
    panel["replace"] = gr.Checkbox(False, label="Replace a briefing with the same file name")
    with gr.Row():
        panel["remove_choice"] = gr.Dropdown(briefing_choices(index_dir), value=None, label="Briefing",
                                             scale=3)
        panel["remove"] = gr.Button("Remove…", variant="stop", scale=1)
    with gr.Column(visible=False) as confirm_row:
        panel["confirm_text"] = gr.Markdown()
        with gr.Row():
            panel["confirm"] = gr.Button("Yes, remove it", variant="stop")
            panel["cancel"] = gr.Button("Cancel")
    panel["confirm_row"] = confirm_row
    panel["report"] = gr.Markdown()
    return panel


def _wire_panel(app: gr.Blocks, panel: dict, area: dict, corpus_dir: Path, index_dir: Path):
    """Rebuild, upload and remove (each with progress), then refresh every list of briefings."""
    def refresh():
        choices = briefing_choices(index_dir)
        return (describe_index(corpus_dir, index_dir), gr.Dropdown(choices=choices),
                gr.Dropdown(choices=choices, value=None), gr.Dataset(samples=examples_for(index_dir)))

    refreshed = [panel["status"], area["picker"], panel["remove_choice"], area["examples"]]

    def rebuild_now(progress=gr.Progress(track_tqdm=True)):
        return rebuild(corpus_dir, index_dir, progress)

    def upload_now(files, replace, progress=gr.Progress(track_tqdm=True)):
        return upload(files, corpus_dir, index_dir, replace, progress)

    def ask_to_remove(source):
        if not source:
            return gr.update(visible=False), "", "Choose a briefing to remove."
        return gr.update(visible=True), removal_prompt(source), ""

    def remove_now(source, progress=gr.Progress(track_tqdm=True)):
        return gr.update(visible=False), remove(source, corpus_dir, index_dir, progress)

    uploaded = panel["files"].upload(upload_now, [panel["files"], panel["replace"]], panel["report"],
                                     api_name="upload", concurrency_limit=1, concurrency_id="build")
    # The file box keeps what it was given; emptied, it cannot send a removed briefing back later.
    uploaded.then(lambda: None, outputs=panel["files"], api_visibility="private")
    for event in (
        panel["rebuild"].click(rebuild_now, outputs=panel["report"], api_name="rebuild", concurrency_limit=1,
                               concurrency_id="build"),
        uploaded,
        panel["confirm"].click(remove_now, panel["remove_choice"], [panel["confirm_row"], panel["report"]],
                               api_visibility="private", concurrency_limit=1, concurrency_id="build"),
    ):
        event.then(refresh, outputs=refreshed, api_visibility="private")
    panel["remove"].click(ask_to_remove, panel["remove_choice"],
                          [panel["confirm_row"], panel["confirm_text"], panel["report"]],
                          api_visibility="private")
    panel["cancel"].click(lambda: gr.update(visible=False), outputs=panel["confirm_row"],
                          api_visibility="private")
    app.load(refresh, outputs=refreshed, api_visibility="private")


def prepare_index(corpus_dir: Path, index_dir: Path) -> None:
    """Build the index, or bring it up to date, before serving. When another process (an app
    server sharing the index) is building it, serve what it publishes instead; a read-only index
    folder is served as it is when the corpus has not changed since its build (IndexNotWritable
    otherwise)."""
    try:
        report = qa.build_index(corpus_dir, index_dir, progress=sys.stderr.isatty())
    except IndexBusy as busy:
        print(f"not rebuilding: {busy}", file=sys.stderr)
        return
    except qa.IndexNotWritable as error:
        if not error.read_only or not _up_to_date(corpus_dir, index_dir):
            raise
        print(f"warning: {index_dir}/ is read-only; serving it as built, since the corpus has "
              "not changed", file=sys.stderr)
        return
    for skipped in report.skipped:
        print(f"skipped {skipped.source}: {skipped.reason}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)


def start_index(corpus_dir: Path, index_dir: Path) -> threading.Thread | None:
    """Bring the index up to date for serving (`prepare_index`): first, when there is no index
    this model can answer from; else beside serving, so that the page answers from the last
    published index at once while the build runs (one an upload's crash left to do, a large new
    corpus), and keeps answering from it when that build fails (a full disk). Returns the
    build's thread, or None when the build ran here."""
    try:
        searcher_for(index_dir)
    except (qa.QAError, ValueError):
        prepare_index(corpus_dir, index_dir)
        return None
    thread = threading.Thread(target=_prepare_beside_serving, args=(corpus_dir, index_dir),
                              name="qa-start-up-build", daemon=True)
    thread.start()
    return thread


def _prepare_beside_serving(corpus_dir: Path, index_dir: Path) -> None:
    try:
        prepare_index(corpus_dir, index_dir)
    except Exception as error:  # noqa: BLE001 - the last published index is still served
        print(f"warning: the index was not brought up to date ({one_line(str(error)) or type(error).__name__}); "
              "serving the last one built: fix this, then use Rebuild index", file=sys.stderr)


def warm_up(index_dir: Path) -> None:
    """Load the index and the model now (and make the model's quick copy on first use), so the
    first question does not wait for them. A problem with the index or the question is left for
    the first question to report; one loading the model is raised (the chat could not answer)."""
    try:
        qa.retrieve("warm-up", k=1, index_dir=index_dir)
    except (qa.QAError, ValueError):
        pass


def _up_to_date(corpus_dir: Path, index_dir: Path) -> bool:
    try:
        return not index_status(corpus_dir, index_dir).stale
    except qa.QAError:
        return False


def launch_options(host: str, auth=None) -> dict:
    """Keyword arguments for `launch`: the upload size cap and upload types, and on loopback the
    Host names the server answers to (a foreign name, as DNS rebinding sends, is refused)."""
    middleware = [Middleware(UploadGuard, extensions=EXTENSIONS)]
    if host in LOOPBACK:
        middleware.append(Middleware(HostGuard, allowed=LOOPBACK))
    return {"server_name": host, "auth": auth, "max_file_size": MAX_UPLOAD_BYTES,
            "app_kwargs": {"middleware": middleware}, "theme": THEME}


def bind_warning(host: str, has_auth: bool) -> str | None:
    """The warning to print when serving beyond this machine, or None on loopback."""
    if host in LOOPBACK:
        return None
    advice = "" if has_auth else "; anyone who can reach it can read the briefings: use --auth user:password"
    return f"warning: serving on {host}, reachable from other machines{advice}"


def parser() -> argparse.ArgumentParser:
    """The command line of `python app.py` (and `briefing-qa serve`)."""
    parser = argparse.ArgumentParser(prog="briefing-qa serve", description=TAGLINE)
    parser.add_argument("--corpus", default=default_corpus(), help="default: $QA_CORPUS or ./corpus")
    parser.add_argument("--index", default=default_index(), help="default: $QA_INDEX or ./index")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)),
                        help="default: $GRADIO_SERVER_PORT or 7860")
    parser.add_argument("--auth", default=os.environ.get("QA_AUTH"),
                        help="user:password to require a login (or set QA_AUTH)")
    return parser


def _parse_args(argv=None) -> argparse.Namespace:
    return parser().parse_args(argv)


def port_in_use(host: str, port: int) -> str | None:
    """A one-line error when `port` on `host` cannot be served on, else None."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        reason = "is in use" if error.errno == errno.EADDRINUSE else f"cannot be used ({error.strerror})"
        return f"error: port {port} on {host} {reason}: {ANOTHER_PORT}"
    return None


def main(argv=None) -> int:
    args = _parse_args(argv)
    corpus_dir, index_dir = Path(args.corpus), index_location(args.index)
    busy = port_in_use(args.host, args.port)
    if busy:
        print(busy, file=sys.stderr)
        return 1
    try:
        start_index(corpus_dir, index_dir)
        warm_up(index_dir)
    except Exception as error:  # one line, never a traceback: the message says what to do
        print(f"error: {one_line(str(error)) or type(error).__name__}", file=sys.stderr)
        return 1
    if args.auth and ":" not in args.auth:
        print("error: --auth takes user:password", file=sys.stderr)
        return 2
    auth = tuple(args.auth.split(":", 1)) if args.auth else None
    warning = bind_warning(args.host, auth is not None)
    if warning:
        print(warning, file=sys.stderr)
    try:
        build_app(corpus_dir, index_dir).launch(server_port=args.port, **launch_options(args.host, auth))
    except OSError as error:  # the port was taken while the index was being built
        print(f"error: {error}: {ANOTHER_PORT}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

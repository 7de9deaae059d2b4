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

import logging
import sys
from datetime import datetime
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from qa.index.stores import index_location
from qa.limits import bounded
from qa.ingest.formats import EXTENSIONS
from qa.ingest.uploads import MAX_UPLOAD_BYTES
from qa_app.conversation import capped, cited_passages, export_markdown, restore
from qa_app.corpus import removal_prompt
from qa_app.exports import save_export
from qa_app.markup import escape_markdown, one_line
from qa_app.viewer import cited_number, read_briefing, render_briefing
from qa_app.chat import ask, make_chat
from qa_app.index_panel import (RunningBuild, briefing_choices, describe_index, examples_for, rebuild, remove,
                                upload)
from qa_app.replies import format_answer
from qa_app.startup import ANOTHER_PORT, TAGLINE, bind_warning, parser, port_in_use, start_index, warm_up
from qa_app.web_guards import LOOPBACK_NAMES, HostGuard, UploadGuard

log = logging.getLogger("qa.app")
TITLE = "Briefing QA"
CONCURRENCY_LIMIT = 4
# The system's fonts: the theme's web font draws some bold capitals from another font offline.
THEME = gr.themes.Default(font=("ui-sans-serif", "system-ui", "sans-serif"),
                          font_mono=("ui-monospace", "Consolas", "monospace"))
LOOPBACK = LOOPBACK_NAMES
# Gradio keeps each upload in its cache; the app has copied it into the corpus within seconds.
UPLOAD_CACHE_CLEANUP = (900, 900)  # every 15 minutes, files older than 15 minutes
SOURCES_LABEL_QUESTION_CHARS = 80


def source_choices(turns) -> gr.Radio:
    """The latest turn's sources, to open in the viewer (values: their 0-based positions),
    labelled with that turn's question: the chat may show an earlier reply (after a reload)."""
    choices = [(label, str(n)) for n, (label, _) in enumerate(cited_passages(turns[-1]))] if turns else []
    return gr.Radio(choices=choices, value=None, visible=bool(choices), label=sources_label(turns))


def sources_label(turns) -> str:
    """"Open a source of the reply to: <the latest question>" (cut to one short line)."""
    question = one_line(str(turns[-1].get("question") or "")) if turns else ""
    if len(question) > SOURCES_LABEL_QUESTION_CHARS:
        question = question[:SOURCES_LABEL_QUESTION_CHARS - 1] + "…"
    return f"Open a source of the reply to: {question}" if question else "Open a source in the viewer"


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
        return None
    stamp = datetime.now()
    text = export_markdown(turns, stamp.strftime("%Y-%m-%d %H:%M"))
    return str(save_export(f"conversation-{stamp:%Y%m%d-%H%M%S}.md", text))

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


def launch_options(host: str, auth=None) -> dict:
    """Keyword arguments for `launch`: the upload size cap and upload types, and on loopback the
    Host names the server answers to (a foreign name, as DNS rebinding sends, is refused)."""
    middleware = [Middleware(UploadGuard, extensions=EXTENSIONS)]
    if host in LOOPBACK:
        middleware.append(Middleware(HostGuard, allowed=LOOPBACK))
    return {"server_name": host, "auth": auth, "max_file_size": MAX_UPLOAD_BYTES,
            "app_kwargs": {"middleware": middleware}, "theme": THEME}


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
        # Its file is written after each reply, so one click downloads the conversation so far.
        area["export"] = gr.DownloadButton("Export as Markdown", size="sm", visible=False, elem_id="export")
        area["clear"] = gr.Button("Clear conversation", size="sm")
    return area


def export_button(turns) -> gr.DownloadButton:
    """The export button holding the conversation so far, hidden while there is none."""
    path = export(turns)
    return gr.DownloadButton(value=path, visible=bool(path))


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
    turns.change(export_button, turns, area["export"], api_visibility="private")  # asked, restored, cleared
    area["clear"].click(lambda: ([], [], source_choices([]), {"messages": [], "turns": []}),
                        outputs=[chatbot, turns, sources, saved], api_visibility="private")
    app.load(restored, saved, [chatbot, turns, sources], api_visibility="private")


def _index_panel(corpus_dir: Path, index_dir: Path) -> dict:
    """The index tab's components, by name: status, rebuild, upload, remove."""
    panel = {"status": gr.Markdown(describe_index(corpus_dir, index_dir))}
    with gr.Row():
        panel["rebuild"] = gr.Button("Rebuild index", scale=3)
        # A build of a huge file can take many minutes; the index stays as it was when cancelled.
        panel["stop"] = gr.Button("Cancel build", scale=1)
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

    running = RunningBuild()

    def rebuild_now(progress=gr.Progress(track_tqdm=True)):
        return rebuild(corpus_dir, index_dir, progress, running=running)

    def upload_now(files, replace, progress=gr.Progress(track_tqdm=True)):
        return upload(files, corpus_dir, index_dir, replace, progress, running=running)

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
    panel["stop"].click(lambda: gr.Info(running.cancel()), api_name="cancel_build")
    panel["cancel"].click(lambda: gr.update(visible=False), outputs=panel["confirm_row"],
                          api_visibility="private")
    app.load(refresh, outputs=refreshed, api_visibility="private")


def main(argv=None) -> int:
    args = parser().parse_args(argv)
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

"""The web chat: a thin Gradio layer over the `qa` library.

    python app.py [--corpus corpus] [--index index] [--host 127.0.0.1] [--port 7860] [--auth user:pw]

On start the index is built or brought up to date from the corpus folder (a read-only index
folder is served as it is when nothing changed). Corpus text, file names and questions are always
shown as text: every piece of it is escaped before it reaches Markdown, the user's own messages
included, and names and titles are shown on one line with their line breaks visible.
"""

from __future__ import annotations

import argparse
import glob
import logging
import os
import re
import sys
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

import qa
from qa.answer import Answer, answer
from qa.errors import IndexBusy
from qa.readers import EXTENSIONS
from qa.sentences import highlight
from qa.status import index_status, indexed_briefings
from qa.types import Passage
from qa.uploads import MAX_UPLOAD_BYTES, UploadRejected, save_upload
from web_guards import LOOPBACK_NAMES, HostGuard, UploadGuard

log = logging.getLogger("qa.app")
TITLE = "Briefing QA"
TAGLINE = ("Ask questions about your briefings: every answer is taken from them and cites the "
           "paragraph it comes from.")
EXAMPLES = [
    "Which countries committed troops?",
    "What did Lavrov say?",
    "How many countries are prepared to contribute to the security architecture?",
    "Will Starmer travel to the White House with Zelensky?",
]
CONCURRENCY_LIMIT = 4
LOOPBACK = LOOPBACK_NAMES
# Gradio keeps each upload in its cache; the app has copied it into the corpus within seconds.
UPLOAD_CACHE_CLEANUP = (900, 900)  # every 15 minutes, files older than 15 minutes
# ":" and "@" too, so that no URL or e-mail address in the text becomes a link.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]!|~$:@])")
_LINE_START_MARKUP = re.compile(r"^([ \t]*(?:\d+)?)([#+\-=.)])", re.MULTILINE)
_BARE_WEB_NAME = re.compile(r"\b(www)\.", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# A URL shown as a link: http(s) only, and nothing that could end the link or start markup.
_WEB_URL = re.compile(r"^https?://[^\s<>`\\]+$", re.IGNORECASE)


def escape_markdown(text: str) -> str:
    """`text` that Markdown (and the HTML beneath it) shows literally, character for character,
    on every line; `unescape_markdown` gives `text` back (carriage returns aside: they become line
    breaks, since Markdown starts a line after them too)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _BARE_WEB_NAME.sub(r"\1\\.", text)
    return _LINE_START_MARKUP.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def unescape_markdown(text: str) -> str:
    """The text that `escape_markdown` was given."""
    text = re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def one_line(text: str) -> str:
    """`text` on one line, its line breaks and other control characters written out (`\\n`)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def escape_label(text: str) -> str:
    """A name, title or citation as one line of literal Markdown text."""
    return escape_markdown(one_line(text))


def format_answer(result: Answer) -> str:
    """The chat reply: the short answer or list items with their [n] citations and the calibrated
    confidence first, then the supporting sentences, then the numbered, highlighted passages."""
    lines = [f"_Searched briefings {escape_label(result.filters)}._", ""] if result.filters else []
    if result.found:
        lead = _lead(result)
        lines += ([lead, ""] if lead else []) + [
            ("" if lead else "**Answer:** ") + " ".join(
                f"{escape_markdown(s.text)} **[{s.passage}]**" for s in result.sentences), "",
            f"_{_confidence(result.confidence)}_", "", "**Sources**"]
    elif not result.passages:
        return "\n".join(lines + ["**No briefing matches these filters.** "
                                  "Widen the dates or choose other briefings (a date filter leaves out "
                                  "briefings with no known date)."])
    else:
        lines += ["**No briefing answers this question.** "
                  "The closest matches are shown below; they may not be relevant.", "",
                  f"_{_confidence(result.confidence)}_", "", "**Closest matches**"]
    for number, (passage, spans) in enumerate(zip(result.passages, result.highlights), start=1):
        lines.append("")
        label = "" if result.found else " · closest match, not an answer"
        lines.append(f"**[{number}] {escape_label(passage.citation)}** · {_origin(passage)}{label}")
        lines.append("> " + highlight(passage.text, spans, escape=escape_markdown))
        if passage.also_in:
            lines.append("")
            lines.append(_also_in(passage))
    return "\n".join(lines)


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


def _confidence(value: float) -> str:
    """The calibrated confidence as a five-dot bar and a percentage."""
    filled = max(0, min(5, round(value * 5)))
    return f"Confidence {'●' * filled}{'○' * (5 - filled)} {value:.0%} that the briefings answer this"


def _origin(passage: Passage) -> str:
    """Date, publisher, file and (a web link only) URL of a passage's briefing."""
    # Dates are ISO dates the library wrote (digits and dashes), safe as they are.
    parts = [passage.date] if passage.date else []
    parts += [escape_label(passage.publisher)] if passage.publisher else []
    parts.append(f"`{one_line(passage.source).replace('`', '')}`")  # no line break can end the span
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
    """The user's earlier questions from a Gradio chat history (messages or pairs), as typed."""
    questions = []
    for turn in history or []:
        if isinstance(turn, dict) and turn.get("role") == "user":
            content = turn.get("content")
            if isinstance(content, list):
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            if isinstance(content, str):
                questions.append(unescape_markdown(content))  # shown escaped: see TextChatInterface
        elif isinstance(turn, (list, tuple)) and turn and isinstance(turn[0], str):
            questions.append(turn[0])
    return questions


class TextChatInterface(gr.ChatInterface):
    """A ChatInterface that shows the user's messages as text: the Chatbot renders every message
    as Markdown, so each question is stored in the history escaped and taken back unescaped
    (retry, undo, earlier questions). The chat function itself gets the question as typed."""

    def _message_as_message_dict(self, message, role):
        if role == "user" and (message is None or isinstance(message, str)):
            message = escape_markdown(message or "")
        return super()._message_as_message_dict(message, role)

    def _pop_last_user_message(self, history):
        history, message = super()._pop_last_user_message(history)
        return history, unescape_markdown(message) if isinstance(message, str) else message


def make_chat(index_dir: Path):
    def chat(message, history, since="", until="", briefings=None):
        """Answer one question within the page's filters; errors become a message in the chat,
        never a crash."""
        try:
            return format_answer(answer(
                message or "", 5, earlier_questions(history), index_dir=index_dir,
                since=(since or "").strip() or None, until=(until or "").strip() or None,
                sources=[glob.escape(source) for source in briefings or []]))
        except (ValueError, qa.QAError) as error:
            return f"⚠️ {escape_markdown(str(error)) or 'The question could not be answered.'}"
        except Exception as error:  # the chat must keep serving whatever one query does
            log.exception("query failed")
            return f"⚠️ The question could not be answered: {escape_markdown(type(error).__name__)}."
    return chat


def describe_index(corpus_dir: Path, index_dir: Path) -> str:
    """Markdown for the index panel: what the index holds and what changed since."""
    try:
        status = index_status(corpus_dir, index_dir)
    except qa.QAError as error:
        return f"⚠️ {escape_label(str(error))}\n\nUse **Rebuild index** below."
    lines = [f"**{status.briefings}** briefings, **{status.paragraphs}** paragraphs"]
    if status.dates:
        undated = f" ({status.undated} undated)" if status.undated else ""
        lines.append(f"Dated {status.dates[0]} to {status.dates[1]}{undated}")
    lines += [f"Model: `{one_line(status.model).replace('`', '')}`", f"Built: {escape_label(status.built_at)}"]
    if status.stale:
        for label, names in (("New", status.new), ("Changed", status.changed), ("Removed", status.removed)):
            if names:
                lines.append(f"{label} since: " + ", ".join(escape_label(n) for n in names))
        lines.append("The corpus changed since the build: **Rebuild index** to include it.")
    else:
        lines.append("Up to date with the corpus folder.")
    for skipped in status.skipped:
        lines.append(f"Skipped {escape_label(skipped)}")
    return "\n\n".join(lines)


def rebuild(corpus_dir: Path, index_dir: Path) -> str:
    """The rebuild report as Markdown; a failure is one line that shows no server path."""
    try:
        report = qa.build_index(corpus_dir, index_dir, progress=False)
    except qa.QAError as error:
        return f"⚠️ {escape_label(str(error))}"
    except Exception as error:  # the page must say something, and not the server's paths
        log.exception("rebuild failed")
        return (f"⚠️ The index could not be rebuilt ({escape_label(type(error).__name__)}); "
                "the server's log has the details. The previous index is still in use.")
    skipped = "".join(f"\n\nSkipped {escape_label(s.source)}: {escape_label(s.reason)}"
                      for s in report.skipped)
    return escape_markdown(report.summary()) + skipped


def upload(files, corpus_dir: Path, index_dir: Path) -> str:
    saved, problems = [], []
    for file in files or []:
        path = Path(file if isinstance(file, str) else file.name)
        try:
            content = path.read_bytes()
            saved.append(save_upload(corpus_dir, path.name, content).name)
        except (UploadRejected, OSError) as error:
            problems.append(str(error))
    lines = [f"Added {escape_label(name)}" for name in saved]
    lines += [f"⚠️ {escape_label(problem)}" for problem in problems]
    if saved:
        lines.append(rebuild(corpus_dir, index_dir))
    return "\n\n".join(lines) or "No file chosen."


def briefing_picker(index_dir: Path, render: bool = True) -> gr.Dropdown:
    """The briefing picker, listing the indexed briefings newest first (empty without an index)."""
    try:
        choices = [(one_line(b.label), b.source) for b in indexed_briefings(index_dir)]
    except qa.QAError:
        choices = []
    return gr.Dropdown(choices=choices, value=[], multiselect=True, label="Briefings", render=render,
                       info="Search only these (none chosen: all). Or type in:WORD in a question.")


def index_location(index):
    """A `postgresql://...` URL as given (a Path would fold its //), anything else as a folder."""
    return index if "://" in str(index) and not isinstance(index, Path) else Path(index)


def build_app(corpus_dir="corpus", index_dir="index") -> gr.Blocks:
    corpus_dir, index_dir = Path(corpus_dir), index_location(index_dir)
    with gr.Blocks(title=TITLE, delete_cache=UPLOAD_CACHE_CLEANUP) as app:
        gr.Markdown(f"# {TITLE}\n{TAGLINE}")
        since = gr.Textbox("", label="From", placeholder="YYYY-MM-DD", max_lines=1, render=False,
                           info="Briefings dated on or after (or type after:DATE)")
        until = gr.Textbox("", label="To", placeholder="YYYY-MM-DD", max_lines=1, render=False,
                           info="Briefings dated on or before (or type before:DATE)")
        picker = briefing_picker(index_dir, render=False)
        with gr.Row():
            with gr.Column(scale=3):
                TextChatInterface(
                    make_chat(index_dir), api_name="chat", examples=[[q] for q in EXAMPLES],
                    chatbot=gr.Chatbot(height=560, sanitize_html=True, latex_delimiters=[],
                                       allow_tags=False, buttons=["copy"], label="Chat"),
                    additional_inputs=[since, until, picker],
                    additional_inputs_accordion=gr.Accordion("Filters: dates and briefings", open=False, render=False),
                    concurrency_limit=CONCURRENCY_LIMIT, fill_height=False)
            with gr.Column(scale=1):
                gr.Markdown("### Index")
                status = gr.Markdown(describe_index(corpus_dir, index_dir))
                rebuild_button = gr.Button("Rebuild index")
                files = gr.File(label=f"Add briefings ({', '.join(EXTENSIONS)})",
                                file_count="multiple", file_types=list(EXTENSIONS))
                report = gr.Markdown()

        def refresh():
            return describe_index(corpus_dir, index_dir), briefing_picker(index_dir)

        rebuild_button.click(lambda: rebuild(corpus_dir, index_dir), outputs=report,
                             api_name="rebuild", concurrency_limit=1).then(
            refresh, outputs=[status, picker], api_visibility="private")
        files.upload(lambda chosen: upload(chosen, corpus_dir, index_dir), inputs=files,
                     outputs=report, api_name="upload", concurrency_limit=1).then(
            refresh, outputs=[status, picker], api_visibility="private")
        app.load(refresh, outputs=[status, picker], api_visibility="private")
    app.queue(default_concurrency_limit=CONCURRENCY_LIMIT)
    return app


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
            "app_kwargs": {"middleware": middleware}}


def bind_warning(host: str, has_auth: bool) -> str | None:
    """The warning to print when serving beyond this machine, or None on loopback."""
    if host in LOOPBACK:
        return None
    advice = "" if has_auth else "; anyone who can reach it can read the briefings: use --auth user:password"
    return f"warning: serving on {host}, reachable from other machines{advice}"


def _parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=TAGLINE)
    parser.add_argument("--corpus", default="corpus")
    parser.add_argument("--index", default="index")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)))
    parser.add_argument("--auth", default=os.environ.get("QA_AUTH"),
                        help="user:password to require a login (or set QA_AUTH)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = _parse_args(argv)
    corpus_dir, index_dir = Path(args.corpus), index_location(args.index)
    try:
        prepare_index(corpus_dir, index_dir)
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
    build_app(corpus_dir, index_dir).launch(server_port=args.port, **launch_options(args.host, auth))
    return 0


if __name__ == "__main__":
    sys.exit(main())

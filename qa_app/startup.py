"""Starting the app without Gradio: the index built or brought up to date (beside serving when
an index exists), the model warmed up, and the command line's options."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
import threading
from pathlib import Path

import qa
from qa.api import searcher_for
from qa.config import default_corpus, default_index
from qa.errors import IndexBusy
from qa.index.status import index_status
from qa_app.markup import one_line
from qa_app.web_guards import LOOPBACK_NAMES

TAGLINE = ("Ask questions about your briefings: every answer is taken from them and cites the "
           "paragraph it comes from.")

ANOTHER_PORT = "choose another with --port N (in a checkout: make run PORT=N)"


def say(line: str) -> None:
    """One line on stderr, written at once: the start-up build runs beside serving, and two
    threads' lines must not run together."""
    sys.stderr.write(f"{line}\n")
    sys.stderr.flush()


def prepare_index(corpus_dir: Path, index_dir: Path) -> None:
    """Build the index, or bring it up to date, before serving. When another process (an app
    server sharing the index) is building it, serve what it publishes instead; a read-only index
    folder is served as it is when the corpus has not changed since its build (IndexNotWritable
    otherwise). Says what it does on stderr, a line a stage (progress bars on a terminal)."""
    say(f"reading {corpus_dir}/ into the index at {index_dir} (new and changed briefings only)")
    try:
        report = qa.build_index(corpus_dir, index_dir, progress=sys.stderr.isatty())
    except IndexBusy as busy:
        say(f"not rebuilding: {busy}")
        return
    except qa.IndexNotWritable as error:
        if not error.read_only or not _up_to_date(corpus_dir, index_dir):
            raise
        say(f"warning: {index_dir}/ is read-only; serving it as built, since the corpus has "
            "not changed")
        return
    for skipped in report.skipped:
        say(f"skipped {skipped.source}: {skipped.reason}")
    say(report.summary())


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
        say(f"warning: the index was not brought up to date ({one_line(str(error)) or type(error).__name__}); "
            "serving the last one built: fix this, then use Rebuild index")


def warm_up(index_dir: Path) -> None:
    """Load the index and the model now (and make the model's quick copy on first use), so the
    first question does not wait for them. A problem with the index or the question is left for
    the first question to report; one loading the model is raised (the chat could not answer)."""
    say("loading the index and the models")
    try:
        qa.retrieve("warm-up", k=1, index_dir=index_dir)
    except (qa.QAError, ValueError):
        pass


def _up_to_date(corpus_dir: Path, index_dir: Path) -> bool:
    try:
        return not index_status(corpus_dir, index_dir).stale
    except qa.QAError:
        return False


def bind_warning(host: str, has_auth: bool) -> str | None:
    """The warning to print when serving beyond this machine, or None on loopback."""
    if host in LOOPBACK_NAMES:
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

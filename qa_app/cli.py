"""`briefing-qa`: the library's command line (qa.cli) plus `serve`, the web chat."""

from __future__ import annotations

from qa import cli


def serve(options: list[str]) -> int:
    """Serve the chat with the command-line `options`; a one-line error without Gradio."""
    try:
        from qa_app import app
    except ImportError as error:
        raise RuntimeError(f"serving needs the app extra ({error.name} is missing): "
                           "pip install 'briefing-qa[app]'") from None
    return app.main(options)


SERVE = cli.Command(
    "serve", help="serve the web chat (needs the app extra: pip install 'briefing-qa[app]')",
    description="Index the corpus folder, then serve the chat; options as python -m qa_app's "
                "(--corpus, --index, --host, --port, --auth).", run=serve)


def main(argv: list[str] | None = None) -> int:
    """`briefing-qa ARGS`: qa.cli's commands and `serve`; returns the exit status."""
    return cli.main(argv, [SERVE])

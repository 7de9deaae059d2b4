"""One chat turn without Gradio: the earlier questions a follow-up may lean on, asking the
library, and the reply appended to the conversation."""

from __future__ import annotations

import glob
import logging
from pathlib import Path

import qa
from qa.answers.answer import Answer, answer
from qa_app.markup import escape_markdown, unescape_markdown
from qa_app.replies import date_text, format_answer

log = logging.getLogger("qa.app")


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
                      since=date_text(since), until=date_text(until),
                      sources=[glob.escape(source) for source in briefings or [] if isinstance(source, str)])
    except (ValueError, qa.QAError) as error:
        return f"⚠️ {escape_markdown(str(error)) or 'The question could not be answered.'}"
    except Exception as error:  # noqa: BLE001
        log.exception("query failed")
        return f"⚠️ The question could not be answered: {escape_markdown(type(error).__name__)}."


def make_chat(index_dir: Path):
    def chat(message: str, since: str = "", until: str = "", briefings: list[str] | None = None) -> str:
        """The reply (Markdown) to `message`. `since` and `until` are dates (YYYY-MM-DD, YYYY-MM or
        YYYY); `briefings` the file paths to search (none: all), any briefing in the index now."""
        result = ask(index_dir, message, [], since, until, briefings)
        return result if isinstance(result, str) else format_answer(result)
    return chat


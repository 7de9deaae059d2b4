"""Corpus text, file names and questions as literal Markdown: the one escaping path for every
string the page shows or an export writes that came from the corpus, the index, a stored
conversation or a user.

- `escape_markdown`: text of any number of lines, shown character for character;
- `escape_label`: a name, title or citation on one line, its line breaks and other control
  characters written out (`\\n`);
- `code_label`: a file path (or model name) as inline code on one line.

Bidirectional controls (overrides, embeddings, isolates) would make a title read backwards: a
label writes them out, and longer text leaves them out.
"""

from __future__ import annotations

import re

# ":" and "@" too, so that no URL or e-mail address in the text becomes a link.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]!|~$:@])")
_LINE_START_MARKUP = re.compile(r"^([ \t]*(?:\d+)?)([#+\-=.)])", re.MULTILINE)
_BARE_WEB_NAME = re.compile(r"\b(www)\.", re.IGNORECASE)
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")
_CONTROL = re.compile(f"[\\x00-\\x1f\\x7f\\x85\\u2028\\u2029{_BIDI_CONTROLS}]")


def escape_markdown(text: str) -> str:
    """`text` that Markdown (and the HTML beneath it) shows literally, character for character,
    on every line, bidirectional controls left out; `unescape_markdown` gives `text` back
    (carriage returns aside: they become line breaks, since Markdown starts a line after them
    too)."""
    text = _BIDI.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _BARE_WEB_NAME.sub(r"\1\\.", text)
    return _LINE_START_MARKUP.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def unescape_markdown(text: str) -> str:
    """The text that `escape_markdown` was given."""
    text = re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def one_line(text: str) -> str:
    """`text` on one line, its line breaks, bidirectional and other control characters written
    out (`\\n`, `\\u202e`)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def escape_label(text: str) -> str:
    """A name, title or citation as one line of literal Markdown text."""
    return escape_markdown(one_line(text))


def code_label(text: str) -> str:
    """A file path or model name as inline code on one line (its backticks left out: no line
    break or backtick can end the code early and turn the rest into markup)."""
    return f"`{one_line(text).replace('`', '')}`"


def plain(text: str) -> str:
    """A title as plain text for a label the page shows as text: on one line, bidirectional
    controls left out."""
    return " ".join(_BIDI.sub("", text).split())


def counted(count: int, noun: str, shown: str | None = None) -> str:
    """"1 briefing", "2 briefings" (`shown` is how the number reads, as "**2**")."""
    return f"{shown or count} {noun}{'' if count == 1 else 's'}"

"""Sentences within a paragraph: splitting with character spans, and highlighting spans as text."""

from __future__ import annotations

import re

# A sentence ends at . ! ? or … (closing quotes and brackets included) followed by space and a
# capital, a digit or an opening quote; "U.S. officials", "e.g. this", "on Aug. 10" and "Reno,
# Nev. Fire crews" are not cut.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
# US states as news agencies abbreviate them ("Reno, Nev."), without the stop.
US_STATE_ABBREVIATIONS = (r"Ala|Ariz|Ark|Calif|Colo|Conn|Del|Fla|Ga|Ill|Ind|Kan|Ky|La|Md|Mass|Mich|Minn|Miss|"
                          r"Mo|Mont|Neb|Nev|Okla|Ore|Pa|Tenn|Tex|Va|Vt|Wash|Wis|Wyo")
_ABBREVIATION = re.compile(
    r"(\b[A-Z]\.|\b(Mr|Mrs|Ms|Dr|Prof|St|Gen|Sen|Sens|Rep|Reps|Gov|Lt|Col|Capt|Cmdr|Adm|Maj|Sgt|Rev|"
    r"Jr|Sr|Mt|Ft|Ave|Blvd|No|Nos|vs|etc|e\.g|i\.e|approx|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    rf"{US_STATE_ABBREVIATIONS})\.)$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`, in order, covering its words."""
    spans, start = [], 0
    for match in _BOUNDARY.finditer(text):
        candidate_end = match.start()
        before = text[max(start, candidate_end - 12):candidate_end + 1].rstrip("\"'”’)] ")
        if _ABBREVIATION.search(before) or (
                _COMPANY.search(before) and not _SENTENCE_OPENER.match(text, match.end())):
            continue
        piece = text[start:match.end()].rstrip()
        if piece:
            spans.append((start, start + len(piece)))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans

# A company's suffix ends a sentence only before a word that usually opens one: "... Sons’ Inc.
# The contribution", but "Warner Bros. Discovery", "JPMorgan Chase & Co. CEO Jamie Dimon".
_COMPANY = re.compile(r"\b(?:Inc|Corp|Co|Ltd|Bros|Plc)\.$")
_SENTENCE_OPENER = re.compile(r"[\"'“‘(\[]?(?:The|A|An|It|Its|He|She|His|Her|They|Their|This|That|These|"
                              r"Those|In|On|At|But|And|We|I|As|After|Before|When|While|If|There)\b")


def split_sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def highlight(text: str, spans, mark: str = "**", escape=lambda piece: piece) -> str:
    """`text` with each span wrapped in `mark`, every piece of text passed through `escape`.

    Spans may be unsorted; a span overlapping an earlier one is ignored.
    """
    pieces, position = [], 0
    for start, end in sorted(spans):
        if start < position or start >= end:
            continue
        pieces += [escape(text[position:start]), mark, escape(text[start:end]), mark]
        position = end
    pieces.append(escape(text[position:]))
    return "".join(pieces)

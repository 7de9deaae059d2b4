"""Follow-up questions: which earlier question, if any, a question leans on.

A question leans on the previous one when it refers back (a pronoun such as "he" or "they", "the
same", "there"), or is elliptical ("and France?", "what about Germany?", a bare "Why?").
A question that stands on its own is answered as if asked fresh, however short.
Earlier turns are cleaned of their filters (`after:` ...); a turn whose filter is invalid is kept
without it, so it can never break a later question.
"""

from __future__ import annotations

import re

from .filters import parse_question

_REFERS_BACK = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|theirs|it|its|this|that|these|those|there|"
    r"then|the same|the other|the former|the latter|else|also|too|instead)\b", re.IGNORECASE)
_ELLIPTICAL = re.compile(
    r"^\s*(and|but|or|also|so|what about|how about|what of|and what about|and how about)\b|"
    r"^\s*(why|how|when|where|who|what|really|anything else|more)\s*\??\s*$", re.IGNORECASE)
# "It" and "that" also open questions that stand alone ("Is it true that ...", "What is it that
# ..."); they refer back only when the question names nothing itself.
_IMPERSONAL = re.compile(r"\b(it|that|this|there)\b", re.IGNORECASE)
_CAPITALISED_AFTER_START = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][a-z]+")


def leans_on_previous(question: str) -> bool:
    """True when `question` cannot be understood without the question before it."""
    if _ELLIPTICAL.search(question):
        return True
    references = [m.group(0).lower() for m in _REFERS_BACK.finditer(question)]
    if not references:
        return False
    if all(_IMPERSONAL.fullmatch(word) for word in references):
        return not _CAPITALISED_AFTER_START.search(question)
    return True


def earlier_questions(history: list | None) -> list[str]:
    """The earlier questions' text without filters; non-text and empty turns left out."""
    questions = []
    for turn in history or []:
        if not isinstance(turn, str) or not turn.strip():
            continue
        try:
            text = parse_question(turn)[0]
        except ValueError:
            text = " ".join(word for word in turn.split() if ":" not in word)
        if text.strip():
            questions.append(text.strip())
    return questions


def merged_query(question: str, history: list | None) -> str | None:
    """The previous question and `question` searched together, when `question` leans on it;
    None when it stands on its own or there is no earlier question."""
    earlier = earlier_questions(history)
    if not earlier or not leans_on_previous(question):
        return None
    return f"{earlier[-1]} {question}"

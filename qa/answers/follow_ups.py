"""Follow-up questions: which earlier question, if any, a question leans on.

A question leans on the previous one when it is elliptical ("and France?", "what about Germany?",
a bare "Why?"), refers back with a personal pronoun before any name of its own ("what did he
say?", "Did they sanction Russia?", but not "How old was Howard Hesseman when he died?"), or
with "it", "there", "also", "too", "the same" ... while naming nothing of its own ("Did it
pass?", but not "Which countries sanctioned Iran too?", nor a question of more than
OWN_WORDS_ALONE words of its own, whose "this week" or "that would" refer within it). A question that stands on its own is
answered as if asked fresh, however short. For the "it", "also" kind, which may or may not refer
back, qa.answer keeps the fresh answer when it is the more confident one.
Earlier turns are cleaned of their filters (`after:` ...); a turn whose filter is invalid is kept
without it, so it can never break a later question.
"""

from __future__ import annotations

import re

from qa.search.filters import parse_question
from qa.search.lexical import tokenize
from qa.limits import bounded
from qa.ingest.textfiles import encodable

_REFERS_BACK = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|theirs|it|its|this|that|these|those|there|"
    r"then|the same|the other|the former|the latter|else|also|too|instead)\b", re.IGNORECASE)
# Personal pronouns point at someone named before; the other words ("it", "also", "too") also
# serve questions that stand alone ("Which countries sanctioned Iran too?").
_PERSONAL = re.compile(r"he|she|him|her|his|hers|they|them|their|theirs", re.IGNORECASE)
_ELLIPTICAL = re.compile(
    r"^\s*(what about|how about|what of)\b|"
    r"^\s*(why|how|when|where|who|what|really|anything else|more)\s*\??\s*$", re.IGNORECASE)
_CONJUNCTION_START = re.compile(r"^\s*(?:and|but|or|also|so)\b[\s,]*(.*)$", re.IGNORECASE | re.DOTALL)
# "So which countries committed troops?" asks a whole question, however it opens.
_WHOLE_QUESTION = re.compile(r"(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|"
                             r"did|will|would|can|could|should|has|have|had)\s+\w", re.IGNORECASE)
_OWN_ANTECEDENT = re.compile(r"\bthe\s+[a-z]+")  # "When did the president say he would leave?"
_WORD = re.compile(r"[^\W_]")
# Earlier questions a follow-up may bring along, when each leans on the one before it.
CHAIN_QUESTIONS = 3
# A question of more search terms than this (qa.search.lexical's, stemmed) is understood alone, whatever
# "this" or "that" it holds ("Which state passed legislation this week that would ...": 14).
OWN_WORDS_ALONE = 8
_CAPITALISED_AFTER_START = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][A-Za-z]+")  # "Hesseman", "NATO"


def is_elliptical(question: str) -> bool:
    """True when `question` only adds to the one before it ("and France?", "what about ...", "and
    when?"; not "So which countries committed troops?")."""
    conjunction = _CONJUNCTION_START.match(question)
    if conjunction:
        rest = conjunction.group(1)
        return bool(_ELLIPTICAL.match(rest)) or not _WHOLE_QUESTION.match(rest)
    return bool(_ELLIPTICAL.search(question))


def needs_previous(question: str) -> bool:
    """True when `question` is elliptical, or names whom it asks about only by a personal pronoun
    ("what did he say?"; but "How old was Howard Hesseman when he died?" and "When did the
    president say he would leave?" name him first)."""
    if is_elliptical(question):
        return True
    personal = next((m for m in _REFERS_BACK.finditer(question) if _PERSONAL.fullmatch(m.group(0))), None)
    if personal is None:
        return False
    before = question[:personal.start()]
    return not (_CAPITALISED_AFTER_START.search(before) or _OWN_ANTECEDENT.search(before))


def leans_on_previous(question: str) -> bool:
    """True when `question` cannot be understood without the question before it, or may not be:
    it needs it, or it says "it", "there", "also", "too" ... and names nothing of its own."""
    if needs_previous(question):
        return True
    references = [m.group(0) for m in _REFERS_BACK.finditer(question)]
    if any(_PERSONAL.fullmatch(word) for word in references):
        return False  # a pronoun after a name of the question's own is that name
    if len(set(tokenize([question])[0])) > OWN_WORDS_ALONE:
        return False
    return bool(references) and not _CAPITALISED_AFTER_START.search(question)


def earlier_questions(history) -> list[str]:
    """The earlier questions' text without filters; non-text and empty turns left out.
    ValueError when `history` is not a list (or tuple) of turns."""
    return [text for text in map(_question_of, turns_of(history)) if text]


def turns_of(history) -> list | tuple:
    """`history` itself when it is a list or tuple of turns (None: no turns); ValueError else."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise ValueError("history must be a list of the earlier questions, oldest first, "
                         f"not {type(history).__name__}")
    return history


def _question_of(turn) -> str:
    """A turn's question without its filters, invalid ones too ('' for a turn without words)."""
    if not isinstance(turn, str):
        return ""
    turn = encodable(bounded(turn))
    try:
        text = parse_question(turn)[0] if turn.strip() else ""
    except ValueError:
        text = " ".join(word for word in turn.split() if ":" not in word)
    return text.strip() if _WORD.search(text) else ""


def merged_query(question: str, history) -> str | None:
    """The previous question and `question` searched together, when `question` leans on it;
    None when it stands on its own or there is no earlier question. When the previous question
    leans on the one before it in turn ("When did it happen?" after "Where was Pete Alonso's
    accident?"), that one joins too, up to CHAIN_QUESTIONS earlier questions. Turns are read
    from the newest back only as far as that, so a long history costs nothing."""
    turns = turns_of(history)
    if not leans_on_previous(question):
        return None
    chain = []
    for text in (text for text in map(_question_of, reversed(turns)) if text):
        chain.insert(0, text)
        if len(chain) == CHAIN_QUESTIONS or not leans_on_previous(text):
            break
    return " ".join([*chain, question]) if chain else None

"""British and American spellings of the same word: "defence" and "defense" match.

`american(word)` maps a lower-case word to its American spelling; `variants(text)` lists the other
spellings of a text's words, so a search for "defence" also finds "defense".
"""

from __future__ import annotations

import re

_WORDS = {
    "defence": "defense", "offence": "offense", "licence": "license", "pretence": "pretense",
    "programme": "program", "programmes": "programs", "catalogue": "catalog", "dialogue": "dialog",
    "grey": "gray", "aluminium": "aluminum", "cheque": "check", "tyre": "tire", "tyres": "tires",
    "storey": "story", "plough": "plow", "sceptic": "skeptic", "sceptical": "skeptical",
    "manoeuvre": "maneuver", "paediatric": "pediatric", "oestrogen": "estrogen",
    "anaemia": "anemia", "encyclopaedia": "encyclopedia", "judgement": "judgment",
    "enrolment": "enrollment", "fulfil": "fulfill", "jewellery": "jewelry", "kerb": "curb",
}
_OUR_STEMS = ("colo", "favo", "hono", "labo", "neighbo", "behavio", "harbo", "rumo", "humo", "vigo",
              "endeavo", "armo", "flavo", "savo", "odo", "valo", "parlo", "tumo")
_OUR = re.compile(r"^(" + "|".join(_OUR_STEMS) + r")ur(s|ed|ing|ite|ites|able|ably|ful)?$")
_RE_ENDINGS = re.compile(r"^(cent|met|lit|theat|fib|tit|calib|sab|spect|lust|somb)re(s|d)?$")
# -ise / -isation endings that are British -ize; words where -ise is the only spelling are kept.
_ISE = re.compile(r"^([a-z]{3,})is(e|es|ed|ing|ation|ations|er|ers)$")
_ISE_KEPT = frozenset(
    "adv advert comprom exerc prom surpr expert enterpr franch merchand prem rev superv telev compr "
    "desp dev disgu improv cru bru parad treat appr dem repr torto porpo turquo".split())
_YSE = re.compile(r"^(anal|paral|catal|dial)ys(e|es|ed|ing)$")
_DOUBLED_L = re.compile(r"^([a-z]+[aeiou])ll(ed|ing|er|ers)$")
_DOUBLED_L_STEMS = frozenset("travel cancel model label signal fuel level channel total counsel".split())
_TOKEN = re.compile(r"[A-Za-z]+")


def american(word: str) -> str:
    """The American spelling of a lower-case word (the word itself when it has no other)."""
    if word in _WORDS:
        return _WORDS[word]
    for pattern, replace in ((_OUR, r"\1r\2"), (_RE_ENDINGS, r"\1er\2"), (_YSE, r"\1yz\2")):
        if pattern.match(word):
            return pattern.sub(replace, word)
    match = _ISE.match(word)
    if match and match.group(1) not in _ISE_KEPT:
        return f"{match.group(1)}iz{match.group(2)}"
    match = _DOUBLED_L.match(word)
    if match and match.group(1) + "l" in _DOUBLED_L_STEMS:
        return f"{match.group(1)}l{match.group(2)}"
    return word


def americanize(text: str) -> str:
    """`text` lower-cased with each word in its American spelling."""
    return _TOKEN.sub(lambda match: american(match.group(0)), text.lower())


def variants(text: str) -> list[str]:
    """The other spelling of each word of `text` that has one (American for British and, where the
    table knows it, British for American), each once, in order."""
    british = {us: uk for uk, us in _WORDS.items()}
    found: list[str] = []
    for word in _TOKEN.findall(text.lower()):
        other = american(word)
        other = british.get(word, other) if other == word else other
        if other != word and other not in found:
            found.append(other)
    return found

"""Typing mistakes in questions: a word no briefing holds, read as the word meant, when that is
clear.

"How long is the proposed ceasfire?" finds nothing for "ceasfire" in BM25, and the answer's
measures of a sentence's fit count it as a question word no sentence holds, so the question was
declined. Reading a real word as another is worse than declining ("defund" is not "defend",
"moderna" is not "moderns"), so a word is taken for a typing mistake only when it is
- a lower-case word of letters (names are left alone: "Zelenska" is not "Zelensky"; a
  capitalised first word is read only as a question word, "Whcih" -> "Which"), at least
  `MIN_LETTERS` and at most `MAX_LETTERS` long (longer is no typing slip of a word, and the checks
  below grow with the square of a word's length), that no passage of the index holds (its stem has no document frequency)
  and that is not one of the words questions are asked with;
- not a word of the dictionary (pyspellchecker's English word list, with `NEWER_WORDS` it lacks:
  "vaping", "moderna"), in its own or its American spelling, nor one with a regular ending ("schoolers", "preppers", "kettling") or two words run
  together or behind a common prefix ("yearslong", "monkeypox", "defund", "esports"), which the
  dictionary often lacks, unless a letter doubled, undoubled or an e dropped makes it a
  dictionary word ("occured", "begining", "untill", "truely": the commonest misspellings).
It is read as a word one typing slip away (`one_slip_apart`: a letter left out, a doubled or
neighbouring key's letter typed extra, a neighbouring key's letter in place of the right one, or
two neighbouring letters swapped; never at the first letter), taken, in this order, from
1. the words of the best `VOCABULARY_PASSAGES` passages the search finds for the question as
   typed (the dense half reads past the typo) that the dictionary lists or that occur twice, and
   the question words ("contries" -> "countries"); a briefing's own one-off mistake
   ("ratifiication") is never one;
2. the same word with the stem of such a word ("comitted" -> "committed" where the passages say
   "commitment").
Of several, the most frequent wins. A word with none stays as typed, so a question about what the
briefings lack is still declined: the word read must be one the search for the question found.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from spellchecker import SpellChecker

from qa.search.lexical import tokenize
from qa.answers.spelling import american

MIN_LETTERS = 5
# The longest word read as a typing mistake: English words of more letters are rare.
MAX_LETTERS = 30
# At most this many words of a question are corrected (a question of nonsense stays cheap).
MAX_CORRECTED = 4
# Passages of the first search whose words are the candidates, so that the word read is one the
# search for the question as typed found.
VOCABULARY_PASSAGES = 20
_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
# A lower-case word on its own: not part of a hyphenated word, a contraction, a file name or a web
# address ("contries.txt").
_LOWER_WORD = re.compile(r"(?<![\w'’./-])[a-z]+(?![\w'’/-]|\.\w)")
# Words questions are asked with that a briefing's text may lack: a misspelling of one is read as
# it ("contries" -> "countries").
QUESTION_WORDS = frozenset("""
    which where whose people percent percentage country countries nation nations company companies
    cities president presidents minister ministers secretary senators governor governors
    organization organizations""".split())
# Prefixes that make words the dictionary may lack ("uncrewed", "multistate", "defund", "esports").
_PREFIXES = ("un", "re", "non", "pre", "anti", "multi", "over", "under", "out", "inter", "sub", "co", "de",
             "dis", "mis", "e", "mega", "micro", "cyber", "post", "mid", "self")
_ENDINGS = ("ers", "er", "ing", "ed", "es", "s", "ly")
# British spellings and their American ones, tried one at a time before a word is called unknown;
# narrow, so that a typing mistake ("failled", "paraed") is not taken for one.
_BRITISH = ((r"our", "or"), (r"is(e|ed|es|ing|ation|ations)\b", r"iz\1"),
            (r"([^aeiou][aeiou])ll(ed|ing|er|ers|ist|ists)\b", r"\1l\2"), (r"ae(?=[a-z]{2})", "e"),
            (r"oe(?=[a-z]{2})", "e"), (r"ence\b", "ense"), (r"ogue\b", "og"), (r"ould\b", "old"),
            (r"ught\b", "ft"), (r"re\b", "er"))
# Words of today's news that the dictionary lacks (its list is older), and names often typed in
# lower case that are one slip from a word it has ("moderna": "moderns").
NEWER_WORDS = frozenset("""
    vape vapes vaping vaper cafe cafes fiance fiancee dox doxing doxxing emoji emojis selfie selfies crypto
    cryptocurrency cryptocurrencies covid mpox chatbot chatbots app apps tiktok spotify moderna pfizer
    ozempic wegovy semaglutide""".split())
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_ROW_SHIFT = (0.0, 0.25, 0.75)


@dataclass(frozen=True)
class Correction:
    """A word of the question as typed and the word it was read as."""

    typed: str
    read_as: str


def typing_mistakes(question: str, document_frequencies, passages_for) -> list[Correction]:
    """The corrections of `question`'s typing mistakes, in the order typed.

    `document_frequencies(stems) -> {stem: count}` tells which words the index holds;
    `passages_for(question) -> list of texts` searches (called only when a word is unknown).
    """
    words = unknown_words(question, document_frequencies)[:MAX_CORRECTED]
    if not words:
        return []
    seen = Counter(_WORD.findall(" ".join(passages_for(question))))
    seen = Counter({word: count for word, count in seen.items()
                    if word.islower() and (count >= 2 or is_english(word))})
    seen.update({word: 0 for word in QUESTION_WORDS})
    stems = _stems_of(seen)
    found = []
    for word in words:
        best = _read_as(word.lower(), seen, stems, first=not word.islower())
        if best is not None:
            found.append(Correction(word, best[0].upper() + best[1:] if word[0].isupper() else best))
    return found


def unknown_words(question: str, document_frequencies) -> list[str]:
    """The words of `question` that may be typing mistakes (see the module's rules), each once:
    its lower-case words, and its first word when only its capital sets it apart."""
    first = re.match(r"\W*([A-Z][a-z]+)(?![\w'’-])", question)
    words = [word for word in dict.fromkeys(([first.group(1)] if first else []) + _LOWER_WORD.findall(question))
             if MIN_LETTERS <= len(word) <= MAX_LETTERS and word.lower() not in QUESTION_WORDS
             and not is_known_word(word.lower())]
    stems = {word: tokenize([word])[0] for word in words}
    frequencies = _frequencies([stem[0] for stem in stems.values() if stem], document_frequencies)
    return [word for word, stem in stems.items() if stem and not frequencies.get(stem[0], 0)]


def _read_as(word: str, seen: Counter, stems: Counter, first: bool) -> str | None:
    """What the lower-case `word` is read as (steps 1-2 of the module's rules), or None; a
    capitalised first word, which may be a name ("Markey said ..."), only as a question word."""
    if first:
        return _likeliest(word, Counter({candidate: 0 for candidate in QUESTION_WORDS}))
    return _likeliest(word, seen) or _by_stem(word, stems)


def _likeliest(word: str, seen: Counter) -> str | None:
    """The most frequent word of `seen` one typing slip from `word`, or None."""
    slips = [candidate for candidate in seen if one_slip_apart(word, candidate)]
    return max(sorted(slips), key=lambda candidate: seen[candidate], default=None)


def _stems_of(seen: Counter) -> Counter:
    """The stems of the words seen, with their counts."""
    stems = Counter()
    for word, count in seen.items():
        stems.update({(tokenize([word])[0] or [""])[0]: count})
    stems.pop("", None)
    return stems


def _by_stem(word: str, stems: Counter) -> str | None:
    """`word` with its stem replaced by the stem seen one typing slip from it, when that gives a
    dictionary word of that stem: "comitted" -> "committed" where the passages say "commitment"."""
    stem = (tokenize([word])[0] or [""])[0]
    if not stem or not word.startswith(stem):
        return None
    best = _likeliest(stem, stems)
    if best is None:
        return None
    rebuilt = best + word[len(stem):]
    return rebuilt if tokenize([rebuilt])[0] == [best] and is_english(rebuilt) else None


def _frequencies(stems: list[str], document_frequencies) -> dict[str, int]:
    return document_frequencies(sorted(set(stems))) if stems else {}


@cache
def _dictionary() -> SpellChecker:
    return SpellChecker(language="en", distance=1)


def is_english(word: str) -> bool:
    """Whether the dictionary (or `NEWER_WORDS`) lists `word` (any case), or its American
    spelling."""
    lower = word.lower()
    dictionary = _dictionary()
    return lower in dictionary or lower in NEWER_WORDS or american(lower) in dictionary or any(
        re.sub(pattern, us, lower, count=1) in dictionary for pattern, us in _BRITISH if re.search(pattern, lower))


def is_known_word(word: str) -> bool:
    """Whether the lower-case `word` is a real word, though perhaps not the dictionary's: listed,
    a listed word with a regular ending, or made of listed words (`is_compound`)."""
    if is_english(word):
        return True
    return (_with_ending(word) or is_compound(word)) and not _doubling_slip(word)


def _doubling_slip(word: str) -> bool:
    """Whether `word` is a dictionary word with a letter doubled, undoubled or an e dropped, the
    commonest misspellings ("occured", "begining", "untill", "truely"), which would otherwise
    pass for a word with an ending or a compound."""
    variants = {word[:i] + word[i] + word[i:] for i in range(1, len(word))}
    variants |= {word[:i] + word[i + 1:] for i in range(1, len(word)) if word[i] == word[i - 1]}
    variants |= {word[:i] + "e" + word[i:] for i in range(1, len(word))}
    variants |= {word[:i] + word[i + 1:] for i in range(1, len(word)) if word[i] == "e"}
    return any(is_english(variant) for variant in variants)


def _with_ending(word: str) -> bool:
    """A dictionary word with a regular ending, its final e dropped or its last consonant doubled
    before it: "vapers" (vape), "schoolers", "preppers" (prep), "kettling" (kettle)."""
    for ending in _ENDINGS:
        base = word[:-len(ending)]
        if word.endswith(ending) and len(base) >= 3:
            doubled = base[-1] == base[-2] and base[-1] not in "aeiou"
            if is_english(base) or is_english(base + "e") or (doubled and is_english(base[:-1])) \
                    or (ending in ("ing", "ed", "er", "ers") and is_english(base + "le")):
                return True
    return False


def is_compound(word: str) -> bool:
    """Whether the lower-case `word` is two dictionary words run together (the first of four
    letters or more, the second of three or more: "yearslong", "greenlit") or a dictionary word
    behind a common prefix ("uncrewed", "defund", "derisking")."""
    if any(word.startswith(prefix) and len(word) - len(prefix) >= 3 and is_english(word[len(prefix):])
           for prefix in _PREFIXES):
        return True
    return any(is_english(word[:cut]) and is_english(word[cut:]) for cut in range(4, len(word) - 2))


@cache
def _key_position(letter: str) -> tuple[float, int] | None:
    for row, keys in enumerate(_KEY_ROWS):
        if letter in keys:
            return keys.index(letter) + _ROW_SHIFT[row], row
    return None


def neighbouring_keys(first: str, second: str) -> bool:
    """Whether two letters sit side by side on a QWERTY keyboard (in a row or between rows)."""
    a, b = _key_position(first), _key_position(second)
    if a is None or b is None or a == b:
        return False
    return (a[1] == b[1] and abs(a[0] - b[0]) == 1) or (abs(a[1] - b[1]) == 1 and abs(a[0] - b[0]) < 1)


def one_slip_apart(typed: str, meant: str) -> bool:
    """Whether typing `meant` with one slip gives `typed`: a letter left out, a letter typed extra
    that doubles or neighbours on the keyboard a letter beside it, a neighbouring key's letter in
    place of the right one, or two neighbouring letters swapped; the first letter is never the
    slip (a different first letter makes a different word: "vaping", "raping")."""
    if typed == meant or typed[:1] != meant[:1]:
        return False
    if len(typed) + 1 == len(meant):  # a letter left out
        return any(meant[:i] + meant[i + 1:] == typed for i in range(1, len(meant)))
    if len(typed) == len(meant) + 1:  # a letter typed extra, beside one it doubles or neighbours
        return any(typed[:i] + typed[i + 1:] == meant and any(
            typed[i] == other or neighbouring_keys(typed[i], other) for other in typed[i - 1:i] + typed[i + 1:i + 2])
            for i in range(1, len(typed)))
    if len(typed) != len(meant):
        return False
    differ = [i for i in range(len(typed)) if typed[i] != meant[i]]
    if len(differ) == 1:
        return neighbouring_keys(typed[differ[0]], meant[differ[0]])
    return len(differ) == 2 and differ[1] == differ[0] + 1 and typed[differ[0]] == meant[differ[1]] \
        and typed[differ[1]] == meant[differ[0]]


def apply(question: str, found: list[Correction]) -> str:
    """`question` with each corrected word replaced wherever it stands as a whole word."""
    for correction in found:
        question = re.sub(rf"\b{re.escape(correction.typed)}\b", correction.read_as, question)
    return question

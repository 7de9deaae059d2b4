"""Typing mistakes in questions: a word no briefing holds, read as the close word that they do.

"How long is the proposed ceasfire?" finds nothing for "ceasfire" in BM25, and the answer's
measures of a sentence's fit count it as a question word no sentence holds, so the question was
declined. A word is taken for a typing mistake when it is
- a lower-case word of letters (names are left alone: "Zelenska" is not "Zelensky", "Giorgia" is
  not "Georgia"), at least `MIN_LETTERS` long, that no passage of the index holds (its stem has
  no document frequency) and that is not one of the words questions are asked with;
- listed by no English dictionary in its own or its American spelling (pyspellchecker's word
  list: a real word the briefings lack, "slaying" or "rover", is not read as "saying" or "cover");
- not two words run together ("yearslong", "monkeypox", "underserved", "uncrewed"), which the
  dictionary often lacks.
It is read as, in this order:
1. a word one edit away (a swap of two neighbouring letters is one edit) among the words of the
   passages the search finds for the question as typed (the dense half reads past the typo)
   that the dictionary lists or that occur twice, and the question words ("contries" ->
   "countries"); a briefing's own one-off typing mistake ("ratifiication") is never a reading;
2. the same word with the stem of such a word ("comitted" -> "committed" where the passages say
   "commitment");
3. the dictionary's most frequent word one edit away that the index holds, for lower-case words
   of `DICTIONARY_FROM` letters or more ("polutical" -> "political");
4. for words of `TWO_EDITS_FROM` letters or more, a word of step 1 two edits away.
Of equally near words, one with the same first letter wins, then the more frequent. A word with
nothing near stays as typed, so a question about what the briefings lack is still declined.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from spellchecker import SpellChecker

from .lexical import tokenize
from .spelling import american

MIN_LETTERS = 5
DICTIONARY_FROM = 6
TWO_EDITS_FROM = 9
# Passages of the first search whose words are the candidates.
VOCABULARY_PASSAGES = 20
_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]+(?![\w'’-])")
# Words questions are asked with that a briefing's text may lack: a misspelling of one is read as
# it ("contries" -> "countries"). Only long or distinctive words, so that a short word of the
# question is not read as one ("terms" is not "teams").
QUESTION_WORDS = frozenset("""
    which where whose people percent percentage country countries nation nations company companies
    cities president presidents minister ministers secretary senators governor governors
    organization organizations""".split())
# Prefixes that make words the dictionary may lack ("uncrewed", "multistate").
_PREFIXES = ("un", "re", "non", "pre", "anti", "multi", "over", "under", "out", "inter", "sub", "co",
             "mega", "micro", "cyber", "post", "mid", "self")
# British spellings and their American ones, tried one at a time before a word is called unknown;
# narrow, so that a typing mistake ("failled", "paraed") is not taken for one.
_BRITISH = ((r"our", "or"), (r"is(e|ed|es|ing|ation|ations)\b", r"iz\1"),
            (r"([^aeiou][aeiou])ll(ed|ing|er|ers|ist|ists)\b", r"\1l\2"), (r"ae(?=[a-z]{2})", "e"),
            (r"oe(?=[a-z]{2})", "e"), (r"ence\b", "ense"), (r"ogue\b", "og"))


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
    words = unknown_words(question, document_frequencies)
    if not words:
        return []
    seen = Counter(_WORD.findall(" ".join(passages_for(question))))
    seen = Counter({word: count for word, count in seen.items()
                    if word.islower() and (count >= 2 or is_english(word))})
    seen.update({word: 0 for word in QUESTION_WORDS})
    found = []
    for word in words:
        best = _read_as(word.lower(), seen, document_frequencies, dictionary=word.islower())
        if best is not None:
            found.append(Correction(word, best[0].upper() + best[1:] if word[0].isupper() else best))
    return found


def unknown_words(question: str, document_frequencies) -> list[str]:
    """The words of `question` that may be typing mistakes (see the module's rules), each once:
    its lower-case words, and its first word when only its capital sets it apart."""
    first = re.match(r"\W*([A-Z][a-z]+)(?![\w'’-])", question)
    words = [word for word in dict.fromkeys(([first.group(1)] if first else []) + _LOWER_WORD.findall(question))
             if len(word) >= MIN_LETTERS and word.lower() not in QUESTION_WORDS
             and not is_english(word) and not is_compound(word.lower())]
    stems = {word: tokenize([word])[0] for word in words}
    frequencies = _frequencies([stem[0] for stem in stems.values() if stem], document_frequencies)
    return [word for word, stem in stems.items() if stem and not frequencies.get(stem[0], 0)]


def _read_as(word: str, seen: Counter, document_frequencies, dictionary: bool) -> str | None:
    """What the lower-case `word` is read as (steps 1-4 of the module's rules; step 3 only when
    `dictionary`: not for a capitalised first word, which may be a name the dictionary lists in
    lower case, "Giorgia" -> "georgia"), or None."""
    return (_nearest(word, seen, 1) or _by_stem(word, seen)
            or (_in_dictionary(word, document_frequencies) if dictionary else None)
            or (_nearest(word, seen, 2) if len(word) >= TWO_EDITS_FROM else None))


def _nearest(word: str, seen: Counter, limit: int) -> str | None:
    """The candidate nearest `word` within `limit` edits, or None; of equally near ones, one
    that starts with the same letter (typing mistakes rarely hit the first), then the most
    frequent."""
    best, best_key = None, None
    for candidate, count in seen.items():
        if abs(len(candidate) - len(word)) > limit:
            continue
        distance = edit_distance(word, candidate, limit)
        key = (distance, candidate[0] != word[0], -count)
        if 0 < distance <= limit and (best_key is None or key < best_key):
            best, best_key = candidate, key
    return best


def _by_stem(word: str, seen: Counter) -> str | None:
    """`word` with its stem replaced by the nearest stem of the words seen, when that gives a
    dictionary word of that stem: "comitted" -> "committed" where the passages say "commitment"."""
    stem = (tokenize([word])[0] or [""])[0]
    if not stem or not word.startswith(stem):
        return None
    stems = Counter()
    for candidate, count in seen.items():
        stems.update({(tokenize([candidate])[0] or [""])[0]: count})
    stems.pop("", None)
    best = _nearest(stem, stems, 1)
    if best is None:
        return None
    rebuilt = best + word[len(stem):]
    return rebuilt if tokenize([rebuilt])[0] == [best] and is_english(rebuilt) else None


def _in_dictionary(word: str, document_frequencies) -> str | None:
    """The dictionary's most frequent word one edit from `word` that the index holds, for words
    of `DICTIONARY_FROM` letters or more; of those, one with the same first letter first."""
    if len(word) < DICTIONARY_FROM:
        return None
    known = sorted(_dictionary().known(_dictionary().edit_distance_1(word)))
    stems = {candidate: (tokenize([candidate])[0] or [""])[0] for candidate in known}
    held = _frequencies([stem for stem in stems.values() if stem], document_frequencies)
    return max((candidate for candidate in known if held.get(stems[candidate], 0)), default=None,
               key=lambda candidate: (candidate[0] == word[0], _dictionary().word_usage_frequency(candidate)))


def _frequencies(stems: list[str], document_frequencies) -> dict[str, int]:
    return document_frequencies(sorted(set(stems))) if stems else {}


@cache
def _dictionary() -> SpellChecker:
    return SpellChecker(language="en", distance=1)


def is_english(word: str) -> bool:
    """Whether the dictionary lists `word` (any case), or its American spelling."""
    lower = word.lower()
    dictionary = _dictionary()
    return lower in dictionary or american(lower) in dictionary or any(
        re.sub(pattern, us, lower, count=1) in dictionary for pattern, us in _BRITISH if re.search(pattern, lower))


def is_compound(word: str) -> bool:
    """Whether the lower-case `word` is two dictionary words run together (the first of four
    letters or more, the second of three or more: "yearslong", "greenlit") or a dictionary word
    behind a common prefix ("uncrewed", "multistate")."""
    if any(word.startswith(prefix) and is_english(word[len(prefix):]) and len(word) - len(prefix) >= 3
           for prefix in _PREFIXES):
        return True
    return any(is_english(word[:cut]) and is_english(word[cut:]) for cut in range(4, len(word) - 2))


def edit_distance(first: str, second: str, limit: int) -> int:
    """The number of single-letter insertions, deletions, substitutions and swaps of neighbouring
    letters that turn `first` into `second`, or `limit + 1` when it is more than `limit`."""
    previous2, previous = None, list(range(len(second) + 1))
    for i, letter in enumerate(first, start=1):
        row = [i] + [0] * len(second)
        for j, other in enumerate(second, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (letter != other))
            if i > 1 and j > 1 and letter == second[j - 2] and first[i - 2] == other:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return min(previous[-1], limit + 1)


def apply(question: str, found: list[Correction]) -> str:
    """`question` with each corrected word replaced wherever it stands as a whole word."""
    for correction in found:
        question = re.sub(rf"\b{re.escape(correction.typed)}\b", correction.read_as, question)
    return question

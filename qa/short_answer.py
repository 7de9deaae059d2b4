"""The short answer and list items, taken from the chosen sentences' spans of the expected kind.

A single answer is the span of the best sentence nearest to the question's own words there (of
the most fitting kind: a person before an organisation for "who"; for "where", a place after
"in", "at" ... with the larger places written after it, "Palm Beach, Florida"; for a percentage,
a share; for "how many", with what is counted: "650 potential UFO cases"). When that sentence names its
person only by a pronoun ("He is among 18 others who will receive the medal", '"We will never
accept it," he said') or goes on with a quote opened before it, the person named first in the
sentence before it in the same passage is the answer, and that sentence follows it.
A list ("which countries ...") gathers the spans of the sentences fitting the question within
LIST_MARGIN of the best, whichever passage they are in, one item per thing (the key joins "UK"
and "Britain"), each citing every passage it was found in; items named as exceptions ("every
country except Sweden") are left out, and for "which senators ..." so are people the sentence
gives another role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import (COUNTRY, EXTENT, MONTH, NAME, NUMBER, ORGANISATION, PERSON, PLACE, ROLE_TITLES, ExpectedAnswer, Span, accepted_kinds,
                       asked_role, is_large_region, is_plural_title, is_region, is_title)
from .sentence_choice import IDF_WEIGHT, LEAD_WEIGHT, ScoredSentence, question_terms

# A sentence that holds an answer of the expected kind may stand in for a better-scored one that
# holds none when it scores within this margin of it.
SHORT_MARGIN = 0.2
# Sentences within this margin of the best add their items to a list answer.
LIST_MARGIN = 0.1
LIST_SENTENCES = 4
_WORD = re.compile(r"\w+")
# A place follows a preposition of place ("in", but not "according to"), or a dateline's city in
# capitals ("PUTRAJAYA, Malaysia": Malaysia).
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|near|outside|inside|across|into|(?<!according )to|from)\s+"
                              r"(?:the\s+)?$", re.I)
DATELINE_CHARS = 60
_DATELINE = re.compile(r"[A-Z][A-Z .'’-]{2,},\s+")
# Items named as exceptions: "except (for) Sweden and Norway", "other than the UK, France or ...".
_EXCEPTED = re.compile(r"\b(?i:except(?: for)?|other than|excluding|but not|save for|not including)\s+"
                       r"(?:(?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*"
                       r"(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+))*(?:the\s+)?(?:[A-Z][\w.’'-]*\s+)*$")
# "No senator except John Smith voted": the exceptions are the answer ("no" up to three words
# before "except", not anywhere earlier: "Although no deal was reached, every country except ...").
_NONE_BUT = re.compile(r"\b(?:no|none|nobody|neither|not a single|not one)\b(?:\W+\w+){0,3}\W*$", re.I)
# Names before another in a list, each of capitalised words: "John Smith, Mary Jones and ".
_NAMES_BEFORE = r"(?:[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*(?:,\s+and\s+|,\s+|\s+and\s+))*"
# Between two names of one list: "John Smith and Mary Jones", "Kyiv, Lviv and Odesa".
_JOINED = re.compile(r",\s+|\s+and\s+|,\s+and\s+")
_NAMED_KINDS = (PERSON, COUNTRY, ORGANISATION, NAME)
# A question that may have several names for answer: "who ..." (not "which country ..."), "what two ...".
_ASKS_NOT_ONE = re.compile(r"\bwho(?:m)?\b|\b(?:two|both|three|four)\b", re.I)
_LIST_GOES_ON = re.compile(r", [A-Z][\w.’'-]*(?:,| and| or)")
# A lower-case word other than a preposition or conjunction: the region is a subject ("Geneva,
# Russia said").
_VERB_AFTER = re.compile(r" (?!(?:in|on|at|and|or|where|for|with|near|after|before|when|during|to|from|by|"
                         r"until|since|as|of|the|which|who|that)\b)[a-z]")
_ASKS_PLACE_KIND = re.compile(r"\b(?:which|what)\s+(?:[\w-]+\s+)?(cit(?:y|ies)|towns?|states?|countr(?:y|ies)|"
                              r"nations?|provinces?|regions?|islands?|count(?:y|ies))\b", re.I)
_ASKS_SHARE = re.compile(r"\b(percentage|percent|per cent)\b", re.I)
_SHARE = re.compile(r"%|\bper ?cent\b", re.I)
_ASKS_TIME = re.compile(r"\b(what|which) time\b|\bat what hour\b", re.I)
_TIME_OF_DAY = re.compile(r"\d:\d\d|\d\s?(?:a\.m\.|p\.m\.|am\b|pm\b)", re.I)
_ASKS_YEAR = re.compile(r"\b(what|which) year\b", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_ASKS_MONTH = re.compile(r"\b(what|which) month\b", re.I)

_ASKS_DATE = re.compile(r"\b(what|which) date\b", re.I)
_ASKED_FORMS = ((_ASKS_SHARE, _SHARE), (_ASKS_TIME, _TIME_OF_DAY), (_ASKS_YEAR, _YEAR), (_ASKS_MONTH, MONTH),
                (_ASKS_DATE, re.compile(f"{_YEAR.pattern}|{MONTH.pattern}")))
# "how many <what is counted>": up to COUNTED_WORDS words before a verb, preposition or the end.
COUNTED_WORDS = 4
# A word that ends the counted phrase: a past tense, or a verb that is seldom a plural noun.
_PLURAL = re.compile(r"\w+s|people|children|men|women|staff|police|troops", re.I)
_VERB_LIKE = re.compile(r"[a-z]{2,}ed|live|work|die|vote|attend|sign|remain|say|said|receive|took|won|lost|"
                        r"went|came|gather|donate|join|leave|left|bought|sold|saw|need")
_COUNTED = re.compile(
    r"\bhow many ((?:(?!(?:are|is|was|were|do|does|did|have|has|had|will|would|can|could|should|"
    r"may|might|in|of|on|at|for|to|from|with|by|that|than|the|a|an)\b)[\w’'-]+ ?){1,4})", re.I)
_SPEECH_VERBS = (r"said|says|told|tells|added|wrote|warned|warns|emphasi[sz]ed|stated|noted|argued|explained|"
                 r"cautioned|insisted|claimed|announced|declared")
_ASKS_SPEAKER = re.compile(rf"\bwho (?:has |had )?(?:{_SPEECH_VERBS}|say|tell|warn)\b", re.I)
_SPEECH_AFTER = re.compile(rf"[’']?s?,?\s+(?:has\s+|had\s+)?(?:{_SPEECH_VERBS})\b")
# "..., said Lavrov": the name after the verb speaks, but not after "told" or "tells" ("Yermak told
# the BBC": the BBC listens).
_SPEECH_BEFORE = re.compile(rf"\b(?!told\b|tells\b)(?:{_SPEECH_VERBS}|according to)\s+(?:[\w.’'-]+\s+){{0,3}}$",
                            re.I)
_PRONOUN_SPEAKS = re.compile(rf"\b(?:he|she)\s+(?:{_SPEECH_VERBS})\b", re.I)
# A sentence that is a quote and nothing else: '"Clinics will open by March."'.
_QUOTE_ALONE = re.compile(r"[\"“][^\"“”]+[\"”]\.?")
# How far back a chain of quotes and pronouns is followed to the person who speaks.
QUOTE_SENTENCES_BACK = 3
_PRONOUN_START = re.compile(r"\s*[\"“]?(He|She|His|Her)\b")


@dataclass(frozen=True)
class AnswerItem:
    """One item of a list answer and the 1-based numbers of the passages that name it."""

    text: str
    passages: tuple[int, ...]


@dataclass(frozen=True)
class ShortAnswer:
    """The short answer (None when no span fits), the list items, and the sentences they come
    from, best first."""

    short: str | None
    items: tuple[AnswerItem, ...]
    sentences: tuple[ScoredSentence, ...]


def short_answer(question: str, scored: list[ScoredSentence], expected: ExpectedAnswer) -> ShortAnswer:
    """The short answer to `question` from its scored sentences (best first, at least one)."""
    best = scored[0]
    with_spans = [s for s in scored[:LIST_SENTENCES]
                  if s.spans and _without_lead(s) >= _without_lead(best) - SHORT_MARGIN]
    sentence = _naming_sentence(with_spans, scored, expected) or best
    named_before = antecedent(sentence, scored) if expected.kind == PERSON and not expected.is_list else None
    if named_before is not None:
        return ShortAnswer(named_before[1].text, (), (sentence, named_before[0]))
    said_after = speaker_after(sentence, scored) if expected.kind == PERSON and _ASKS_SPEAKER.search(question) \
        else None
    if said_after is not None:
        return ShortAnswer(said_after[1].text, (), (sentence, said_after[0]))
    if expected.kind is None or not with_spans:
        return ShortAnswer(None, (), (best,))
    if expected.is_list:
        return _list_answer(question, scored, with_spans[0], expected)
    speakers = _speakers(sentence) if expected.kind == PERSON and _ASKS_SPEAKER.search(question) else ()
    if speakers:
        return ShortAnswer(nearest_span(sentence.text, speakers, question).text, (), (sentence,))
    if expected.kind == PLACE:
        span = nearest_span(sentence.text, _located_first(sentence), question, any_kind=True)
        return ShortAnswer(place_named(sentence, span, question), (), (sentence,))
    spans = _with_asked_role(sentence.text, _asked_form_first(sentence.spans, question), question)
    counting = tuple(span for span in spans if with_counted_noun(sentence.text, span, question) != span.text)
    span = nearest_span(sentence.text, counting or spans, question, any_kind=expected.kind == EXTENT)
    if expected.kind in _NAMED_KINDS and _ASKS_NOT_ONE.search(question):
        return ShortAnswer(coordinated(sentence.text, span, sentence.spans), (), (sentence,))
    return ShortAnswer(date_part(with_counted_noun(sentence.text, span, question), question), (), (sentence,))


def coordinated(text: str, span: Span, spans: tuple[Span, ...]) -> str:
    """The span's text, or the names it is joined with by "and" when it is one of them ("John
    Smith and Mary Jones voted": both answer "who voted"): the run of spans of its kind separated
    only by ", " or "and" that holds it, when the run ends on "and"."""
    same = sorted((other for other in spans if other.kind == span.kind), key=lambda other: other.start)
    at = same.index(span)
    first = last = at
    while first > 0 and _JOINED.fullmatch(text[same[first - 1].end:same[first].start]):
        first -= 1
    while last + 1 < len(same) and _JOINED.fullmatch(text[same[last].end:same[last + 1].start]):
        last += 1
    if first == last or "and" not in text[same[last - 1].end:same[last].start]:
        return span.text
    return join_items([other.text for other in same[first:last + 1]])


def _naming_sentence(with_spans: list[ScoredSentence], scored: list[ScoredSentence],
                     expected: ExpectedAnswer) -> ScoredSentence | None:
    """Of the sentences that hold a fitting span, the first to name what the question asks for in
    its preferred kind (for "who", a person, or "he"/"she" after one) when one does; else the
    first of them."""
    preferred = accepted_kinds(expected.kind)[:1]
    for sentence in with_spans:
        if any(span.kind in preferred for span in sentence.spans) or \
                (expected.kind == PERSON and antecedent(sentence, scored)):
            return sentence
    return with_spans[0] if with_spans else None


def antecedent(sentence: ScoredSentence,
               scored: list[ScoredSentence]) -> tuple[ScoredSentence, Span] | None:
    """The person a sentence that names no person is about, when it opens with "He", "She", "His"
    or "Her", quotes someone as "he said" ('"We will never accept it," he said.'), goes on with a
    quote opened before it ('We will not abandon Kyiv."') or is a quote alone: the nearest
    sentence before it in its passage that names a person, and that person, reached through at
    most QUOTE_SENTENCES_BACK sentences that refer back in turn ('Jane Ortiz announced it. "We
    will add doses," she said. "Clinics will open."'); None when that sentence names several
    people ("Putin was criticised by Anna Kowalski": "she" is unclear) or the chain breaks."""
    if not _refers_back(sentence) or any(span.kind == PERSON for span in sentence.spans):
        return None
    current = sentence
    for _ in range(QUOTE_SENTENCES_BACK):
        before = [other for other in scored
                  if other.passage == current.passage and other.span[1] <= current.span[0]]
        if not before:
            return None
        current = max(before, key=lambda other: other.span[1])
        people = {span.key: span for span in current.spans if span.kind == PERSON}
        if people:
            return (current, next(iter(people.values()))) if len(people) == 1 else None
        if not _refers_back(current):
            return None
    return None


def _refers_back(sentence: ScoredSentence) -> bool:
    """Whether a sentence's person is named before it: a pronoun opens it or says it, or it is
    (the rest of) a quote."""
    text = sentence.text
    return bool(_PRONOUN_START.match(text) or _PRONOUN_SPEAKS.search(text) or _continues_quote(text)
                or _QUOTE_ALONE.fullmatch(text.strip()))


def speaker_after(sentence: ScoredSentence,
                  scored: list[ScoredSentence]) -> tuple[ScoredSentence, Span] | None:
    """For "who said ...", when `sentence` opens a quote that the next sentence of its passage
    closes and attributes ('“This message suits the game of football. ... express it,” said
    Virgil van Dijk'): that sentence and its one speaker; None otherwise."""
    if not _opens_quote(sentence.text):
        return None
    after = [other for other in scored
             if other.passage == sentence.passage and other.span[0] >= sentence.span[1]]
    if not after:
        return None
    following = min(after, key=lambda other: other.span[0])
    speakers = {span.key: span for span in _speakers(following)} if _continues_quote(following.text) else {}
    return (following, next(iter(speakers.values()))) if len(speakers) == 1 else None


def _opens_quote(text: str) -> bool:
    """Whether `text` opens a quotation it does not close (one closed in a sentence after it)."""
    opening = text.rfind("“")
    if opening >= 0:
        return "”" not in text[opening:]
    return text.count('"') % 2 == 1 and text.lstrip().startswith('"')


def _continues_quote(text: str) -> bool:
    """Whether `text` closes a quotation it does not open (one opened in the sentence before)."""
    closing = text.find("”")
    if closing >= 0:
        return "“" not in text[:closing]
    return text.count('"') % 2 == 1 and text.rstrip().endswith('"')


def _speakers(sentence: ScoredSentence) -> tuple[Span, ...]:
    """For "who said ...", the spans of `sentence` that say something: the name before "said",
    "told", "warned" ... or after "said" / "according to", or the first name before "he said"
    ("When King Gustav V presented Thorpe with his medals, he said: ..."); () when none does."""
    text = sentence.text
    speaking = tuple(span for span in sentence.spans
                     if _SPEECH_AFTER.match(text, span.end) or _SPEECH_BEFORE.search(text[max(0, span.start - 40):span.start]))
    if speaking:
        return speaking
    pronoun = _PRONOUN_SPEAKS.search(text)
    named = [span for span in sentence.spans if pronoun and span.end <= pronoun.start()]
    return tuple(named[:1])


def _located_first(sentence: ScoredSentence) -> tuple[Span, ...]:
    """For a question that asks where, the spans that follow "in", "at", "near" ... ("born in
    Prague", not "Fox News" or a "(Reuters)" dateline), when there are any."""
    located = tuple(span for span in sentence.spans if _after_locative(sentence.text, span.start))
    return located or sentence.spans


def _after_locative(text: str, start: int) -> bool:
    """Whether position `start` follows a preposition of place or a dateline's city."""
    return bool(_LOCATIVE_BEFORE.search(text[max(0, start - 30):start])
                or (start <= DATELINE_CHARS and _DATELINE.fullmatch(text[:start])))


def place_named(sentence: ScoredSentence, span: Span, question: str) -> str:
    """A place with the regions written after it ("Palm Beach, Florida"): the whole for "where",
    the largest for "which state / country ...", the first for "which city / town". A name after
    the comma that is no region ("Geneva, Biden said"), follows a state or country itself
    ("Florida, Georgia and South Carolina"), goes on as a list ("Jamestown, Exeter, Westerly") or is the
    subject of a verb ("Geneva, Russia said") is not part of the place."""
    chain = [span]
    for other in sorted(sentence.spans, key=lambda other: other.start):
        if other.start > chain[-1].end and sentence.text[chain[-1].end:other.start] == ", " \
                and is_region(other.text) and not is_large_region(chain[-1].text) \
                and not _LIST_GOES_ON.match(sentence.text, other.end) \
                and not _VERB_AFTER.match(sentence.text, other.end):
            chain.append(other)
    asks = _ASKS_PLACE_KIND.search(question)
    if asks and asks.group(1).lower().startswith(("cit", "town")):
        return chain[0].text
    if asks:
        return chain[-1].text
    return sentence.text[chain[0].start:chain[-1].end]


def _asked_form_first(spans: tuple[Span, ...], question: str) -> tuple[Span, ...]:
    """For a question that asks for a percentage, a time of day, a year, a month or a date, the
    spans that hold one, when there are any ("49%" before "nine"; "6:30 p.m." before
    "Thursday"; "January 1, 2025" before "Wednesday" for "which date")."""
    for asks, form in _ASKED_FORMS:
        if asks.search(question):
            return tuple(span for span in spans if form.search(span.text)) or spans
    return spans


def date_part(text: str, question: str) -> str:
    """The part of a date a question asks for: the year of "August 12, 2045" for "what year",
    its month for "what month"; the whole date otherwise."""
    for asks, part in ((_ASKS_YEAR, _YEAR), (_ASKS_MONTH, MONTH)):
        found = part.search(text) if asks.search(question) else None
        if found:
            return found.group(0)
    return text


def with_counted_noun(sentence: str, span: Span, question: str) -> str:
    """A number's text with the thing the question counts, when the words after the number name
    it: "15 countries" for "how many countries", "650 potential UFO cases" for "how many
    potential UFO cases", but "34" where "34 felony criminal charges" does not end on the
    question's "counts"; any other span's text as it is."""
    counted = counted_phrase(question)
    if span.kind != NUMBER or not counted:
        return span.text
    head, asked = question_terms(counted[-1]), question_terms(question)
    end = span.end
    for word in list(_WORD.finditer(sentence, span.end))[:COUNTED_WORDS]:
        if sentence[end:word.start()].strip() or not question_terms(word.group(0)) & asked:
            break  # punctuation, or a word the question does not use, ends the phrase
        end = word.end()
        if question_terms(word.group(0)) == head:
            return sentence[span.start:end]
    return span.text


def counted_phrase(question: str) -> list[str]:
    """The words naming what "how many" counts: "Super Bowls" in "How many Super Bowls did Brady
    win?", "people" in "How many people signed the petition?" (the phrase ends before a word
    that reads as a verb); [] when the question does not ask how many."""
    counted = _COUNTED.search(question)
    if not counted:
        return []
    words = counted.group(1).split()
    for position, word in enumerate(words[1:], start=1):
        if _VERB_LIKE.fullmatch(word) and _PLURAL.fullmatch(words[position - 1]):
            return words[:position]  # "people signed", but "new speed cameras", "fully vaccinated people"
    return words


def nearest_span(sentence: str, spans: tuple[Span, ...], question: str, any_kind: bool = False) -> Span:
    """Of the spans of the most fitting kind (the first span's; of every kind when `any_kind`, as
    for places: a city or a country), the one nearest to a word of the question in `sentence`
    (the first one when the sentence holds none of them)."""
    fitting = [span for span in spans if any_kind or span.kind == spans[0].kind]
    terms = question_terms(question)
    anchors = [m.start() for m in _WORD.finditer(sentence) if question_terms(m.group(0)) & terms]
    if not anchors:
        return fitting[0]
    return min(fitting, key=lambda span: min(_gap(span, anchor) for anchor in anchors))


def _gap(span: Span, position: int) -> int:
    return 0 if span.start <= position < span.end else min(abs(span.start - position), abs(span.end - position))


def _list_answer(question: str, scored: list[ScoredSentence], first: ScoredSentence,
                 expected: ExpectedAnswer) -> ShortAnswer:
    """The items of the sentences that fit the question about as well as `first` (whichever
    passage they are in), of the most fitting kind any of them holds (see `list_spans`); no
    short answer when none is left ("every country except Sweden signed": `first` stands)."""
    fitting_best = sorted(scored, key=lambda sentence: -_fit(sentence))[:LIST_SENTENCES]
    chosen = [first] + [s for s in fitting_best
                        if s is not first and s.spans and _fit(s) >= _fit(first) - LIST_MARGIN]
    spans = {id(sentence): list_spans(sentence.text, sentence.spans, question) for sentence in chosen}
    kinds = {span.kind for found in spans.values() for span in found}
    kind = next((kind for kind in accepted_kinds(expected.kind) if kind in kinds), None)
    if kind is None:
        return ShortAnswer(None, (), (first,))
    texts: dict[str, str] = {}
    cited: dict[str, list[int]] = {}
    for sentence in chosen:
        for span in (span for span in spans[id(sentence)] if span.kind == kind):
            texts.setdefault(span.key, span.text)
            if sentence.passage not in cited.setdefault(span.key, []):
                cited[span.key].append(sentence.passage)
    items = tuple(AnswerItem(texts[key], tuple(sorted(cited[key]))) for key in texts)
    return ShortAnswer(join_items([item.text for item in items]), items,
                       tuple(sentence for sentence in chosen if spans[id(sentence)]) or (first,))


def list_spans(text: str, spans: tuple[Span, ...], question: str) -> list[Span]:
    """The spans of a sentence that are items of the list a question asks for: not those named as
    exceptions ("every country except Sweden and Norway"), and, for a question about people of a
    role ("Which senators ..."), those the sentence gives that role when it gives it to any, else
    those it gives no other title ("Governor Tom Reed")."""
    spans = [span for span in spans if not _excepted(text, span)]
    role = asked_role(question)
    if not role:
        return spans
    with_role = [span for span in spans if has_role(text, span, role)]
    return with_role or [span for span in spans if not _titled(text, span)] or spans


def _with_asked_role(text: str, spans: tuple[Span, ...], question: str) -> tuple[Span, ...]:
    """For a question about someone of a role ("which other representative ..."), the spans the
    sentence gives that role ("Rep. Adam Kinzinger"), when it gives it to any; else `spans`."""
    role = asked_role(question)
    return tuple(span for span in spans if role and has_role(text, span, role)) or spans


def _titled(text: str, span: Span) -> bool:
    """Whether a title stands right before the name at `span` ("Governor Tom Reed")."""
    before = text[max(0, span.start - 30):span.start].split()
    return bool(before) and is_title(before[-1]) and not is_plural_title(before[-1])


def _excepted(text: str, span: Span) -> bool:
    """Whether `text` names `span` as an exception to what it says of the others."""
    exception = _EXCEPTED.search(text, 0, span.start)
    return bool(exception) and not _NONE_BUT.search(text[max(0, exception.start() - 60):exception.start()])


def has_role(text: str, span: Span, role: str) -> bool:
    """Whether `text` gives the person at `span` the `role` (singular, lower case): as a title
    right before the name ("Sen. Mary Jones", "Senator Mary Jones"), a plural title before the
    list of names it is in ("Senators John Smith, Mary Jones and Tom Reed", "Sens. ..."), or
    after the name (", a senator from Ohio", ", the Ohio senator")."""
    titles = {role, ROLE_TITLES.get(role, role)}
    plurals = {role + "s", ROLE_TITLES.get(role, role).rstrip(".") + "s."}
    before = text[max(0, span.start - 200):span.start]
    titled = re.search(rf"(?<![\w.])(?:{'|'.join(map(re.escape, titles))})\s+$", before, re.I) or re.search(
        rf"(?<![\w.])(?:{'|'.join(map(re.escape, plurals))})\s+{_NAMES_BEFORE}$", before, re.I)
    after = re.match(rf",\s+(?:a|an|the|who is a|who is the)\s+(?:[\w.’'-]+\s+){{0,2}}"
                     rf"(?:{'|'.join(map(re.escape, titles))})\b", text[span.end:span.end + 60], re.I)
    return bool(titled or after)


def _without_lead(sentence: ScoredSentence) -> float:
    """A sentence's score without its bonus for opening its paragraph, which says where the point
    of a paragraph usually is, not that another sentence cannot hold the answer."""
    return sentence.score - LEAD_WEIGHT * sentence.opens_paragraph


def _fit(sentence: ScoredSentence) -> float:
    """How well a sentence fits the question, its passage's rank aside."""
    return sentence.similarity + IDF_WEIGHT * sentence.coverage


def join_items(texts: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]

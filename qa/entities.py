"""What a question asks for, and the spans of a sentence that could be it.

`expected_type(question)` reads the question's wording ("who" -> a person or organisation, "how
many" -> a number, "how much" -> an amount, "how old" -> an age, "how long is" -> a duration or a
length, "what was the score" -> a result, "which countries" -> a list of countries, "who is
<a name>?" -> nothing: a description ...); `candidates(sentence, kind)`
finds the spans of that kind in a sentence with patterns: country names and codes (pycountry plus
common short forms), numbers and amounts, dates and times, durations and lengths, ages, results,
and runs of capitalised words for names (people, organisations, events, places). Spans carry a
`key` so the same thing spelt two ways ("UK", "Britain") is counted once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN

from .sentences import US_STATE_ABBREVIATIONS

PERSON, ORGANISATION, NAME, EVENT, PLACE, COUNTRY, NUMBER, AMOUNT, DURATION, DATE, AGE, SCORE = (
    "person", "organisation", "name", "event", "place", "country", "number", "amount", "duration",
    "date", "age", "score")
# "How far" asks for a length; "how long is the border / the ceasefire" for a length or a duration.
LENGTH, EXTENT = "length", "extent"


@dataclass(frozen=True)
class ExpectedAnswer:
    """The kind of span a question asks for (None: no short answer fits) and whether it asks for
    several (a list)."""

    kind: str | None
    is_list: bool = False


@dataclass(frozen=True)
class Span:
    """A candidate answer in a sentence: its text, its character span, its kind and the key under
    which two spellings of the same thing are one."""

    text: str
    start: int
    end: int
    kind: str
    key: str


_Q = re.IGNORECASE
_ORG_NOUNS = (r"compan(y|ies)|firms?|organi[sz]ations?|groups?|part(y|ies)|teams?|agenc(y|ies)|"
              r"networks?|brands?|airlines?|banks?|carmakers?|automakers?|retailers?|apps?|"
              r"platforms?|clubs?|universit(y|ies)|manufacturers?|newspapers?|channels?|stores?|"
              r"chains?|bands?|studios?|websites?|services?")
_PERSON_NOUNS = (r"persons?|people|m[ae]n|wom[ae]n|politicians?|leaders?|officials?|actors?|"
                 r"actress(es)?|singers?|rappers?|players?|athletes?|ceos?|executives?|senators?|"
                 r"governors?|presidents?|judges?|justices?|representatives?|lawmakers?|candidates?|stars?|celebrit(y|ies)|"
                 r"journalists?|ministers?|billionaires?|musicians?|artists?|authors?|writers?|"
                 r"gymnasts?|swimmers?|skiers?|boxers?|golfers?|drivers?|coach(es)?|footballers?|"
                 r"cyclists?|runners?|sprinters?|quarterbacks?|pitchers?|skaters?|climbers?|"
                 r"comedians?|directors?|producers?|scientists?|economists?|lawyers?|prosecutors?|"
                 r"suspects?|victims?|astronauts?|pilots?|soldiers?|activists?|founders?|owners?|"
                 r"hosts?|anchors?|reporters?|monarchs?|kings?|queens?|princes?|princess(es)?|"
                 r"dictators?|chefs?|inventors?|entrepreneurs?|investors?|winners?|champions?")
_PLACE_NOUNS = r"cit(y|ies)|towns?|states?|regions?|places?|provinces?|islands?|capitals?|countys?|counties"
_RULES = [
    (re.compile(r"\bhow much\b|\bwhat (amount|price|cost|sum|fee|fine|salary|budget)\b", _Q), AMOUNT),
    (re.compile(r"\bhow many\b", _Q), NUMBER),
    (re.compile(r"\bhow old\b|\b(what|which) age\b", _Q), AGE),
    (re.compile(r"\b(what|which) (was |is |were )?(the )?(final )?score\b|\bby what (score|margin)\b", _Q), SCORE),
    (re.compile(r"\bwhat (percentage|percent|number|share|temperature|speed|tariffs?|"
                r"((interest|inflation|unemployment|tax|exchange|growth) )?rates?)\b", _Q), NUMBER),
    (re.compile(r"\bhow long (is|was|are|were|will be|would be)\b", _Q), EXTENT),
    (re.compile(r"\bhow long\b", _Q), DURATION),
    (re.compile(r"\bhow (far|wide|tall|high|deep)\b|\bwhat (distance|length|height|width|depth)\b", _Q), LENGTH),
    # "when" that opens a clause ("... this week when he recreated prints of which celebrity?") asks
    # for nothing itself
    (re.compile(r"\bwhen\b(?! (?:he|she|it|they|we|you|i|the|a|an|his|her|its|their|our)\b)|"
                r"\b(what|which) (year|date|day|month|decade|time)\b", _Q), DATE),
    (re.compile(r"\b(which|what|this) (countr(y|ies)|nations?)\b", _Q), COUNTRY),
    (re.compile(rf"\bwhere\b|\b(which|what|this) ({_PLACE_NOUNS})\b", _Q), PLACE),
    (re.compile(rf"\bwho(m|se)?\b|\b(which|what|this) ([\w-]+ )?({_PERSON_NOUNS})\b", _Q), PERSON),
    (re.compile(rf"\b(which|what|this) ({_ORG_NOUNS})\b", _Q), ORGANISATION),
    (re.compile(r"\b(which|what) (?!about\b|of\b|is\b|are\b|was\b|were\b|do\b|does\b|did\b|has\b|have\b|will\b|"
                r"would\b|can\b|could\b|should\b|happens?\b|happened\b)[a-z]+\b", _Q), NAME),
]
_LIST = re.compile(r"\b(which|what) (?!happens\b|means\b|remains\b|makes\b|takes\b|seems\b)"
                   r"(countries|nations|\w{3,}[^su\W]s)\b|\bwho (are|were|have)\b|"
                   r"\bname (the|all|some)\b", _Q)


# Person nouns that name no role: "which people" asks for anyone.
_ANYONE = frozenset("person persons people man men woman women".split())
_ASKS_PERSON_NOUN = re.compile(rf"\b(?:which|what) (?:[\w-]+ )?({_PERSON_NOUNS})\b", _Q)
# A role's short title before a name.
ROLE_TITLES = {"senator": "sen.", "governor": "gov.", "general": "gen.", "representative": "rep.",
               "doctor": "dr.", "professor": "prof.", "president": "pres."}


def asked_role(question: str) -> str | None:
    """The role a question asks people of, in the singular ("senator" for "Which senators voted
    ..."); None for "who", "which people" ..."""
    match = _ASKS_PERSON_NOUN.search(question)
    if not match or match.group(1).lower() in _ANYONE:
        return None
    noun = match.group(1).lower()
    for plural, singular in (("ies", "y"), ("esses", "ess"), ("ches", "ch"), ("s", "")):
        if noun.endswith(plural) and not noun.endswith("ss"):
            return noun[: -len(plural)] + singular
    return noun


_WHO_IS = re.compile(r"(?i:who (?:is|was|are|were)) ([A-Z][^\s?!]*(?: [A-Z][^\s?!]*)*)")


def expected_type(question: str) -> ExpectedAnswer:
    """The kind of short answer `question` asks for, and whether it asks for a list."""
    if _asks_who_someone_is(question):
        return ExpectedAnswer(None)
    for pattern, kind in _RULES:
        if pattern.search(question):
            return ExpectedAnswer(kind, bool(_LIST.search(question)))
    return ExpectedAnswer(None)


def _asks_who_someone_is(question: str) -> bool:
    """"Who is Marco Rubio?": a description, which no span gives (but "Who is UK Defence
    Secretary?" asks for a name)."""
    match = _WHO_IS.fullmatch(" ".join(question.split()).rstrip("?!.").rstrip())
    if not match:
        return False
    words = match.group(1).split()
    if len(words) == 1 and words[0] in _countries()[1]:
        return False
    return all(re.fullmatch(r"[A-Z][a-z][\w'’.-]*|[A-Z]{2,3}", word) and word.lower() not in _TITLES
               and not (word.isupper() and word in _countries()[1]) for word in words)


# --- countries --------------------------------------------------------------------------------

_COUNTRY_ALIASES = {
    "GBR": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom"],
    # The UK's nations play as countries in sport and are listed apart.
    "ENG": ["England"], "SCT": ["Scotland"], "WLS": ["Wales"], "NIR": ["Northern Ireland"],
    "USA": ["US", "U.S.", "USA", "U.S.A.", "America", "United States", "United States of America"],
    "RUS": ["Russia"], "KOR": ["South Korea", "Korea"], "PRK": ["North Korea"], "IRN": ["Iran"], "SYR": ["Syria"],
    "VNM": ["Vietnam"], "LAO": ["Laos"], "BOL": ["Bolivia"], "VEN": ["Venezuela"], "TZA": ["Tanzania"],
    "MDA": ["Moldova"], "CZE": ["Czech Republic", "Czechia"], "TWN": ["Taiwan"], "PSE": ["Palestine"],
    "VAT": ["Vatican"], "CIV": ["Ivory Coast"], "TUR": ["Turkey", "Türkiye"], "COD": ["DRC", "Congo"],
    "NLD": ["Netherlands", "Holland"], "ARE": ["UAE", "United Arab Emirates"], "BRN": ["Brunei"],
    "FSM": ["Micronesia"], "CPV": ["Cape Verde"], "SWZ": ["Swaziland", "Eswatini"],
    "MMR": ["Myanmar", "Burma"],
}


@lru_cache(maxsize=1)
def _countries() -> tuple[re.Pattern, dict[str, str]]:
    """A pattern matching country names and codes (case-sensitive) and name -> ISO alpha-3."""
    import pycountry

    keys: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name:
                keys[_in_reading_order(name)] = country.alpha_3
    for code, aliases in _COUNTRY_ALIASES.items():
        keys.update({alias: code for alias in aliases})
    names = sorted(keys, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.])(?:the )?(" + "|".join(map(re.escape, names)) + r")(?![\w])")
    return pattern, keys


def _in_reading_order(name: str) -> str:
    """pycountry's "Korea, Republic of" as written in text: "Republic of Korea"."""
    head, comma, tail = name.partition(", ")
    if not comma or not re.search(r"\b(of|the)$", tail, re.IGNORECASE):
        return name
    return f"{tail[0].upper()}{tail[1:]} {head}"


_NAME_BEFORE = re.compile(r"(?:^|[^\w'’])([A-Z][\w'’.-]*)\s+$")
_ORGANISATION_OF_BEFORE = re.compile(r"\b([A-Z][\w'’.-]*)\s+of\s+(?:the\s+)?$")
_NAME_AFTER = re.compile(r"^\s+([A-Z][a-z][\w'’-]*)")
# Capitalised only because they open a sentence: never the first word of a name.
_OPENERS = frozenset(
    "about above across after against along also although among and another any around as at "
    "because before behind below beneath beside besides between beyond both but by despite down "
    "during each either even every except few for from however if in inside instead into last "
    "later like many meanwhile more most much near neither next nor now of off on once one only "
    "or other outside over overall past per since so some still such than that the their then "
    "there these this those though through throughout thus to today toward towards under unless "
    "unlike until up upon via what when whenever where whereas whether which while who whose why "
    "with within without yet yesterday earlier tonight recently currently".split())
# Countries that are also first names: "Chad Johnson", "Jordan Peterson", "Georgia Smith".
_FIRST_NAME_COUNTRIES = frozenset({"Chad", "Jordan", "Georgia"})


def country_spans(sentence: str) -> list[Span]:
    """Country names and codes, unless part of a longer name ("Michael Jordan", "New Mexico",
    "Chad Johnson", "Bank of America")."""
    pattern, keys = _countries()
    return [Span(m.group(1), m.start(1), m.end(1), COUNTRY, keys[m.group(1)])
            for m in pattern.finditer(sentence) if not _inside_longer_name(sentence, m.start(1), m.end(1))]


def _inside_longer_name(sentence: str, start: int, end: int) -> bool:
    """Whether the country name at `start:end` is a word of a longer name: a person's ("Michael
    Jordan", "Chad Johnson"), a region's ("New Mexico") or an organisation's ("Bank of America").
    A capitalised word before it that is a function word ("Both France and ...", "In France"), a
    title or a country is no part of one; nor is a word after the country ("UK Prime Minister",
    "US Treasury") unless the country is also a first name."""
    before = _NAME_BEFORE.search(sentence[max(0, start - 40):start])
    if before:
        word = before.group(1).rstrip(".,")
        if f"{word} {sentence[start:end]}" in _regions():
            return True
        if not (word.lower() in _NO_NAME_OPENING or word in _countries()[1]
                or word.isupper() or word.endswith(("'s", "’s")) or re.fullmatch(f"{_DAYS}|{_MONTHS}", word)):
            return True
    organisation = _ORGANISATION_OF_BEFORE.search(sentence[max(0, start - 60):start])
    if organisation and organisation.group(1).lower() in _ORG_WORDS:
        return True
    after = _NAME_AFTER.match(sentence[end:end + 40])
    return bool(after) and sentence[start:end] in _FIRST_NAME_COUNTRIES and not _may_follow_a_country(after.group(1))


def _may_follow_a_country(word: str) -> bool:
    """Whether a capitalised `word` right after a country name leaves it a country ("Jordan
    Monday", "Georgia Senate")."""
    return word.lower() in _NOT_A_NAME_AFTER or \
        bool(re.fullmatch(f"{_DAYS}|{_MONTHS}", word)) or word in _countries()[1]


# --- numbers, amounts, dates, durations -------------------------------------------------------

_NUMBER_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                 r"thirty|forty|fifty|hundred|dozens?|hundreds|thousands|millions|billions")
_SCALE = r"(?:\s?(?:%|(?:percent|per cent)\b)|\s(?:million|billion|trillion|thousand|hundred)\b)?"
_NUMBER = re.compile(rf"(?:[$€£¥]\s?)?(?:\d+(?:[,.]\d+)*|\b(?:{_NUMBER_WORDS})\b){_SCALE}", _Q)
_CURRENCY_AFTER = re.compile(
    r"\s(?:(?:US |U\.S\. |Hong Kong |Canadian |Australian |New Zealand )?(?i:dollars?)|(?i:euros?|pounds?"
    r"(?: sterling)?|yuan|yen|rupees?|roubles?|rubles?|francs?|pesos?|reais|lira|krona|kronor|"
    r"kroner|shekels?|dinars?|riyals?|dirhams?|naira)|EUR|USD|GBP|CHF|JPY|CNY|AUD|CAD)\b")
# Currencies named like common words count only after "million", "billion" ...: "100 trillion won".
_SCALED_CURRENCY_AFTER = re.compile(r"\s(?:won|rand|real|reais)\b")
_HYPHEN_WORD = re.compile(r"-[A-Za-z]")
_NUMBER_WORD = re.compile(_NUMBER_WORDS, _Q)
_UNITS = r"seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?"
# "How long" asks for a time or a length: lengths keep their unit as written.
_LENGTHS = r"miles?|km|kilomet(?:re|er)s?|met(?:re|er)s?|feet|foot|yards?"
_MEASURE_COMPOUND = re.compile(r"-(?!(?:long|wide|high|deep|tall)\b)\w")
_DURATION = re.compile(rf"\b(\d+(?:[.,]\d+)?|{_NUMBER_WORDS})[- ]({_UNITS}|{_LENGTHS})\b", _Q)
_MONTH_NAMES = r"January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_ABBREVIATIONS = r"Jan|Feb|Aug|Sept?|Oct|Nov|Dec"
_MONTHS = rf"{_MONTH_NAMES}|(?:{_MONTH_ABBREVIATIONS})\."
MONTH = re.compile(rf"\b(?:{_MONTHS})")
_DAYS = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})(?:\s\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s(?:19|20)\d\d)?|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s(?:{_MONTHS})(?:\s(?:19|20)\d\d)?|"
    rf"(?:(?:this|next|last)\s)?(?:{_DAYS})|(?:this|next|last)\s(?:week|month|year|weekend)|"
    rf"(?:19|20)\d\d|yesterday|today|tomorrow)\b")

# A time of day: "8 p.m.", "10:30am", "20:00 GMT", or "23:40" after "at", "by", "until" ... ("John
# 3:16" and "a ratio of 3:10" are none).
_CLOCK = r"(?:[01]?\d|2[0-3]):[0-5]\d"
_HALF_DAY = r"\s?(?:a\.m\.|p\.m\.|am\b|pm\b)"
_TIME = re.compile(rf"(?<![\d:.])(?:1[0-2]|0?[1-9])(?::[0-5]\d)?{_HALF_DAY}|"
                   rf"\b(?:at|by|from|till|until|after|before|around)\s({_CLOCK}(?:{_HALF_DAY})?)(?![\d:])|"
                   rf"(?<![\d:.])({_CLOCK})(?=\s(?:GMT|UTC|BST|CET|CEST|EST|EDT|ET|PST|PDT|PT|local time)\b)",
                   _Q)


def number_spans(sentence: str) -> list[Span]:
    """Counts (NUMBER) and sums of money (AMOUNT: a currency sign or word, "4.2 million euros");
    not years, and not a number that is part of a word ("two-year", "30-day")."""
    spans = []
    for match in _NUMBER.finditer(sentence):
        text = match.group(0).strip()
        if not text or re.fullmatch(r"(19|20)\d\d", text) or _HYPHEN_WORD.match(sentence, match.end()):
            continue
        start = match.start() + match.group(0).index(text)
        currency = _CURRENCY_AFTER.match(sentence, start + len(text)) or \
            (_SCALED_CURRENCY_AFTER.match(sentence, start + len(text)) if text.endswith("illion") else None)
        if currency:
            text = sentence[start:currency.end()]
        kind = AMOUNT if currency or text[0] in "$€£¥" else NUMBER
        spans.append(Span(text, start, start + len(text), kind, text.lower()))
    return spans


def duration_spans(sentence: str) -> list[Span]:
    """Durations ("30 days") and lengths ("3 miles", "817 km"), each of its kind; never an age
    ("a 58-year-old bridge") nor a height ("6-foot-5")."""
    spans = []
    for match in _DURATION.finditer(sentence):
        if _MEASURE_COMPOUND.match(sentence, match.end()):
            continue  # "a 58-year-old bridge", "a 6-foot-5 forward" (but "a 3-mile-long bridge")
        amount, unit = match.group(1), match.group(2).lower()
        if unit not in ("km", "feet", "foot"):  # "30-day" -> "30 days", "3-mile" -> "3 miles"
            unit = unit.rstrip("s") + ("" if amount.lower() in ("one", "1") else "s")
        text = f"{amount} {unit}"
        kind = LENGTH if re.fullmatch(_LENGTHS, unit) else DURATION
        spans.append(Span(text, match.start(), match.end(), kind, text.lower()))
    return spans


_AGED_PEOPLE = (r"victim|suspect|gunman|shooter|attacker|man|woman|boy|girl|child|teen|teenager|son|"
                r"daughter|mother|father|wife|husband|brother|sister|driver|officer|player|patient")
_AGE_NUMBER = (r"(\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-[a-z]+)?|"
               r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
               r"fifteen|sixteen|seventeen|eighteen|nineteen))")
_AGE = re.compile(
    rf"\b{_AGE_NUMBER}[- ]years?[- ]old\b|"  # "a 16-year-old", "Seventeen-year-old", "50 years old"
    rf"\bat {_AGE_NUMBER} years of age\b|"
    rf"\b(?:aged?|at the age of) {_AGE_NUMBER}\b|"  # "at age 119", "aged 25", "at the age of 19"
    rf"\bturn(?:s|ed|ing)? {_AGE_NUMBER}\b(?! (?:%|percent|per cent|million|billion|times)\b)|"
    r"(?<=[a-z’'][A-Za-z]), (\d{1,3})(?=, | and )|"  # "Biles, 25, is": an age after a name
    r"\b(?:[Dd]ied|dies|passed away) at (\d{1,3})\b|"
    r"\bages (\d{1,2}\s?(?:to|-|–|through)\s?\d{1,2})\b|"  # "children ages 5 to 11"
    # "The victim is 17.", "The man, who was 45, ...": a bare number after a person and "is", "was"
    rf"(?:\b(?:he|she|who|{_AGED_PEOPLE})|(?-i:(?<=[\w,] )[A-Z][a-z]+))\s+(?:is|was)\s+(\d{{1,3}})(?![.,]\d)"
    r"(?=\s*[,.;)]|\s+(?:when|and|but|at|in|on|after|before|until|as)\b|\s*$)",
    _Q)
_YEAR_AFTER = re.compile(r",? (?:19|20)\d\d\b")
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTH_NAMES}|{_MONTH_ABBREVIATIONS})\.?$")


def age_spans(sentence: str) -> list[Span]:
    """Ages: "25-year-old", "aged 25", "at age 25", "turned 100", "Biles, 25,", "died at 81",
    "ages 5 to 11", "the victim is 17"."""
    spans = []
    for match in _AGE.finditer(sentence):
        group = next(g for g in range(1, len(match.groups()) + 1) if match.group(g))
        text = match.group(group)
        if (text.isdigit() and not 0 < int(text) < 130) or (
                _MONTH_BEFORE.search(sentence[max(0, match.start() - 12):match.start()])
                and _YEAR_AFTER.match(sentence, match.end())):
            continue  # not an age, or the day of "September, 11, 2001" (but "her daughter April, 9,")
        spans.append(Span(text, match.start(group), match.end(group), AGE, text.lower()))
    return spans


_SCORE = re.compile(r"(?<![\w.,–-])\d{1,3}\s?[-–]\s?\d{1,3}(?![\w.,–-]*\d)")


def score_spans(sentence: str) -> list[Span]:
    """Results of a game, "105-92", "3–1"; then the sentence's other numbers (a score may be a
    number: "94% on Rotten Tomatoes")."""
    scores = [Span(m.group(0), m.start(), m.end(), SCORE, re.sub(r"\s", "", m.group(0)))
              for m in _SCORE.finditer(sentence)]
    return scores + [span for span in number_spans(sentence)
                     if not any(score.start <= span.start < score.end for score in scores)]


def date_spans(sentence: str) -> list[Span]:
    """Dates, days and times of day ("23:40", "8 p.m."), in sentence order."""
    found = [(m.start(), m.end()) for m in _DATE.finditer(sentence)]
    for match in _TIME.finditer(sentence):
        group = next((g for g in (1, 2) if match.group(g)), 0)
        found.append((match.start(group), match.end(group)))
    return [Span(sentence[start:end], start, end, DATE, sentence[start:end].lower()) for start, end in sorted(found)]


# --- names ------------------------------------------------------------------------------------

# Small words inside names: "Bank of England", "Ursula von der Leyen" (but "Users of the Google
# app" is no name).
_PARTICLES = ("von der", "van der", "van den", "de la", "of", "de", "da", "del", "van", "von", "al", "bin", "la",
              "le", "du", "the")
_PARTICLE_WORDS = frozenset(" ".join(_PARTICLES).split())
_CAPITALISED = re.compile(
    rf"(?:(?<![\w-])(?i:{'|'.join(particle for particle in _PARTICLES if ' ' in particle)})\s)?"
    rf"[A-Z][\w'’&.-]*(?:\s(?:(?:{'|'.join(_PARTICLES)})\s)?[A-Z][\w'’&.-]*)*")
_TITLES = frozenset(
    "president prime minister secretary sen. sen rep. rep gov. gov mr. mrs. ms. dr. prof. gen. "
    "foreign defense defence former chief executive ceo senator king queen pope judge justice "
    "leader deputy vice chancellor premier general governor mayor sir dame lord lady prince princess "
    "attorney speaker ambassador commissioner director chairman chair founder co-founder republican "
    "democrat democratic conservative labour rep actor actress singer rapper author writer "
    "novelist comedian coach striker goalkeeper quarterback musician economist analyst "
    "spokesperson spokesman spokeswoman captain head congressman congresswoman".split())
# Titles of office in the plural, before a list of names.
_PLURAL_TITLES = frozenset(
    "senators sens. governors govs. presidents ministers judges justices generals mayors "
    "representatives reps. congressmen congresswomen ambassadors commissioners".split())
_ORG_WORDS = frozenset(
    "inc inc. corp corp. ltd ltd. llc plc group company co. bank party union council ministry "
    "department agency university association committee court airlines airways motors technologies "
    "fund organization organisation federation institute commission board league network news "
    "times post journal foundation nations office service services club church army navy house palace "
    "kremlin pentagon parliament congress senate capitol cabinet government police authority".split())
# Words that make a run of capitalised words an event, a prize or a treaty: never a "who".
_EVENT_WORDS = frozenset(
    "cup games olympics olympic championship championships open tournament series bowl festival "
    "awards award prize medal trophy summit conference war act treaty agreement accord euro euros "
    "day eve".split())
# Words that make a run of capitalised words a place ("Black Rock City", "Gaza Strip").
_PLACE_WORDS = frozenset(
    "city county state province island islands desert valley beach bay coast river lake mountains "
    "strip district region airport station square street avenue bridge park ocean sea gulf strait "
    "peninsula canal".split())
# First words of place names ("Fort Worth", "St. Louis", "Los Angeles"): such a name is no person
# (it may still answer "who" as a name: "Los Angeles Lakers").
_PLACE_OPENERS = frozenset("Port Fort Mount St. San Santa Los Las".split())
_STOPWORDS = frozenset(STOPWORDS_EN)
# Words (lower case) that, capitalised right before or after a country, leave it a country.
_NO_NAME_OPENING = _STOPWORDS | _TITLES | _OPENERS
_NOT_A_NAME_AFTER = _STOPWORDS | _TITLES | _ORG_WORDS | _EVENT_WORDS
_PARTY = re.compile(r"[DRI]-[A-Z]")
_NUMBER_SIGN = re.compile(r"No\.\s?\d")
_STATE_ABBREVIATION = re.compile(rf"(?:{US_STATE_ABBREVIATIONS})\.|D\.C\.")
# Abbreviations that keep their final stop: "U.S.", "Nev.", "Jr.".
_ABBREVIATION = re.compile(rf"(?:[A-Z]\.){{2,}}|(?:{US_STATE_ABBREVIATIONS}|Jr|Sr|St|Mt|Ft)\.")


def name_spans(sentence: str, kind: str = NAME) -> list[Span]:
    """Runs of capitalised words, without a leading title ("President"), possessive ("Brazil's")
    or capitalised common word that only opens the sentence; classed as country, organisation,
    event, person or name."""
    countries = {(s.start, s.end): s for s in country_spans(sentence)}
    spans = []
    for match in _CAPITALISED.finditer(sentence):
        words = [(m.start() + match.start(), m.group(0)) for m in re.finditer(r"\S+", match.group(0))]
        _strip_leading(words, sentence)
        titles = [i for i, (_, word) in enumerate(words) if is_title(word)]
        if titles and titles[-1] < len(words) - 1:
            words = words[titles[-1] + 1:]
            _strip_leading(words, sentence, after_title=True)
        if len(words) > 1 and words[0][1].endswith(("'s", "’s")):  # "Brazil's Rebeca Andrade"
            words.pop(0)
        words = _without_home(words)
        while words and (words[-1][1].lower() in _STOPWORDS or re.fullmatch(_DAYS, words[-1][1])):
            words.pop()
        if not words:
            continue
        last = words[-1][1].rstrip(",")
        if not _ABBREVIATION.fullmatch(last):
            last = last.rstrip(".")
        last = re.sub(r"['’]s$", "", last)  # "Kelce’s offer": Kelce
        start, end = words[0][0], words[-1][0] + len(last.rstrip("’'"))
        text = sentence[start:end]
        if len(text) < 2 or _NUMBER_WORD.fullmatch(text) or _PARTY.match(text) or _NUMBER_SIGN.match(sentence, start):
            continue  # "I", an initial, "Thousands", "(D-St. Petersburg)" after a lawmaker, "No. 1": no names
        country = countries.get((start, end))
        spans.append(country or Span(text, start, end, _name_kind(text), text.casefold()))
    return spans


def _without_home(words: list) -> list:
    """A person's name without the place they are from: "Adam Kinzinger" of "Adam Kinzinger of
    Illinois" (but "Bank of America", "Duke of Edinburgh" and "University of Texas" stay whole)."""
    texts = [word.rstrip(",.") for _, word in words]
    if "of" not in texts:
        return words
    at = texts.index("of")
    before, after = texts[:at], " ".join(texts[at + 1:])
    person_like = len(before) >= 2 and all(
        word[:1].isupper() and word.lower() not in _ORG_WORDS | _PLACE_WORDS | _EVENT_WORDS | _TITLES
        for word in before)
    return words[:at] if person_like and (is_region(after) or is_region(after + ".")) else words


def _strip_leading(words: list, sentence: str, after_title: bool = False) -> None:
    """Remove from the front of a run of capitalised `words` (position, word) its titles and
    small words, a lone word that only opens the sentence, and the "State" of "Secretary of
    State", "Minister of State", "Head of State"."""
    previous = "of" if after_title and words and words[0][1] == "of" else ""
    while words:
        word = words[0][1].lower().rstrip(",")
        if not (word in _TITLES | _STOPWORDS or (words[0][0] == _first_letter(sentence) and len(words) == 1)
                or (word == "state" and previous == "of")):
            return
        previous = word
        words.pop(0)


def is_plural_title(word: str) -> bool:
    """A title of office in the plural ("Senators"), which stands before a list of names."""
    return word.lower().rstrip(",") in _PLURAL_TITLES


def is_title(word: str) -> bool:
    """A title in a run of capitalised words, in the singular or, for titles of office, the
    plural ("Senators John Smith and ...", "Sens. ..."; but "Writers Guild", "Kings Cross")."""
    word = word.lower().rstrip(",")
    return word in _TITLES or word in _PLURAL_TITLES


def _first_letter(sentence: str) -> int:
    match = re.search(r"[A-Za-z]", sentence)
    return match.start() if match else 0


def _name_kind(text: str) -> str:
    words = text.split()
    if _DATE.fullmatch(text):
        return DATE
    if any(word.lower() in _ORG_WORDS for word in words) or re.fullmatch(r"[A-Z]{2,6}", text):
        return ORGANISATION
    if any(word.lower() in _EVENT_WORDS for word in words):
        return EVENT
    if _looks_like_place(words):
        return NAME  # a place ("Gaza Strip", "Port St. Lucie", "New Mexico"): never a person
    named = [word for word in words if word not in _PARTICLE_WORDS or word == words[0]]
    if 2 <= len(named) <= 4 and all(word[0].isupper() and not word.isupper() for word in named) \
            and not {"of", "the"} & set(words):
        return PERSON
    return NAME


def is_region(text: str) -> bool:
    """Whether `text` is a country's name or code, a name pycountry lists as a subdivision (states
    and provinces such as "Oklahoma" and "New South Wales", but also some cities: "Paris",
    "Berlin", "Geneva") or a US state's abbreviation ("Calif.", "D.C.")."""
    return text in _countries()[1] or text in _all_regions() or bool(_STATE_ABBREVIATION.fullmatch(text))


def is_large_region(text: str) -> bool:
    """Whether `text` is a country or a US state: a place no town is written before in a list
    ("Florida, Georgia and South Carolina")."""
    return text in _countries()[1] or text in _us_states()


@lru_cache(maxsize=1)
def _us_states() -> frozenset[str]:
    import pycountry

    return frozenset(region.name for region in pycountry.subdivisions.get(country_code="US"))


@lru_cache(maxsize=1)
def _all_regions() -> frozenset[str]:
    import pycountry

    return frozenset(region.name for region in pycountry.subdivisions)


def _looks_like_place(words: list[str]) -> bool:
    return words[-1].lower() in _PLACE_WORDS or words[0] in _PLACE_OPENERS or " ".join(words) in _regions()


@lru_cache(maxsize=1)
def _regions() -> frozenset[str]:
    """Names of states, provinces and other regions of two or more words ("New Mexico")."""
    return frozenset(name for name in _all_regions() if " " in name)


# Which span kinds answer which question kind, best first.
_ACCEPTED = {
    PERSON: (PERSON, ORGANISATION, NAME), ORGANISATION: (ORGANISATION, NAME, PERSON),
    NAME: (NAME, ORGANISATION, EVENT, PERSON), PLACE: (COUNTRY, NAME), COUNTRY: (COUNTRY,),
    NUMBER: (NUMBER, AMOUNT), AMOUNT: (AMOUNT, NUMBER), DURATION: (DURATION,), DATE: (DATE,),
    LENGTH: (LENGTH,), EXTENT: (DURATION, LENGTH),
    AGE: (AGE,), SCORE: (SCORE, NUMBER),
}


def accepted_kinds(kind: str) -> tuple[str, ...]:
    """The span kinds that answer a question asking for `kind`, best first."""
    return _ACCEPTED.get(kind, ())


def candidates(sentence: str, kind: str) -> list[Span]:
    """The spans of `sentence` that could answer a question asking for `kind`, the preferred
    kinds first, in sentence order within a kind."""
    if kind in (NUMBER, AMOUNT):
        found = number_spans(sentence)
    elif kind in (DURATION, LENGTH, EXTENT):
        found = duration_spans(sentence)
    elif kind == DATE:
        found = date_spans(sentence)
    elif kind == AGE:
        found = age_spans(sentence)
    elif kind == SCORE:
        found = score_spans(sentence)
    elif kind == COUNTRY:
        found = country_spans(sentence)
    else:
        found = name_spans(sentence)
    order = accepted_kinds(kind)
    return sorted((span for span in found if span.kind in order),
                  key=lambda span: (order.index(span.kind), span.start))


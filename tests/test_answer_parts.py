"""The pure parts of answering: spellings, what a question asks for, candidate spans, headlines,
follow-ups, confidence."""

import pytest

from qa.confidence import confidence
from qa.entities import (AGE, AMOUNT, COUNTRY, DATE, DURATION, EXTENT, LENGTH, NAME, NUMBER, ORGANISATION, PERSON,
                         PLACE, SCORE, ExpectedAnswer, accepted_kinds, candidates, expected_type)
from qa.follow_ups import earlier_questions, leans_on_previous, merged_query
from qa.sentence_choice import ScoredSentence, can_answer, is_headline, new_spans, question_terms
from qa.short_answer import list_spans, short_answer
from qa.spelling import american, variants


@pytest.mark.parametrize("word, expected", [
    ("defence", "defense"), ("organisation", "organization"), ("recognised", "recognized"),
    ("colour", "color"), ("harbour", "harbor"), ("centre", "center"), ("analyse", "analyze"),
    ("travelled", "traveled"), ("programme", "program"),
    # words with one spelling stay as they are
    ("advise", "advise"), ("promise", "promise"), ("four", "four"), ("hour", "hour"), ("paris", "paris"),
])
def test_american_spelling(word, expected):
    assert american(word) == expected


def test_variants_of_a_question():
    assert variants("Who is the UK defence secretary?") == ["defense"]
    assert variants("the defense organization") == ["defence"]
    assert variants("Which countries committed troops?") == []


@pytest.mark.parametrize("question, kind, is_list", [
    ("Which countries committed troops?", COUNTRY, True),
    ("In what country was the embassy attacked?", COUNTRY, False),
    ("Who is the UK defence secretary?", PERSON, False),
    ("This artist topped the chart in four decades.", PERSON, False),
    ("How long is the proposed ceasefire?", EXTENT, False),  # a duration or a length
    ("How much was the eurobond Russia repaid?", AMOUNT, False),
    ("How many people were evacuated?", NUMBER, False),
    ("How old is Simone Biles?", AGE, False), ("At what age did Ash Barty retire?", AGE, False),
    ("What is the age limit?", None, False),
    ("What was the score when the Bucks beat the Bulls?", SCORE, False), ("What score did it get?", SCORE, False),
    ("How long did the march last?", DURATION, False), ("How long is the border?", EXTENT, False),
    ("How far is Mars?", LENGTH, False),
    ("Who is Marco Rubio?", None, False), ("Who is the Pope?", PERSON, False),
    ("Who is Michael Jordan?", None, False), ("Who is UK Defence Secretary?", PERSON, False),
    ("Who is French Defense Minister?", PERSON, False),
    ("When is the second UK summit?", DATE, False),
    ("Where did Healey meet European defense ministers?", PLACE, False),
    ("Which company said its CEO was ousted without board approval?", ORGANISATION, False),
    ("What interest rate did the European Central Bank set?", NUMBER, False),
    ("What price did the ministry pay for the drones?", AMOUNT, False),
    ("What tariff will Trump impose on imported cars?", NUMBER, False),
    ("Which Olympic gymnast won the gold medal in the floor final?", PERSON, False),
    ("Why did Russia refuse the compromise?", None, False),
    ("Warhol infringed a copyright when he recreated prints of which celebrity?", PERSON, False),
    ("Musk's mother made headlines this week when she did what?", None, False),  # "when" opens a clause
    ("What did Lavrov say?", None, False),
])
def test_expected_type(question, kind, is_list):
    assert expected_type(question) == ExpectedAnswer(kind, is_list)


@pytest.mark.parametrize("sentence, kind, texts", [
    ("So far, the UK and France—both members of NATO—have confirmed troops.", COUNTRY, ["UK", "France"]),
    ("Speaking in Paris, Defense Secretary John Healey said so.", PERSON, ["John Healey", "Paris"]),
    ("The medal went to Apple co-founder Steve Jobs, former Republican Sen. John McCain and Richard Trumka.",
     PERSON, ["Steve Jobs", "John McCain", "Richard Trumka", "Apple"]),
    ("Putin might obstruct a proposed 30-day ceasefire.", DURATION, ["30 days"]),
    ("Russia repaid $565 million in 2022 to 15 countries.", NUMBER, ["15", "$565 million"]),
    ("The two-year restoration cost 4.2 million euros.", AMOUNT, ["4.2 million euros"]),
    ("The summit is this Saturday, not on March 3, 2025.", DATE, ["this Saturday", "March 3, 2025"]),
    ("Lionel Messi lifted the World Cup at the White House.", PERSON,
     ["Lionel Messi", "White House"]),  # a person first, and never an event
    ("Lionel Messi lifted the World Cup at the White House.", NAME,
     ["White House", "World Cup", "Lionel Messi"]),
    ("Brazil’s Rebeca Andrade beat Simone Biles at the Paris Olympics on Monday.", PERSON,
     ["Rebeca Andrade", "Simone Biles"]),
    ("Israel Monday rejected Travis Kelce’s offer.", PERSON, ["Travis Kelce"]),
    ("No names or numbers here.", NUMBER, []),
    # the UK's nations are listed apart; a country inside a longer name is none
    ("Scotland beat Wales in Edinburgh, while England drew with Ireland.", COUNTRY,
     ["Scotland", "Wales", "England", "Ireland"]),
    ("Michael Jordan, the mayor of New Mexico's capital and Chad Johnson of Bank of America spoke.",
     COUNTRY, []),
    ("In France, UK Prime Minister Keir Starmer and the US Senate met Germany on Monday.", COUNTRY,
     ["France", "UK", "US", "Germany"]),
    ("The US and Korea agreed; the Republic of Korea signed.", COUNTRY, ["US", "Korea", "Republic of Korea"]),
    ("Officials in the U.S. said so.", PLACE, ["U.S."]),
    ("Protesters gathered on Wall Street near Central Park.", PLACE, ["Wall Street", "Central Park"]),
    ("Trump’s Canada tariffs and EU Russia sanctions hit; on Monday Israel struck.", COUNTRY,
     ["Canada", "Russia", "Israel"]),
    ("Prime Minister of India Narendra Modi spoke.", COUNTRY, ["India"]),
    ("Samsung invests 100 trillion won; it cost 50 Euros; 3 won re-election.", AMOUNT,
     ["100 trillion won", "50 Euros", "3"]),
    ("Kick-off is 20:00 GMT; the ratio fell to 3:10, as in John 3:16.", DATE, ["20:00"]),
    ("Mississippi Secretary of State Michael Watson and Head of State Xi Jinping met.", PERSON,
     ["Michael Watson", "Xi Jinping"]),
    ("They were stranded at Black Rock City, Nev., officials said.", PLACE, ["Black Rock City", "Nev."]),
    ("Thousands were stranded in New Mexico on Christmas Day, Jayson Tatum said.", PERSON,
     ["Jayson Tatum", "New Mexico"]),  # a place may answer "who" as a name, never as a person
    ("He drove to Port St. Lucie when a driver from Fort Worth hit him; Lakers fans cheered.", PERSON,
     ["Port St. Lucie", "Fort Worth", "Lakers"]),  # names (places), not people
    ("Musk bought a stake in Twitter, and the Port Authority, Manchester City and Georges St. Pierre agreed.",
     PERSON, ["Georges St. Pierre", "Port Authority", "Twitter", "Manchester City"]),
    ("The death toll is 19 and turnout was 64; her daughter April, 9, survived; the victim is 17.", AGE,
     ["9", "17"]),
    ("Secretary of State Marco Rubio and actor Howard Hesseman spoke.", PERSON, ["Marco Rubio", "Howard Hesseman"]),
    ("The two-year restoration cost 4.2 million euros, not $5 million.", AMOUNT, ["4.2 million euros", "$5 million"]),
    ("Russia repaid the $565 million eurobond.", AMOUNT, ["$565 million"]),
    ("The night ferry leaves at 23:40 on 1 May, the day boat at 8 p.m.", DATE, ["23:40", "1 May", "8 p.m."]),
    # ages, never other numbers: the 17 honorees, a date's day, a share
    ("Biden awarded 17 Americans; he noted Biles, 25, is the youngest.", AGE, ["25"]),
    ("The man, who was 45, waited; children ages 5 to 11 and September, 11, 2001 are no ages.", AGE,
     ["45", "5 to 11"]),
    ("Seventeen-year-old Mack Rutherford landed; his 16-year-old rival, aged 15 then, waited.", AGE,
     ["Seventeen", "16", "15"]),
    ("She died at age 119 after she turned 100 in 2003; he died at 81.", AGE, ["119", "100", "81"]),
    ("On March 3, 25 people left; sales turned 5 percent higher in Chapter 3, 12 and 13.", AGE, []),
    ("The crash happened just before 6:30 p.m. on Aug. 10.", DATE, ["6:30 p.m.", "Aug. 10"]),
    # "how long": durations and lengths, not an age
    ("The 58-year-old bridge gives way to a 3-mile crossing on an 817-km border in two years.", DURATION,
     ["two years"]),
    ("The 6-foot-5 forward crossed a 3-mile-long bridge on an 817-km border in two years.", EXTENT,
     ["two years", "3 miles", "817 km"]),
    ("Nine percentage points took it to 49% or 12 per cent.", NUMBER, ["Nine", "49%", "12 per cent"]),
    ("The No. 1 seed beat the Heat in Miami.", NAME, ["Heat", "Miami"]),
    ("Congressman Charlie Crist (D-St. Petersburg) and Sen. Ted Cruz (R-Texas) nominated them.", PERSON,
     ["Charlie Crist", "Ted Cruz"]),
    ("The Bucks beat the Bulls 105-92 after a 3–1 start; COVID-19 cut 2003-04 to 20 games.", SCORE,
     ["105-92", "3–1", "19", "04", "20"]),  # results first, then the other numbers
])
def test_candidates(sentence, kind, texts):
    assert [span.text for span in candidates(sentence, kind)] == texts


def scored_passage(question: str, text: str) -> list[ScoredSentence]:
    """The sentences of one passage `text` (split at ". "), a later one scoring higher, best first."""
    expected, terms = expected_type(question), question_terms(question)
    sentences, start = [], 0
    for number, sentence in enumerate(text.split(". ")):
        sentence = sentence.rstrip(".") + "."
        spans = tuple(new_spans(sentence, expected, terms))
        sentences.append(ScoredSentence(sentence, 1, (start, start + len(sentence)), float(number), 0.5,
                                        0.5, spans))
        start += len(sentence) + 1
    return sorted(sentences, key=lambda sentence: -sentence.score)


@pytest.mark.parametrize("question, sentence, short", [
    ("Where was Jim Thorpe born?", "Jim Thorpe, who was Sac and Fox, was born in Prague, Oklahoma.",
     "Prague, Oklahoma"),  # a place after "in", with the larger place after it
    ("Which state was searched?", "Trump’s resort in Palm Beach, Florida, was searched by FBI agents.", "Florida"),
    ("Which city was searched?", "Trump’s resort in Palm Beach, Florida, was searched by FBI agents.", "Palm Beach"),
    ("Where were the talks held?", "PUTRAJAYA, Malaysia, July 28 (Reuters) - Leaders held talks.", "Malaysia"),
    ("What percentage of children live in poverty?", "Poverty rose nine percentage points to 49%.", "49%"),
    ("How many Super Bowls did Brady win?", "Brady won seven Super Bowls with two teams.", "seven Super Bowls"),
    ("How many potential UFO cases are tracked?", "It tracks 650 potential UFO cases, it said.",
     "650 potential UFO cases"),
    ("He pleaded not guilty to how many felony counts?", "He pleaded not guilty to 34 felony criminal charges.",
     "34"),  # the words after the number do not end on what the question counts
    ("In what month will the US hit its debt limit?", "It could reach the limit on December 15 if nothing changes.",
     "December"),
    ("In what year is the next eclipse?", "The next eclipse will occur on August 12, 2045, officials said.", "2045"),
    ("The House voted to suspend the debt limit through which date?",
     "The House voted on Wednesday to suspend the limit through January 1, 2025, as lawmakers raced.",
     "January 1, 2025"),  # a date, not the weekday nearer the question's words
    ("When was the scheme introduced?", "The scheme was first introduced in 1980 by the government.", "1980"),
    ("What time did the crash happen?", "The crash happened just before 6:30 p.m., police said on Friday.",
     "6:30 p.m."),
    ("How long is the new crossing?", "The 58-year-old bridge will be replaced by a new 3-mile crossing.", "3 miles"),
    ("How old is the bridge?", "The 58-year-old bridge will be replaced by a new 3-mile crossing.", "58"),
    ("How many people signed the petition?", "More than 1,000 people have signed the petition.", "1,000 people"),
    ("How many people donated blood?", "About 200 people donated blood on Monday.", "200 people"),
    ("How long did the march last?", "The 3-mile march lasted four hours.", "four hours"),
    ("How long is the border?", "The two countries share an 817-km border and fought for five days.", "817 km"),
    ("What time does the parade start?", "The parade starts Thursday at 6:30 p.m., officials said.", "6:30 p.m."),
    ("Where were the talks held?", "The talks were held in Geneva, Biden said.", "Geneva"),
    ("Where did she live?", "She lived in Lyon, France, for years.", "Lyon, France"),
    ("Where does Trump have homes?", "Trump has homes in Palm Beach, Florida, and Bedminster, New Jersey.",
     "Palm Beach, Florida"),
    ("Where were the talks held?", "The talks were held in Geneva, Russia said.", "Geneva"),
    ("Where did the Pilgrims celebrate?", "The first Thanksgiving was observed in Plymouth, Massachusetts , in 1621.",
     "Plymouth, Massachusetts"),  # a town named like a subdivision still takes its state
    ("Which city will host the 2028 Olympics?", "The 2028 Olympics will be held in Los Angeles.", "Los Angeles"),
    ("How many new speed cameras were installed?", "The city installed 40 new speed cameras in May.",
     "40 new speed cameras"),
    ("Where will the substations open?", "New substations will open in Jamestown, Exeter, and Westerly.",
     "Jamestown"),  # a list, not a town and its region
    ("How old is the victim?", "The victim is 17, police said.", "17"),
    # "who said": the one who speaks, not the one spoken to or about
    ("Who said the plan would fail?", "Senator Rubio told reporters that the plan Lavrov drafted would fail.", "Rubio"),
    ("Who warned of delays?", "According to Heidi Alexander, the minister who met John Smith, delays are likely.",
     "Heidi Alexander"),
    ("Who said the truce would collapse?", "“The truce will collapse, John Smith believes,” said Marek Nowak.",
     "Marek Nowak"),
    ("Who said a ceasefire is possible?", "“A ceasefire is possible,” Andriy Yermak told the BBC.",
     "Andriy Yermak"),  # the one told listens
    ("Liz Cheney and which other representative sit on the committee?",  # the one given the role asked
     "Criticized as “Pelosi Republicans,” Cheney is joined by Rep. Adam Kinzinger of Illinois.", "Adam Kinzinger"),
    # "who" may have several people for answer: those joined by "and", not the one after
    ("Who voted against the bill?", "Senators John Smith and Mary Jones voted against the bill, Governor Tom "
     "Brown said.", "John Smith and Mary Jones"),
    ("What two states kept slavery until 1865?", "Slavery lasted in Delaware and Kentucky until 1865.",
     "Delaware and Kentucky"),
    ("Who said you are the greatest athlete?",
     "When King Gustav V presented Thorpe with his medals, he said: you are the greatest athlete.", "Gustav V"),
    ("How many Ram trucks did Fiat Chrysler recall?",  # the number that counts them, not the nearest
     "Fiat Chrysler recalls 494,000 Ram trucks, two years after the last recall.", "494,000 Ram trucks"),
    ("What was the score when the Bucks beat the Bulls?", "The Bucks beat the Bulls 105-92 in 2021.", "105-92"),
])
def test_short_answer_of_one_sentence(question, sentence, short):
    assert short_answer(question, scored_passage(question, sentence), expected_type(question)).short == short


@pytest.mark.parametrize("question, text, short", [
    ("Who will receive the Medal of Freedom?",
     "Jim Thorpe was born in Prague, Oklahoma in 1887. He will receive the Medal of Freedom on Friday, "
     "according to a release from the White House.", "Jim Thorpe"),
    ("Who will receive the Medal of Freedom?",  # the sentence names its person: no pronoun to follow
     "Jim Thorpe was born in Prague, Oklahoma in 1887. Steve Jobs will receive the Medal of Freedom.",
     "Steve Jobs"),
    ("Who will receive the Medal of Freedom?",  # nobody named before the pronoun: the sentence's own span
     "The ceremony was moved. He will receive the Medal of Freedom at the White House.", "White House"),
    ("Who said the truce would collapse?",  # the best sentence holds no name at all
     "Her deputy, Marek Nowak, disagreed. He said the truce would collapse within months.", "Marek Nowak"),
    ("Who said they would never accept NATO troops?",  # a quote with "he said": the speaker is before it
     'Foreign Minister Sergei Lavrov spoke after the talks. "We will never accept NATO troops," he said.',
     "Sergei Lavrov"),
    ("Who said Putin cannot be trusted?",  # two people before "she said": no short answer guessed
     'Vladimir Putin was criticised by Foreign Minister Anna Kowalski. "He cannot be trusted," she said.',
     None),
    ("Who said clinics will open in every county?",  # a run of quotes: back to the one who speaks
     'Health Minister Jane Ortiz announced new funding. "We will add doses," she said. "Clinics will open in '
     'every county by March."', "Jane Ortiz"),
    ("Who said the government would not abandon Kyiv?",  # a quote that goes on from the sentence before
     "Commission President Ursula von der Leyen gave a speech: “Europe stands ready. We will not abandon Kyiv.”",
     "Ursula von der Leyen"),
])
def test_a_pronoun_answer_names_the_person_before_it(question, text, short):
    chosen = short_answer(question, scored_passage(question, text), expected_type(question))
    assert chosen.short == short
    assert chosen.sentences[0].text.startswith(("He will", "Steve Jobs will", "He said", '"We will', "We will",
                                                '"He cannot', '"Clinics'))
    assert short is None or any(short in sentence.text for sentence in chosen.sentences)


def test_a_quote_attributed_in_the_sentence_after_it_takes_that_speaker():
    question = "Who said the message suits the game of football?"
    expected, terms = expected_type(question), question_terms(question)
    texts = ["“This message suits the game of football.",
             "With the band we express it,” said Virgil van Dijk, the Netherlands captain."]
    scored, start = [], 0
    for number, text in enumerate(texts):
        scored.append(ScoredSentence(text, 1, (start, start + len(text)), 1.0 - number / 2, 0.5, 0.5,
                                     tuple(new_spans(text, expected, terms))))
        start += len(text) + 1
    chosen = short_answer(question, scored, expected)
    assert chosen.short == "Virgil van Dijk"
    assert [sentence.text for sentence in chosen.sentences] == texts


def test_a_list_takes_the_kind_the_question_prefers_from_any_chosen_sentence():
    question = "Who are the Medal of Freedom recipients?"
    expected, terms = expected_type(question), question_terms(question)
    texts = ["The ceremony was held at the White House.", "Simone Biles and Megan Rapinoe were honoured."]
    scored = [ScoredSentence(text, number, (0, len(text)), 1.0 - number / 100, 0.5, 0.5,
                             tuple(new_spans(text, expected, terms))) for number, text in enumerate(texts, 1)]
    chosen = short_answer(question, scored, expected)
    assert [item.text for item in chosen.items] == ["Simone Biles", "Megan Rapinoe"]


def test_a_lone_capital_letter_is_no_name():
    texts = [span.text for span in candidates("Then I strongly recommend that Dr. Leana Wen speaks.", PERSON)]
    assert texts == ["Leana Wen"]


def test_countries_spelt_two_ways_share_a_key():
    uk, britain = candidates("The UK and Britain.", COUNTRY)
    assert uk.key == britain.key == "GBR"


@pytest.mark.parametrize("line, headline", [
    ("Elon Musk gives ultimatum to Twitter staff: do extremely hardcore work or leave", True),
    ("UK Urges Russia to Compromise for Peace in Ukraine", True),
    ("The council approved a budget of 12 million euros for schools.", False),
    ("Is the ceasefire holding?", False),
])
def test_headline_lines(line, headline):
    assert is_headline(line) is headline


@pytest.mark.parametrize("sentence, answers", [
    ("How did Russia invade Ukraine?", False),
    ("CNN: What's the main thing you want vaccinated people to know about Omicron?", False),
    ("UK Urges Russia to Compromise for Peace in Ukraine", False),
    ("Russian troops crossed into Ukraine on February 24.", True),
    ("“We will not leave,” he said.", True),
])
def test_only_statements_answer(sentence, answers):
    assert can_answer(sentence) is answers


@pytest.mark.parametrize("question, leans", [
    ("and Germany?", True), ("What about France?", True), ("What did he say about NATO?", True),
    ("Why?", True), ("Did they agree to it?", True),
    ("Which countries committed troops?", False), ("What did Lavrov say?", False),
    ("How long is the proposed ceasefire?", False), ("Who is the UK defence secretary?", False),
    ("Is it true that Starmer will visit Washington?", False),
    ("Did they also sanction Russia?", True), ("Which countries sanctioned Iran too?", False),
    ("How old was Howard Hesseman when he died?", False),
    ("Where did Elon Musk send his Starlink terminals, and what did he say?", False),
    ("Who won the Women's Euro 2022 final and what did they say?", False),
    ("What did the company say about its profits?", True), ("What did NATO say after they met?", False),
    ("So which countries committed troops?", False), ("And which countries committed troops?", False),
    ("and when?", True), ("and what did he say about NATO?", True), ("And what about Turkey?", True),
    ("When did the president say he would leave?", False),
])
def test_leans_on_previous(question, leans):
    assert leans_on_previous(question) is leans


def test_earlier_questions_drop_filters_even_invalid_ones():
    assert earlier_questions(["after:2025-13-01 What did Lavrov say?", "", None, "in:memo troops"]) == [
        "What did Lavrov say?", "troops"]
    assert merged_query("and Germany?", ["before:2025-99-99 Which countries committed troops?"]) == (
        "Which countries committed troops? and Germany?")
    assert merged_query("and Germany?", []) is None
    assert merged_query("Which countries committed troops?", ["What did Lavrov say?"]) is None


@pytest.mark.parametrize("question, history, merged", [
    # a follow-up of a follow-up brings the question the chain started from
    ("Who hit him?", ["Which team signed Alonso?", "Where was Pete Alonso's accident?", "When did it happen?"],
     "Where was Pete Alonso's accident? When did it happen? Who hit him?"),
    ("and when?", ["Which countries sent troops?", "and how many?", "and where?", "and why?"],
     "and how many? and where? and why? and when?"),  # at most CHAIN_QUESTIONS earlier ones
    ("Who hit him?", ["Where was Pete Alonso's accident?", "Which countries sent troops?"],
     "Which countries sent troops? Who hit him?"),  # the chain stops at a question of its own
])
def test_a_follow_up_chain_is_searched_together(question, history, merged):
    assert merged_query(question, history) == merged


def test_confidence_rises_with_fit():
    def best(similarity, coverage, spans=()):
        return ScoredSentence("s", 1, (0, 1), 0.0, similarity, coverage, spans)

    asks = ExpectedAnswer(PERSON)
    weak, strong = confidence(best(0.2, 0.1), asks), confidence(best(0.6, 0.9), asks)
    assert 0 < weak < strong < 1
    assert confidence(None, asks) == 0.0


@pytest.mark.parametrize("sentence, question, items", [
    ("Every country except Sweden and Norway signed the treaty, which Canada, Japan and Chile drafted.",
     "Which countries signed the treaty?", ["Canada", "Japan", "Chile"]),
    ("All members other than the UK, France or Germany voted, as did Spain.", "Which countries voted?",
     ["Spain"]),
    ("Senators John Smith and Mary Jones voted against the bill, Governor Tom Brown said.",
     "Which senators voted against the bill?", ["John Smith", "Mary Jones"]),
    ("Senators John Smith and Mary Jones voted against the bill, Governor Tom Brown said.",
     "Who voted against the bill?", ["John Smith", "Mary Jones", "Tom Brown"]),  # no role asked
    ("Sen. Ann Lee, Tom Brown and Raj Patel, a senator from Ohio, objected.", "Which senators objected?",
     ["Ann Lee", "Raj Patel"]),
    ("Ann Lee and Tom Brown objected.", "Which senators objected?", ["Ann Lee", "Tom Brown"]),  # no role given
    ("Senators John Smith, Mary Jones, Tom Reed and Alice Brown backed the bill.", "Which senators backed the bill?",
     ["John Smith", "Mary Jones", "Tom Reed", "Alice Brown"]),  # the plural title covers its whole list
    ("Two senators criticized Governor Tom Reed, while Ann Lee praised him.", "Which senators criticized him?",
     ["Ann Lee"]),  # nobody given the role: not the one given another title
    ("Italy signed too, besides France and Germany.", "Which countries signed?", ["Italy", "France", "Germany"]),
    ("No senator except John Smith and Mary Jones voted against it.", "Which senators voted against it?",
     ["John Smith", "Mary Jones"]),  # "no one except" names the answer
    ("Except for Sweden, every country signed, including Chile.", "Which countries signed?", ["Chile"]),
    ("All governors except Governor Ann Lee and Gov. Bill Hart signed, as did Mayor Jo Reed.",
     "Which people signed?", ["Jo Reed"]),  # titles before the excepted names
    ("Although no deal was reached, every country except France joined, as did Chile.",
     "Which countries joined?", ["Chile"]),  # a "no" far before "except" names no answer
    ("Senators John Smith, Mary Jones and Tom Reed opposed it.", "Which lawmakers opposed it?",
     ["John Smith", "Mary Jones", "Tom Reed"]),  # a plural title is no other role
    ("Reps. Ann Lee and Tom Reed and Senator Omar Diaz attended.", "Which representatives attended?",
     ["Ann Lee", "Tom Reed"]),
])
def test_list_spans_leave_out_exceptions_and_other_roles(sentence, question, items):
    kind = expected_type(question).kind
    spans = [span for span in candidates(sentence, kind) if span.kind == accepted_kinds(kind)[0]]
    assert [span.text for span in list_spans(sentence, tuple(spans), question)] == items


def test_a_plural_title_before_names_is_no_part_of_them_and_alone_is_a_name():
    assert [span.text for span in candidates("Senators John Smith and Mary Jones voted.", PERSON)] == \
        ["John Smith", "Mary Jones"]
    assert "Democrats" in [span.text for span in candidates("The Democrats won the vote.", NAME)]


@pytest.mark.parametrize("sentence, name", [
    ("The Writers Guild went on strike.", "Writers Guild"), ("Trains left Kings Cross late.", "Kings Cross"),
    ("Sens. Paul Green and Rita Moore objected.", "Paul Green"),
    ("Later, von der Leyen said so.", "von der Leyen"),  # a name that opens with its particle
    # a person without the state they are from; institutions keep theirs
    ("Rep. Adam Kinzinger of Illinois and Rep. Liz Cheney of Wyo. objected.", "Adam Kinzinger"),
    ("Rep. Adam Kinzinger of Illinois and Rep. Liz Cheney of Wyo. objected.", "Liz Cheney"),
    ("He studied at the University of Texas.", "University of Texas"),
])
def test_names_keep_their_particles_and_lose_titles_of_office_and_home_states(sentence, name):
    assert name in [span.text for span in candidates(sentence, NAME) + candidates(sentence, PERSON)]

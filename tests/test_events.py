"""Events, quotations and dates: small sentences, then the demo page."""

from __future__ import annotations

from datetime import date

import pytest

from kg.build import analyse, parse
from kg.dates import resolve_date
from kg.events import events, find_amount, implied_relations, parse_count
from kg.ingest import read_documents
from kg.mentions import mentions
from kg.quotes import quotations, quote_spans
from kg.types import DocumentResult, Event
from tests.conftest import EXAMPLES


def read(nlp, text: str, *, day: str | None = None) -> list[Event]:
    doc = nlp(text)
    found = list(mentions(doc))
    return list(events(doc, found, date=day)) + list(quotations(doc, found, date=day))


def anchors(mentions) -> list[str]:
    return [m.anchor for m in mentions]


# ---------------------------------------------------------------- small sentences


def test_arrest_with_count_place_and_relative_date(nlp) -> None:
    [event] = [e for e in read(nlp, "Police arrested 270 Indonesians in Poipet on Wednesday.",
                               day="2025-07-18") if e.kind == "Arrest"]
    assert "Indonesians" in anchors(event.targets)
    assert anchors(event.places) == ["Poipet"]
    assert event.count == 270
    assert event.date == "2025-07-16"


def test_passive_arrest_agent_from_by(nlp) -> None:
    found = read(nlp, "Ten Vietnamese workers were detained by Cambodian police in Phnom Penh.")
    [event] = [e for e in found if e.kind == "Arrest"]
    assert event.count == 10
    assert "Phnom Penh" in anchors(event.places)


def test_date_left_as_text_without_article_date(nlp) -> None:
    [event] = [e for e in read(nlp, "Police arrested 270 Indonesians in Poipet on Wednesday.")
               if e.kind == "Arrest"]
    assert event.date == "Wednesday"


def test_payment_amount_and_payee(nlp) -> None:
    found = read(nlp, "Microsoft paid $2 million to Amnesty International in 2023.")
    [event] = [e for e in found if e.kind == "Payment"]
    assert event.amount == "$2 million"
    assert anchors(event.agents) == ["Microsoft"]
    assert "Amnesty International" in anchors(event.targets)[0]


def test_investigation_by_light_verb_subject(nlp) -> None:
    found = read(nlp, "The FBI opened an investigation into Enron last year.")
    [event] = [e for e in found if e.kind == "Investigation"]
    assert "FBI" in anchors(event.agents)[0]
    assert "Enron" in anchors(event.targets)


def test_attack_implies_fights_against(nlp) -> None:
    found = read(nlp, "Russia attacked Ukraine on Friday.")
    [attack] = [e for e in found if e.kind == "Attack"]
    [relation] = implied_relations([attack])
    assert (relation.subject.anchor, relation.predicate, relation.object.anchor) == (
        "Russia", "fightsAgainst", "Ukraine")


def test_meeting_implies_communicated_with(nlp) -> None:
    found = read(nlp, "Boris Johnson met Ibrahim al-Jaafari in London.")
    [meeting] = [e for e in found if e.kind == "Meeting"]
    assert {r.predicate for r in implied_relations([meeting])} == {"communicatedWith"}


def test_no_event_without_participants_or_figures(nlp) -> None:
    assert [e for e in read(nlp, "The investigation continues.") if e.kind != "Statement"] == []


def test_negated_event_is_not_an_event(nlp) -> None:
    assert not [e for e in read(nlp, "Police did not arrest 20 Thai nationals in Bangkok.")
                if e.kind == "Arrest"]


def test_headline_and_long_sentence_no_crash(nlp) -> None:
    assert read(nlp, "Cambodia Thailand border arrests") == []
    text = " ".join(["Police arrested 20 people in Bangkok and"] * 80) + " it ended."
    doc = nlp(text)
    assert len(doc) > 500
    assert list(events(doc, list(mentions(doc)))) == []


# ---------------------------------------------------------------- quotations


def test_quote_after_speech(nlp) -> None:
    [statement] = read(nlp, "'We will not allow this to happen again,' Hun Manet said.")
    assert statement.kind == "Statement"
    assert anchors(statement.agents) == ["Hun Manet"]
    assert statement.quote == "We will not allow this to happen again,"


def test_quote_spanning_sentences_and_paragraphs(nlp) -> None:
    text = ('"This has been a hard year. We lost a lot," Joe Biden told reporters in Washington.'
            '\n\n"But we will come back stronger than ever before."')
    [statement] = [e for e in read(nlp, text) if e.kind == "Statement"]
    assert "Joe Biden" in anchors(statement.agents)[0]
    assert "hard year. We lost" in statement.quote
    assert "come back stronger" in statement.quote
    assert "Washington" in anchors(statement.places)


def test_a_speaker_line_ending_with_a_colon_introduces_the_next_paragraph(nlp) -> None:
    quote = "\u201cThe UK condemns the attack on the aid convoy, and we call for calm.\u201d"
    for gap in ("\n", "\n\n"):
        text = f"The minister spoke in London after the attack.\nMinister Tobias Ellwood said:{gap}{quote}"
        [statement] = [e for e in read(nlp, text) if e.kind == "Statement"]
        assert anchors(statement.agents) == ["Minister Tobias Ellwood"]
        assert statement.quote.startswith("The UK condemns")
    # a paragraph that ends with a full stop introduces nothing
    text = f"Minister Tobias Ellwood said the talks went on.\n\n{quote}"
    assert [e.quote for e in read(nlp, text) if e.kind == "Statement"] == ["the talks went on"]


def test_unbalanced_quote_runs_to_paragraph_end() -> None:
    text = "Biden said: \u201cwe will never give up on this\nNext paragraph."
    [quote] = quote_spans(text)
    assert text[quote.start:quote.end] == "we will never give up on this"


def test_apostrophes_are_not_quotes() -> None:
    assert quote_spans("Hun Manet's order and the agents' cars.") == []


def test_pronoun_speaker_outside_the_quote(nlp) -> None:
    text = ("Amnesty International published a report. 'The government ignores abuses by "
            "criminal gangs in Cambodia,' it said.")
    [statement] = [e for e in read(nlp, text) if e.kind == "Statement"]
    assert anchors(statement.agents) == ["Amnesty International"]


def test_according_to(nlp) -> None:
    text = "More than 1,000 suspects were arrested this week, according to Neth Pheaktra."
    statements = [e for e in read(nlp, text) if e.kind == "Statement"]
    assert statements and "Neth Pheaktra" in anchors(statements[0].agents)[0]


# ---------------------------------------------------------------- figures and dates


def test_parse_count_and_amounts() -> None:
    assert parse_count(["1,000"]) == 1000
    assert parse_count(["45"]) == 45
    assert find_amount("payments of \u20ac60.3k to a fifth") == "\u20ac60.3k"
    assert find_amount("no money here") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("on Wednesday", "2025-07-16"), ("Friday", "2025-07-18"), ("last month", "2025-06"),
     ("a day ago", "2025-07-17"), ("June of 2023", "2023-06"), ("2014", "2014"),
     ("so far this week", "so far this week"), ("annually", "annually")],
)
def test_resolve_date(text: str, expected: str) -> None:
    assert resolve_date(text, base=date(2025, 7, 18)) == expected


# ---------------------------------------------------------------- the demo page


@pytest.fixture(scope="module")
def demo(nlp) -> DocumentResult:
    [item] = list(read_documents([EXAMPLES / "cambodia-cybercrime-crackdown.txt"]))
    [(doc, document, sections)] = list(parse(nlp, [item]))
    return analyse(doc, document, sections=sections)


def kinds(result: DocumentResult, kind: str) -> list[Event]:
    return [e for e in result.events if e.kind == kind]


def text_of(result: DocumentResult, event: Event) -> str:
    return result.document.text[event.trigger[0]:event.trigger[1]]


def test_demo_order_by_hun_manet(demo) -> None:
    assert any("Hun Manet" in m.anchor for e in kinds(demo, "Order") for m in e.agents)


def test_demo_decree_by_aksyonov(demo) -> None:
    assert any(text_of(demo, e) == "decree" and "Aksyonov" in e.agents[0].anchor
               for e in kinds(demo, "Order") if e.agents)


def test_demo_more_than_a_thousand_arrests(demo) -> None:
    assert any(e.count == 1000 for e in kinds(demo, "Arrest"))


def test_demo_270_indonesians_in_poipet_on_wednesday(demo) -> None:
    [event] = [e for e in kinds(demo, "Arrest") if e.count == 270]
    assert any(m.anchor == "Indonesians" for m in event.targets)
    assert any(m.anchor == "Poipet" for m in event.places)
    assert event.date == "Wednesday"  # the .txt page has no date to resolve it against


@pytest.mark.xfail(reason="'including 45 women' is a second count of the same arrest; an "
                   "event holds one count", strict=True)
def test_demo_45_women(demo) -> None:
    assert any(e.count == 45 for e in kinds(demo, "Arrest"))


def test_demo_payments_to_crs_agents(demo) -> None:
    payments = kinds(demo, "Payment")
    assert any(e.amount == "\u20ac30k" and e.count == 4 and e.targets for e in payments)
    assert any(m.anchor == "Mbappe" for e in payments for m in e.agents)


@pytest.mark.xfail(reason="'a fifth agent receiving a total of €60.3k': the parse hangs the "
                   "receiving clause on the agent, not yet read as a payment", strict=False)
def test_demo_payment_to_a_fifth_agent(demo) -> None:
    assert any(e.amount == "\u20ac60.3k" for e in kinds(demo, "Payment"))


@pytest.mark.xfail(reason="the French police investigation is told in a headline (masked as "
                   "furniture) and in a sentence whose agent is a nominal 'force in the French "
                   "police'", strict=False)
def test_demo_investigation_by_french_police(demo) -> None:
    assert any("police" in m.anchor for e in kinds(demo, "Investigation") for m in e.agents)


def test_demo_statements_with_quotes(demo) -> None:
    statements = kinds(demo, "Statement")
    speakers = {m.anchor for e in statements for m in e.agents}
    assert any("Callamard" in s for s in speakers)
    assert any("Aksyonov" in s for s in speakers)
    assert any("Hsiao" in s for s in speakers)
    hsiao = next(e for e in statements if any("Hsiao" in m.anchor for m in e.agents))
    assert "challenging conversation" in (hsiao.quote or "")
    assert all(e.quote for e in statements)


def test_demo_relations(demo) -> None:
    found = {(r.subject.anchor, r.predicate, r.object.anchor) for r in demo.relations}
    assert any("Callamard" in s and p == "leads" and o == "Amnesty International"
               for s, p, o in found)
    assert ("Sergei Aksyonov", "leads", "Crimea") in found


def test_demo_participants_are_mentions(demo) -> None:
    known = set(demo.mentions)
    for event in demo.events:
        assert set(event.agents + event.targets + event.places) <= known
    for relation in demo.relations:
        assert {relation.subject, relation.object} <= known

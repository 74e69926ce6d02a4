"""Pronouns and aliases: which are mentions, and which entity they join (kg/coref.py)."""

from rdflib import URIRef
from rdflib.namespace import RDF

from kg.build import analyse
from kg.coref import PRONOUN, abbreviates, alias_after
from kg.rdf import ITSRDF, NIF, document_graph
from kg.types import Document


def analysed(nlp, text):
    return analyse(nlp(text), Document(source="t.txt", text=text))


def pronouns(result):
    return {m.anchor: result.referent[m] for m in result.mentions if m.label == PRONOUN}


def label_of(result, key):
    return next(e.label for e in result.entities if e.key == key)


def test_he_and_she_join_the_person_named_before(nlp):
    result = analysed(nlp, "Marta Kowalczyk arrived in Warsaw on Monday. She met reporters.")
    assert label_of(result, pronouns(result)["She"]) == "Marta Kowalczyk"


def test_the_subject_of_saying_is_the_pronoun_it_governs(nlp):
    # the nearest person before "she" is Nowak; the one who tells is Kowalczyk
    result = analysed(nlp, "Marta Kowalczyk met Anna Nowak in Warsaw on Monday. Kowalczyk "
                           "told Nowak that she would resign.")
    assert label_of(result, pronouns(result)["she"]) == "Marta Kowalczyk"


def test_i_and_we_in_a_quotation_are_its_speaker(nlp):
    result = analysed(nlp, '"I have signed the decree," Governor Ivan Petrenko said on Friday.')
    assert label_of(result, pronouns(result)["I"]) == "Ivan Petrenko"
    result = analysed(nlp, 'The Veritel Group said on Tuesday that it would appeal. "We will '
                           'not accept this ruling," the Veritel Group said.')
    assert label_of(result, pronouns(result)["We"]) == "Veritel Group"


def test_we_of_a_person_is_the_side_they_speak_for(nlp):
    result = analysed(nlp, '"We will not give up the fight," Governor Ivan Petrenko said.')
    key = pronouns(result)["We"]
    entity = next(e for e in result.entities if e.key == key)
    assert entity.cls == "Organization" and entity.label == "organisation of Ivan Petrenko"


def test_unresolved_i_and_we_are_the_documents_speaker(nlp):
    result = analysed(nlp, "I am deeply concerned by the attack. We condemn it.")
    found = pronouns(result)
    assert label_of(result, found["I"]) == "speaker"
    assert label_of(result, found["We"]) == "speaking organisation"
    assert all("~" in key for key in found.values())  # unnamed: scoped to the document


def test_they_joins_a_body_and_it_and_possessives_are_no_mentions(nlp):
    result = analysed(nlp, "The rebels attacked the town. They seized the airport and their "
                           "fighters looted it.")
    found = pronouns(result)
    assert set(found) == {"They"}
    assert found["They"].startswith("organization/rebels~")


def test_they_with_no_actor_before_it_is_no_mention(nlp):
    result = analysed(nlp, "It is important that the talks continue. The weather was bad, "
                           "they said, and most of them left.")
    assert pronouns(result) == {}


def test_pronoun_phrases_point_to_the_antecedents_entity_in_rdf(nlp):
    result = analysed(nlp, "Marta Kowalczyk arrived in Warsaw on Monday. She met reporters.")
    graph = document_graph(result)
    targets = {str(graph.value(node, NIF.anchorOf)): graph.value(node, ITSRDF.taIdentRef)
               for node in graph.subjects(RDF.type, NIF.Phrase)}
    assert targets["She"] == targets["Marta Kowalczyk"]
    assert isinstance(targets["She"], URIRef)


def test_aliases_the_text_gives_after_a_name(nlp):
    result = analysed(nlp, "Fighters of Zorath (also known as ZRF) left the town. The "
                           "Western Naval Support Command's (WESTNAVCOM) ships sailed.")
    keys = {m.anchor: result.referent[m] for m in result.mentions}
    assert keys["ZRF"] == keys["Fighters of Zorath"]
    assert keys["WESTNAVCOM"] == keys["The Western Naval Support Command"]


def test_alias_patterns():
    text = "Qayyarah Airfield West, also called \u201cQ-West\u201d, and USS Hopper (DDG 70) and the UN (AFP)"
    q = alias_after(text, len("Qayyarah Airfield West"), "Qayyarah Airfield West")
    assert q is not None and text[q[0]:q[1]] == "Q-West"
    hull = alias_after(text, text.index(" (DDG"), "USS Hopper")
    assert hull is not None and text[hull[0]:hull[1]] == "DDG 70"
    assert alias_after(text, text.index(" (AFP"), "UN") is None
    assert abbreviates("CRS", "Republican Security Corps")
    assert abbreviates("NAVCENT", "U.S. Naval Forces Central Command")
    assert not abbreviates("UN", "United States")


def test_a_title_beside_a_name_is_that_person(nlp):
    result = analysed(nlp, "Minister for the Eastern Region, Ana Duarte, responds to the "
                           "floods. Jan Novak, the EU Special Representative for the Balkans, "
                           "said the talks were over.")
    keys = {m.anchor: result.referent[m] for m in result.mentions}
    assert keys["Minister for the Eastern Region"] == keys["Ana Duarte"]
    assert keys["the EU Special Representative for the Balkans"] == keys["Jan Novak"]


def test_an_office_is_not_the_nearest_person_but_a_role_is(nlp):
    # "X met the Iraqi Foreign Minister" names two people; "the Portugal striker" after a
    # named person is that person
    text = ("Foreign Minister Julie Bishop met with the Minister of Foreign Affairs of Iraq in "
            "Canberra. Boris Johnson met the Iraqi Foreign Minister on Monday. Cristiano Ronaldo "
            "said he scored twice. The Portugal striker thanked the fans.")
    result = analysed(nlp, text)
    keys = {m.anchor: result.referent[m] for m in result.mentions}
    assert keys["the Minister of Foreign Affairs of Iraq"] != keys["Foreign Minister Julie Bishop"]
    assert keys["the Iraqi Foreign Minister"] != keys["Boris Johnson"]
    assert keys["The Portugal striker"] == keys["Cristiano Ronaldo"]
    met = {(result.referent[r.subject], result.referent[r.object])
           for r in result.relations if r.predicate == "communicatedWith"}
    assert (keys["Boris Johnson"], keys["the Iraqi Foreign Minister"]) in met

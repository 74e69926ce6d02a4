"""Relations and events in RDF: reified statements, event nodes, shapes, stable IRIs."""

from __future__ import annotations

from decimal import Decimal

from rdflib import BNode, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, XSD

from kg.build import analyse
from kg.frames import MentionIndex
from kg.mentions import mentions
from kg.rdf import context_iri, document_graph, entity_iri, span_iri
from kg.relclf import candidates, classify, using
from kg.resolve import agree, resolve
from kg.train import fit
from kg.types import Document, DocumentResult, Event, Mention, Relation, Sentence
from kg.validate import Validator
from kg.vocab import AKG, ITSRDF, NIF

TEXT = "Russia attacked Ukraine. Russia attacked Ukraine again. Police arrested 270 people."
S1, S2, S3 = Sentence(0, 24), Sentence(25, 55), Sentence(56, 83)


def mention(start: int, end: int, cls: str, sentence: Sentence) -> Mention:
    return Mention(start, end, TEXT[start:end], cls, sentence, "GPE")  # type: ignore[arg-type]


def result() -> DocumentResult:
    russia1, ukraine1 = mention(0, 6, "Country", S1), mention(16, 23, "Country", S1)
    russia2, ukraine2 = mention(25, 31, "Country", S2), mention(41, 48, "Country", S2)
    police = mention(56, 62, "Organization", S3)
    found = [russia1, ukraine1, russia2, ukraine2, police]
    entities, referent = resolve(found)
    relations = [Relation(russia1, "fightsAgainst", ukraine1, S1, 0.75),
                 Relation(russia2, "fightsAgainst", ukraine2, S2, 0.7)]
    events = [Event("Attack", (7, 15), S1, (russia1,), (ukraine1,), date="2025-07-16"),
              Event("Arrest", (63, 71), S3, (police,), (), count=270, amount="\u20ac30k"),
              Event("Statement", (32, 40), S2, (russia2,), quote="We will win.", date="June")]
    return DocumentResult(Document("t.txt", TEXT), [S1, S2, S3], found, entities, referent,
                          relations=relations, events=events)


def test_one_triple_two_statements() -> None:
    graph = document_graph(result())
    russia, ukraine = entity_iri("country/russia"), entity_iri("country/ukraine")
    assert (russia, AKG.fightsAgainst, ukraine) in graph
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    assert len(statements) == 2
    ctx = context_iri(Document("t.txt", TEXT))
    for node in statements:
        assert graph.value(node, RDF.subject) == russia
        assert graph.value(node, RDF.predicate) == AKG.fightsAgainst
        assert graph.value(node, RDF.object) == ukraine
        subject_mention = graph.value(node, AKG.subjectMention)
        assert graph.value(subject_mention, ITSRDF.taIdentRef) == russia
        sentence = graph.value(node, PROV.wasDerivedFrom)
        assert (sentence, RDF.type, NIF.Sentence) in graph
        confidence = graph.value(node, AKG.confidence)
        assert confidence.datatype == XSD.decimal
        assert Decimal(0) <= confidence.toPython() <= Decimal(1)
        assert str(node).startswith(f"{ctx}#stmt=")


def test_events_are_nodes_with_trigger_phrases() -> None:
    graph = document_graph(result())
    ctx = context_iri(Document("t.txt", TEXT))
    [attack] = graph.subjects(RDF.type, AKG.Attack)
    assert graph.value(attack, AKG.agent) == entity_iri("country/russia")
    assert graph.value(attack, AKG.target) == entity_iri("country/ukraine")
    assert graph.value(attack, AKG.date) == Literal("2025-07-16", datatype=XSD.date)
    trigger = graph.value(attack, AKG.trigger)
    assert trigger == span_iri(ctx, 7, 15)
    assert str(graph.value(trigger, NIF.anchorOf)) == "attacked"
    assert graph.value(trigger, ITSRDF.taIdentRef) == attack
    [arrest] = graph.subjects(RDF.type, AKG.Arrest)
    assert graph.value(arrest, AKG.count) == Literal(270, datatype=XSD.integer)
    assert str(graph.value(arrest, AKG.amount)) == "\u20ac30k"
    [statement] = graph.subjects(RDF.type, AKG.Statement)
    assert str(graph.value(statement, AKG.quote)) == "We will win."
    assert graph.value(statement, AKG.date) == Literal("June")  # unresolved: as written


def test_graph_conforms_and_is_deterministic() -> None:
    first, second = document_graph(result()), document_graph(result())
    assert Validator().violations(first) == []
    assert isomorphic(first, second)
    assert not any(isinstance(t, BNode) for triple in first for t in triple)
    again = Graph().parse(data=first.serialize(format="turtle"), format="turtle")
    assert len(again) == len(first)


def test_a_reading_that_joins_an_actor_to_itself_is_no_relation(nlp) -> None:
    # the classifier reads "CRS ... the CRS" as a pair (two mentions of one entity): no
    # relation leaves the analysis, so neither the graph nor the report counts one
    text = ("The Republican Security Corps (CRS) is a police force. Mbappe payments to CRS "
            "agents The focus of the investigation are payments made from Mbappe to five "
            "agents of the CRS in June of 2023.")
    doc = nlp(text)
    found = list(mentions(doc))
    found, referent = agree(found, *resolve(found, text=text))
    # a model taught to relate every pair (the shipped one's readings change when retrained)
    model = fit([(p.features, "memberOf>") for p in candidates(doc, found)] * 4, seed=0,
                epochs=50)
    read = classify(doc, found, model=model, index=MentionIndex(doc, found))
    assert any(referent[r.subject] == referent[r.object] for r in read)
    with using(model):
        result = analyse(nlp(text), Document(source="t.txt", text=text))
    assert result.relations
    assert all(result.referent[r.subject] != result.referent[r.object] for r in result.relations)
    graph = document_graph(result)
    assert len(set(graph.subjects(RDF.type, RDF.Statement))) == len(result.relations)

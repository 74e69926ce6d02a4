"""The ontology and the SHACL shapes: they parse, agree with `kg.vocab.AKG` and the
contract, and the shapes accept a well-formed graph and reject broken ones."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, XSD

from kg.vocab import AKG, ITSRDF, NIF, SCHEMA, bind_namespaces

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_IRI = URIRef("https://w3id.org/actorkg/ontology")

#: Every term of AKG, by the local names declared on the DefinedNamespace.
AKG_TERMS = sorted(AKG._NS[name] for name in AKG.__annotations__)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "actorkg.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


# ---------------------------------------------------------------- the ontology


def test_files_parse(ontology: Graph, shapes: Graph) -> None:
    assert len(ontology) > 100
    assert len(shapes) > 50


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert ontology.value(ONTOLOGY_IRI, RDFS.label) is not None
    assert ontology.value(ONTOLOGY_IRI, RDFS.comment) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) is not None


@pytest.mark.parametrize("term", AKG_TERMS, ids=lambda t: t.fragment)
def test_every_vocab_term_is_declared(ontology: Graph, term: URIRef) -> None:
    kinds = set(ontology.objects(term, RDF.type))
    assert kinds & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}, f"{term} has no OWL type"
    assert not {OWL.ObjectProperty, OWL.DatatypeProperty} <= kinds, f"{term} is both kinds"
    assert ontology.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
    assert ontology.value(term, RDFS.comment) is not None, f"{term} has no rdfs:comment"


def test_every_declared_term_is_in_vocab(ontology: Graph) -> None:
    declared = {
        s
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and s.startswith(str(AKG._NS))
    }
    assert declared == set(AKG_TERMS)


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (AKG.Actor, PROV.Agent),
        (AKG.Person, AKG.Actor),
        (AKG.Person, SCHEMA.Person),
        (AKG.Organization, AKG.Actor),
        (AKG.Organization, SCHEMA.Organization),
        (AKG.Location, SCHEMA.Place),
        (AKG.Country, AKG.Location),
        (AKG.NationalityGroup, AKG.Actor),
        (AKG.Event, SCHEMA.Event),
    ],
    ids=lambda t: t.fragment or t.split("/")[-1],
)
def test_contract_alignments(ontology: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in ontology


@pytest.mark.parametrize("prop", [AKG.alliedWith, AKG.communicatedWith, AKG.fightsAgainst])
def test_symmetric_properties(ontology: Graph, prop: URIRef) -> None:
    assert (prop, RDF.type, OWL.SymmetricProperty) in ontology


# ---------------------------------------------------------------- the shapes

TEXT = "Hun Manet spoke."
DOC = URIRef("https://w3id.org/actorkg/doc/test")
PHRASE = URIRef(f"{DOC}#char=0,9")
TRIGGER = URIRef(f"{DOC}#char=10,15")
PERSON = URIRef("https://w3id.org/actorkg/id/person/hun-manet")
EVENT = URIRef("https://w3id.org/actorkg/id/event/test-0")
STATEMENT = BNode("statement")


def nni(value: int) -> Literal:
    return Literal(value, datatype=XSD.nonNegativeInteger)


def conforming_graph() -> Graph:
    """One document, one mention of one person, one statement read from it."""
    g = bind_namespaces(Graph())
    g.add((DOC, RDF.type, NIF.Context))
    g.add((DOC, NIF.isString, Literal(TEXT)))
    g.add((DOC, NIF.beginIndex, nni(0)))
    g.add((DOC, NIF.endIndex, nni(len(TEXT))))
    g.add((DOC, DCTERMS.source, Literal("tests/data/hun-manet.txt")))

    g.add((PHRASE, RDF.type, NIF.Phrase))
    g.add((PHRASE, NIF.referenceContext, DOC))
    g.add((PHRASE, NIF.beginIndex, nni(0)))
    g.add((PHRASE, NIF.endIndex, nni(9)))
    g.add((PHRASE, NIF.anchorOf, Literal("Hun Manet")))
    g.add((PHRASE, ITSRDF.taIdentRef, PERSON))

    g.add((PERSON, RDF.type, AKG.Person))
    g.add((PERSON, RDFS.label, Literal("Hun Manet")))
    g.add((PERSON, AKG.pageRank, Literal(0.25, datatype=XSD.double)))

    # the statement says Hun Manet communicated with himself: the shapes check
    # shape, not sense, and one mention keeps the fixture small
    g.add((PERSON, AKG.communicatedWith, PERSON))
    g.add((STATEMENT, RDF.type, RDF.Statement))
    g.add((STATEMENT, RDF.subject, PERSON))
    g.add((STATEMENT, RDF.predicate, AKG.communicatedWith))
    g.add((STATEMENT, RDF.object, PERSON))
    g.add((STATEMENT, AKG.subjectMention, PHRASE))
    g.add((STATEMENT, AKG.objectMention, PHRASE))
    g.add((STATEMENT, PROV.wasDerivedFrom, DOC))
    g.add((STATEMENT, AKG.confidence, Literal(Decimal("0.5"))))

    g.add((EVENT, RDF.type, AKG.Event))
    g.add((EVENT, RDFS.label, Literal("Hun Manet spoke")))
    g.add((EVENT, AKG.agent, PERSON))
    g.add((EVENT, AKG.count, Literal(1)))
    g.add((EVENT, AKG.trigger, TRIGGER))
    g.add((EVENT, PROV.wasDerivedFrom, DOC))
    g.add((EVENT, AKG.date, Literal("2025-07-16", datatype=XSD.date)))
    g.add((EVENT, AKG.quote, Literal("We will win.")))
    g.add((TRIGGER, RDF.type, NIF.Phrase))
    g.add((TRIGGER, NIF.referenceContext, DOC))
    g.add((TRIGGER, NIF.beginIndex, nni(10)))
    g.add((TRIGGER, NIF.endIndex, nni(15)))
    g.add((TRIGGER, NIF.anchorOf, Literal("spoke")))
    g.add((TRIGGER, ITSRDF.taIdentRef, EVENT))
    return g


def validate(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph, str]:
    """Validate as the build does: ontology mixed in, no inference."""
    conforms, results, text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True
    )
    assert isinstance(results, Graph)
    return bool(conforms), results, str(text)


def test_conforming_graph(shapes: Graph, ontology: Graph) -> None:
    conforms, _, report = validate(conforming_graph(), shapes, ontology)
    assert conforms, report


def _replace(s: URIRef | BNode, p: URIRef, o: Literal | URIRef | None) -> Callable[[Graph], None]:
    def change(g: Graph) -> None:
        g.remove((s, p, None))
        if o is not None:
            g.add((s, p, o))

    return change


#: name -> (how to break the conforming graph, the SHACL constraint component that objects)
BROKEN: dict[str, tuple[Callable[[Graph], None], str]] = {
    "phrase without taIdentRef": (_replace(PHRASE, ITSRDF.taIdentRef, None), "MinCount"),
    "phrase referring to a literal": (
        _replace(PHRASE, ITSRDF.taIdentRef, Literal("Hun Manet")),
        "NodeKind",
    ),
    "entity without label": (_replace(PERSON, RDFS.label, None), "MinCount"),
    "entity with two labels": (lambda g: g.add((PERSON, RDFS.label, Literal("Manet"))), "MaxCount"),
    "entity of a non-contract class only": (_replace(PERSON, RDF.type, SCHEMA.Person), "Or"),
    "confidence above 1": (
        _replace(STATEMENT, AKG.confidence, Literal(Decimal("1.5"))),
        "MaxInclusive",
    ),
    "confidence as a string": (_replace(STATEMENT, AKG.confidence, Literal("0.5")), "Datatype"),
    "statement without confidence": (_replace(STATEMENT, AKG.confidence, None), "MinCount"),
    "statement without provenance": (_replace(STATEMENT, PROV.wasDerivedFrom, None), "MinCount"),
    "statement without object mention": (
        _replace(STATEMENT, AKG.objectMention, None),
        "MinCount",
    ),
    "subject mention of another entity": (
        _replace(STATEMENT, RDF.subject, URIRef("https://w3id.org/actorkg/id/person/someone-else")),
        "SPARQL",
    ),
    "context not starting at 0": (_replace(DOC, NIF.beginIndex, nni(1)), "MaxInclusive"),
    "context end not the text length": (_replace(DOC, NIF.endIndex, nni(3)), "SPARQL"),
    "context without source": (_replace(DOC, DCTERMS.source, None), "MinCount"),
    "offsets as strings": (_replace(PHRASE, NIF.beginIndex, Literal("0")), "Or"),
    "negative offset": (_replace(PHRASE, NIF.beginIndex, Literal(-1)), "MinInclusive"),
    "begin after end": (_replace(PHRASE, NIF.beginIndex, nni(12)), "LessThanOrEquals"),
    "anchor not the sliced text": (_replace(PHRASE, NIF.anchorOf, Literal("Hun Sen")), "SPARQL"),
    "phrase without context": (_replace(PHRASE, NIF.referenceContext, None), "MinCount"),
    "pageRank above 1": (
        _replace(PERSON, AKG.pageRank, Literal(1.5, datatype=XSD.double)),
        "MaxInclusive",
    ),
    "negative event count": (_replace(EVENT, AKG.count, Literal(-2)), "MinInclusive"),
    "event date as a number": (_replace(EVENT, AKG.date, Literal(2025)), "Or"),
    "event without provenance": (_replace(EVENT, PROV.wasDerivedFrom, None), "MinCount"),
    "event agent as a literal": (_replace(EVENT, AKG.agent, Literal("Hun Manet")), "NodeKind"),
    "empty quote": (_replace(EVENT, AKG.quote, Literal("")), "MinLength"),
}


@pytest.mark.parametrize(("break_graph", "component"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_graph_does_not_conform(
    shapes: Graph, ontology: Graph, break_graph: Callable[[Graph], None], component: str
) -> None:
    data = conforming_graph()
    break_graph(data)
    conforms, results, _ = validate(data, shapes, ontology)
    assert not conforms, "expected a violation, the graph conforms"
    raised = set(results.objects(None, SH.sourceConstraintComponent))
    assert SH[f"{component}ConstraintComponent"] in raised, sorted(raised)


@pytest.mark.parametrize(("break_graph", "component"), BROKEN.values(), ids=BROKEN.keys())
def test_the_build_validator_finds_what_pyshacl_finds(
    break_graph: Callable[[Graph], None], component: str
) -> None:
    """kg.validate runs the SPARQL constraints once per graph: it must miss nothing."""
    from kg.validate import Validator

    validator = Validator()
    assert validator.violations(conforming_graph()) == []
    data = conforming_graph()
    break_graph(data)
    assert validator.violations(data), f"{component}: pySHACL objects, the validator does not"

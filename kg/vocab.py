"""Namespaces in one table, and the ontology terms as a DefinedNamespace.

`AKG` lists every term of ``ontology/actorkg.ttl``; a test keeps the two in step.
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace
from rdflib.term import URIRef

__all__ = [
    "AKG",
    "DOC_BASE",
    "ENTITY_BASE",
    "GEONAMES",
    "ITSRDF",
    "NAMESPACES",
    "NIF",
    "SCHEMA",
    "bind_namespaces",
]


class AKG(DefinedNamespace):
    """Terms of the actorkg ontology (`https://w3id.org/actorkg/ontology#`)."""

    _NS = Namespace("https://w3id.org/actorkg/ontology#")
    _fail = True

    # classes fixed by the contract
    Actor: URIRef
    Person: URIRef
    Organization: URIRef
    Location: URIRef
    Country: URIRef
    NationalityGroup: URIRef
    Event: URIRef
    # event classes (kg/events.py, kg/quotes.py)
    Arrest: URIRef
    Order: URIRef
    Investigation: URIRef
    Payment: URIRef
    Statement: URIRef
    Attack: URIRef
    Killing: URIRef
    Sanction: URIRef
    Publication: URIRef
    LegalAction: URIRef
    Meeting: URIRef
    Accusation: URIRef
    # document structure
    Article: URIRef

    # relation properties fixed by the contract
    memberOf: URIRef
    leads: URIRef
    locatedIn: URIRef
    livesIn: URIRef
    hasNationality: URIRef
    fightsAgainst: URIRef
    alliedWith: URIRef
    communicatedWith: URIRef
    opposes: URIRef
    supports: URIRef
    killed: URIRef

    # event participants and figures
    agent: URIRef
    target: URIRef
    place: URIRef
    date: URIRef
    count: URIRef
    amount: URIRef
    trigger: URIRef
    quote: URIRef

    # provenance of statements
    subjectMention: URIRef
    objectMention: URIRef
    confidence: URIRef

    # entity attributes
    title: URIRef
    countryCode: URIRef

    # network figures written back by the analysis
    degree: URIRef
    pageRank: URIRef
    betweenness: URIRef
    community: URIRef

    # counts written back by the analysis (kg/tallies.py)
    NameCount: URIRef
    NamePair: URIRef
    mentionCount: URIRef
    documentCount: URIRef
    mentionRank: URIRef
    countedClass: URIRef
    name: URIRef
    firstName: URIRef
    secondName: URIRef
    sentenceCount: URIRef
    exampleSentence: URIRef
    StatementEvidence: URIRef
    evidenceOfSubjectMention: URIRef
    statementEvidenceText: URIRef
    statementEvidenceSource: URIRef
    EventEvidence: URIRef
    evidenceOfTrigger: URIRef
    eventEvidenceText: URIRef
    eventEvidenceSource: URIRef


NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
SCHEMA = Namespace("https://schema.org/")
GEONAMES = Namespace("https://sws.geonames.org/")

#: Where entity IRIs are minted: ``ENTITY_BASE + "person.hun-manet"``.
ENTITY_BASE = "https://w3id.org/actorkg/id/"
#: Where document (nif:Context) IRIs are minted.
DOC_BASE = "https://w3id.org/actorkg/doc/"

NAMESPACES: dict[str, str] = {
    "akg": str(AKG._NS),
    "nif": str(NIF),
    "itsrdf": str(ITSRDF),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "ent": ENTITY_BASE,
}


def bind_namespaces(graph: Graph) -> Graph:
    """Bind the project prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, iri in NAMESPACES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph

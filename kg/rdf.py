"""Records -> rdflib graphs, and the IRIs they are minted under.

One graph per document, shaped as ``../shared/CONTRACT.md`` fixes it: the document is a
``nif:Context`` holding the analysed text, each mention a ``nif:Phrase`` with RFC 5147
offsets and ``itsrdf:taIdentRef`` to its entity, each sentence that holds a mention a
``nif:Sentence`` (the evidence later stages cite, ``dcterms:isPartOf`` its story), each story of
the page an ``akg:Article`` with its own offsets, title, publisher and date, each entity typed
with its contract class and labelled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg.types import (
    Document,
    DocumentResult,
    Entity,
    Event,
    Mention,
    Relation,
    Section,
    Sentence,
)
from kg.vocab import AKG, DOC_BASE, ENTITY_BASE, GEONAMES, ITSRDF, NIF, bind_namespaces

__all__ = [
    "Triple",
    "context_iri",
    "document_graph",
    "document_triples",
    "entity_iri",
    "event_iri",
    "ntriples",
    "span_iri",
    "statement_iri",
    "triples_graph",
]

#: One RDF triple of rdflib terms.
Triple = tuple[Node, Node, Node]


def context_iri(document: Document) -> URIRef:
    """The ``nif:Context`` IRI of ``document``, from its content hash (stable across runs)."""
    return URIRef(f"{DOC_BASE}{document.digest[:32]}")


def span_iri(context: URIRef, start: int, end: int) -> URIRef:
    """An RFC 5147 fragment IRI for characters ``start``..``end`` of ``context``."""
    return URIRef(f"{context}#char={start},{end}")


def entity_iri(key: str) -> URIRef:
    """The entity IRI for an :attr:`Entity.key`: ``person/hun-manet`` -> ``ent:person.hun-manet``.

    The class and the name are joined by a dot so the IRI is a plain prefixed name in Turtle
    and SPARQL; letters outside ASCII are percent-encoded.
    """
    return URIRef(ENTITY_BASE + quote(key.replace("/", "."), safe="-_.~"))


def document_graph(result: DocumentResult) -> Graph:
    """Build the RDF graph of one analysed document.

    Parameters
    ----------
    result
        The document with its sentences, mentions, entities and mention referents.

    Returns
    -------
    rdflib.Graph
        The document's triples (:func:`document_triples`), with the project prefixes bound.
    """
    return triples_graph(document_triples(result))


def document_triples(result: DocumentResult) -> list[Triple]:
    """The triples of one analysed document, each once, in the order they were made.

    A list rather than an ``rdflib.Graph``: adding to a graph costs far more than making the
    triple, and most documents' triples only go to the store (:func:`ntriples`); the graph
    is made (:func:`triples_graph`) for the documents that are validated.

    Parameters
    ----------
    result
        The document with its sentences, mentions, entities and mention referents.

    Returns
    -------
    list of (subject, predicate, object)
        rdflib terms; no triple twice.
    """
    graph = _Triples()
    document = result.document
    context = context_iri(document)
    _add_context(graph, context, document)
    for section in result.sections:
        _add_section(graph, context, section)
    for sentence in result.sentences:
        _add_sentence(graph, context, document.text, sentence, result.sections)
    entities = {entity.key: entity for entity in result.entities}
    for entity in result.entities:
        _add_entity(graph, entity)
    for mention in result.mentions:
        _add_mention(graph, context, mention, entities[result.referent[mention]])
    _add_relations(graph, context, result)
    _add_events(graph, context, result, entities)
    return list(graph.triples)


def triples_graph(triples: Iterable[Triple]) -> Graph:
    """An ``rdflib.Graph`` of ``triples``, with the project prefixes bound."""
    graph = bind_namespaces(Graph())
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


class _Triples:
    """Distinct triples in the order they were first added (what a graph would hold)."""

    def __init__(self) -> None:
        self.triples: dict[Triple, None] = {}

    def add(self, triple: Triple) -> None:
        self.triples[triple] = None


# N-Triples escapes: quote, backslash and every control character (as ECHAR or UCHAR)
_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)} | {
    ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
}


def ntriples(triples: Iterable[Triple]) -> str:
    """``triples`` as N-Triples text, one line each: what :meth:`kg.store.KGStore.replace_graphs`
    hands to Oxigraph's parser, far faster than converting term by term in Python.

    >>> print(ntriples([(URIRef("urn:x:a"), RDFS.label, Literal('say "hi"\\n'))]), end="")
    <urn:x:a> <http://www.w3.org/2000/01/rdf-schema#label> "say \\"hi\\"\\n" .

    Raises
    ------
    TypeError
        For a term that is not an IRI, blank node or literal.
    """
    lines = []
    for s, p, o in triples:
        lines.append(f"{_term(s)} {_term(p)} {_term(o)} .\n")
    return "".join(lines)


def _term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"  # cheaper than looking it up (URIRef compares in Python)
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_ESCAPES)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"cannot write RDF term {term!r} of type {type(term).__name__}")


def _add_context(graph: _Triples, context: URIRef, document: Document) -> None:
    graph.add((context, RDF.type, NIF.Context))
    graph.add((context, NIF.isString, Literal(document.text)))
    graph.add((context, NIF.beginIndex, _index(0)))
    graph.add((context, NIF.endIndex, _index(len(document.text))))
    graph.add((context, DCTERMS.source, Literal(document.source)))
    if document.title:
        graph.add((context, DCTERMS.title, Literal(document.title)))
    if document.url:
        graph.add((context, DCTERMS.identifier, Literal(document.url)))
    if document.date:
        graph.add((context, DCTERMS.date, Literal(document.date)))
    if document.metadata.get("encoding", "utf-8") != "utf-8" and "format" in document.metadata:
        # the file was not plain UTF-8: say what it was decoded from ("charset=windows-1252")
        graph.add((context, DCTERMS.format, Literal(document.metadata["format"])))


def _add_section(graph: _Triples, context: URIRef, section: Section) -> None:
    node = span_iri(context, section.start, section.end)
    graph.add((node, RDF.type, AKG.Article))
    graph.add((node, NIF.referenceContext, context))
    graph.add((node, NIF.beginIndex, _index(section.start)))
    graph.add((node, NIF.endIndex, _index(section.end)))
    for prop, value in (
        (DCTERMS.title, section.title),
        (DCTERMS.publisher, section.publisher),
        (DCTERMS.date, section.date),
    ):
        if value:
            graph.add((node, prop, Literal(value)))


# terms written for every mention and sentence, made once: a Namespace makes a new URIRef
# (and checks it) on every attribute read
_TYPE, _PHRASE, _SENTENCE = RDF.type, NIF.Phrase, NIF.Sentence
_CONTEXT, _BEGIN, _END = NIF.referenceContext, NIF.beginIndex, NIF.endIndex
_ANCHOR, _IN_SENTENCE = NIF.anchorOf, NIF.sentence
_IDENT, _CLASS = ITSRDF.taIdentRef, ITSRDF.taClassRef


def _add_sentence(
    graph: _Triples, context: URIRef, text: str, sentence: Sentence, sections: list[Section]
) -> None:
    node = span_iri(context, sentence.start, sentence.end)
    for section in sections:
        if section.start <= sentence.start < section.end:
            graph.add((node, DCTERMS.isPartOf, span_iri(context, section.start, section.end)))
    graph.add((node, _TYPE, _SENTENCE))
    graph.add((node, _CONTEXT, context))
    graph.add((node, _BEGIN, _index(sentence.start)))
    graph.add((node, _END, _index(sentence.end)))
    graph.add((node, _ANCHOR, Literal(text[sentence.start : sentence.end])))


def _add_entity(graph: _Triples, entity: Entity) -> None:
    node = entity_iri(entity.key)
    graph.add((node, RDF.type, AKG[entity.cls]))
    graph.add((node, RDFS.label, Literal(entity.label)))
    for alt in sorted(entity.alt_labels):
        graph.add((node, SKOS.altLabel, Literal(alt)))
    if entity.title:
        graph.add((node, AKG.title, Literal(entity.title)))
    if entity.iso:
        graph.add((node, AKG.countryCode, Literal(entity.iso)))
    if entity.geonameid is not None:
        graph.add((node, OWL.sameAs, URIRef(f"{GEONAMES}{entity.geonameid}/")))


def _add_mention(graph: _Triples, context: URIRef, mention: Mention, entity: Entity) -> None:
    node = span_iri(context, mention.start, mention.end)
    graph.add((node, _TYPE, _PHRASE))
    graph.add((node, _CONTEXT, context))
    graph.add((node, _BEGIN, _index(mention.start)))
    graph.add((node, _END, _index(mention.end)))
    graph.add((node, _ANCHOR, Literal(mention.anchor)))
    graph.add((node, _IDENT, entity_iri(entity.key)))
    graph.add((node, _CLASS, AKG[entity.cls]))
    graph.add((node, _IN_SENTENCE, span_iri(context, *mention.sentence)))


@lru_cache(maxsize=65536)
def _index(value: int) -> Literal:
    """An offset as a literal, remembered: making an rdflib Literal from a Python value costs
    more than the rest of a triple, and offsets repeat from document to document."""
    return Literal(value, datatype=XSD.nonNegativeInteger)


# ---------------------------------------------------------------- relations and events


def statement_iri(context: URIRef, relation: Relation) -> URIRef:
    """The ``rdf:Statement`` IRI of a relation read from two mentions of ``context``:
    ``<context#stmt=memberOf,0,9,20,30>`` (predicate, subject span, object span)."""
    s, o = relation.subject, relation.object
    return URIRef(f"{context}#stmt={relation.predicate},{s.start},{s.end},{o.start},{o.end}")


def event_iri(context: URIRef, event: Event) -> URIRef:
    """The IRI of an event of ``context``, by its trigger: ``<context#event=120,128>``."""
    return URIRef(f"{context}#event={event.trigger[0]},{event.trigger[1]}")


def _add_relations(graph: _Triples, context: URIRef, result: DocumentResult) -> None:
    """Each relation as a triple between entities, reified once per place it was read."""
    written = set(result.sentences)
    for relation in result.relations:
        subject = entity_iri(result.referent[relation.subject])
        obj = entity_iri(result.referent[relation.object])
        predicate: URIRef = getattr(AKG, relation.predicate)  # unknown names raise
        graph.add((subject, predicate, obj))
        node = statement_iri(context, relation)
        graph.add((node, RDF.type, RDF.Statement))
        graph.add((node, RDF.subject, subject))
        graph.add((node, RDF.predicate, predicate))
        graph.add((node, RDF.object, obj))
        graph.add((node, AKG.subjectMention, span_iri(context, *relation.subject[:2])))
        graph.add((node, AKG.objectMention, span_iri(context, *relation.object[:2])))
        graph.add((node, PROV.wasDerivedFrom, _sentence_node(graph, context, result, written,
                                                            relation.sentence)))
        graph.add((node, AKG.confidence, Literal(Decimal(str(relation.confidence)))))


def _sentence_node(
    graph: _Triples, context: URIRef, result: DocumentResult, written: set[Sentence],
    sentence: Sentence,
) -> URIRef:
    if sentence not in written:
        _add_sentence(graph, context, result.document.text, sentence, result.sections)
        written.add(sentence)
    return span_iri(context, *sentence)


def _add_events(
    graph: _Triples, context: URIRef, result: DocumentResult, entities: dict[str, Entity]
) -> None:
    """Each event as a node of its ``akg:Event`` subclass with its participants and figures,
    and its trigger word as a ``nif:Phrase`` that refers to it."""
    written = set(result.sentences)
    phrases = {(m.start, m.end) for m in result.mentions}
    text = result.document.text
    made: set[URIRef] = set()
    for event in result.events:
        node = event_iri(context, event)
        if node in made:
            continue  # one event per trigger word
        made.add(node)
        graph.add((node, RDF.type, getattr(AKG, event.kind)))
        roles = ((AKG.agent, event.agents), (AKG.target, event.targets),
                 (AKG.place, event.places))
        for prop, mentions in roles:
            for mention in mentions:
                graph.add((node, prop, entity_iri(result.referent[mention])))
        graph.add((node, RDFS.label, Literal(_event_label(event, result, entities))))
        if event.date:
            graph.add((node, AKG.date, _date_literal(event.date)))
        if event.count is not None:
            graph.add((node, AKG.count, Literal(event.count, datatype=XSD.integer)))
        if event.amount:
            graph.add((node, AKG.amount, Literal(event.amount)))
        if event.quote:
            graph.add((node, AKG.quote, Literal(event.quote)))
        sentence = _sentence_node(graph, context, result, written, event.sentence)
        graph.add((node, PROV.wasDerivedFrom, sentence))
        start, end = event.trigger
        if (start, end) in phrases:  # the word is already a mention of an actor
            continue
        trigger = span_iri(context, start, end)
        graph.add((node, AKG.trigger, trigger))
        graph.add((trigger, _TYPE, _PHRASE))
        graph.add((trigger, _CONTEXT, context))
        graph.add((trigger, _BEGIN, _index(start)))
        graph.add((trigger, _END, _index(end)))
        graph.add((trigger, _ANCHOR, Literal(text[start:end])))
        graph.add((trigger, _IDENT, node))
        graph.add((trigger, _IN_SENTENCE, sentence))


_KIND_WORDS = {"LegalAction": "Legal action"}


def _event_label(event: Event, result: DocumentResult, entities: dict[str, Entity]) -> str:
    """ "Arrest of Indonesians in Poipet", "Statement by Hun Manet"."""

    def names(mentions: tuple[Mention, ...]) -> str:
        labels = list(dict.fromkeys(entities[result.referent[m]].label for m in mentions))
        return ", ".join(labels[:3]) + (" and others" if len(labels) > 3 else "")

    label = _KIND_WORDS.get(event.kind, event.kind)
    if event.agents:
        label += f" by {names(event.agents)}"
    if event.targets:
        label += f" {'to' if event.kind == 'Payment' else 'of'} {names(event.targets)}"
    if event.places:
        label += f" in {names(event.places)}"
    if label == event.kind:
        start, end = event.trigger
        label += f": {result.document.text[start:end]}"
    return label


def _date_literal(value: str) -> Literal:
    """An ISO date as xsd:date, xsd:gYearMonth or xsd:gYear; anything else as written."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    return Literal(value)

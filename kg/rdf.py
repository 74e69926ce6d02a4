"""Records -> rdflib graphs, and the IRIs they are minted under.

One graph per document, shaped as ``../shared/CONTRACT.md`` fixes it: the document is a
``nif:Context`` holding the analysed text, each mention a ``nif:Phrase`` with RFC 5147
offsets and ``itsrdf:taIdentRef`` to its entity, each sentence that holds a mention a
``nif:Sentence`` (the evidence later stages cite), each entity typed with its contract class
and labelled.
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg.types import Document, DocumentResult, Entity, Mention, Sentence
from kg.vocab import AKG, DOC_BASE, ENTITY_BASE, ITSRDF, NIF, bind_namespaces

__all__ = ["context_iri", "span_iri", "entity_iri", "document_graph"]


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
    return URIRef(ENTITY_BASE + quote(key.replace("/", "."), safe="-_."))


def document_graph(result: DocumentResult) -> Graph:
    """Build the RDF graph of one analysed document.

    Parameters
    ----------
    result
        The document with its sentences, mentions, entities and mention referents.

    Returns
    -------
    rdflib.Graph
        The document's triples, with the project prefixes bound.
    """
    graph = bind_namespaces(Graph())
    document = result.document
    context = context_iri(document)
    _add_context(graph, context, document)
    for sentence in result.sentences:
        _add_sentence(graph, context, document.text, sentence)
    entities = {entity.key: entity for entity in result.entities}
    for entity in result.entities:
        _add_entity(graph, entity)
    for mention in result.mentions:
        _add_mention(graph, context, mention, entities[result.referent[mention]])
    return graph


def _add_context(graph: Graph, context: URIRef, document: Document) -> None:
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


def _add_sentence(graph: Graph, context: URIRef, text: str, sentence: Sentence) -> None:
    node = span_iri(context, sentence.start, sentence.end)
    graph.add((node, RDF.type, NIF.Sentence))
    graph.add((node, NIF.referenceContext, context))
    graph.add((node, NIF.beginIndex, _index(sentence.start)))
    graph.add((node, NIF.endIndex, _index(sentence.end)))
    graph.add((node, NIF.anchorOf, Literal(text[sentence.start : sentence.end])))


def _add_entity(graph: Graph, entity: Entity) -> None:
    node = entity_iri(entity.key)
    graph.add((node, RDF.type, AKG[entity.cls]))
    graph.add((node, RDFS.label, Literal(entity.label)))
    for alt in sorted(entity.alt_labels):
        graph.add((node, SKOS.altLabel, Literal(alt)))


def _add_mention(graph: Graph, context: URIRef, mention: Mention, entity: Entity) -> None:
    node = span_iri(context, mention.start, mention.end)
    graph.add((node, RDF.type, NIF.Phrase))
    graph.add((node, NIF.referenceContext, context))
    graph.add((node, NIF.beginIndex, _index(mention.start)))
    graph.add((node, NIF.endIndex, _index(mention.end)))
    graph.add((node, NIF.anchorOf, Literal(mention.anchor)))
    graph.add((node, ITSRDF.taIdentRef, entity_iri(entity.key)))
    graph.add((node, ITSRDF.taClassRef, AKG[entity.cls]))
    graph.add((node, NIF.sentence, span_iri(context, *mention.sentence)))


def _index(value: int) -> Literal:
    return Literal(value, datatype=XSD.nonNegativeInteger)

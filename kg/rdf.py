"""Records -> rdflib graphs, and the IRIs they are minted under.

One graph per document, shaped as ``../shared/CONTRACT.md`` fixes it: the document is a
``nif:Context`` holding the analysed text, each mention a ``nif:Phrase`` with RFC 5147
offsets and ``itsrdf:taIdentRef`` to its entity, each sentence that holds a mention a
``nif:Sentence`` (the evidence later stages cite, ``dcterms:isPartOf`` its story), each story of
the page an ``akg:Article`` with its own offsets, title, publisher and date, each entity typed
with its contract class and labelled.

A document's graph is written as N-Triples text (:func:`document_ntriples`), what the store
loads; an ``rdflib.Graph`` is read from that text (:func:`ntriples_graph`) only where one is
needed (the documents that are validated, :func:`document_graph`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from functools import cache, lru_cache
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg.store import from_oxigraph
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
    "document_ntriples",
    "entity_iri",
    "event_iri",
    "ntriples",
    "ntriples_graph",
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
        The document's triples (:func:`document_ntriples`), with the project prefixes bound.
    """
    return ntriples_graph(document_ntriples(result))


def document_ntriples(result: DocumentResult) -> str:
    """The triples of one analysed document as N-Triples text, each once, in the order they
    were made: what the store loads (:meth:`kg.store.KGStore.replace_graphs`).

    Each term is written as N-Triples as it is made, rather than made an rdflib term and
    converted (which cost more than the rest of the document's graph); the same text as
    :func:`ntriples` of those terms. An ``rdflib.Graph`` is read from it
    (:func:`ntriples_graph`) only for the documents that are validated.

    Parameters
    ----------
    result
        The document with its sentences, mentions, entities and mention referents.

    Returns
    -------
    str
        One line per triple; no triple twice.
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
    return "".join(graph.lines)


def triples_graph(triples: Iterable[Triple]) -> Graph:
    """An ``rdflib.Graph`` of ``triples``, with the project prefixes bound."""
    graph = bind_namespaces(Graph())
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def ntriples_graph(text: str) -> Graph:
    """An ``rdflib.Graph`` of the N-Triples ``text``, with the project prefixes bound.

    Oxigraph parses the text (in Rust, some seven times faster than rdflib's N-Triples
    parser), and each distinct term is made an rdflib term once.

    Raises
    ------
    SyntaxError
        For text that is not N-Triples.
    """
    graph = bind_namespaces(Graph())
    graph.addN((s, p, o, graph) for s, p, o in _read_ntriples(text))
    return graph


def _read_ntriples(text: str) -> list[Triple]:
    """The triples of N-Triples ``text`` as rdflib terms, in order."""
    terms: dict[ox.NamedNode | ox.BlankNode | ox.Literal, Node] = {}

    def term(value: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        found = terms.get(value)
        if found is None:
            found = terms[value] = from_oxigraph(value)
        return found

    return [(term(t.subject), term(t.predicate), term(t.object))  # type: ignore[arg-type]
            for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]


class _Triples:
    """Distinct triples, as N-Triples lines, in the order they were first added (what a
    graph would hold). Terms are N-Triples text (:func:`_term` of the rdflib term)."""

    def __init__(self) -> None:
        self.lines: dict[str, None] = {}

    def add(self, triple: tuple[str, str, str]) -> None:
        self.lines[f"{triple[0]} {triple[1]} {triple[2]} .\n"] = None


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
        text = _text(str(term))
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"cannot write RDF term {term!r} of type {type(term).__name__}")


def _add_context(graph: _Triples, context: URIRef, document: Document) -> None:
    node = _term(context)
    graph.add((node, _TYPE, _NIF_CONTEXT))
    graph.add((node, _IS_STRING, _text(document.text)))
    graph.add((node, _BEGIN, _index(0)))
    graph.add((node, _END, _index(len(document.text))))
    graph.add((node, _SOURCE, _text(document.source)))
    if document.title:
        graph.add((node, _TITLE, _text(document.title)))
    if document.url:
        graph.add((node, _IDENTIFIER, _text(document.url)))
    if document.date:
        graph.add((node, _DATE, _text(document.date)))
    if document.metadata.get("encoding", "utf-8") != "utf-8" and "format" in document.metadata:
        # the file was not plain UTF-8: say what it was decoded from ("charset=windows-1252")
        graph.add((node, _FORMAT, _text(document.metadata["format"])))


def _add_section(graph: _Triples, context: URIRef, section: Section) -> None:
    node = _span(context, section.start, section.end)
    graph.add((node, _TYPE, _ARTICLE))
    graph.add((node, _CONTEXT, _term(context)))
    graph.add((node, _BEGIN, _index(section.start)))
    graph.add((node, _END, _index(section.end)))
    for prop, value in (
        (_TITLE, section.title),
        (_PUBLISHER, section.publisher),
        (_DATE, section.date),
    ):
        if value:
            graph.add((node, prop, _text(value)))


# terms as N-Triples, written once: a Namespace makes a new URIRef (and checks it) on every
# attribute read, and converting a term costs more than writing the line
_TYPE, _PHRASE, _SENTENCE = _term(RDF.type), _term(NIF.Phrase), _term(NIF.Sentence)
_CONTEXT, _BEGIN, _END = _term(NIF.referenceContext), _term(NIF.beginIndex), _term(NIF.endIndex)
_ANCHOR, _IN_SENTENCE = _term(NIF.anchorOf), _term(NIF.sentence)
_IDENT, _CLASS = _term(ITSRDF.taIdentRef), _term(ITSRDF.taClassRef)
_NIF_CONTEXT, _IS_STRING, _ARTICLE = _term(NIF.Context), _term(NIF.isString), _term(AKG.Article)
_SOURCE, _TITLE, _IDENTIFIER = _term(DCTERMS.source), _term(DCTERMS.title), _term(DCTERMS.identifier)
_DATE, _FORMAT, _PUBLISHER = _term(DCTERMS.date), _term(DCTERMS.format), _term(DCTERMS.publisher)
_PART_OF, _LABEL, _ALT_LABEL = _term(DCTERMS.isPartOf), _term(RDFS.label), _term(SKOS.altLabel)
_AKG_TITLE, _COUNTRY_CODE, _SAME_AS = _term(AKG.title), _term(AKG.countryCode), _term(OWL.sameAs)
_STATEMENT, _SUBJECT = _term(RDF.Statement), _term(RDF.subject)
_PREDICATE, _OBJECT = _term(RDF.predicate), _term(RDF.object)
_SUBJECT_MENTION, _OBJECT_MENTION = _term(AKG.subjectMention), _term(AKG.objectMention)
_DERIVED, _CONFIDENCE = _term(PROV.wasDerivedFrom), _term(AKG.confidence)
_AGENT, _TARGET, _PLACE = _term(AKG.agent), _term(AKG.target), _term(AKG.place)
_EVENT_DATE, _COUNT, _AMOUNT = _term(AKG.date), _term(AKG.count), _term(AKG.amount)
_QUOTE, _TRIGGER = _term(AKG.quote), _term(AKG.trigger)


def _text(value: str) -> str:
    """``Literal(value)`` as N-Triples (:func:`_term`), for a string without making it."""
    if type(value) is not str:
        return _term(Literal(value))
    return f'"{_escaped(value)}"'


# what _ESCAPES escapes; the characters it writes as ECHAR (the backslash first: the escapes
# written after it hold backslashes of their own); the other control characters (UCHAR)
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')
_SHORT_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_OTHER_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _escaped(value: str) -> str:
    """``value.translate(_ESCAPES)``, by ``str.replace`` of each character present that needs
    escaping: ``str.translate`` with a dict reads a text character by character (about a
    millisecond for the demo's 9,000-character page, which every document graph holds as
    its ``nif:isString`` and again in its sentences).

    >>> _escaped('say "hi"\\n\\\\ \\x01') == 'say "hi"\\n\\\\ \\x01'.translate(_ESCAPES)
    True
    """
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    for char, escape in _SHORT_ESCAPES:
        if char in value:
            value = value.replace(char, escape)
    if not value.isprintable():  # any control character left (or other unprintable ones)
        value = _OTHER_CONTROL.sub(lambda m: _ESCAPES[ord(m.group())], value)
    return value


def _span(context: URIRef, start: int, end: int) -> str:
    """:func:`span_iri` as N-Triples."""
    return f"<{context}#char={start},{end}>"


@lru_cache(maxsize=65536)
def _entity(key: str) -> str:
    """:func:`entity_iri` as N-Triples, remembered (entities recur across documents)."""
    return _term(entity_iri(key))


@cache
def _akg(name: str) -> str:
    """``AKG[name]`` (a class, a property, an event kind) as N-Triples; an unknown name
    raises, as ``AKG`` does."""
    return _term(AKG[name])


def _add_sentence(
    graph: _Triples, context: URIRef, text: str, sentence: Sentence, sections: list[Section]
) -> None:
    node = _span(context, sentence.start, sentence.end)
    for section in sections:
        if section.start <= sentence.start < section.end:
            graph.add((node, _PART_OF, _span(context, section.start, section.end)))
    graph.add((node, _TYPE, _SENTENCE))
    graph.add((node, _CONTEXT, _term(context)))
    graph.add((node, _BEGIN, _index(sentence.start)))
    graph.add((node, _END, _index(sentence.end)))
    graph.add((node, _ANCHOR, _text(text[sentence.start : sentence.end])))


def _add_entity(graph: _Triples, entity: Entity) -> None:
    node = _entity(entity.key)
    graph.add((node, _TYPE, _akg(entity.cls)))
    graph.add((node, _LABEL, _text(entity.label)))
    for alt in sorted(entity.alt_labels):
        graph.add((node, _ALT_LABEL, _text(alt)))
    if entity.title:
        graph.add((node, _AKG_TITLE, _text(entity.title)))
    if entity.iso:
        graph.add((node, _COUNTRY_CODE, _text(entity.iso)))
    if entity.geonameid is not None:
        graph.add((node, _SAME_AS, _term(URIRef(f"{GEONAMES}{entity.geonameid}/"))))


def _add_mention(graph: _Triples, context: URIRef, mention: Mention, entity: Entity) -> None:
    node = _span(context, mention.start, mention.end)
    graph.add((node, _TYPE, _PHRASE))
    graph.add((node, _CONTEXT, _term(context)))
    graph.add((node, _BEGIN, _index(mention.start)))
    graph.add((node, _END, _index(mention.end)))
    graph.add((node, _ANCHOR, _text(mention.anchor)))
    graph.add((node, _IDENT, _entity(entity.key)))
    graph.add((node, _CLASS, _akg(entity.cls)))
    graph.add((node, _IN_SENTENCE, _span(context, *mention.sentence)))


@lru_cache(maxsize=65536)
def _index(value: int) -> str:
    """An offset as an ``xsd:nonNegativeInteger`` literal in N-Triples, remembered: making an
    rdflib Literal from a Python value costs more than the rest of a triple, and offsets
    repeat from document to document."""
    return _term(Literal(value, datatype=XSD.nonNegativeInteger))


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
        subject = _entity(result.referent[relation.subject])
        obj = _entity(result.referent[relation.object])
        predicate = _akg(relation.predicate)  # unknown names raise
        graph.add((subject, predicate, obj))
        node = _term(statement_iri(context, relation))
        graph.add((node, _TYPE, _STATEMENT))
        graph.add((node, _SUBJECT, subject))
        graph.add((node, _PREDICATE, predicate))
        graph.add((node, _OBJECT, obj))
        graph.add((node, _SUBJECT_MENTION, _span(context, *relation.subject[:2])))
        graph.add((node, _OBJECT_MENTION, _span(context, *relation.object[:2])))
        graph.add((node, _DERIVED, _sentence_node(graph, context, result, written,
                                                  relation.sentence)))
        graph.add((node, _CONFIDENCE, _confidence(relation.confidence)))


@lru_cache(maxsize=1024, typed=True)  # typed: 1 and 1.0 are written apart
def _confidence(value: float) -> str:
    """A confidence as an ``xsd:decimal`` literal in N-Triples, remembered: confidences are
    rounded to two places, so a few values recur in every document (see :func:`_index`)."""
    return _term(Literal(Decimal(str(value))))


def _sentence_node(
    graph: _Triples, context: URIRef, result: DocumentResult, written: set[Sentence],
    sentence: Sentence,
) -> str:
    if sentence not in written:
        _add_sentence(graph, context, result.document.text, sentence, result.sections)
        written.add(sentence)
    return _span(context, *sentence)


def _add_events(
    graph: _Triples, context: URIRef, result: DocumentResult, entities: dict[str, Entity]
) -> None:
    """Each event as a node of its ``akg:Event`` subclass with its participants and figures,
    and its trigger word as a ``nif:Phrase`` that refers to it."""
    written = set(result.sentences)
    phrases = {(m.start, m.end) for m in result.mentions}
    text = result.document.text
    made: set[str] = set()
    for event in result.events:
        node = _term(event_iri(context, event))
        if node in made:
            continue  # one event per trigger word
        made.add(node)
        graph.add((node, _TYPE, _akg(event.kind)))
        roles = ((_AGENT, event.agents), (_TARGET, event.targets), (_PLACE, event.places))
        for prop, mentions in roles:
            for mention in mentions:
                graph.add((node, prop, _entity(result.referent[mention])))
        graph.add((node, _LABEL, _text(_event_label(event, result, entities))))
        if event.date:
            graph.add((node, _EVENT_DATE, _term(_date_literal(event.date))))
        if event.count is not None:
            graph.add((node, _COUNT, _term(Literal(event.count, datatype=XSD.integer))))
        if event.amount:
            graph.add((node, _AMOUNT, _text(event.amount)))
        if event.quote:
            graph.add((node, _QUOTE, _text(event.quote)))
        sentence = _sentence_node(graph, context, result, written, event.sentence)
        graph.add((node, _DERIVED, sentence))
        start, end = event.trigger
        if (start, end) in phrases:  # the word is already a mention of an actor
            continue
        trigger = _span(context, start, end)
        graph.add((node, _TRIGGER, trigger))
        graph.add((trigger, _TYPE, _PHRASE))
        graph.add((trigger, _CONTEXT, _term(context)))
        graph.add((trigger, _BEGIN, _index(start)))
        graph.add((trigger, _END, _index(end)))
        graph.add((trigger, _ANCHOR, _text(text[start:end])))
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

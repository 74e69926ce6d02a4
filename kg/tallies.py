"""Counts over every mention, computed once per analysis so that SPARQL can read them.

Oxigraph joins and groups at some microseconds a row; a question that counts over every
mention (85,000 of them in the million-triple benchmark) cannot answer in 200 ms by SPARQL
alone. :func:`tally_triples` computes those counts entity by entity by index lookups (one
entity's mentions, their documents and sentences at a time; the pairs of names in two passes
over hashes), and :func:`kg.network.analyse_store` writes them into the analysis named graph beside the network
figures, so they are recomputed by every ``kg build``, ``kg add`` and ``kg remove``. Each count
is defined as the saved query in ``queries/`` that reads it used to compute it:

- on each entity that mentions name (``itsrdf:taIdentRef``) and that has an ``rdfs:label``:
  ``akg:mentionCount`` (distinct mentions) and ``akg:documentCount`` (distinct
  ``nif:Context`` of those mentions); on each actor (``akg:Person``, ``akg:Organization``,
  ``akg:NationalityGroup``, ``akg:Country``) ``akg:mentionRank``, 1 for the most mentioned,
  ties by label then IRI (``most-mentioned``);
- an ``akg:NameCount`` per ``akg:`` class and label: the mentions of the entities of that class
  bearing that label, summed (``actors-by-class``);
- an ``akg:NamePair`` per ordered pair of labels ``(a, b)`` of two entities ``x``, ``y`` with
  ``STR(x) < STR(y)``: ``akg:sentenceCount``, the distinct sentences (with ``nif:anchorOf``)
  that mention both, and ``akg:exampleSentence``, one of them (``named-together``); and
  ``akg:documentCount``, the documents naming both as actors, written when at least two
  (``together-across-documents``). A pair is written only when its names are together in two
  or more sentences or documents, unless fewer than :data:`PAIR_FLOOR` pairs are (a small
  corpus): ``named-together`` lists the 25 most frequent, so its answer is the same, and the
  pairs named in one sentence only, most pairs of a corpus of distinct articles, stay in the
  documents' graphs (the reference query in ``tests/data/reference-queries`` finds them);
- an ``akg:StatementEvidence`` per mention that a statement was read from
  (``akg:subjectMention``) and combination of the text of its sentence
  (``nif:sentence``/``nif:anchorOf``) and the source of its document
  (``nif:referenceContext``/``dcterms:source``): ``akg:evidenceOfSubjectMention``,
  ``akg:statementEvidenceText``, ``akg:statementEvidenceSource``; an ``akg:EventEvidence``
  the same per trigger of an event (``akg:trigger``): ``akg:evidenceOfTrigger``,
  ``akg:eventEvidenceText``, ``akg:eventEvidenceSource``. Keyed by mention, an IRI in every
  graph of the contract (statements and events may be blank nodes, which a graph written
  apart cannot name). Text and source are left out when
  the store has none, as the ``OPTIONAL`` of ``actor-relations``, ``quotes-by-speaker``,
  ``arrests`` and ``payments`` left them unbound. Those queries read four lookups' worth
  (about 5 microseconds each in Oxigraph) from three scans of the rows of one kind instead.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.rdf import triples_graph
from kg.store import KGStore, from_oxigraph
from kg.types import EvidenceRow
from kg.vocab import AKG, ITSRDF, NIF

__all__ = [
    "ACTOR_TYPES",
    "PAIR_FLOOR",
    "TALLY_BASE",
    "hash_counts",
    "read_evidence",
    "tallies_graph",
    "tally_triples",
]

#: Where name counts and name pairs are minted (inside the analysis graph's namespace).
TALLY_BASE = "https://w3id.org/actorkg/analysis/"
#: The classes the actor questions (most mentioned, together across documents) keep.
ACTOR_TYPES = frozenset(str(c) for c in (AKG.Person, AKG.Organization, AKG.NationalityGroup,
                                         AKG.Country))
_AKG = str(AKG._NS)
#: Name pairs in one sentence only are written too while fewer pairs than this (the LIMIT of
#: ``named-together``) are in two or more sentences.
PAIR_FLOOR = 25
_READ_FROM = ((False, ox.NamedNode(str(AKG.subjectMention))), (True, ox.NamedNode(str(AKG.trigger))))
#: The properties of the rows of statements and of events: link, text, source.
_EVIDENCE = {
    False: (AKG.evidenceOfSubjectMention, AKG.statementEvidenceText, AKG.statementEvidenceSource),
    True: (AKG.evidenceOfTrigger, AKG.eventEvidenceText, AKG.eventEvidenceSource),
}
_SENTENCE = ox.NamedNode(str(NIF.sentence))
_ANCHOR = ox.NamedNode(str(NIF.anchorOf))
_CONTEXT = ox.NamedNode(str(NIF.referenceContext))
_SOURCE = ox.NamedNode(str(DCTERMS.source))

_ENTITY = ox.NamedNode(str(ITSRDF.taIdentRef))
_LABEL = ox.NamedNode(str(RDFS.label))
_TYPE = ox.NamedNode(str(RDF.type))
# the terms written, read once: an attribute of a DefinedNamespace is looked up and checked in
# Python on every read (2 microseconds; 185,000 reads for the 1,000-document benchmark)
_MENTION_COUNT, _DOCUMENT_COUNT, _MENTION_RANK = AKG.mentionCount, AKG.documentCount, AKG.mentionRank
_NAME_COUNT, _COUNTED_CLASS, _NAME = AKG.NameCount, AKG.countedClass, AKG.name
_NAME_PAIR, _FIRST_NAME, _SECOND_NAME = AKG.NamePair, AKG.firstName, AKG.secondName
_SENTENCE_COUNT, _EXAMPLE_SENTENCE, _A = AKG.sentenceCount, AKG.exampleSentence, RDF.type
#: Every entity that mentions name: Oxigraph streams the distinct ones from its index.
_ENTITIES = "SELECT DISTINCT ?e WHERE { ?m itsrdf:taIdentRef ?e FILTER(isIRI(?e)) }"

#: An entity as the name pairs read it: its IRI and its labels, sorted.
_Named = tuple[str, tuple[str, ...]]


def read_evidence(store: KGStore) -> Iterator[EvidenceRow]:
    """Where each mention a statement or event was read from lies: sentence text and source.

    Follows, for every object ``?m`` of ``akg:subjectMention`` and of ``akg:trigger``, the patterns
    ``OPTIONAL { ?m nif:sentence ?s . ?s nif:anchorOf ?text }`` and
    ``OPTIONAL { ?m nif:referenceContext ?doc . ?doc dcterms:source ?source }`` as SPARQL
    would: one row per combination of their solutions, a pair of None for a pattern without
    one. Read by lookups in the store's default graph (the union), about a second for the
    20,000 mentions of the million-triple benchmark, where the same query took five.

    Parameters
    ----------
    store
        The knowledge graph.

    Yields
    ------
    kg.types.EvidenceRow
        The rows, in no particular order, read as they are asked for.
    """
    objects = store.objects
    sources: dict[Any, list[Any]] = {}  # of each document, read once (not once per mention)

    def sources_of(document: Any) -> list[Any]:
        if document not in sources:
            sources[document] = objects(document, _SOURCE)
        return sources[document]

    for event, link in _READ_FROM:
        mentions = {mention for _, mention in store.pairs(link)}
        for mention in mentions:
            texts = [(sentence, text) for sentence in objects(mention, _SENTENCE)
                     for text in objects(sentence, _ANCHOR)] or [(None, None)]
            places = [(document, source) for document in objects(mention, _CONTEXT)
                      for source in sources_of(document)] or [(None, None)]
            for document, source in places:
                yield from (EvidenceRow(event, mention, sentence, text, document, source)
                            for sentence, text in texts)


def _entity_counts(store: KGStore, in_sentence: dict[str, list[_Named]],
                   in_document: dict[str, list[_Named]]) -> Iterator[tuple[Any, Any, Any]]:
    """The per-entity counts of :func:`tally_triples`, read entity by entity by lookups.

    Fills ``in_sentence`` (sentence IRI -> the labelled entities its mentions name) and
    ``in_document`` (document IRI -> the actors its mentions name) for the name pairs, one
    ``(IRI, labels)`` tuple per entity shared by every group it is in.
    """
    objects = store.objects
    actors: list[tuple[int, str, str]] = []
    names: Counter[tuple[str, str]] = Counter()
    shared: dict[str, str] = {}  # one string per sentence and document IRI
    for row in store.query(_ENTITIES):  # type: ignore[union-attr]
        entity = row["e"]
        labels = tuple(sorted({str(label.value) for label in objects(entity, _LABEL)}))
        if not labels:
            continue
        named: _Named = (str(entity.value), labels)
        mentions = [mention for mention, _ in store.pairs(_ENTITY, entity)]
        documents = {shared.setdefault(d.value, d.value) for m in mentions
                     for d in objects(m, _CONTEXT) if isinstance(d, ox.NamedNode)}
        sentences = {shared.setdefault(s.value, s.value) for m in mentions
                     for s in objects(m, _SENTENCE) if isinstance(s, ox.NamedNode)}
        classes = {str(c.value) for c in objects(entity, _TYPE)
                   if isinstance(c, ox.NamedNode) and c.value.startswith(_AKG)}
        subject = URIRef(named[0])
        yield subject, _MENTION_COUNT, _int(len(mentions))
        if documents:
            yield subject, _DOCUMENT_COUNT, _int(len(documents))
        for cls in classes:
            for label in labels:
                names[(cls, label)] += len(mentions)
        if classes & ACTOR_TYPES:
            actors.append((-len(mentions), labels[0], named[0]))
            for document in documents:
                in_document.setdefault(document, []).append(named)
        for sentence in sentences:
            in_sentence.setdefault(sentence, []).append(named)
    actors.sort()
    for rank, (_, _, iri) in enumerate(actors, start=1):
        yield URIRef(iri), _MENTION_RANK, _int(rank)
    del actors
    for (cls, name), n in names.items():
        node = _iri("name", cls, name)
        yield node, _A, _NAME_COUNT
        yield node, _COUNTED_CLASS, URIRef(cls)
        yield node, _NAME, RDFLiteral(name)
        yield node, _MENTION_COUNT, _int(n)


def _label_pairs(members: Iterable[_Named]) -> set[tuple[str, str]]:
    """``(label of x, label of y)`` for the entities ``x < y`` (by IRI) of one group.

    >>> sorted(_label_pairs([("urn:b", ("B",)), ("urn:a", ("A", "Ay"))]))
    [('A', 'B'), ('Ay', 'B')]
    """
    ordered = sorted(set(members))  # Python and SPARQL's STR() < compare code points alike
    return {(a, b) for i, (_, first) in enumerate(ordered) for _, second in ordered[i + 1:]
            for a in first for b in second}


def _pairs_in_groups(groups: Mapping[str, list[_Named]], *, at_least: int, floor: int = 0,
                     also: Iterable[tuple[str, str]] = ()) -> dict[tuple[str, str], list[Any]]:
    """``{(label, label): [groups naming both, the smallest such group]}`` for the pairs
    named in ``at_least`` groups or more (every pair while fewer than ``floor`` are), and the
    pairs of ``also`` that any group names.

    Two passes over the groups keep memory to 8 bytes per pair and group: the first counts
    the pairs' hashes (numpy), the second counts exactly the pairs whose hash came often
    enough. A set of groups per pair took gigabytes at 10,000 documents, where most pairs of
    labels are named together once.
    """
    values, counts = hash_counts(pair for members in groups.values()
                                 for pair in _label_pairs(members))
    often = values[counts >= at_least]
    del values, counts
    if len(often) < floor:
        return _count_pairs(groups, None)
    found = _count_pairs(groups, {*often.tolist(), *(hash(pair) for pair in also)})
    if sum(n >= at_least for n, _ in found.values()) < floor:  # two pairs' hashes were one
        return _count_pairs(groups, None)
    return found


def hash_counts(items: Iterable[Hashable]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct hashes of ``items`` (Python's ``hash``, this process's) and how often each
    came, as numpy arrays: 8 bytes held per item, where a set or a counter of the items
    themselves took gigabytes for the pairs of names of 10,000 documents. Two items may share
    a hash: callers count the items they keep exactly in a second pass.

    >>> values, counts = hash_counts(["a", "b", "a"])
    >>> sorted(counts.tolist())
    [1, 2]
    """
    hashes = array("q", map(hash, items))
    return np.unique(np.frombuffer(hashes, dtype=np.int64), return_counts=True)


def _count_pairs(groups: Mapping[str, list[_Named]], wanted: set[int] | None
                 ) -> dict[tuple[str, str], list[Any]]:
    """The rows of :func:`_pairs_in_groups` for the pairs whose hash is ``wanted`` (all: None)."""
    found: dict[tuple[str, str], list[Any]] = {}
    for group, members in groups.items():
        for pair in _label_pairs(members):
            if wanted is not None and hash(pair) not in wanted:
                continue
            row = found.get(pair)
            if row is None:
                found[pair] = [1, group]
            else:
                row[0] += 1
                row[1] = min(row[1], group)
    return found


def _iri(kind: str, *parts: str) -> URIRef:
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
    return URIRef(f"{TALLY_BASE}{kind}/{digest}")


@lru_cache(maxsize=1024)
def _int(n: int) -> RDFLiteral:
    """``n`` as an ``xsd:integer`` literal, the same object for the same count: rdflib takes
    14 microseconds to make one, and most of the 52,590 counts of the 1,000-document benchmark
    are small numbers that repeat (ranks, each once, pass through the bounded cache)."""
    return RDFLiteral(n, datatype=XSD.integer)


def tally_triples(store: KGStore) -> Iterator[tuple[Any, Any, Any]]:
    """The counts of ``store`` as RDF triples (rdflib terms), for its analysis graph.

    Yielded as they are made, so that the analysis graph can be written a part at a time
    (:meth:`kg.store.KGStore.replace_derived_graph`) without holding them all; the counts
    are computed first, the evidence rows last. A triple may come twice (the store keeps it
    once).

    Parameters
    ----------
    store
        The knowledge graph (its previous counts, if any, are not read).

    Yields
    ------
    tuple
        ``akg:mentionCount``, ``akg:documentCount`` and ``akg:mentionRank`` on entities,
        ``akg:NameCount``, ``akg:NamePair``, ``akg:StatementEvidence`` and
        ``akg:EventEvidence`` nodes (see the module docstring).
    """
    in_sentence: dict[str, list[_Named]] = {}
    in_document: dict[str, list[_Named]] = {}
    yield from _entity_counts(store, in_sentence, in_document)
    for sentence in [s for s in in_sentence if not store.objects(ox.NamedNode(s), _ANCHOR)]:
        del in_sentence[sentence]  # only sentences with their text count
    documents = {pair: n for pair, (n, _) in _pairs_in_groups(in_document, at_least=2).items()
                 if n >= 2}
    del in_document
    sentences = _pairs_in_groups(in_sentence, at_least=2, floor=PAIR_FLOOR, also=documents)
    del in_sentence
    # pairs in two or more sentences, or every pair while fewer than PAIR_FLOOR are; and the
    # pairs named together in two or more documents
    written = {pair for pair, (n, _) in sentences.items() if n >= 2}
    if len(written) < PAIR_FLOOR:
        written = set(sentences)
    for a, b in written | set(documents):
        node = _iri("pair", a, b)
        yield node, _A, _NAME_PAIR
        yield node, _FIRST_NAME, RDFLiteral(a)
        yield node, _SECOND_NAME, RDFLiteral(b)
        if (a, b) in sentences:
            count, example = sentences[(a, b)]
            yield node, _SENTENCE_COUNT, _int(count)
            yield node, _EXAMPLE_SENTENCE, URIRef(example)
        if (a, b) in documents:
            yield node, _DOCUMENT_COUNT, _int(documents[(a, b)])
    del sentences, documents, written  # written out: free them before the evidence rows are read
    for row in read_evidence(store):
        node = _iri("evidence", *("" if t is None else str(t) for t in row))
        link, text, source = _EVIDENCE[row.event]
        yield node, link, from_oxigraph(row.mention)
        if row.text is not None:
            yield node, text, from_oxigraph(row.text)
        if row.source is not None:
            yield node, source, from_oxigraph(row.source)


def tallies_graph(store: KGStore) -> Graph:
    """The triples of :func:`tally_triples` as one ``rdflib.Graph`` (for small stores and
    tests; :func:`kg.network.analyse_store` streams them instead).

    Parameters
    ----------
    store
        The knowledge graph.

    Returns
    -------
    rdflib.Graph
        The counts and evidence rows.
    """
    return triples_graph(tally_triples(store))


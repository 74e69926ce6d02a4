"""Counts over every mention, computed once per analysis so that SPARQL can read them.

Oxigraph joins and groups at some microseconds a row; a question that counts over every
mention (85,000 of them in the million-triple benchmark) cannot answer in 200 ms by SPARQL
alone. :func:`tally_triples` computes those counts in one pass over the store and
:func:`kg.network.analyse_store` writes them into the analysis named graph beside the network
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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import DCTERMS, RDF, XSD

from kg.rdf import triples_graph
from kg.store import KGStore, from_oxigraph
from kg.types import EvidenceRow, MentionRow, Tallies
from kg.vocab import AKG, NIF

__all__ = [
    "ACTOR_TYPES",
    "PAIR_FLOOR",
    "TALLY_BASE",
    "count_mentions",
    "read_evidence",
    "read_mentions",
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

_MENTIONS = """
SELECT ?m ?e ?doc ?s WHERE {
  ?m itsrdf:taIdentRef ?e .
  OPTIONAL { ?m nif:referenceContext ?doc }
  OPTIONAL { ?m nif:sentence ?s . FILTER EXISTS { ?s nif:anchorOf ?text } }
}
"""
_LABELS = "SELECT ?e ?label WHERE { ?e rdfs:label ?label }"
_TYPES = "SELECT ?e ?class WHERE { ?e rdfs:label ?label ; a ?class }"


def read_mentions(store: KGStore
                  ) -> tuple[Iterator[MentionRow], dict[str, set[str]], dict[str, set[str]]]:
    """What the counts are made of: mention rows, labels by entity, ``akg:`` classes by entity.

    Parameters
    ----------
    store
        The knowledge graph.

    Returns
    -------
    tuple
        :class:`~kg.types.MentionRow` per mention and entity it names (entities and mentions
        that are IRIs only: ``STR()`` of a blank node fails in SPARQL, so the queries skip
        them too), read lazily from the store as the iterator is consumed, once; ``{entity
        IRI: labels}``; ``{entity IRI: akg: class IRIs}``.
    """
    labels: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_LABELS):  # type: ignore[union-attr]
        if isinstance(row["e"], ox.NamedNode):
            labels[row["e"].value].add(row["label"].value)  # type: ignore[index]
    classes: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_TYPES):  # type: ignore[union-attr]
        cls = row["class"]
        if isinstance(row["e"], ox.NamedNode) and isinstance(cls, ox.NamedNode) \
                and cls.value.startswith(_AKG):
            classes[row["e"].value].add(cls.value)  # type: ignore[index]
    return _mention_rows(store), dict(labels), dict(classes)


def _mention_rows(store: KGStore) -> Iterator[MentionRow]:
    """The rows of :func:`read_mentions`, one IRI string per entity, document and sentence
    (shared by every row naming it: a large corpus repeats each many times)."""
    shared: dict[str, str] = {}
    for row in store.query(_MENTIONS):  # type: ignore[union-attr]
        entity, doc, sentence = row["e"], row["doc"], row["s"]
        if not isinstance(entity, ox.NamedNode):
            continue
        yield MentionRow(
            mention=str(row["m"]), entity=shared.setdefault(entity.value, entity.value),
            document=shared.setdefault(doc.value, doc.value) if isinstance(doc, ox.NamedNode) else None,
            sentence=(shared.setdefault(sentence.value, sentence.value)
                      if isinstance(sentence, ox.NamedNode) else None))


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

    def chain(mention: Any, first: ox.NamedNode, second: ox.NamedNode) -> list[tuple[Any, Any]]:
        pairs = [(node, value) for node in objects(mention, first) for value in objects(node, second)]
        return pairs or [(None, None)]

    for event, link in _READ_FROM:
        mentions = {mention for _, mention in store.pairs(link)}
        for mention in mentions:
            texts = chain(mention, _SENTENCE, _ANCHOR)
            for document, source in chain(mention, _CONTEXT, _SOURCE):
                yield from (EvidenceRow(event, mention, sentence, text, document, source)
                            for sentence, text in texts)


def count_mentions(
    rows: Iterable[MentionRow], labels: Mapping[str, set[str]], classes: Mapping[str, set[str]],
) -> Tallies:
    """Count mentions per entity, per class and label, and per pair of labels.

    Parameters
    ----------
    rows
        One per mention and entity it names (:func:`read_mentions`).
    labels
        ``{entity IRI: its rdfs:label values}``; entities without one are not counted.
    classes
        ``{entity IRI: its akg: classes}``.

    Returns
    -------
    kg.types.Tallies
        The counts; see the module docstring for what each one counts.

    Examples
    --------
    >>> rows = [MentionRow("m1", "urn:a", "urn:d1", "urn:s1"),
    ...         MentionRow("m2", "urn:b", "urn:d1", "urn:s1"),
    ...         MentionRow("m3", "urn:a", "urn:d2", "urn:s2"),
    ...         MentionRow("m4", "urn:b", "urn:d2", "urn:s2")]
    >>> person = str(AKG.Person)
    >>> t = count_mentions(rows, {"urn:a": {"A"}, "urn:b": {"B"}},
    ...                    {"urn:a": {person}, "urn:b": {person}})
    >>> t.mentions["urn:a"], t.rank["urn:a"], t.sentence_pairs[("A", "B")]
    (2, 1, ['urn:s1', 'urn:s2'])
    >>> t.document_pairs[("A", "B")]
    2
    """
    mentions: dict[str, set[str]] = defaultdict(set)
    documents: dict[str, set[str]] = defaultdict(set)
    in_sentence: dict[str, set[str]] = defaultdict(set)
    in_document: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.entity not in labels:
            continue
        mentions[row.entity].add(row.mention)
        if row.document is not None:
            documents[row.entity].add(row.document)
            if classes.get(row.entity, set()) & ACTOR_TYPES:
                in_document[row.document].add(row.entity)
        if row.sentence is not None:
            in_sentence[row.sentence].add(row.entity)
    actors = [e for e in mentions if classes.get(e, set()) & ACTOR_TYPES]
    actors.sort(key=lambda e: (-len(mentions[e]), min(labels[e]), e))
    names: dict[tuple[str, str], int] = defaultdict(int)
    for entity, found in mentions.items():
        for cls in classes.get(entity, set()):
            for label in labels[entity]:
                names[(cls, label)] += len(found)
    return Tallies(
        mentions={e: len(found) for e, found in mentions.items()},
        documents={e: len(found) for e, found in documents.items()},
        rank={e: n for n, e in enumerate(actors, start=1)},
        names=dict(names),
        sentence_pairs={k: sorted(v) for k, v in _label_pairs(in_sentence, labels).items()},
        document_pairs={k: len(v) for k, v in _label_pairs(in_document, labels).items()
                        if len(v) >= 2},
    )


def _label_pairs(groups: Mapping[str, set[str]], labels: Mapping[str, set[str]]
                 ) -> dict[tuple[str, str], set[str]]:
    """``{(label of x, label of y): groups holding both}`` for entities ``x < y`` of a group."""
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for group, members in groups.items():
        ordered = sorted(members)  # Python and SPARQL's STR() < compare code points alike
        for i, x in enumerate(ordered):
            for y in ordered[i + 1:]:
                for a in labels[x]:
                    for b in labels[y]:
                        pairs[(a, b)].add(group)
    return pairs


def _iri(kind: str, *parts: str) -> URIRef:
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
    return URIRef(f"{TALLY_BASE}{kind}/{digest}")


def _written_pairs(tallies: Tallies) -> set[tuple[str, str]]:
    """The name pairs written: in two or more sentences or documents (see :data:`PAIR_FLOOR`)."""
    frequent = {k for k, v in tallies.sentence_pairs.items() if len(v) >= 2}
    if len(frequent) < PAIR_FLOOR:
        frequent = set(tallies.sentence_pairs)
    return frequent | set(tallies.document_pairs)


def _int(n: int) -> RDFLiteral:
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
    tallies = count_mentions(*read_mentions(store))
    for entity, n in tallies.mentions.items():
        yield URIRef(entity), AKG.mentionCount, _int(n)
    for entity, n in tallies.documents.items():
        yield URIRef(entity), AKG.documentCount, _int(n)
    for entity, n in tallies.rank.items():
        yield URIRef(entity), AKG.mentionRank, _int(n)
    for (cls, name), n in tallies.names.items():
        node = _iri("name", cls, name)
        yield node, RDF.type, AKG.NameCount
        yield node, AKG.countedClass, URIRef(cls)
        yield node, AKG.name, RDFLiteral(name)
        yield node, AKG.mentionCount, _int(n)
    for a, b in _written_pairs(tallies):
        node = _iri("pair", a, b)
        yield node, RDF.type, AKG.NamePair
        yield node, AKG.firstName, RDFLiteral(a)
        yield node, AKG.secondName, RDFLiteral(b)
        sentences = tallies.sentence_pairs.get((a, b))
        if sentences:
            yield node, AKG.sentenceCount, _int(len(sentences))
            yield node, AKG.exampleSentence, URIRef(sentences[0])
        if (a, b) in tallies.document_pairs:
            yield node, AKG.documentCount, _int(tallies.document_pairs[(a, b)])
    del tallies  # the counts are written: free them before the evidence rows are read
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


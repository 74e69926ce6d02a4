"""The knowledge graph projected into networkx, its figures, and the figures written back.

Projection (:func:`actor_graph`) reads the store with SPARQL and returns a
``networkx.MultiDiGraph``:

- **nodes** are the entities (actors and places: anything typed with an ``akg:`` class that is
  not an event or an article), keyed by IRI, with ``label``, ``cls`` (the contract class,
  used for colour), ``types``, ``mentions`` and ``evidence`` (sentences naming it);
- **relation edges** (``kind="relation"``) come from the asserted ``akg:`` relation triples and
  their ``rdf:Statement`` reifications: one edge per ``(subject, property, object)``, keyed by
  the property's local name, ``weight`` = the number of statements (places it was read);
  symmetric properties (``owl:SymmetricProperty`` in the ontology) are stored once per pair
  with ``directed=False``;
- **events** (``akg:Event`` and its subclasses, or anything with ``akg:agent``/``akg:target``)
  are, with ``events="collapse"`` (default), edges ``agent -> target`` labelled with the
  event type (``kind="event"``; an event without agent or target links its participants to
  its ``akg:place`` with ``"<type> in"``, such as ``"Arrest in"``); with ``events="nodes"`` they are nodes of class ``Event`` linked by
  ``agent``/``target``/``place`` edges; ``events="drop"`` leaves them out;
- **co-occurrence edges** (``kind="co-occurrence"``, relation ``"co-occurs"``, undirected):
  two entities named in one sentence, weighted by the number of such sentences. With
  ``cooccurrence="fallback"`` (default) a pair gets one only when no relation or event links
  it, so the network is never emptier than the text, and relations win where they exist;
  ``"always"`` keeps them all as a lighter layer (see ``cooccurrence_weight`` in
  :func:`collapse`); ``"none"`` drops them.

Figures are computed on :func:`collapse`: the undirected simple graph of the projection, one
edge per linked pair, weighted by the sum of its edges' weights. One function per measure,
networkx style: :func:`pagerank`, :func:`betweenness`, :func:`communities`,
:func:`components`, :func:`participation`, :func:`brokers`; :func:`figures` runs them all,
stores them on the nodes and returns the report that becomes ``analysis.json`` (in two
halves, :func:`measure` and :func:`report`, so that a big graph's figures are written before
its per-node records are made);
:func:`figures_graph` turns them into RDF (``akg:degree``, ``akg:pageRank``,
``akg:betweenness``, ``akg:community``) and :func:`analyse_store` puts that into the store's
named graph :data:`ANALYSIS_GRAPH`, replaced on each run, together with the mention counts
of :mod:`kg.tallies` that the saved queries read.
"""

from __future__ import annotations

import gc
import math
import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from functools import cache
from itertools import combinations, islice, pairwise
from typing import Any, Literal, overload

import networkx as nx
import numpy as np
import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD

from kg.memory import trim
from kg.rdf import ntriples, triples_graph
from kg.store import KGStore
from kg.tallies import hash_counts, tally_triples
from kg.types import ACTOR_CLASSES
from kg.vocab import AKG, ITSRDF, NIF

__all__ = [
    "ANALYSIS_GRAPH",
    "CO_OCCURS",
    "MAX_COOCCURRENCE",
    "MAX_EVIDENCE",
    "CooccurrenceMode",
    "EventMode",
    "actor_graph",
    "analyse_store",
    "betweenness",
    "brokers",
    "collapse",
    "communities",
    "components",
    "cooccurrence_graph",
    "figure_triples",
    "figures",
    "figures_graph",
    "find_node",
    "measure",
    "pagerank",
    "participation",
    "report",
    "shortest_connection",
    "top_nodes",
]

#: Evidence sentences kept per node and per edge, so big graphs stay a reasonable size.
MAX_EVIDENCE = 20
#: The relation name of a link read from two names in one sentence.
CO_OCCURS = "co-occurs"
#: Co-occurrence links a projection keeps at most (those of the pairs named together in the
#: most sentences; see :func:`actor_graph`): 10,000 news articles name 1.3 million pairs.
MAX_COOCCURRENCE = 200_000
#: The named graph holding the figures written back by :func:`analyse_store`.
ANALYSIS_GRAPH = URIRef("https://w3id.org/actorkg/analysis")

EventMode = Literal["collapse", "nodes", "drop"]
CooccurrenceMode = Literal["fallback", "always", "none"]
EVENT_MODES: tuple[str, ...] = ("collapse", "nodes", "drop")
COOCCURRENCE_MODES: tuple[str, ...] = ("fallback", "always", "none")

_AKG = str(AKG._NS)
# akg: properties that are not relations between two entities
_NOT_RELATIONS = {
    str(p) for p in (AKG.agent, AKG.target, AKG.place, AKG.date, AKG.count, AKG.amount,
                     AKG.trigger, AKG.subjectMention, AKG.objectMention, AKG.confidence,
                     AKG.degree, AKG.pageRank, AKG.betweenness, AKG.community, AKG.title,
                     AKG.countryCode, AKG.countedClass, AKG.exampleSentence, AKG.mentionCount,
                     AKG.documentCount, AKG.mentionRank)
}

# The links the projection follows by lookups (see _statement_rows, _sentence_rows, _event_rows).
_LINKS = {name: ox.NamedNode(str(term)) for name, term in (
    ("subject", RDF.subject), ("predicate", RDF.predicate), ("object", RDF.object),
    ("derived", PROV.wasDerivedFrom), ("mention", AKG.subjectMention),
    ("sentence", NIF.sentence), ("anchor", NIF.anchorOf), ("context", NIF.referenceContext),
    ("source", DCTERMS.source), ("entity", ITSRDF.taIdentRef), ("trigger", AKG.trigger),
    ("type", RDF.type), ("label", RDFS.label), ("agent", AKG.agent), ("target", AKG.target),
    ("place", AKG.place))}

# --------------------------------------------------------------------------------------------
# The ontology's class tree, for picking an entity's contract class and spotting events
# --------------------------------------------------------------------------------------------


@cache
def _ontology() -> tuple[dict[str, frozenset[str]], frozenset[str], frozenset[str]]:
    """``({class: its akg: superclasses and itself}, {symmetric property IRIs}, {object
    property IRIs})``."""
    from kg.validate import ontology_dir

    onto = Graph().parse(ontology_dir() / "actorkg.ttl", format="turtle")
    parents: dict[str, set[str]] = defaultdict(set)
    for sub, sup in onto.subject_objects(RDFS.subClassOf):
        parents[str(sub)].add(str(sup))
    ancestors: dict[str, frozenset[str]] = {}
    for cls in {str(c) for c in onto.subjects(RDF.type, OWL.Class)} | set(parents):
        seen: set[str] = {cls}
        todo: list[str] = [cls]
        while todo:
            for parent in parents.get(todo.pop(), set()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        ancestors[cls] = frozenset(seen)
    symmetric = frozenset(str(p) for p in onto.subjects(RDF.type, OWL.SymmetricProperty))
    links = frozenset(str(p) for p in onto.subjects(RDF.type, OWL.ObjectProperty))
    return ancestors, symmetric, links


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _is_event_class(cls: str) -> bool:
    return str(AKG.Event) in _ontology()[0].get(cls, frozenset({cls}))


def _contract_class(types: Iterable[str]) -> str:
    """The most specific contract class among ``types`` and their superclasses.

    >>> _contract_class([str(AKG.Location), str(AKG.Country)])
    'Country'
    """
    ancestors = _ontology()[0]
    found: set[str] = set()
    for cls in types:
        found |= {_local(a) for a in ancestors.get(cls, frozenset({cls})) if a.startswith(_AKG)}
    # ACTOR_CLASSES lists Location before Country: the last match is the most specific
    ranked = [c for c in ("Actor", *ACTOR_CLASSES) if c in found]
    if ranked:
        return ranked[-1]
    return min((_local(t) for t in types), default="Unknown")


# --------------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------------


def _add_evidence(
    data: dict[str, Any], sentence: str | None, source: str | None, *,
    cap: int | None = MAX_EVIDENCE,
) -> bool:
    """Add ``{"sentence", "source"}`` to ``data["evidence"]`` unless there or full."""
    if sentence is None:
        return False
    return _add_item(data, {"sentence": sentence, "source": source or ""}, cap=cap)


def _add_item(data: dict[str, Any], item: dict[str, str], *, cap: int | None = MAX_EVIDENCE
              ) -> bool:
    """Add the evidence dict ``item`` itself to ``data["evidence"]`` unless there or full
    (one dict may be the evidence of many nodes and links: no reader changes one)."""
    evidence: list[dict[str, str]] = data["evidence"]
    if item in evidence or (cap is not None and len(evidence) >= cap):
        return False
    evidence.append(item)
    return True


@overload
def _share(strings: dict[str, str], value: str) -> str: ...
@overload
def _share(strings: dict[str, str], value: None) -> None: ...
@overload
def _share(strings: dict[str, str], value: str | None) -> str | None: ...
def _share(strings: dict[str, str], value: str | None) -> str | None:
    """``value`` as the one object ``strings`` keeps for it (None stays None).

    ``strings`` is the table of strings already read: a sentence is evidence of many nodes
    and links, and an IRI is named by many rows; sharing one object per value keeps the
    projection of a large store in a fraction of the memory.
    """
    return None if value is None else strings.setdefault(value, value)


def _entity_nodes(store: KGStore) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Entity attributes by IRI, and the events (left out) by IRI with their store terms,
    as the patterns ::

        ?e rdfs:label ?label ; a ?cls . FILTER(STRSTARTS(STR(?cls), STR(akg:)))
        ?m itsrdf:taIdentRef ?e

    give them (the smallest label, the classes, ``COUNT(DISTINCT ?m)``), but for subjects of
    an ``akg:Event`` class or of ``akg:agent|akg:target|akg:place|akg:trigger`` (events) and
    of ``akg:Article``; read class by class from the type index with lookups of each entity's
    labels and mentions (:meth:`KGStore.objects`). Those queries joined and grouped every
    entity, event and mention of the store in Oxigraph: about 1 GB of a 10,000-document
    store's 740,000 entities and events, most of it never given back.
    """
    link = _LINKS
    classes = sorted(row["cls"].value for row in store.query(  # type: ignore[union-attr]
        "SELECT DISTINCT ?cls WHERE { ?x a ?cls }") if row["cls"].value.startswith(_AKG))
    events: dict[str, Any] = {}
    for cls in filter(_is_event_class, classes):
        events.update((str(s.value), s) for s, _ in store.pairs(link["type"], ox.NamedNode(cls)))
    for role in ("agent", "target", "place", "trigger"):
        events.update((str(s.value), s) for s, _ in store.pairs(link[role]))
    nodes: dict[str, dict[str, Any]] = {}
    for cls in classes:
        for subject, _ in store.pairs(link["type"], ox.NamedNode(cls)):
            iri = str(subject.value)
            if iri in events:
                continue
            if iri not in nodes:
                labels = [str(label.value) for label in store.objects(subject, link["label"])]
                if not labels:
                    continue
                mentions = sum(1 for _ in store.pairs(link["entity"], subject))
                nodes[iri] = {"label": min(labels), "cls": "", "types": [],
                              "mentions": mentions, "evidence": []}
            nodes[iri]["types"].append(cls)  # one string object per class, shared
    article = str(AKG.Article)
    for iri in [iri for iri, data in nodes.items() if article in data["types"]]:
        del nodes[iri]
    short = {cls: _local(cls) for cls in classes}
    for data in nodes.values():
        data["cls"] = _contract_class(data["types"])
        data["types"] = sorted(short[t] for t in data["types"])
    return nodes, events


def _link(graph: nx.MultiDiGraph, u: str, v: str, key: str, *, kind: str, directed: bool,
          relation: str) -> dict[str, Any]:
    if not directed and v < u:
        u, v = v, u
    if not graph.has_edge(u, v, key):
        graph.add_edge(u, v, key, relation=relation, kind=kind, directed=directed, weight=0,
                       evidence=[])
    data: dict[str, Any] = graph.edges[u, v, key]
    return data


def _add_relations(graph: nx.MultiDiGraph, store: KGStore, strings: dict[str, str]) -> None:
    symmetric = _ontology()[1]
    statements: dict[str, tuple[str, str, str]] = {}
    evidence: dict[str, list[tuple[str | None, str | None]]] = defaultdict(list)
    for st, s, p, o, text, source in _statement_rows(store):
        statements[st] = (_share(strings, s), _share(strings, p), _share(strings, o))
        evidence[st].append((_share(strings, text), _share(strings, source)))
    # the relation triples, read predicate by predicate (a scan of the whole store for akg:
    # predicates took 53 of the 683 s of a 10,000-document store's projection): every
    # object property of the ontology and every predicate a statement names
    asserted = set()
    for p in sorted((_ontology()[2] | {p for _, p, _ in statements.values()}) - _NOT_RELATIONS):
        if not p.startswith(_AKG):
            continue
        for subject, obj in store.pairs(ox.NamedNode(p)):
            if isinstance(obj, ox.NamedNode):
                asserted.add((_share(strings, subject.value), _share(strings, p),
                              _share(strings, obj.value)))
    counted: Counter[tuple[str, str, str]] = Counter(statements.values())
    for s, p, o in sorted(asserted | set(counted)):
        if p in _NOT_RELATIONS or not p.startswith(_AKG) or s not in graph or o not in graph:
            continue
        if s == o:
            continue
        name = _local(p)
        data = _link(graph, s, o, name, kind="relation", directed=p not in symmetric,
                     relation=name)
        data["weight"] += max(1, counted[(s, p, o)])
    for st, (s, p, o) in sorted(statements.items()):
        if p in _NOT_RELATIONS or s not in graph or o not in graph or s == o:
            continue
        u, v = (min(s, o), max(s, o)) if p in symmetric else (s, o)
        rows = sorted(evidence[st], key=lambda r: (r[0] is None, r[0] or "", r[1] or ""))
        text, source = rows[0]
        _add_evidence(graph.edges[u, v, _local(p)], text, source)


def _statement_rows(store: KGStore) -> Iterator[tuple[str, str, str, str, str | None, str | None]]:
    """``(statement, subject, predicate, object, sentence, source)`` of every statement, one
    row per place it was read (as the SPARQL pattern below would give them).

    The sentence is the text of the node the statement is ``prov:wasDerivedFrom`` (a
    ``nif:Sentence``) or else of its subject mention's ``nif:sentence``; the source is the
    ``dcterms:source`` of that node's ``nif:referenceContext``, of the node itself (a whole
    ``nif:Context``) or of the subject mention's context::

        ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
        OPTIONAL { ?st prov:wasDerivedFrom ?d . OPTIONAL { ?d nif:anchorOf ?dtext }
                   OPTIONAL { ?d nif:referenceContext ?dctx } }
        OPTIONAL { ?st akg:subjectMention ?m . OPTIONAL { ?m nif:sentence/nif:anchorOf ?mtext }
                   OPTIONAL { ?m nif:referenceContext ?mctx } }
        BIND(COALESCE(?dtext, ?mtext) AS ?text) BIND(COALESCE(?dctx, ?d, ?mctx) AS ?ctx)
        OPTIONAL { ?ctx dcterms:source ?source }

    (but a statement read from nowhere gets no source, where the pattern, its ``?ctx``
    unbound, pairs it with every source of the store). Read by lookups from each statement
    (:meth:`KGStore.objects`): Oxigraph evaluated that query over every mention of the store,
    305 of the 683 s the projection of a 10,000-document store took.
    """
    link, objects = _LINKS, store.objects
    sources: dict[Any, list[Any]] = {}  # of each context (document), read once

    def optional(values: list[Any]) -> list[Any]:
        return values or [None]

    def sources_of(ctx: Any) -> list[Any]:
        if ctx not in sources:
            sources[ctx] = optional(objects(ctx, link["source"]))
        return sources[ctx]

    for st, subject in store.pairs(link["subject"]):
        spos = [(subject, p, o) for p in objects(st, link["predicate"])
                for o in objects(st, link["object"])]
        if not spos:
            continue
        derived = [(d, text, ctx) for d in optional(objects(st, link["derived"]))
                   for text in optional(objects(d, link["anchor"]))
                   for ctx in optional(objects(d, link["context"]))]
        mentioned = [(text, ctx) for m in optional(objects(st, link["mention"]))
                     for text in optional([t for sentence in objects(m, link["sentence"])
                                           for t in objects(sentence, link["anchor"])])
                     for ctx in optional(objects(m, link["context"]))]
        found: set[tuple[Any, Any]] = set()
        for d, dtext, dctx in derived:
            for mtext, mctx in mentioned:
                text = dtext if dtext is not None else mtext
                ctx = next((c for c in (dctx, d, mctx) if c is not None), None)
                found.update((text, source) for source in sources_of(ctx))
        for s, p, o in spos:
            for text, source in found:
                yield (st.value, s.value, p.value, o.value, _plain(text), _plain(source))


def _plain(term: Any) -> str | None:
    return None if term is None else str(term.value)


def _add_events(graph: nx.MultiDiGraph, store: KGStore, events: Mapping[str, Any],
                mode: str, strings: dict[str, str]) -> None:
    """The events of ``events`` with a participant, as links (``mode`` ``"collapse"``) or
    nodes (``"nodes"``), read event by event with lookups (:meth:`KGStore.objects`): their
    ``akg:agent``, ``akg:target`` and ``akg:place``, ``a`` and ``rdfs:label``, and evidence
    (:func:`_event_rows`). Reading them with queries held every event of the store in Python
    at once (390,000 of 10,000 documents)."""
    if mode == "drop":
        return
    link, objects = _LINKS, store.objects
    for event in sorted(events):
        term = events[event]
        roles = {role: [str(x.value) for x in objects(term, link[role])]
                 for role in ("agent", "target", "place")}
        if not any(roles.values()):
            continue
        kind = _event_type({str(t.value) for t in objects(term, link["type"])
                            if str(t.value).startswith(_AKG)})
        part = {role: sorted({_share(strings, x) for x in xs if x in graph and x != event})
                for role, xs in roles.items()}
        if mode == "nodes":
            labels = sorted(str(label.value) for label in objects(term, link["label"]))
            graph.add_node(event, label=labels[0] if labels else kind, cls="Event",
                           types=[kind], mentions=0, evidence=[])
            texts = _event_texts(store, term, strings)
            for text, source in texts:
                _add_evidence(graph.nodes[event], text, source)
            for role in ("agent", "target", "place"):
                for x in part[role]:
                    u, v = (x, event) if role == "agent" else (event, x)
                    data = _link(graph, u, v, role, kind="event", directed=True, relation=role)
                    data["weight"] += 1
                    for text, source in texts[:1]:
                        _add_evidence(data, text, source)
            continue
        agents, targets = part["agent"], part["target"]
        pairs = [(a, t, kind) for a in agents for t in targets if a != t]
        if not pairs:  # no agent or no target: the participants are linked to the place
            pairs = [(x, p, f"{kind} in") for x in agents + targets
                     for p in part["place"] if x != p]
        if not pairs:
            continue
        texts = _event_texts(store, term, strings)
        for u, v, name in pairs:
            data = _link(graph, u, v, name, kind="event", directed=True, relation=name)
            data["weight"] += 1
            for text, source in texts[:1]:
                _add_evidence(data, text, source)


def _event_texts(store: KGStore, event: Any, strings: dict[str, str]
                 ) -> list[tuple[str | None, str | None]]:
    """The evidence rows of ``event`` (:func:`_event_rows`), sentences first, in order."""
    rows = [(_share(strings, text), _share(strings, source))
            for text, source in _event_rows(store, event)]
    return sorted(rows, key=lambda r: (r[0] is None, r[0] or ""))


def _event_rows(store: KGStore, event: Any) -> list[tuple[str | None, str | None]]:
    """The ``(sentence, source)`` rows of ``event``, as the SPARQL pattern ::

        { ?ev akg:trigger ?t . ?t nif:sentence ?s } UNION { ?ev prov:wasDerivedFrom ?s }
        OPTIONAL { ?s nif:anchorOf ?text } OPTIONAL { ?s nif:referenceContext ?c }
        BIND(COALESCE(?c, ?s) AS ?ctx) OPTIONAL { ?ctx dcterms:source ?source }

    gives them for ``?ev`` bound to it, read by lookups (:meth:`KGStore.objects`).
    """
    link, objects = _LINKS, store.objects
    sentences = [*(s for t in objects(event, link["trigger"]) for s in objects(t, link["sentence"])),
                 *objects(event, link["derived"])]
    return [(_plain(text), _plain(source))
            for s in sentences
            for text in objects(s, link["anchor"]) or [None]
            for ctx in objects(s, link["context"]) or [s]
            for source in objects(ctx, link["source"]) or [None]]


def _event_type(types: set[str]) -> str:
    """The most specific akg: event class's local name (``Arrest`` over ``Event``)."""
    ancestors = _ontology()[0]
    specific = [t for t in types if not any(t in ancestors.get(o, frozenset()) and o != t
                                            for o in types)]
    return min((_local(t) for t in specific), default="Event")


def _sentence_rows(store: KGStore) -> Iterator[tuple[list[str], list[tuple[str, str]]]]:
    """Per sentence that names an entity: the entities of its mentions (one per mention, in
    no particular order) and its ``(text, source)``, as the SPARQL pattern ::

        ?m nif:sentence ?s ; itsrdf:taIdentRef ?e .
        ?s nif:anchorOf ?text ; nif:referenceContext ?ctx . ?ctx dcterms:source ?source .

    gives them, read in one scan of the ``nif:sentence`` links with lookups of each
    sentence's mentions, their entities and the sentence's text and source. The two queries this replaced (every mention's evidence, every pair of
    mentions of a sentence) took 204 of the 683 s the projection of a 10,000-document store
    took; a pair query decoded each sentence once per pair.
    """
    link, objects = _LINKS, store.objects
    sources: dict[Any, list[str]] = {}
    done: set[Any] = set()
    for _, sentence in store.pairs(link["sentence"]):
        if sentence in done:
            continue
        done.add(sentence)
        entities = [str(e.value) for m, _ in store.pairs(link["sentence"], sentence)
                    for e in objects(m, link["entity"])]
        if not entities:
            continue
        texts = [str(t.value) for t in objects(sentence, link["anchor"])]
        found = []
        for ctx in objects(sentence, link["context"]):
            if ctx not in sources:
                sources[ctx] = [str(v.value) for v in objects(ctx, link["source"])]
            found += [(text, source) for text in texts for source in sources[ctx]]
        if found:
            yield entities, found


def _cooccurrences(graph: nx.MultiDiGraph, store: KGStore, mode: str, strings: dict[str, str]
                   ) -> Iterator[tuple[list[str], list[dict[str, str]], list[tuple[str, str, Any]]]]:
    """Per sentence naming nodes of ``graph``: those nodes, one evidence dict per place (text
    and source) of the sentence, and the co-occurrences it counts, ``(a, b, evidence dict)``
    with ``a < b`` (none for ``mode`` ``"none"``; ``"fallback"``: only of nodes that nothing
    else links)."""
    linked = {frozenset((u, v)) for u, v in graph.edges()}
    # The weight counts each distinct (sentence, source) of a pair once. Two sentence nodes
    # share a (text, source) only when a document repeats a sentence, so each (text, source)
    # remembers the entities named by each sentence node it was read from, and a pair is
    # counted again only when no earlier one named both (a set of every counted pair, or of
    # their digests, took hundreds of MB for 10,000 documents).
    named_at: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for entities, places in _sentence_rows(store):
        named = sorted({e for e in entities if e in graph})
        if not named:
            continue
        # one evidence dict per place, shared by every node and link it is evidence of
        items = [{"sentence": _share(strings, t), "source": _share(strings, s)} for t, s in places]
        counted: list[tuple[str, str, Any]] = []
        if mode != "none" and len(named) >= 2:
            for item in items:
                before = named_at.setdefault((item["sentence"], item["source"]), [])
                counted += [(a, b, item) for a, b in combinations(named, 2)
                            if not (mode == "fallback" and {a, b} in linked)
                            and not any(a in group and b in group for group in before)]
                before.append(tuple(named))
        yield named, items, counted


def _frequent_pairs(graph: nx.MultiDiGraph, store: KGStore, mode: str, strings: dict[str, str],
                   budget: int | None) -> tuple[int, set[int] | None]:
    """The fewest sentences a pair must share for the co-occurrence links to stay within
    ``budget``, and the hashes of those pairs (1 and None: every pair), counted in a first
    pass by the pairs' hashes (numpy, 8 bytes per pair and sentence): in networkx a link
    takes some 600 bytes, and 10,000 news articles name 1.3 million pairs together."""
    if mode == "none" or budget is None:
        return 1, None
    values, counts = hash_counts((a, b) for _, _, counted in _cooccurrences(graph, store, mode, strings)
                                 for a, b, _ in counted)
    if len(values) <= budget:
        return 1, None
    least = int(np.sort(counts)[::-1][budget]) + 1  # more than the first pair left out
    return least, set(values[counts >= least].tolist())


def _add_sentences(graph: nx.MultiDiGraph, store: KGStore, mode: str,
                   strings: dict[str, str], budget: int | None = None) -> None:
    """Each node's evidence (the sentences naming it, up to :data:`MAX_EVIDENCE`) and, unless
    ``mode`` is ``"none"``, the co-occurrence links (``"fallback"``: only between nodes that
    nothing else links): all of them, or at most ``budget``: those of the pairs named
    together in the most sentences, ``graph.graph["cooccurrence_least"]`` or more.

    A graph of no more nodes than ``budget`` is first linked in one pass, as if every link
    were kept, and undone when more than ``budget`` links come: counting the pairs first
    (:func:`_frequent_pairs`) reads every sentence of the store once more, a quarter of the
    projection of the 1,000-document benchmark (8,379 nodes, 25,448 co-occurrence links, all
    kept). A larger graph names more pairs than its budget (10,000 documents: 350,773 nodes,
    1.3 million pairs), so its pairs are counted first, as before.
    """
    if mode != "none" and budget is not None and graph.number_of_nodes() <= budget:
        # the evidence nodes have before the pass (events as nodes), kept by an undo
        before = {node: len(evidence) for node, evidence in graph.nodes(data="evidence") if evidence}
        if _link_sentences(graph, store, mode, strings, None, budget):
            graph.graph["cooccurrence_least"] = 1
            return
        graph.remove_edges_from([(u, v, k) for u, v, k in graph.edges(keys=True) if k == CO_OCCURS])
        for node, evidence in graph.nodes(data="evidence"):
            del evidence[before.get(node, 0):]
        del before
    least, wanted = _frequent_pairs(graph, store, mode, strings, budget)
    _link_sentences(graph, store, mode, strings, wanted, None)
    if wanted is not None:  # a pair whose hash is another's came in: it goes
        graph.remove_edges_from([(u, v, k) for u, v, k, w in graph.edges(keys=True, data="weight")
                                 if k == CO_OCCURS and w < least])
    graph.graph["cooccurrence_least"] = least


def _link_sentences(graph: nx.MultiDiGraph, store: KGStore, mode: str, strings: dict[str, str],
                    wanted: set[int] | None, most: int | None) -> bool:
    """The pass of :func:`_add_sentences`: the nodes' evidence and the co-occurrence links of
    the pairs whose hash is ``wanted`` (None: every pair); False, the pass left half-way,
    when a link more than ``most`` (None: no limit) would be made."""
    links = 0
    for named, items, counted in _cooccurrences(graph, store, mode, strings):
        for entity in named:
            for item in items:
                _add_item(graph.nodes[entity], item)
        for a, b, item in counted:
            if wanted is not None and hash((a, b)) not in wanted:
                continue
            data = _link(graph, a, b, CO_OCCURS, kind="co-occurrence", directed=False,
                         relation=CO_OCCURS)
            if data["weight"] == 0:  # a new link
                links += 1
                if most is not None and links > most:
                    return False
            data["weight"] += 1
            if len(data["evidence"]) < MAX_EVIDENCE:
                data["evidence"].append(item)
    return True


def actor_graph(
    store: KGStore, *, events: EventMode = "collapse", cooccurrence: CooccurrenceMode = "fallback",
    max_cooccurrence: int | None = MAX_COOCCURRENCE,
) -> nx.MultiDiGraph:
    """Project the store into a multigraph of actors and places, linked by typed edges.

    Parameters
    ----------
    store
        The knowledge graph, shaped as ``CONTRACT.md`` fixes it.
    events
        ``"collapse"``: each event becomes ``agent -> target`` edges labelled with its type;
        ``"nodes"``: events are nodes of class ``Event``; ``"drop"``: events are left out.
    cooccurrence
        ``"fallback"``: link two entities named in one sentence only when nothing else links
        them; ``"always"``: keep every co-occurrence link; ``"none"``: never.
    max_cooccurrence
        Co-occurrence links kept at most (None: all): when more pairs are named together,
        those named together in the most sentences, ``graph.graph["cooccurrence_least"]``
        or more (1 when every link is kept). A link takes some 600 bytes in networkx, and
        10,000 news articles name 1.3 million pairs together, most of them once.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by IRI with ``label``, ``cls``, ``types``, ``mentions`` and
        ``evidence`` (list of ``{"sentence", "source"}``); edges keyed by relation name with
        ``relation``, ``kind`` (``relation``, ``event`` or ``co-occurrence``), ``directed``,
        ``weight`` and ``evidence``. Undirected links are stored once, from the smaller IRI.

    Raises
    ------
    ValueError
        If ``events`` or ``cooccurrence`` is not one of the values above.

    Examples
    --------
    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ... @prefix akg: <https://w3id.org/actorkg/ontology#> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... <urn:x:ann> a akg:Person ; rdfs:label "Ann" ; akg:memberOf <urn:x:acme> .
    ... <urn:x:acme> a akg:Organization ; rdfs:label "Acme" .''')
    >>> store = KGStore()
    >>> store.add_graph(g, URIRef("urn:x:doc"))
    >>> [(u, v, d["relation"]) for u, v, d in actor_graph(store).edges(data=True)]
    [('urn:x:ann', 'urn:x:acme', 'memberOf')]
    """
    if events not in EVENT_MODES:
        raise ValueError(f"events must be one of {', '.join(EVENT_MODES)}, not {events!r}")
    if cooccurrence not in COOCCURRENCE_MODES:
        raise ValueError(f"cooccurrence must be one of {', '.join(COOCCURRENCE_MODES)}, "
                         f"not {cooccurrence!r}")
    nodes, event_terms = _entity_nodes(store)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(sorted(nodes.items()))
    del nodes  # the graph holds copies of the attribute dicts
    strings: dict[str, str] = {}  # one object per distinct string read (see _share)
    _add_relations(graph, store, strings)
    _add_events(graph, store, event_terms, events, strings)
    del event_terms  # 390,000 events at 10,000 documents
    _add_sentences(graph, store, cooccurrence, strings, max_cooccurrence)
    graph.graph.update(events=events, cooccurrence=cooccurrence)
    return graph


def cooccurrence_graph(store: KGStore) -> nx.Graph:
    """Entities linked only by being named in one sentence (the relation-free projection).

    Parameters
    ----------
    store
        The knowledge graph.

    Returns
    -------
    networkx.Graph
        As :func:`actor_graph` with ``events="drop", cooccurrence="always"`` and relations
        left out: one ``"co-occurs"`` edge per pair, ``weight`` = distinct sentences.
    """
    nodes, _ = _entity_nodes(store)
    multi = nx.MultiDiGraph()
    multi.add_nodes_from(sorted(nodes.items()))
    _add_sentences(multi, store, "always", {})
    graph = nx.Graph()
    graph.add_nodes_from(multi.nodes(data=True))
    graph.add_edges_from((u, v, d) for u, v, d in multi.edges(data=True))
    return graph


def collapse(graph: nx.Graph, *, cooccurrence_weight: float = 1.0, attributes: bool = True
             ) -> nx.Graph:
    """The undirected simple graph of ``graph``: one edge per linked pair.

    Parameters
    ----------
    graph
        Any networkx graph, typically from :func:`actor_graph`.
    cooccurrence_weight
        Factor applied to the weight of ``"co-occurs"`` edges, to make co-occurrence a lighter
        layer than relations when both are kept.
    attributes
        Copy each node's attributes (False: the nodes alone, what the measures read).

    Returns
    -------
    networkx.Graph
        Same nodes (their attribute dicts copied); each edge's ``weight`` is the sum of the
        weights of the edges between the pair, and ``relations`` the sorted relation names.

    Examples
    --------
    >>> m = nx.MultiDiGraph()
    >>> m.add_edge("a", "b", "leads", relation="leads", weight=2)
    'leads'
    >>> m.add_edge("b", "a", "co-occurs", relation="co-occurs", weight=3)
    'co-occurs'
    >>> collapse(m, cooccurrence_weight=0.5).edges["a", "b"]
    {'weight': 3.5, 'relations': ['co-occurs', 'leads']}
    """
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes(data=True) if attributes else graph)
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        relation = data.get("relation", CO_OCCURS)
        weight = data.get("weight", 1) * (cooccurrence_weight if relation == CO_OCCURS else 1)
        if simple.has_edge(u, v):
            edge = simple.edges[u, v]
            edge["weight"] += weight
            edge["relations"] = sorted(set(edge["relations"]) | {relation})
        else:
            simple.add_edge(u, v, weight=weight, relations=[relation])
    return simple


# --------------------------------------------------------------------------------------------
# Figures: one function per measure
# --------------------------------------------------------------------------------------------


def pagerank(graph: nx.Graph, *, alpha: float = 0.85, weight: str | None = "weight"
             ) -> dict[Hashable, float]:
    """PageRank of every node (0 for an empty graph).

    Parameters
    ----------
    graph
        An undirected graph (see :func:`collapse`).
    alpha
        Damping factor.
    weight
        Edge attribute used as weight, or None.

    Returns
    -------
    dict
        Node -> PageRank; the values sum to 1.

    Examples
    --------
    >>> pr = pagerank(nx.star_graph(3))
    >>> max(pr, key=pr.get)
    0

    References
    ----------
    Page, Brin, Motwani, Winograd (1999), "The PageRank citation ranking: bringing order to
    the web", Stanford InfoLab.
    """
    if not len(graph):
        return {}
    return dict(nx.pagerank(graph, alpha=alpha, weight=weight))


def betweenness(graph: nx.Graph, *, exact_limit: int = 500, k: int = 128, seed: int = 0,
                weight: str | None = None) -> dict[Hashable, float]:
    """Normalised betweenness centrality: exact up to ``exact_limit`` nodes, sampled above.

    Sampled, the ``k`` source nodes are drawn among the linked nodes only (those with a
    neighbour other than themselves): an isolated node is on no shortest path and starts
    none, and on the projection of 10,000 demo-size pages 74% of the nodes are isolated, so
    a sample drawn among all nodes did no work for most of its sources. The sums are scaled
    as networkx scales a sample (``betweenness_centrality(k=...)``, with the sources'
    own figures apart), for ``L`` linked nodes instead of ``n``: by ``(L - 1) / k``, or
    ``(L - 1) / (k - 1)`` for a sampled source, and then normalised for the whole graph,
    by ``1 / ((n - 1) (n - 2))`` as the exact figure is.

    Parameters
    ----------
    graph
        An undirected graph.
    exact_limit
        Largest number of nodes for which every node is a source of shortest paths.
    k
        Number of sampled source nodes for bigger graphs (Brandes and Pich 2007).
    seed
        Seed of the sample, so that a graph always gets the same figures.
    weight
        Edge attribute read as a *distance*, or None for hop counts (the default: weights
        here count evidence, the opposite of a distance).

    Returns
    -------
    dict
        Node -> betweenness in [0, 1] (0 for an isolated node).

    Examples
    --------
    >>> bc = betweenness(nx.path_graph(3))
    >>> bc[1], bc[0]
    (1.0, 0.0)

    References
    ----------
    Brandes (2001), "A faster algorithm for betweenness centrality", J. Math. Sociol. 25(2).
    Brandes, Pich (2007), "Centrality estimation in large networks", Int. J. Bifurcation and
    Chaos 17(7).
    """
    if len(graph) <= exact_limit:
        return dict(nx.betweenness_centrality(graph, weight=weight, normalized=True))
    linked = _linked(graph)
    sources = random.Random(seed).sample(linked, min(k, len(linked)))
    if len(sources) < 2:
        return dict.fromkeys(graph, 0.0)
    # every node a target: the sums of Brandes' accumulation from the sampled sources, halved
    # for an undirected graph (each pair is counted from both ends) as networkx halves them
    if weight is None:
        sums = _sampled_dependencies(graph, linked, sources)
    else:
        sums = nx.betweenness_centrality_subset(graph, sources, list(graph), normalized=False,
                                                weight=weight)
    n, picked = len(graph), len(sources)
    normal = 2.0 * (len(linked) - 1) / ((n - 1) * (n - 2))
    chosen = set(sources)
    return {node: value * normal / (picked - 1 if node in chosen else picked)
            for node, value in sums.items()}


def _sampled_dependencies(graph: nx.Graph, linked: list[Hashable], sources: list[Hashable],
                          *, chunk: int = 8) -> dict[Hashable, float]:
    """Half the sum over ``sources`` of Brandes' dependencies of each node of ``graph``, by
    hop counts: what ``nx.betweenness_centrality_subset(graph, sources, list(graph),
    normalized=False)`` gives (to about 1e-14 relative: the same sums added in another order).

    networkx walks each source's shortest paths in Python, node by node: on the projection of
    1,000 benchmark documents (8,379 nodes, 30,653 links) its 128 sources took 11-13 CPU s,
    the largest step of a build's outputs. Here scipy's breadth-first search (in C) gives each
    source's distances, and Brandes' two passes run over the links one level of distance at
    a time as numpy sums: 0.65 s for the same sums. Only ``linked`` nodes (the nodes with a
    neighbour; every source is one) can be on a path, so the matrix holds them alone.
    """
    from scipy.sparse import csgraph, csr_array

    position = {node: i for i, node in enumerate(linked)}
    n = len(linked)
    # the links of each linked node in both directions, self-loops left out (a self-loop is on
    # no shortest path), read straight into arrays: nx.to_scipy_sparse_array goes through a
    # Python tuple per link, several times the memory of the arrays it makes
    adjacency = graph.adj
    degrees = np.fromiter((sum(1 for other in adjacency[node] if other != node) for node in linked),
                          dtype=np.int64, count=n)
    heads = np.fromiter((position[other] for node in linked for other in adjacency[node]
                         if other != node), dtype=np.int32, count=int(degrees.sum()))
    tails = np.repeat(np.arange(n, dtype=np.int32), degrees)
    matrix = csr_array((np.ones(len(heads)), heads, np.concatenate(([0], np.cumsum(degrees)))),
                       shape=(n, n))
    total = np.zeros(n)
    starts = [position[source] for source in sources]
    for first in range(0, len(starts), chunk):  # a few sources' distances at once
        batch = starts[first:first + chunk]
        distances = csgraph.shortest_path(matrix, directed=False, unweighted=True, indices=batch)
        for start, distance in zip(batch, distances):
            tail_distance = distance[tails]
            # the links of the source's shortest-path DAG, ordered by the tail's distance
            on_path = np.isfinite(tail_distance) & (distance[heads] == tail_distance + 1)
            level = tail_distance[on_path].astype(np.int64)
            order = np.argsort(level, kind="stable")
            up, down, level = tails[on_path][order], heads[on_path][order], level[order]
            cuts = np.concatenate(([0], np.flatnonzero(np.diff(level)) + 1, [len(level)]))
            steps = list(pairwise(cuts.tolist()))
            sigma = np.zeros(n)  # shortest paths from the source to each node
            sigma[start] = 1.0
            for a, b in steps:
                sigma += np.bincount(down[a:b], weights=sigma[up[a:b]], minlength=n)
            delta = np.zeros(n)  # each node's dependency, from the farthest level back
            for a, b in reversed(steps):
                tail, head = up[a:b], down[a:b]
                delta += np.bincount(tail, weights=sigma[tail] / sigma[head] * (1.0 + delta[head]),
                                     minlength=n)
            delta[start] = 0.0  # a source is no intermediate of its own paths
            total += delta
    sums = dict.fromkeys(graph, 0.0)
    sums.update(zip(linked, (0.5 * total).tolist()))
    return sums


def _linked(graph: nx.Graph) -> list[Hashable]:
    """The nodes of ``graph`` with a neighbour other than themselves, in graph order."""
    return [node for node, links in graph.adj.items() if any(o != node for o in links)]


def _numbered(groups: Iterable[Iterable[Hashable]]) -> dict[Hashable, int]:
    """Number groups 0, 1, ... by size, largest first; ties by their smallest member."""
    ordered = sorted((sorted(map(str, g)), list(g)) for g in groups)
    ordered.sort(key=lambda item: -len(item[1]))
    return {node: i for i, (_, members) in enumerate(ordered) for node in members}


def communities(graph: nx.Graph, *, weight: str | None = "weight", resolution: float = 1.0,
                seed: int = 0) -> dict[Hashable, int]:
    """Louvain communities, numbered from 0 by size (largest first).

    Parameters
    ----------
    graph
        An undirected graph.
    weight
        Edge attribute used as weight, or None.
    resolution
        Above 1 favours smaller communities, below 1 larger ones.
    seed
        Seed of the node order, so that a graph always gets the same communities.

    Returns
    -------
    dict
        Node -> community number. An isolated node is a community of its own.

    Examples
    --------
    >>> g = nx.barbell_graph(4, 0)
    >>> c = communities(g)
    >>> c[0] == c[3], c[0] == c[4]
    (True, False)

    References
    ----------
    Blondel, Guillaume, Lambiotte, Lefebvre (2008), "Fast unfolding of communities in large
    networks", J. Stat. Mech. P10008.
    """
    if not len(graph):
        return {}
    # Louvain never moves an isolated node, but it copies it, with a set and a dict of its
    # own, at every level: it runs on the linked nodes only (on the projection of 10,000
    # demo-size pages, 260,189 of 350,773 nodes are isolated, and Louvain over them all
    # took 594 MiB)
    linked = _linked(graph)
    found = nx.community.louvain_communities(graph.subgraph(linked), weight=weight,
                                              resolution=resolution, seed=seed)
    alone = set(graph).difference(linked)
    return _numbered([*found, *([node] for node in alone)])


def components(graph: nx.Graph) -> dict[Hashable, int]:
    """Connected components, numbered from 0 by size (largest first).

    Parameters
    ----------
    graph
        An undirected graph.

    Returns
    -------
    dict
        Node -> component number.

    Examples
    --------
    >>> components(nx.Graph([("a", "b"), ("c", "d"), ("d", "e")]))["c"]
    0
    """
    return _numbered(nx.connected_components(graph))


def participation(graph: nx.Graph, community: Mapping[Hashable, int], *,
                  weight: str | None = None) -> dict[Hashable, float]:
    """Participation coefficient: how evenly a node's links spread over communities.

    ``P(i) = 1 - sum_s (k_is / k_i) ** 2`` where ``k_i`` is the degree of ``i`` and ``k_is``
    the number of its links into community ``s``: 0 when every neighbour is in one community,
    near 1 when they are spread over many.

    Parameters
    ----------
    graph
        An undirected graph.
    community
        Node -> community number (see :func:`communities`).
    weight
        Edge attribute summed instead of counting links, or None.

    Returns
    -------
    dict
        Node -> participation coefficient in [0, 1); 0 for an isolated node.

    Examples
    --------
    >>> g = nx.Graph([("hub", "a"), ("hub", "b")])
    >>> participation(g, {"hub": 0, "a": 0, "b": 1})["hub"]
    0.5

    References
    ----------
    Guimerà, Amaral (2005), "Functional cartography of complex metabolic networks", Nature
    433, 895-900.
    """
    result = {}
    for node in graph:
        links: Counter[int] = Counter()
        for other, data in graph.adj[node].items():
            if other != node:
                links[community[other]] += data.get(weight, 1) if weight else 1
        total = sum(links.values())
        result[node] = 1.0 - sum((k / total) ** 2 for k in links.values()) if total else 0.0
    return result


def brokers(graph: nx.Graph, community: Mapping[Hashable, int],
            centrality: Mapping[Hashable, float], *, n: int = 10) -> list[Hashable]:
    """The nodes that link communities, most central first.

    A broker has neighbours in at least two communities (a participation coefficient above
    0); brokers are ranked by ``centrality`` (betweenness: how many shortest paths run
    through them), then by participation.

    Parameters
    ----------
    graph
        An undirected graph.
    community
        Node -> community number.
    centrality
        Node -> betweenness (see :func:`betweenness`).
    n
        How many brokers to return at most.

    Returns
    -------
    list
        Up to ``n`` nodes.

    Examples
    --------
    >>> g = nx.barbell_graph(3, 1)
    >>> c = communities(g)
    >>> brokers(g, c, betweenness(g), n=1)
    [3]

    References
    ----------
    Gould, Fernandez (1989), "Structures of mediation: a formal approach to brokerage in
    transaction networks", Sociological Methodology 19; measured here with the participation
    coefficient of Guimerà and Amaral (2005).
    """
    part = participation(graph, community)
    spanning = [node for node in graph if part[node] > 0]
    spanning.sort(key=lambda node: (-centrality.get(node, 0.0), -part[node], str(node)))
    return spanning[:n]


def figures(
    graph: nx.Graph, *, alpha: float = 0.85, seed: int = 0, exact_limit: int = 500,
    k: int = 128, resolution: float = 1.0, cooccurrence_weight: float = 1.0, n_brokers: int = 10,
) -> dict[str, Any]:
    """Compute every figure, store it on the nodes of ``graph``, and report.

    Parameters
    ----------
    graph
        A graph from :func:`actor_graph` (or any networkx graph); node attributes
        ``degree``, ``weighted_degree``, ``pagerank``, ``betweenness``, ``community``,
        ``component`` and ``participation`` are set in place.
    alpha
        PageRank damping factor.
    seed
        Seed of the Louvain node order and of the betweenness sample.
    exact_limit, k
        Betweenness is exact up to ``exact_limit`` nodes, else sampled from ``k`` sources.
    resolution
        Louvain resolution.
    cooccurrence_weight
        Weight factor of co-occurrence links (see :func:`collapse`).
    n_brokers
        How many brokers to report.

    Returns
    -------
    dict
        ``{"parameters", "counts", "nodes", "communities", "brokers"}``, ready for
        ``analysis.json``; nodes sorted by PageRank, highest first.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(g, {"a": "A", "b": "B", "c": "C"}, "label")
    >>> figures(g)["nodes"][0]["label"]
    'B'
    """
    return report(graph, measure(graph, alpha=alpha, seed=seed, exact_limit=exact_limit, k=k,
                                 resolution=resolution,
                                 cooccurrence_weight=cooccurrence_weight, n_brokers=n_brokers))


def measure(
    graph: nx.Graph, *, alpha: float = 0.85, seed: int = 0, exact_limit: int = 500,
    k: int = 128, resolution: float = 1.0, cooccurrence_weight: float = 1.0, n_brokers: int = 10,
) -> dict[str, Any]:
    """The first half of :func:`figures`: compute every figure and store it on the nodes.

    What a big graph needs next (the figures written into the store by
    :func:`figure_triples`) reads the nodes alone, so it can run before :func:`report` makes
    a record per node: on the projection of 10,000 demo-size pages those records took
    about 250 MiB, and writing the figures about 90 MiB more.

    Parameters
    ----------
    graph
        As for :func:`figures`: node attributes ``degree``, ``weighted_degree``,
        ``pagerank``, ``betweenness``, ``community``, ``component`` and ``participation``
        are set in place.
    alpha, seed, exact_limit, k, resolution, cooccurrence_weight, n_brokers
        As for :func:`figures`.

    Returns
    -------
    dict
        The report of :func:`figures` without its ``nodes`` and ``communities`` (which
        :func:`report` adds).

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c")])
    >>> measure(g)["counts"]["edges"], g.nodes["b"]["degree"]
    (2, 2)
    """
    simple = collapse(graph, cooccurrence_weight=cooccurrence_weight, attributes=False)
    pr = pagerank(simple, alpha=alpha)
    bc = betweenness(simple, exact_limit=exact_limit, k=k, seed=seed)
    comm = communities(simple, resolution=resolution, seed=seed)
    comp = components(simple)
    part = participation(simple, comm)
    weighted = dict(simple.degree(weight="weight"))
    for node, data in graph.nodes(data=True):
        data.update(degree=simple.degree(node), weighted_degree=weighted[node],
                    pagerank=pr.get(node, 0.0), betweenness=bc.get(node, 0.0),
                    community=comm.get(node, 0), component=comp.get(node, 0),
                    participation=part.get(node, 0.0))
    n_nodes, n_edges = simple.number_of_nodes(), simple.number_of_edges()
    n_linked = len(_linked(simple)) if n_nodes > exact_limit else n_nodes
    broker_rows = [
        {"iri": node, "label": graph.nodes[node].get("label", str(node)),
         "betweenness": round(bc.get(node, 0.0), 6),
         "participation": round(part[node], 6),
         "communities": sorted({comm[o] for o in simple.adj[node]})}
        for node in brokers(simple, comm, bc, n=n_brokers)
    ]
    n_components, n_communities = len(set(comp.values())), len(set(comm.values()))
    kinds = Counter(d.get("kind", "relation" if d.get("relation", CO_OCCURS) != CO_OCCURS
                          else "co-occurrence") for _, _, d in graph.edges(data=True))
    # the figures are on the nodes: the collapsed graph and the measures are given back
    # (freed, and the C heap trimmed) before the figures are written or the records made
    del simple, pr, bc, comm, comp, part, weighted
    gc.collect()
    trim()
    return {
        "parameters": {
            "projection": {"events": graph.graph.get("events"),
                           "cooccurrence": graph.graph.get("cooccurrence"),
                           "cooccurrence_weight": cooccurrence_weight},
            "pagerank": {"alpha": alpha, "weight": "weight"},
            "betweenness": {"normalized": True, "weight": None, "exact_limit": exact_limit,
                            "sampled": n_nodes > exact_limit,
                            "k": min(k, n_linked) if n_nodes > exact_limit else None,
                            "seed": seed},
            "louvain": {"resolution": resolution, "weight": "weight", "seed": seed},
            "brokers": {"measure": "participation coefficient > 0 (Guimerà and Amaral 2005), "
                                   "ranked by betweenness", "n": n_brokers},
        },
        "counts": {
            "nodes": n_nodes,
            "edges": n_edges,
            "components": n_components,
            "communities": n_communities,
            "relation_edges": kinds.get("relation", 0),
            "event_edges": kinds.get("event", 0),
            "cooccurrence_edges": kinds.get("co-occurrence", 0),
        },
        "brokers": broker_rows,
    }


def report(graph: nx.Graph, summary: dict[str, Any]) -> dict[str, Any]:
    """The second half of :func:`figures`: ``summary`` (from :func:`measure`) with a record
    per node of ``graph``, sorted by PageRank, and the communities' members.

    Parameters
    ----------
    graph
        The graph :func:`measure` put the figures on.
    summary
        What :func:`measure` returned.

    Returns
    -------
    dict
        ``{"parameters", "counts", "nodes", "communities", "brokers"}``, as :func:`figures`.

    Raises
    ------
    KeyError
        If a node carries no figures (:func:`measure` did not run on ``graph``).
    """
    rounded: dict[float, float] = {}

    def order(node: Hashable) -> tuple[float, str, str]:
        data = graph.nodes[node]
        return -_round(data["pagerank"], rounded), str(data.get("label", node)), str(node)

    # the nodes are sorted before their records are made, so the sort's keys are given back
    # before the records take their room
    ordered = sorted(graph, key=order)
    nodes = [_node_record(node, graph.nodes[node], rounded) for node in ordered]
    del ordered
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in nodes:
        members[record["community"]].append(record)
    return {
        "parameters": summary["parameters"],
        "counts": summary["counts"],
        "nodes": nodes,
        "communities": [
            _shared(_CommunityRecord, (
                ("id", cid), ("size", len(members[cid])),
                ("members", [m["label"] for m in members[cid]]),
                ("iris", [m["iri"] for m in members[cid]])))
            for cid in sorted(members)
        ],
        "brokers": summary["brokers"],
    }


class _NodeRecord:
    """Holder of a node's record in :func:`report` (see :func:`_shared`)."""


class _CommunityRecord:
    """Holder of a community's record in :func:`report` (see :func:`_shared`)."""


def _shared(kind: type, items: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A dict of ``items`` (in their order) that shares its table of keys with the other
    dicts made for ``kind``: the attribute dict of a new ``kind`` object, which CPython keeps
    as a split table (PEP 412) while its keys are set in the same order. An ordinary dict
    otherwise; either way a plain ``dict`` to every reader. A record of 11 keys takes 216
    bytes so, 504 as a dict literal: 350,773 node records and as many communities (an
    isolated node is one) took about 290 MiB as literals."""
    holder = kind()
    for key, value in items:
        setattr(holder, key, value)
    return vars(holder)


def _round(value: float, seen: dict[float, float]) -> float:
    """``round(value, 6)``, one float object per distinct result in ``seen`` (most nodes of a
    big graph are isolated and share their figures)."""
    result = round(value, 6)
    if result == 0.0 and math.copysign(1.0, result) < 0:
        return result  # -0.0, which equals 0.0 as a key but prints apart
    return seen.setdefault(result, result)


def _node_record(node: Hashable, data: Mapping[str, Any], rounded: dict[float, float]
                 ) -> dict[str, Any]:
    return _shared(_NodeRecord, (
        ("iri", str(node)),
        ("label", str(data.get("label", node))),
        ("class", data.get("cls")),
        ("mentions", data.get("mentions", 0)),
        ("degree", data["degree"]),
        ("weighted_degree", data["weighted_degree"]),
        ("pagerank", _round(data["pagerank"], rounded)),
        ("betweenness", _round(data["betweenness"], rounded)),
        ("community", data["community"]),
        ("component", data["component"]),
        ("participation", _round(data["participation"], rounded)),
    ))


def top_nodes(analysis: dict[str, Any], n: int = 10, *, by: str = "pagerank"
              ) -> list[dict[str, Any]]:
    """The ``n`` nodes of highest ``by`` (a node figure) from a :func:`figures` report."""
    if by == "pagerank":
        return list(analysis["nodes"][:n])
    return sorted(analysis["nodes"], key=lambda r: (-r[by], r["label"]))[:n]


# --------------------------------------------------------------------------------------------
# Written back into the RDF
# --------------------------------------------------------------------------------------------


def figure_triples(graph: nx.Graph) -> Iterator[tuple[URIRef, URIRef, RDFLiteral]]:
    """The triples of :func:`figures_graph`, yielded one at a time."""
    for node, data in graph.nodes(data=True):
        iri = URIRef(str(node))
        yield iri, AKG.degree, RDFLiteral(int(data["degree"]), datatype=XSD.integer)
        yield (iri, AKG.pageRank,
               RDFLiteral(min(1.0, max(0.0, float(data["pagerank"]))), datatype=XSD.double))
        yield (iri, AKG.betweenness,
               RDFLiteral(max(0.0, float(data["betweenness"])), datatype=XSD.double))
        yield iri, AKG.community, RDFLiteral(int(data["community"]), datatype=XSD.integer)


def figures_graph(graph: nx.Graph) -> Graph:
    """The figures on the nodes of ``graph`` as RDF, one triple per node and figure.

    Parameters
    ----------
    graph
        A graph whose nodes are IRIs and carry the attributes :func:`figures` sets.

    Returns
    -------
    rdflib.Graph
        ``akg:degree`` (xsd:integer), ``akg:pageRank`` and ``akg:betweenness`` (xsd:double)
        and ``akg:community`` (xsd:integer) per node.

    Examples
    --------
    >>> g = nx.Graph([("urn:x:a", "urn:x:b")])
    >>> _ = figures(g)
    >>> len(figures_graph(g))
    8
    """
    return triples_graph(figure_triples(graph))


def _ntriple_lines(triples: Iterable[tuple[Any, Any, Any]], *, batch: int = 10_000
                   ) -> Iterator[str]:
    """``triples`` as N-Triples lines, made ``batch`` at a time."""
    stream = iter(triples)
    while part := list(islice(stream, batch)):
        yield from ntriples(part).splitlines(keepends=True)


def analyse_store(
    store: KGStore, *, events: EventMode = "collapse", cooccurrence: CooccurrenceMode = "fallback",
    max_cooccurrence: int | None = MAX_COOCCURRENCE, **options: Any,
) -> tuple[nx.MultiDiGraph, dict[str, Any]]:
    """Project, compute the figures and write them into ``store`` (graph :data:`ANALYSIS_GRAPH`).

    The counts of :func:`kg.tallies.tally_triples` (mentions per entity, per class and label,
    per pair of labels, evidence rows), which the saved queries read, are written in the same
    graph. The graph is written a bounded part at a time
    (:meth:`kg.store.KGStore.replace_derived_graph`), not in one transaction: at 10,000
    documents it holds about 700,000 triples, and one transaction of them took gigabytes. A
    process killed while it is written leaves a part of it, which the next ``kg build``,
    ``kg add`` or ``kg remove`` replaces whole; the documents' graphs are never touched.

    Parameters
    ----------
    store
        The knowledge graph; its named graph :data:`ANALYSIS_GRAPH` is replaced.
    events, cooccurrence, max_cooccurrence
        How to project (see :func:`actor_graph`).
    **options
        Passed to :func:`figures` (``seed``, ``alpha``, ``exact_limit``, ``k``...).

    Returns
    -------
    tuple
        The projected graph (figures on its nodes) and the :func:`figures` report.
    """
    # the counts first, then the projection and its figures: what each holds is given back
    # before the other is made (at 10,000 documents each took about a gigabyte, and the
    # projection held its graph while the counts were made); both streamed as N-Triples
    # into bounded transactions
    store.replace_derived_graph(ANALYSIS_GRAPH, _ntriple_lines(tally_triples(store)))
    graph = actor_graph(store, events=events, cooccurrence=cooccurrence,
                        max_cooccurrence=max_cooccurrence)
    summary = measure(graph, **options)
    # the figures are written from the nodes before the per-node records are made, and what
    # the writing held is given back first (see measure)
    store.extend_derived_graph(ANALYSIS_GRAPH, _ntriple_lines(figure_triples(graph)))
    trim()
    analysis = report(graph, summary)
    analysis["parameters"]["graph"] = str(ANALYSIS_GRAPH)
    return graph, analysis


# --------------------------------------------------------------------------------------------
# Paths between two actors
# --------------------------------------------------------------------------------------------


def find_node(graph: nx.Graph, name: str) -> list[Hashable]:
    """Nodes whose IRI is ``name``, or whose label matches it (case-insensitive).

    An exact IRI wins; otherwise nodes with that label, then nodes whose label contains it.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_node("urn:x:1", label="Hun Manet"); g.add_node("urn:x:2", label="Hun Sen")
    >>> find_node(g, "hun manet"), find_node(g, "hun")
    (['urn:x:1'], ['urn:x:1', 'urn:x:2'])
    """
    if name in graph:
        return [name]
    wanted = name.strip().casefold()
    exact = [n for n, label in graph.nodes(data="label") if str(label).casefold() == wanted]
    if exact:
        return sorted(exact, key=str)
    return sorted((n for n, label in graph.nodes(data="label")
                   if wanted and wanted in str(label).casefold()), key=str)


def shortest_connection(graph: nx.MultiDiGraph, source: Hashable, target: Hashable
                        ) -> list[tuple[Hashable, Hashable, dict[str, Any]]]:
    """The shortest chain of links from ``source`` to ``target``, each hop with its edge.

    Direction is ignored (a link read either way connects). Among paths of equal length the
    one with more relation links and more evidence wins: a hop costs 1, plus 0.1 if it is
    only a co-occurrence, plus 0.01 / weight.

    Parameters
    ----------
    graph
        A graph from :func:`actor_graph`.
    source, target
        Nodes of ``graph``.

    Returns
    -------
    list
        ``(u, v, edge data)`` per hop, from ``source`` to ``target``; the edge data is the
        strongest link between the two. An undirected link is given in path order, a
        directed one as stored (subject, object), so it may point backwards.

    Raises
    ------
    networkx.NetworkXNoPath
        If nothing connects them.

    Examples
    --------
    >>> m = nx.MultiDiGraph()
    >>> m.add_edge("a", "b", "leads", relation="leads", weight=1)
    'leads'
    >>> m.add_edge("c", "b", "co-occurs", relation="co-occurs", weight=5)
    'co-occurs'
    >>> [(u, v, d["relation"]) for u, v, d in shortest_connection(m, "a", "c")]
    [('a', 'b', 'leads'), ('b', 'c', 'co-occurs')]
    """
    best: dict[frozenset[Hashable], tuple[float, Hashable, Hashable, dict[str, Any]]] = {}
    for u, v, data in graph.edges(data=True):
        if u == v:
            continue
        cooc = data.get("relation") == CO_OCCURS
        cost = 1.0 + (0.1 if cooc else 0.0) + 0.01 / max(1, data.get("weight", 1))
        pair = frozenset((u, v))
        if pair not in best or cost < best[pair][0]:
            best[pair] = (cost, u, v, data)
    simple = nx.Graph()
    simple.add_nodes_from(graph)
    for pair, (cost, _u, _v, _d) in best.items():
        simple.add_edge(*pair, cost=cost)
    path = nx.dijkstra_path(simple, source, target, weight="cost")
    hops = []
    for a, b in pairwise(path):
        _, u, v, data = best[frozenset((a, b))]
        directed = data.get("directed", True) and data.get("relation") != CO_OCCURS
        hops.append((u, v, data) if directed else (a, b, data))
    return hops

"""The knowledge graph projected into networkx, and its figures.

Actors and places are nodes; two of them are linked when they are named in one sentence,
weighted by the number of such sentences (relations replace co-occurrence as they are
extracted). Figures follow networkx: degree, weighted degree and PageRank.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from kg.store import KGStore

__all__ = ["CO_OCCURS", "MAX_EVIDENCE", "cooccurrence_graph", "figures", "top_nodes"]

#: Evidence sentences kept per node and per edge, so big graphs stay a reasonable size.
MAX_EVIDENCE = 20
#: The relation name of a link read from two names in one sentence.
CO_OCCURS = "co-occurs"

_NODES = """
SELECT ?e ?label ?cls (COUNT(DISTINCT ?m) AS ?mentions) WHERE {
  ?m itsrdf:taIdentRef ?e .
  ?e rdfs:label ?label ; a ?cls .
  FILTER(STRSTARTS(STR(?cls), STR(akg:)))
} GROUP BY ?e ?label ?cls
"""

_EDGES = """
SELECT ?a ?b ?text ?source WHERE {
  ?m1 nif:sentence ?s ; itsrdf:taIdentRef ?a .
  ?m2 nif:sentence ?s ; itsrdf:taIdentRef ?b .
  FILTER(STR(?a) < STR(?b))
  ?s nif:anchorOf ?text ; nif:referenceContext ?ctx .
  ?ctx dcterms:source ?source .
}
"""

_NODE_EVIDENCE = """
SELECT ?e ?text ?source WHERE {
  ?m itsrdf:taIdentRef ?e ; nif:sentence ?s .
  ?s nif:anchorOf ?text ; nif:referenceContext ?ctx .
  ?ctx dcterms:source ?source .
}
"""


def cooccurrence_graph(store: KGStore) -> nx.Graph:
    """Project the store into an undirected graph of actors and places.

    Parameters
    ----------
    store
        The knowledge graph.

    Returns
    -------
    networkx.Graph
        Nodes keyed by entity IRI with ``label``, ``cls``, ``mentions`` and ``evidence``
        (a list of ``{"sentence", "source"}``); an edge per pair of entities named in one
        sentence, with ``weight`` (the number of distinct sentences), ``relation``
        ("co-occurs") and ``evidence``.
    """
    graph = nx.Graph()
    for row in store.query(_NODES):  # type: ignore[union-attr]
        iri = row["e"].value
        graph.add_node(
            iri,
            label=row["label"].value,
            cls=row["cls"].value.rsplit("#", 1)[-1],
            mentions=int(row["mentions"].value),
            evidence=[],
        )
    for row in store.query(_NODE_EVIDENCE):  # type: ignore[union-attr]
        iri = row["e"].value
        if iri in graph:
            _add_evidence(graph.nodes[iri], row["text"].value, row["source"].value)
    for row in store.query(_EDGES):  # type: ignore[union-attr]
        a, b = row["a"].value, row["b"].value
        if a not in graph or b not in graph:
            continue
        if not graph.has_edge(a, b):
            graph.add_edge(a, b, weight=0, relation=CO_OCCURS, evidence=[])
        data = graph.edges[a, b]
        if _add_evidence(data, row["text"].value, row["source"].value, cap=None):
            data["weight"] += 1
    for _, _, data in graph.edges(data=True):
        data["evidence"] = data["evidence"][:MAX_EVIDENCE]
    return graph


def _add_evidence(
    data: dict[str, Any], sentence: str, source: str, *, cap: int | None = MAX_EVIDENCE
) -> bool:
    item = {"sentence": sentence, "source": source}
    evidence: list[dict[str, str]] = data["evidence"]
    if item in evidence or (cap is not None and len(evidence) >= cap):
        return False
    evidence.append(item)
    return True


def figures(graph: nx.Graph, *, alpha: float = 0.85) -> dict[str, Any]:
    """Compute degree, weighted degree and PageRank, store them on the nodes, and report.

    Parameters
    ----------
    graph
        A graph from :func:`cooccurrence_graph`; node attributes ``degree``,
        ``weighted_degree`` and ``pagerank`` are set in place.
    alpha
        PageRank damping factor.

    Returns
    -------
    dict
        ``{"parameters", "counts", "nodes"}``, ready for ``analysis.json``; nodes sorted by
        PageRank, highest first.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(g, {"a": "A", "b": "B", "c": "C"}, "label")
    >>> figures(g)["nodes"][0]["label"]
    'B'

    References
    ----------
    Page, Brin, Motwani, Winograd (1999), "The PageRank citation ranking".
    """
    pagerank = nx.pagerank(graph, alpha=alpha, weight="weight") if len(graph) else {}
    weighted = dict(graph.degree(weight="weight"))
    for node, data in graph.nodes(data=True):
        data["degree"] = graph.degree(node)
        data["weighted_degree"] = weighted[node]
        data["pagerank"] = pagerank.get(node, 0.0)
    nodes = [
        {
            "iri": node,
            "label": data.get("label", node),
            "class": data.get("cls"),
            "mentions": data.get("mentions", 0),
            "degree": data["degree"],
            "weighted_degree": data["weighted_degree"],
            "pagerank": round(data["pagerank"], 6),
        }
        for node, data in graph.nodes(data=True)
    ]
    nodes.sort(key=lambda n: (-n["pagerank"], n["label"]))
    return {
        "parameters": {
            "links": "co-occurrence in a sentence",
            "pagerank": {"alpha": alpha, "weight": "weight"},
        },
        "counts": {
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "components": nx.number_connected_components(graph) if len(graph) else 0,
        },
        "nodes": nodes,
    }


def top_nodes(analysis: dict[str, Any], n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` nodes of highest PageRank from a :func:`figures` report."""
    return list(analysis["nodes"][:n])

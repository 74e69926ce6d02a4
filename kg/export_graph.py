"""The actor network for other tools: GraphML, GEXF (Gephi) and CSV of nodes and edges.

These export the *network* (:func:`kg.network.actor_graph` with its figures), not the RDF:
``kg export`` writes the RDF. GraphML and GEXF take scalar attributes only, so evidence
lists are written as JSON strings (``[{"sentence": ..., "source": ...}, ...]``) and lists
of class names as ``;``-separated text; attributes that are None are left out.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import networkx as nx

__all__ = [
    "EDGE_FIELDS",
    "NODE_FIELDS",
    "scalar_graph",
    "write_csv",
    "write_gexf",
    "write_graphml",
]

#: Columns of ``nodes.csv`` (node attributes, ``id`` being the IRI).
NODE_FIELDS = ("id", "label", "cls", "types", "mentions", "degree", "weighted_degree",
               "pagerank", "betweenness", "community", "component", "participation",
               "evidence")
#: Columns of ``edges.csv``.
EDGE_FIELDS = ("source", "target", "relation", "kind", "directed", "weight", "evidence")


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        items = list(value)
        if all(isinstance(v, str) for v in items):
            return ";".join(items)
        return json.dumps(items, ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def scalar_graph(graph: nx.Graph) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose attributes are all strings, numbers or booleans.

    Parameters
    ----------
    graph
        A graph from :func:`kg.network.actor_graph`, figures on its nodes or not.

    Returns
    -------
    networkx.MultiDiGraph
        Same nodes and edges (an undirected graph's edges point from ``u`` to ``v`` as
        stored, with ``directed=False``); each edge also has ``label`` = its relation, which
        Gephi shows.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_edge("a", "b", relation="leads", evidence=[{"sentence": "A leads B."}])
    >>> scalar_graph(g).edges["a", "b", 0]["evidence"]
    '[{"sentence": "A leads B."}]'
    """
    out = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        out.add_node(str(node), **{k: _scalar(v) for k, v in data.items() if v is not None})
    for u, v, data in graph.edges(data=True):
        attrs = {k: _scalar(val) for k, val in data.items() if val is not None}
        attrs.setdefault("directed", graph.is_directed())
        attrs["label"] = str(data.get("relation") or "")
        out.add_edge(str(u), str(v), **attrs)
    return out


def _atomic(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.partial")


def write_graphml(graph: nx.Graph, path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` as GraphML (yEd, Cytoscape, Gephi, igraph); return the path.

    Examples
    --------
    >>> import tempfile
    >>> p = write_graphml(nx.path_graph(3), Path(tempfile.mkdtemp()) / "g.graphml")
    >>> len(nx.read_graphml(p))
    3
    """
    target = Path(path)
    partial = _atomic(target)
    nx.write_graphml(scalar_graph(graph), partial, encoding="utf-8")
    os.replace(partial, target)
    return target


def write_gexf(graph: nx.Graph, path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` as GEXF 1.2 (Gephi's own format); return the path.

    Examples
    --------
    >>> import tempfile
    >>> p = write_gexf(nx.path_graph(3), Path(tempfile.mkdtemp()) / "g.gexf")
    >>> nx.read_gexf(p).number_of_edges()
    2
    """
    target = Path(path)
    partial = _atomic(target)
    nx.write_gexf(scalar_graph(graph), partial, encoding="utf-8")
    os.replace(partial, target)
    return target


def write_csv(graph: nx.Graph, folder: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``nodes.csv`` and ``edges.csv`` (UTF-8, header row) into ``folder``.

    Parameters
    ----------
    graph
        A graph from :func:`kg.network.actor_graph`.
    folder
        Created if missing.

    Returns
    -------
    tuple
        The two paths written.

    Examples
    --------
    >>> import tempfile
    >>> nodes, edges = write_csv(nx.path_graph(2), tempfile.mkdtemp())
    >>> edges.read_text().splitlines()[1]
    '0,1,,,False,,'
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for node, data in graph.nodes(data=True):
        rows.append({"id": node, **{k: _scalar(data.get(k)) for k in NODE_FIELDS[1:]}})
    nodes = _write_rows(out / "nodes.csv", NODE_FIELDS, rows)
    rows = []
    for u, v, data in graph.edges(data=True):
        row = {k: _scalar(data.get(k)) for k in EDGE_FIELDS[2:]}
        row.update(source=u, target=v, directed=data.get("directed", graph.is_directed()))
        rows.append(row)
    edges = _write_rows(out / "edges.csv", EDGE_FIELDS, rows)
    return nodes, edges


def _write_rows(path: Path, fields: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    partial = _atomic(path)
    with partial.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(partial, path)
    return path

"""The Oxigraph store: one named graph per document, Turtle out, SPARQL in.

rdflib builds each document's graph; this module moves it into a ``pyoxigraph.Store`` (in
memory, or on disk when given a folder) and serialises and queries with Oxigraph, which is
far faster than rdflib's own Turtle writer and SPARQL engine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.vocab import NAMESPACES

__all__ = ["KGStore", "to_oxigraph", "uses_service"]

# Strings, IRIs and comments, which may hold the word SERVICE without it being the keyword.
_QUOTED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*"
)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)


def uses_service(sparql: str) -> bool:
    """True when ``sparql`` holds a SERVICE clause (a federated call to another endpoint).

    >>> uses_service("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service('SELECT * { ?s ex:SERVICE "SERVICE" } # SERVICE')
    False
    """
    return _SERVICE.search(_QUOTED.sub(" ", sparql)) is not None


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot store RDF term {term!r} of type {type(term).__name__}")


class KGStore:
    """An Oxigraph store of the knowledge graph.

    Parameters
    ----------
    path
        A folder for an on-disk store, or None for a store in memory.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.store = ox.Store(str(path)) if path is not None else ox.Store()

    @classmethod
    def from_turtle(cls, path: str | os.PathLike[str]) -> KGStore:
        """A store in memory holding the triples of a Turtle file (in the default graph)."""
        kg = cls()
        kg.store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        return kg

    def add_graph(self, graph: Graph, name: URIRef) -> None:
        """Replace the named graph ``name`` with the triples of ``graph``, atomically."""
        graph_name = ox.NamedNode(str(name))
        quads = [
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph_name)  # type: ignore[arg-type]
            for s, p, o in graph
        ]
        self.store.remove_graph(graph_name) if self.store.contains_named_graph(graph_name) else None
        self.store.extend(quads)

    def __len__(self) -> int:
        """The number of quads (a triple found in two documents' graphs counts twice)."""
        return len(self.store)

    def count_triples(self) -> int:
        """The number of distinct triples over all graphs: what ``graph.ttl`` holds."""
        [row] = self.store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
            use_default_graph_as_union=True,
        )  # type: ignore[misc]
        return int(row["n"].value)

    def triples(self) -> Iterator[ox.Triple]:
        """Every distinct triple of every graph (the union that ``graph.ttl`` holds).

        Sorted by subject so that the Turtle writer groups each subject's triples.
        """
        solutions = self.store.query(
            "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o", use_default_graph_as_union=True
        )
        for solution in solutions:  # type: ignore[union-attr]
            yield ox.Triple(solution["s"], solution["p"], solution["o"])  # type: ignore[index]

    def write_turtle(self, path: str | os.PathLike[str]) -> Path:
        """Serialise the union of all graphs as Turtle to ``path``, atomically."""
        target = Path(path)
        partial = target.with_name(f".{target.name}.partial")
        ox.serialize(self.triples(), str(partial), ox.RdfFormat.TURTLE, prefixes=NAMESPACES)
        os.replace(partial, target)
        return target

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query over the union of all graphs, the project prefixes predeclared.

        Raises
        ------
        SyntaxError
            With Oxigraph's parser message when the query is malformed.
        PermissionError
            When the query holds SERVICE: the store never makes outgoing requests.
        """
        if uses_service(sparql):
            raise PermissionError("SERVICE is refused: queries run on the local store only")
        return self.store.query(sparql, prefixes=NAMESPACES, use_default_graph_as_union=True)

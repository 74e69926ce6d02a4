"""SHACL validation of built graphs against ``ontology/shapes.ttl`` with pySHACL.

pySHACL evaluates a SPARQL-based constraint (``sh:sparql``) once per focus node, with rdflib's
SPARQL engine: on a 2,500-triple document that took 6 of its 6.3 seconds. The validator here
gives pySHACL the shapes without their SPARQL constraints, and evaluates each SPARQL
constraint's ``SELECT`` once over the whole graph, with ``$this`` free and then kept to the
shape's target class: the same violations (a test compares the two on broken graphs), in a
fraction of the time. ``ontology/shapes.ttl`` itself is unchanged, so any SHACL processor
still checks everything.
"""

from __future__ import annotations

import re
from functools import cached_property, partial
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

__all__ = ["Validator", "ontology_dir"]

_THIS = re.compile(r"\$this\b")
_VARIABLE = re.compile(r"\{[?$](\w+)\}")


def ontology_dir() -> Path:
    """The folder holding ``actorkg.ttl`` and ``shapes.ttl``.

    ``kg/ontology`` links to the repository's top-level ``ontology/``; a wheel carries copies.
    """
    return Path(str(resources.files("kg") / "ontology"))


class _SparqlConstraint(NamedTuple):
    target: URIRef  # the shape's sh:targetClass
    query: Any  # the SELECT with its prefixes, $this as ?this, parsed once (rdflib prepareQuery)
    message: str


class Validator:
    """Validate graphs against the project's shapes, with the ontology for class hierarchy.

    The shapes and ontology are parsed once, on first use.
    """

    @cached_property
    def shapes(self) -> Graph:
        return Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")

    @cached_property
    def ontology(self) -> Graph:
        return Graph().parse(ontology_dir() / "actorkg.ttl", format="turtle")

    @cached_property
    def _core_shapes(self) -> Graph:
        """The shapes without their SPARQL constraints (those run in :meth:`_sparql`)."""
        core = Graph()
        for triple in self.shapes:
            if triple[1] != SH.sparql:
                core.add(triple)
        return core

    @cached_property
    def _sparql_constraints(self) -> list[_SparqlConstraint]:
        shapes = self.shapes
        found = []
        for shape, constraint in shapes.subject_objects(SH.sparql):
            target = shapes.value(shape, SH.targetClass)
            select = shapes.value(constraint, SH.select)
            if not isinstance(target, URIRef) or select is None:
                raise ValueError(f"shapes.ttl: SPARQL constraint of {shape} needs a "
                                 f"sh:targetClass and a sh:select")
            prefixes = "".join(
                f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
                for source in shapes.objects(constraint, SH.prefixes)
                for d in shapes.objects(source, SH.declare)
            )
            message = str(shapes.value(constraint, SH.message) or "SPARQL constraint")
            # parsed once here: rdflib parses a query string on every call, which cost more
            # than running it on a document's graph
            query = prepareQuery(prefixes + _THIS.sub("?this", str(select)))
            found.append(_SparqlConstraint(target, query, message))
        return found

    def prepare(self) -> Validator:
        """Parse the shapes and ontology, prepare the SPARQL constraints and import pySHACL
        now (about half a second) rather than on the first graph; return the validator.

        Worker processes forked after this share the work instead of each doing it again.
        """
        import pyshacl  # noqa: F401  (slow to import)

        _ = self._core_shapes, self._sparql_constraints, self.ontology
        return self

    def violations(self, graph: Graph, *, inplace: bool = False) -> list[str]:
        """One line per SHACL violation of ``graph``; empty when it conforms.

        Parameters
        ----------
        graph
            The data graph.
        inplace
            Let pySHACL add the ontology's class hierarchy to ``graph`` itself instead of to
            a copy: for a graph made only to be validated (saves copying it).

        Returns
        -------
        list of str
            ``"focus path: message"`` lines, sorted.

        >>> Validator().violations(Graph())
        []
        """
        from pyshacl import validate  # slow to import; only needed when validating

        lines = self._sparql(graph)
        conforms, report, _ = validate(
            graph,
            shacl_graph=self._core_shapes,
            ont_graph=self.ontology,
            inference="none",
            advanced=True,
            allow_warnings=True,
            inplace=inplace,
        )
        lines += [] if conforms else [
            _line(report.value(r, SH.focusNode), report.value(r, SH.resultPath),
                  report.value(r, SH.resultMessage))
            for r in report.subjects(predicate=SH.resultSeverity, object=SH.Violation)
        ]
        return sorted(lines)

    def _sparql(self, graph: Graph) -> list[str]:
        lines = []
        for constraint in self._sparql_constraints:
            targets = self._instances(graph, constraint.target)
            for row in graph.query(constraint.query):
                bound = row.asdict()  # type: ignore[union-attr]
                if bound.get("this") not in targets:
                    continue
                message = _VARIABLE.sub(partial(_bound_value, bound), constraint.message)
                lines.append(_line(bound["this"], None, message))
        return lines

    def _instances(self, graph: Graph, cls: URIRef) -> set[Node]:
        classes = {cls, *self.ontology.transitive_subjects(RDFS.subClassOf, cls)}
        return {s for c in classes for s in graph.subjects(RDF.type, c)}


def _line(focus: Node | None, path: Node | None, message: Node | str | None) -> str:
    return f"{focus} {path or ''}: {message}".replace("\n", " ")


def _bound_value(bound: dict[str, Any], match: re.Match[str]) -> str:
    """The value bound to the ``{?name}`` of a SPARQL constraint's message, or ''."""
    return str(bound.get(match.group(1), ""))

"""SHACL validation of built graphs against ``ontology/shapes.ttl`` with pySHACL.

pySHACL evaluates a SPARQL-based constraint (``sh:sparql``) once per focus node, with rdflib's
SPARQL engine: on a 2,500-triple document that took 6 of its 6.3 seconds. The validator here
gives pySHACL the shapes without their SPARQL constraints, and evaluates each SPARQL
constraint's ``SELECT`` once over the whole graph, with ``$this`` free and then kept to the
shape's target class: the same violations (a test compares the two on broken graphs), in a
fraction of the time. ``ontology/shapes.ttl`` itself is unchanged, so any SHACL processor
still checks everything.

pySHACL also evaluates every alternative of an ``sh:or`` for every value, and builds (then
drops) a report for each alternative that fails: for a conforming news article's graph most of
the cost of the ``sh:or`` of datatypes (offsets, dates) and of classes (what a mention refers
to). Where an ``sh:or`` is a plain list of ``[ sh:datatype X ]`` or ``[ sh:class C ]`` shapes,
the validator first checks it in Python, over a superset of its value (or focus) nodes, with
pySHACL's own tests but stricter; when every node passes, pySHACL gets the shapes without that
``sh:or`` (it could report nothing there), and otherwise the full shapes, so the report is the
same either way.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property, partial
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
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


class _OrCheck(NamedTuple):
    """An ``sh:or`` of plain datatype or class alternatives, checked before pySHACL runs."""

    shape: Node  # the shape holding the sh:or
    #: where its nodes are: ("objects", p), ("subjects", p), ("class", C) or ("node", n)
    values: tuple[tuple[str, URIRef], ...]
    datatypes: frozenset[URIRef]  # its [ sh:datatype X ] alternatives (or none)
    classes: frozenset[Node]  # its [ sh:class C ] alternatives and their subclasses (or none)


#: Datatypes whose values pySHACL also checks by their Python type (``_assert_actual_datatype``
#: in ``pyshacl.constraints.core.value_constraints``); others pass when the datatype matches.
_PYTHON_TYPES: dict[URIRef, type] = {XSD.string: str, XSD.integer: int, XSD.date: date}
#: A node shape's targets, and how :meth:`Validator._ors_hold` finds their nodes.
_TARGETS = {SH.targetObjectsOf: "objects", SH.targetSubjectsOf: "subjects",
            SH.targetClass: "class", SH.targetNode: "node"}


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

    @cached_property
    def _or_checks(self) -> list[_OrCheck]:
        """The ``sh:or`` constraints checked in Python first (see the module's docstring)."""
        shapes = self.shapes
        found = []
        for shape, head in shapes.subject_objects(SH["or"]):
            kinds: dict[Node, set[URIRef]] = {SH.datatype: set(), SH["class"]: set()}
            for member in Collection(shapes, head):
                said = list(shapes.predicate_objects(member))
                if not isinstance(member, BNode) or len(said) != 1 or said[0][0] not in kinds \
                        or not isinstance(said[0][1], URIRef):
                    break
                kinds[said[0][0]].add(said[0][1])
            else:
                values = self._or_nodes(shape)
                if values and (not kinds[SH.datatype] or not kinds[SH["class"]]):
                    classes = {c for cls in kinds[SH["class"]] for c in self._subclasses(cls)}
                    found.append(_OrCheck(shape, values, frozenset(kinds[SH.datatype]),
                                          frozenset(classes)))
        return found

    def _or_nodes(self, shape: Node) -> tuple[tuple[str, URIRef], ...]:
        """Where a superset of the nodes ``shape``'s ``sh:or`` is tested on lies: the objects
        of its path for a property shape of a targeted node shape, the targets of a targeted
        node shape; empty when the shape is reached some other way (inside ``sh:not``,
        ``sh:node``...), which is then not checked beforehand."""
        shapes = self.shapes

        def targeted(node: Node) -> tuple[tuple[str, URIRef], ...]:
            if any(True for _ in shapes.subject_predicates(node)):
                return ()  # reached from another shape: not a top-level node shape
            found = [(kind, value) for predicate, kind in _TARGETS.items()
                     for value in shapes.objects(node, predicate)]
            kept = tuple((kind, value) for kind, value in found if isinstance(value, URIRef))
            return kept if len(kept) == len(found) else ()

        path = shapes.value(shape, SH.path)
        if path is None:
            return targeted(shape)
        parents = list(shapes.subject_predicates(shape))
        if not isinstance(path, URIRef) or not parents or \
                any(p != SH.property or not targeted(s) for s, p in parents):
            return ()
        return (("objects", path),)

    def _subclasses(self, cls: URIRef) -> set[Node]:
        return {cls, *(c for c in self.ontology.transitive_subjects(RDFS.subClassOf, cls)
                       if c is not None)}

    @cached_property
    def _lean_shapes(self) -> Graph:
        """:attr:`_core_shapes` without the ``sh:or`` of :attr:`_or_checks`."""
        lean = Graph()
        dropped = {check.shape for check in self._or_checks}
        for triple in self._core_shapes:
            if not (triple[1] == SH["or"] and triple[0] in dropped):
                lean.add(triple)
        return lean

    def _ors_hold(self, graph: Graph) -> bool:
        """Whether every node of every :attr:`_or_checks` passes one of its alternatives
        (pySHACL then reports nothing for them)."""
        if (None, RDFS.subClassOf, None) in graph:
            return False  # classes of the data's own: targets and sh:class read them too
        for check in self._or_checks:
            for kind, term in check.values:
                nodes: Any
                if kind == "objects":
                    nodes = graph.objects(None, term)
                elif kind == "subjects":
                    nodes = graph.subjects(term, None)
                elif kind == "class":
                    nodes = self._instances(graph, term)
                else:
                    nodes = (term,)
                for node in nodes:
                    if not (_has_datatype(node, check.datatypes)
                            or _has_class(graph, node, check.classes)):
                        return False
        return True

    def prepare(self) -> Validator:
        """Parse the shapes and ontology, prepare the SPARQL constraints and import pySHACL
        now (about half a second) rather than on the first graph; return the validator.

        Worker processes forked after this share the work instead of each doing it again.
        """
        import pyshacl  # noqa: F401  (slow to import)

        _ = self._lean_shapes, self._sparql_constraints, self.ontology
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
            shacl_graph=self._lean_shapes if self._ors_hold(graph) else self._core_shapes,
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


def _has_datatype(node: Node, datatypes: frozenset[URIRef]) -> bool:
    """Whether pySHACL's ``sh:datatype`` test passes ``node`` for one of ``datatypes`` (its
    test, or a stricter one)."""
    if not datatypes or not isinstance(node, Literal) or node.language is not None or \
            getattr(node, "ill_typed", None) is True:
        return False
    datatype = node.datatype
    if datatype is None:  # a plain literal is an xsd:string
        datatype = XSD.string if XSD.string in datatypes else None
    if datatype not in datatypes:
        return False
    python = _PYTHON_TYPES.get(datatype)
    return python is None or (isinstance(node.value, python) and not isinstance(node.value, bool))


def _has_class(graph: Graph, node: Node, classes: frozenset[Node]) -> bool:
    """Whether ``node`` is typed in ``graph`` with one of ``classes`` (a class and its
    subclasses by the ontology): a SHACL instance of it, by a stricter test than pySHACL's
    (which also follows subclass triples of the data)."""
    return bool(classes) and isinstance(node, (URIRef, BNode)) and any(
        t in classes for t in graph.objects(node, RDF.type))


def _line(focus: Node | None, path: Node | None, message: Node | str | None) -> str:
    return f"{focus} {path or ''}: {message}".replace("\n", " ")


def _bound_value(bound: dict[str, Any], match: re.Match[str]) -> str:
    """The value bound to the ``{?name}`` of a SPARQL constraint's message, or ''."""
    return str(bound.get(match.group(1), ""))

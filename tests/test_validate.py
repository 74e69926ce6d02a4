"""kg.validate: the sh:or checked beforehand leaves every report as pySHACL makes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, XSD

from kg.validate import Validator
from kg.vocab import AKG, NIF, SCHEMA
from tests.test_ontology import BROKEN, DOC, EVENT, PERSON, PHRASE, conforming_graph


class _FullShapes(Validator):
    """The validator as it was: pySHACL always gets every sh:or (the shapes of ``like``, so
    that blank node paths in the lines have the same labels)."""

    def __init__(self, like: Validator) -> None:
        self.shapes = like.shapes

    def _ors_hold(self, graph: Graph) -> bool:
        return False


def test_every_plain_or_of_the_shapes_is_checked_beforehand() -> None:
    checks = Validator()._or_checks
    # nif:beginIndex and nif:endIndex of contexts and phrases, the entity's classes, event dates
    assert len(checks) == 6
    assert any(check.classes for check in checks)


def test_a_conforming_graph_takes_the_lean_shapes() -> None:
    assert Validator()._ors_hold(conforming_graph())


def test_a_graph_with_classes_of_its_own_takes_the_full_shapes() -> None:
    data = conforming_graph()
    data.add((SCHEMA.Person, RDFS.subClassOf, AKG.Person))
    assert not Validator()._ors_hold(data)


#: More ways to break the sh:or alone, beside the BROKEN graphs of test_ontology.
MORE: dict[str, Callable[[Graph], None]] = {
    "offset as an xsd:long": lambda g: g.set((PHRASE, NIF.endIndex,
                                              Literal("9", datatype=XSD.long))),
    "ill-typed integer offset": lambda g: g.set((DOC, NIF.endIndex,
                                                 Literal("x", datatype=XSD.integer))),
    "event date with a language": lambda g: g.set((EVENT, AKG.date, Literal("Mittwoch", lang="de"))),
    "event date as a plain string": lambda g: g.set((EVENT, AKG.date, Literal("Wednesday"))),
    "event date ill-typed": lambda g: g.set((EVENT, AKG.date,
                                             Literal("2025-02-30", datatype=XSD.date))),
    "entity typed twice, once outside": lambda g: g.add((PERSON, RDF.type, SCHEMA.Person)),
    "entity untyped": lambda g: g.remove((PERSON, RDF.type, None)),
}


@pytest.mark.parametrize("name", [*BROKEN, *MORE])
def test_same_report_as_with_every_or(name: str) -> None:
    data = conforming_graph()
    (BROKEN[name][0] if name in BROKEN else MORE[name])(data)
    copy = Graph()
    for triple in data:
        copy.add(triple)
    validator = Validator()
    assert validator.violations(data) == _FullShapes(validator).violations(copy)

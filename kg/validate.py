"""SHACL validation of built graphs against ``ontology/shapes.ttl`` with pySHACL."""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH

__all__ = ["ontology_dir", "Validator"]


def ontology_dir() -> Path:
    """The folder holding ``actorkg.ttl`` and ``shapes.ttl``.

    ``kg/ontology`` links to the repository's top-level ``ontology/``; a wheel carries copies.
    """
    return Path(str(resources.files("kg") / "ontology"))


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

    def violations(self, graph: Graph) -> list[str]:
        """One line per SHACL violation of ``graph``; empty when it conforms.

        >>> Validator().violations(Graph())
        []
        """
        from pyshacl import validate  # slow to import; only needed when validating

        conforms, report, _ = validate(
            graph,
            shacl_graph=self.shapes,
            ont_graph=self.ontology,
            inference="none",
            advanced=True,
            allow_warnings=True,
        )
        if conforms:
            return []
        lines = []
        for result in report.subjects(predicate=SH.resultSeverity, object=SH.Violation):
            focus = report.value(result, SH.focusNode)
            path = report.value(result, SH.resultPath)
            message = report.value(result, SH.resultMessage)
            lines.append(f"{focus} {path or ''}: {message}".replace("\n", " "))
        return sorted(lines)

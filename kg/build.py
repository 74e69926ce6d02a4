"""``kg build``: documents in; ``graph.ttl``, ``graph.html`` and ``analysis.json`` out.

The stages run in one direction: ingest -> spaCy -> mentions -> entities -> rdflib graph
(validated with SHACL) -> Oxigraph store -> networkx figures -> pyvis explorer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from kg.explore import write_explorer
from kg.ingest import read_documents
from kg.mentions import mentions, sentences
from kg.network import cooccurrence_graph, figures
from kg.rdf import context_iri, document_graph
from kg.resolve import resolve
from kg.store import KGStore
from kg.types import Document, DocumentResult, IngestError
from kg.validate import Validator

__all__ = ["BuildReport", "analyse", "build"]


@dataclass
class BuildReport:
    """What a build read, made and could not do."""

    documents: int = 0
    mentions: int = 0
    entities: set[str] = field(default_factory=set)
    failures: list[IngestError] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    triples: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every input was processed and every graph conforms to the shapes."""
        return not self.failures and not self.violations


def analyse(doc: Any, document: Document) -> DocumentResult:
    """Read one parsed document: its sentences, mentions, entities and referents.

    Parameters
    ----------
    doc
        The spaCy ``Doc`` of ``document.text``.
    document
        The document it was parsed from.
    """
    found = list(mentions(doc))
    entities, referent = resolve(found)
    return DocumentResult(
        document=document,
        sentences=sentences(doc),
        mentions=found,
        entities=entities,
        referent=referent,
    )


def build(
    paths: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    nlp: Language,
    validate: bool = True,
    on_failure: Callable[[IngestError], None] | None = None,
) -> BuildReport:
    """Build the knowledge graph of the articles in ``paths`` into ``outdir``.

    Parameters
    ----------
    paths
        Files and folders to read (see :func:`kg.ingest.read_documents`).
    outdir
        Where ``graph.ttl``, ``graph.html`` and ``analysis.json`` are written.
    nlp
        The spaCy pipeline (see :func:`kg.nlp.load_pipeline`).
    validate
        Check each document's graph against ``ontology/shapes.ttl``.
    on_failure
        Called with each input that failed, as it fails.

    Raises
    ------
    kg.ingest.MissingInputError
        If a path does not exist; nothing is built then.
    """
    report = BuildReport()
    store = KGStore()
    validator = Validator() if validate else None

    def fail(error: IngestError) -> None:
        report.failures.append(error)
        if on_failure is not None:
            on_failure(error)

    def documents() -> Iterator[tuple[str, Document]]:
        for item in read_documents(paths):
            if isinstance(item, IngestError):
                fail(item)
            else:
                yield item.text, item

    for doc, document in nlp.pipe(documents(), as_tuples=True):
        try:
            result = analyse(doc, document)
            graph = document_graph(result)
        except Exception as err:  # one bad document costs one document
            fail(IngestError(document.source, f"could not be analysed: {err}"))
            continue
        if validator is not None:
            report.violations += [f"{document.source}: {v}" for v in validator.violations(graph)]
        store.add_graph(graph, context_iri(document))
        report.documents += 1
        report.mentions += len(result.mentions)
        report.entities.update(entity.key for entity in result.entities)

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    report.triples = store.count_triples()
    report.outputs["graph.ttl"] = store.write_turtle(out / "graph.ttl")
    network = cooccurrence_graph(store)
    report.analysis = figures(network)
    report.outputs["analysis.json"] = _write_json(out / "analysis.json", report.analysis)
    report.outputs["graph.html"] = write_explorer(network, out / "graph.html")
    return report


def _write_json(path: Path, data: Any) -> Path:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path

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

from kg.events import events, implied_relations
from kg.explore import write_explorer
from kg.ingest import find_inputs, read_documents
from kg.quotes import quotations
from kg.mentions import mentions, sentences
from kg.network import analyse_store
from kg.rdf import context_iri, document_graph
from kg.relations import relations
from kg.resolve import nationality_relations, resolve
from kg.segment import layout, mask
from kg.store import STORE_DIR, KGStore
from kg.types import Document, DocumentResult, IngestError, Section
from kg.validate import Validator

__all__ = ["BuildReport", "add_documents", "analyse", "build", "parse", "write_outputs"]


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


def analyse(doc: Any, document: Document, *, sections: list[Section] | None = None) -> DocumentResult:
    """Read one parsed document: its sentences, mentions, entities and referents.

    Parameters
    ----------
    doc
        The spaCy ``Doc`` of ``document.text`` (or of the text with its furniture masked).
    document
        The document it was parsed from.
    sections
        The stories of the document (see :func:`kg.segment.layout`).
    """
    found = list(mentions(doc))
    entities, referent = resolve(found, text=document.text, scope=document.digest[:12])
    happened = sorted([*events(doc, found, date=document.date, sections=sections or ()),
                       *quotations(doc, found, date=document.date, sections=sections or ())],
                      key=lambda event: event.trigger)
    return DocumentResult(
        document=document,
        sentences=sentences(doc),
        mentions=found,
        entities=entities,
        referent=referent,
        sections=list(sections or []),
        relations=[
            *relations(doc, found),
            *implied_relations(happened),
            *nationality_relations(entities, referent),
        ],
        events=happened,
    )


def parse(
    nlp: Language, documents: Iterable[Document], *, batch_size: int = 16
) -> Iterator[tuple[Any, Document, list[Section]]]:
    """Parse documents with their page furniture masked: yield ``(doc, document, sections)``.

    The text the parser sees has the same length and offsets as ``document.text``; only
    furniture (menus, app banners, repeated headlines) is blanked (see :mod:`kg.segment`).
    """

    def texts() -> Iterator[tuple[str, tuple[Document, list[Section]]]]:
        for document in documents:
            page = layout(document.text, title=document.title)
            yield mask(document.text, page.furniture), (document, page.sections)

    for doc, (document, sections) in nlp.pipe(texts(), as_tuples=True, batch_size=batch_size):
        yield doc, document, sections


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
        Where ``graph.ttl``, ``graph.html``, ``analysis.json`` and the Oxigraph store
        ``store/`` are written. A store already there is emptied first: a build holds
        exactly the documents in ``paths`` (:func:`kg.incremental.add` adds to one).
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
    paths = list(paths)
    next(iter(find_inputs(paths)), None)  # a missing path raises before anything is touched
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    store = KGStore(out / STORE_DIR)
    store.clear()  # a build holds exactly the documents it was given; `kg add` adds to it
    report = add_documents(
        store, read_documents(paths), nlp=nlp, validate=validate, on_failure=on_failure
    )
    report.outputs = write_outputs(store, out)
    report.triples = store.count_triples()  # after the figures are written back
    report.analysis = json.loads(report.outputs["analysis.json"].read_text(encoding="utf-8"))
    return report


def add_documents(
    store: KGStore,
    items: Iterable[Document | IngestError],
    *,
    nlp: Language,
    validate: bool = True,
    on_failure: Callable[[IngestError], None] | None = None,
) -> BuildReport:
    """Analyse each document of ``items`` and write its graph into ``store``.

    Each document's graph is written in one transaction, replacing any graph the store held
    for the same source (an older version of the file), so a process killed half-way leaves
    whole documents only.

    Parameters
    ----------
    store
        Where the graphs go, one named graph per document (its ``nif:Context`` IRI).
    items
        Documents, and inputs that could not be read (from :func:`kg.ingest.read_documents`).
    nlp, validate, on_failure
        As for :func:`build`.
    """
    report = BuildReport()
    validator = Validator() if validate else None
    by_source: dict[str, set[str]] = {}
    for graph_iri, source in store.documents().items():
        by_source.setdefault(source, set()).add(graph_iri)

    def fail(error: IngestError) -> None:
        report.failures.append(error)
        if on_failure is not None:
            on_failure(error)

    def documents() -> Iterator[Document]:
        for item in items:
            if isinstance(item, IngestError):
                fail(item)
            else:
                yield item

    for doc, document, sections in parse(nlp, documents()):
        try:
            result = analyse(doc, document, sections=sections)
            graph = document_graph(result)
        except Exception as err:  # one bad document costs one document
            fail(IngestError(document.source, f"could not be analysed: {err}"))
            continue
        if validator is not None:
            report.violations += [f"{document.source}: {v}" for v in validator.violations(graph)]
        context = context_iri(document)
        store.replace_graphs(graph, context, by_source.pop(document.source, ()))
        report.documents += 1
        report.mentions += len(result.mentions)
        report.entities.update(entity.key for entity in result.entities)
    return report


def write_outputs(
    store: KGStore, outdir: str | os.PathLike[str], *, explorer_top: int | None = None
) -> dict[str, Path]:
    """Write ``graph.ttl``, ``analysis.json`` and ``graph.html`` of ``store`` into ``outdir``.

    The network figures are first written into the store's analysis graph
    (:func:`kg.network.analyse_store`); ``explorer_top`` keeps the explorer to that many
    actors of highest PageRank and the links among them.

    Returns
    -------
    dict
        Output name -> path written.
    """
    out = Path(outdir)
    # the figures go into the store's analysis graph first, so graph.ttl and SPARQL see them
    network, analysis = analyse_store(store)
    outputs = {"graph.ttl": store.write_turtle(out / "graph.ttl")}
    outputs["analysis.json"] = _write_json(out / "analysis.json", analysis)
    outputs["graph.html"] = write_explorer(network, out / "graph.html", top=explorer_top)
    return outputs


def _write_json(path: Path, data: Any) -> Path:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path

"""``kg add`` and ``kg remove``: change the documents of a built output folder.

A document's graph is named by the hash of its text, and holds ``<ctx> dcterms:source``, so the
store tells which version of which source it holds (it is its own manifest). A document whose
text the store already holds from the same source is skipped without parsing; a changed file
replaces its old graph in the same transaction that writes the new one. Entity IRIs do not
depend on the document, so entities named in several documents stay merged, and survive the
removal of one document as long as another still names them (each document's graph carries its
own copy of its entities' types and labels).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from kg.build import BuildReport, add_documents, write_outputs
from kg.ingest import find_inputs, read_documents
from kg.rdf import context_iri
from kg.store import STORE_DIR, KGStore, StoreError, base_source
from kg.types import Document, IngestError

__all__ = ["AddReport", "NoSuchSourceError", "add", "open_store", "remove"]


class NoSuchSourceError(LookupError):
    """``kg remove`` was given a source the store does not hold."""


@dataclass
class AddReport(BuildReport):
    """A :class:`~kg.build.BuildReport` plus what ``kg add`` left alone or dropped."""

    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def open_store(outdir: str | os.PathLike[str]) -> KGStore:
    """Open the store of an output folder for writing.

    Raises
    ------
    kg.store.StoreError
        When ``outdir`` has no store, or another process is writing to it.
    """
    folder = Path(outdir) / STORE_DIR
    if not folder.is_dir():
        raise StoreError(f"{Path(outdir)}: no store here (make one with 'kg build PATH... -o {outdir}')")
    return KGStore(folder)


def add(
    paths: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    nlp: Language,
    validate: bool = True,
    on_failure: Callable[[IngestError], None] | None = None,
) -> AddReport:
    """Add new and changed documents from ``paths`` to the build in ``outdir``.

    Unchanged documents (same text from the same source) are skipped without parsing; a
    changed document replaces its old graph; lines gone from a JSONL file read again are
    dropped. The figures, ``graph.ttl`` and ``graph.html`` are then written anew.

    Raises
    ------
    kg.ingest.MissingInputError
        If a path does not exist; nothing changes then.
    kg.store.StoreError
        When ``outdir`` has no store or the store is in use.
    """
    paths = list(paths)
    next(iter(find_inputs(paths)), None)
    store = open_store(outdir)
    stored = store.documents()
    seen: set[str] = set()
    unchanged: list[str] = []

    def changed() -> Iterator[Document | IngestError]:
        for item in read_documents(paths):
            if isinstance(item, Document):
                seen.add(item.source)
                if stored.get(str(context_iri(item))) == item.source:
                    unchanged.append(item.source)
                    continue
            yield item

    built = add_documents(store, changed(), nlp=nlp, validate=validate, on_failure=on_failure)
    files = {base_source(source) for source in seen}
    stale = {g: s for g, s in store.documents().items() if base_source(s) in files and s not in seen}
    store.remove_graphs(stale)
    report = AddReport(**vars(built), unchanged=unchanged, removed=sorted(stale.values()))
    _refresh(store, Path(outdir), report)
    return report


def remove(outdir: str | os.PathLike[str], source: str) -> list[str]:
    """Drop the documents read from ``source`` (a path as given to ``kg build``/``kg add``).

    All lines of a JSONL file go when its path is given. The figures, ``graph.ttl`` and
    ``graph.html`` are then written anew.

    Returns
    -------
    list of str
        The sources removed.

    Raises
    ------
    NoSuchSourceError
        When the store holds no document from ``source``.
    """
    store = open_store(outdir)
    stored = store.documents()
    wanted = os.path.normpath(source)
    matched = {
        g: s for g, s in stored.items()
        if wanted in (os.path.normpath(s), os.path.normpath(base_source(s)))
    }
    if not matched:
        known = sorted({base_source(s) for s in stored.values()})
        hint = ", ".join(known[:5]) + (f" and {len(known) - 5} more" if len(known) > 5 else "")
        raise NoSuchSourceError(
            f"{source}: no document from this source in {outdir} (stored: {hint or 'none'})"
        )
    store.remove_graphs(matched)
    _refresh(store, Path(outdir), BuildReport())
    return sorted(matched.values())


def _refresh(store: KGStore, outdir: Path, report: BuildReport) -> None:
    report.triples = store.count_triples()
    report.outputs = write_outputs(store, outdir)
    report.analysis = json.loads(report.outputs["analysis.json"].read_text(encoding="utf-8"))

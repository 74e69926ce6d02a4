"""``kg build``: documents in; ``graph.ttl``, ``graph.html`` and ``analysis.json`` out.

The stages run in one direction: ingest -> spaCy -> mentions -> entities -> rdflib graph
(validated with SHACL) -> Oxigraph store -> networkx figures -> pyvis explorer.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from rdflib import URIRef
from spacy.language import Language
from spacy.tokens import Doc

from kg.components import parser_text
from kg.coref import PRONOUN
from kg.events import events, implied_relations
from kg.explore import BUILD_EXPLORER_NODES, write_explorer
from kg.frames import MentionIndex, forget
from kg.ingest import MAX_DOCUMENT_CHARS, find_inputs, read_documents
from kg.longtext import DEFAULT_MAX_CHARS, join_pieces, split_points
from kg.mentions import mentions, sentences
from kg.network import analyse_store
from kg.progress import Progress, StageClock
from kg.quotes import quotations
from kg.rdf import context_iri, document_ntriples, ntriples_graph
from kg.relations import relations
from kg.relclf import classify, merge
from kg.resolve import agree, nationality_relations, resolve
from kg.segment import layout, mask
from kg.spans import keep_text
from kg.store import STORE_DIR, KGStore
from kg.types import Document, DocumentOutcome, DocumentResult, IngestError, Section
from kg.validate import Validator
from kg.writer import StoreWriter

__all__ = [
    "DEFAULT_VALIDATE",
    "BuildReport",
    "Runner",
    "Validation",
    "add_documents",
    "analyse",
    "build",
    "is_sampled",
    "outcomes",
    "parse",
    "write_outputs",
]

#: Which documents' graphs are checked against ``ontology/shapes.ttl``.
Validation = Literal["all", "sample", "none"]
#: The default: the first :data:`SAMPLE_FIRST` graphs, then one in :data:`SAMPLE_EVERY` (see
#: :func:`is_sampled`). SHACL costs about twice as much as parsing a document, and every graph
#: is made by the same code (whose tests validate every graph they make), so a shape the code
#: breaks shows up in the sample: a fault in 3% of the documents of a 10,000-document build is
#: missed by its 109 sampled graphs with probability 0.97**109, about 4%.
DEFAULT_VALIDATE: Validation = "sample"
#: ``"sample"`` validates the first this many documents ...
SAMPLE_FIRST = 10
#: ... and then every this-many-th.
SAMPLE_EVERY = 100
#: Documents between two flushes of the on-disk store's write buffers (memory stays flat).
FLUSH_EVERY = 100


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
    relations: int = 0
    events: int = 0
    tokens: int = 0
    validated: int = 0  # documents whose graph was checked against the shapes
    #: Seconds per stage (:data:`kg.progress.STAGES`); parse, analyse, rdf and validate are
    #: added up over the worker processes, and store is spent on a thread of its own
    #: (:class:`kg.writer.StoreWriter`), so the stages can add up to more than ``wall``.
    seconds: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0  # seconds from the first document read to the last output written

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
    found, referent = agree(found, entities, referent)  # one class per entity
    # the relation and event rules read pronouns their own way ("he said"): they get the
    # names and descriptions; pronoun mentions (kg.coref) are for the graph and its entities
    readable = [m for m in found if m.label != PRONOUN]
    index = MentionIndex(doc, readable)  # which mention covers which token: read by every rule
    happened = sorted([*events(doc, readable, date=document.date, sections=sections or (),
                               index=index),
                       *quotations(doc, readable, date=document.date,
                                   sections=sections or (), index=index)],
                      key=lambda event: event.trigger)
    read = merge(  # the rules first; the classifier for pairs they said nothing of
        [*relations(doc, readable, index=index), *implied_relations(happened),
         *nationality_relations(entities, referent)],
        classify(doc, readable, index=index),
    )
    result = DocumentResult(
        document=document,
        sentences=sentences(doc),
        mentions=found,
        entities=entities,
        referent=referent,
        sections=list(sections or []),
        # two mentions of one actor ("Mbappe ... the France captain") make no relation
        relations=[r for r in read if referent[r.subject] != referent[r.object]],
        events=happened,
    )
    forget(doc)  # what the rules kept in the Doc: freed with it, not by the cycle collector
    return result


def parse(
    nlp: Language,
    documents: Iterable[Document],
    *,
    batch_size: int = 16,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Iterator[tuple[Any, Document, list[Section]]]:
    """Parse documents with their page furniture masked: yield ``(doc, document, sections)``.

    The text the parser sees has the same length and offsets as ``document.text``; only
    furniture (menus, app banners, repeated headlines) is blanked (see :mod:`kg.segment`;
    a page the segmenter fails on is parsed whole, as one story, rather than lost).
    A text longer than ``max_chars`` is parsed in pieces joined back into one ``Doc`` with
    the same text (see :mod:`kg.longtext`); ``kg_names``, which reads the whole document,
    runs on the joined ``Doc`` of every document. The parser reads typographic quotes (’ ‘ “
    ”) as their ASCII spelling (:data:`kg.components.TYPOGRAPHIC`, one character for one:
    "Da’esh" is "Da'esh", a name the model knows) and the white space around a blank line as
    newlines, where a sentence starts (:func:`kg.components.parser_text`; ``kg_typography``,
    which gives such words ASCII norms in text handed to the pipeline itself, has nothing
    left to do and is not run); the ``Doc`` keeps
    the text as written for :func:`kg.spans.text_of`, which every offset and anchor is read
    from.

    Parameters
    ----------
    nlp
        The spaCy pipeline.
    documents
        The documents, read lazily: they stream through ``nlp.pipe`` in batches.
    batch_size
        Pieces per ``nlp.pipe`` batch.
    max_chars
        The longest text parsed as one piece.
    """
    names = nlp.get_pipe("kg_names") if "kg_names" in nlp.pipe_names else None

    def pieces() -> Iterator[tuple[str | Doc, tuple[Document, list[Section], str, str, bool]]]:
        for document in documents:
            try:
                page = layout(document.text, title=document.title)
                text, sections = mask(document.text, page.furniture), page.sections
                breaks = page.breaks
            except Exception:  # noqa: BLE001  a page the segmenter cannot read is read whole
                text, sections, breaks = document.text, [], []
            read = parser_text(text)  # what the parser reads: same length
            points = split_points(text, max_chars)
            for i, (begin, end) in enumerate(pairwise(points)):
                piece = read[begin:end]
                inside = [b - begin for b in breaks if begin < b < end]
                yield (_started(nlp, piece, inside) if inside else piece,
                       (document, sections, text, read, i == len(points) - 2))

    parts: list[Any] = []
    disable = ["kg_names"] if names is not None else []
    if "kg_typography" in nlp.pipe_names:
        disable.append("kg_typography")  # parser_text has spelt the quotes in ASCII already
    for piece, (document, sections, text, read, last) in nlp.pipe(
        pieces(), as_tuples=True, batch_size=batch_size, disable=disable
    ):
        parts.append(piece)
        if last:
            # a text parsed whole is the Doc's text, as spaCy keeps it; join_pieces checks
            # that the pieces of a long one spell it
            doc = keep_text(parts[0] if len(parts) == 1 else join_pieces(parts, read), text)
            parts = []
            yield (names(doc) if names is not None else doc), document, sections


def _started(nlp: Language, text: str, starts: list[int]) -> Doc:
    """``text`` tokenised, a sentence starting at each of the character offsets ``starts``
    (where a headline's line ends: :attr:`kg.segment.Layout.breaks`); the pipeline's parser
    keeps starts set before it."""
    doc = nlp.make_doc(text)
    for start in starts:
        token = doc.char_span(start, start + 1, alignment_mode="expand")
        if token is not None and token.start > 0:
            doc[token.start].is_sent_start = True
    return doc


def is_sampled(index: int, validate: Validation | bool = DEFAULT_VALIDATE) -> bool:
    """Whether the ``index``-th document (from 0, in input order) of a build is validated.

    >>> [i for i in range(300) if is_sampled(i)][-6:]
    [6, 7, 8, 9, 100, 200]
    >>> is_sampled(7, "none"), is_sampled(7, True)
    (False, True)
    """
    if validate is True or validate == "all":
        return True
    if validate is False or validate == "none":
        return False
    if validate == "sample":
        return index < SAMPLE_FIRST or index % SAMPLE_EVERY == 0
    raise ValueError(f"validate must be 'all', 'sample' or 'none', not {validate!r}")


def outcomes(
    nlp: Language,
    items: Iterable[tuple[Document, bool]],
    *,
    validator: Validator | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    batch_size: int = 16,
) -> Iterator[DocumentOutcome]:
    """Run the per-document stages: parse, analyse, rdf and (when asked) validate.

    One bad document costs one document: an error while analysing it is its outcome's
    ``error``. This is what each worker process and each Dask task runs.

    Parameters
    ----------
    nlp
        The spaCy pipeline.
    items
        ``(document, check)`` pairs: ``check`` says whether to validate its graph.
    validator
        The SHACL validator (one is made when a document needs one).
    max_chars, batch_size
        As for :func:`parse`.

    Returns
    -------
    iterator of DocumentOutcome
        One per document, in input order, its graph as N-Triples text (a string crosses
        process boundaries far more cheaply than an ``rdflib.Graph``); ``seconds`` has its
        parse, analyse, rdf and validate time (parse time excludes the time spent reading
        ``items``).
    """
    checks: deque[bool] = deque()
    pulled = [0.0]  # seconds spent in ``items`` (reading files), not parsing

    def documents() -> Iterator[Document]:
        iterator = iter(items)
        while True:
            start = time.perf_counter()
            try:
                document, check = next(iterator)
            except StopIteration:
                pulled[0] += time.perf_counter() - start
                return
            pulled[0] += time.perf_counter() - start
            checks.append(check)
            yield document

    parsed = parse(nlp, documents(), batch_size=batch_size, max_chars=max_chars)
    while True:
        start, before = time.perf_counter(), pulled[0]
        try:
            doc, document, sections = next(parsed)
        except StopIteration:
            return
        seconds = {"parse": time.perf_counter() - start - (pulled[0] - before)}
        check = checks.popleft()
        context = str(context_iri(document))
        try:
            with _timer(seconds, "analyse"):
                result = analyse(doc, document, sections=sections)
            with _timer(seconds, "rdf"):
                text = document_ntriples(result)
            violations: tuple[str, ...] = ()
            if check:
                validator = validator if validator is not None else Validator()
                with _timer(seconds, "validate"):
                    found = validator.violations(ntriples_graph(text), inplace=True)
                violations = tuple(f"{document.source}: {v}" for v in found)
        except Exception as err:  # noqa: BLE001  (one bad document costs one document)
            yield DocumentOutcome(document.source, context, None, tokens=len(doc),
                                  error=f"could not be analysed: {err}", seconds=seconds)
            continue
        yield DocumentOutcome(
            document.source, context, text, tokens=len(doc), mentions=len(result.mentions),
            entities=frozenset(entity.key for entity in result.entities),
            relations=len(result.relations), events=len(result.events),
            violations=violations, seconds=seconds,
        )


class _timer:
    """``with _timer(seconds, "rdf"):`` adds the block's duration to ``seconds["rdf"]``."""

    def __init__(self, seconds: dict[str, float], stage: str) -> None:
        self.seconds, self.stage = seconds, stage

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self.start
        self.seconds[self.stage] = self.seconds.get(self.stage, 0.0) + elapsed


#: A runner turns ``(document, check)`` pairs into outcomes, in order, anywhere: in this
#: process (:func:`outcomes`), in worker processes (:class:`kg.workers.ProcessRunner`) or on
#: a Dask cluster (:class:`kg.distributed.DaskRunner`).
Runner = Callable[[Iterable[tuple[Document, bool]]], Iterator[DocumentOutcome]]


def build(
    paths: Iterable[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    nlp: Language | None,
    validate: Validation | bool = DEFAULT_VALIDATE,
    on_failure: Callable[[IngestError], None] | None = None,
    processes: int = 1,
    runner: Runner | None = None,
    progress: Progress | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    max_document_chars: int = MAX_DOCUMENT_CHARS,
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
        The spaCy pipeline (see :func:`kg.nlp.load_pipeline`); None only with a ``runner``
        that loads its own (Dask workers).
    validate
        Which documents' graphs to check against ``ontology/shapes.ttl``: ``"all"`` (or
        True), ``"sample"`` (see :func:`is_sampled`), ``"none"`` (or False).
    on_failure
        Called with each input that failed, as it fails.
    processes
        Worker processes that parse, analyse, make and validate the graphs (the store is
        written by this process); ignored when ``runner`` is given.
    runner
        Where the per-document stages run (see :data:`Runner`); by default here, or in
        ``processes`` worker processes.
    progress
        Told of each document done (see :class:`kg.progress.Progress`).
    max_chars
        Longer texts are parsed in pieces (see :mod:`kg.longtext`).
    max_document_chars
        Longer documents are not built: each is a failure naming it (see
        :func:`kg.ingest.read_documents`).

    Returns
    -------
    BuildReport
        Counts, failures, violations, outputs and the seconds per stage.

    Raises
    ------
    kg.ingest.MissingInputError
        If a path does not exist; nothing is built then.
    """
    start = time.perf_counter()
    paths = list(paths)
    next(iter(find_inputs(paths)), None)  # a missing path raises before anything is touched
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    store = KGStore(out / STORE_DIR)
    store.clear()  # a build holds exactly the documents it was given; `kg add` adds to it
    report = add_documents(
        store, read_documents(paths, max_document_chars=max_document_chars), nlp=nlp, validate=validate, on_failure=on_failure,
        processes=processes, runner=runner, progress=progress, max_chars=max_chars,
    )
    outputs_start = time.perf_counter()
    report.outputs = write_outputs(store, out)
    report.triples = store.count_triples()  # after the figures are written back
    report.analysis = json.loads(report.outputs["analysis.json"].read_text(encoding="utf-8"))
    report.seconds["outputs"] = time.perf_counter() - outputs_start
    report.wall = time.perf_counter() - start
    return report


def add_documents(
    store: KGStore,
    items: Iterable[Document | IngestError],
    *,
    nlp: Language | None,
    validate: Validation | bool = DEFAULT_VALIDATE,
    on_failure: Callable[[IngestError], None] | None = None,
    processes: int = 1,
    runner: Runner | None = None,
    progress: Progress | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> BuildReport:
    """Analyse each document of ``items`` and write its graph into ``store``.

    Each document's graph is written in one transaction, replacing any graph the store held
    for the same source (an older version of the file), so a process killed half-way leaves
    whole documents only. Documents stream through: no list of documents, ``Doc`` objects or
    graphs is kept.

    Parameters
    ----------
    store
        Where the graphs go, one named graph per document (its ``nif:Context`` IRI).
    items
        Documents, and inputs that could not be read (from :func:`kg.ingest.read_documents`).
    nlp, validate, on_failure, processes, runner, progress, max_chars
        As for :func:`build`.

    Raises
    ------
    ValueError
        When neither ``nlp`` nor ``runner`` is given, or ``validate`` is not a known mode.
    """
    start = time.perf_counter()
    report = BuildReport()
    clock = StageClock()
    is_sampled(0, validate)  # a bad mode raises before anything is read
    if runner is None:
        if nlp is None:
            raise ValueError("add_documents needs a spaCy pipeline (nlp) or a runner")
        runner = _default_runner(nlp, processes=processes, max_chars=max_chars,
                                 validate=validate not in ("none", False))
    by_source: dict[str, set[str]] = {}
    for graph_iri, source in store.documents().items():
        by_source.setdefault(source, set()).add(graph_iri)

    def fail(error: IngestError) -> None:
        report.failures.append(error)
        if on_failure is not None:
            on_failure(error)
        if progress is not None:
            progress.update(failed=True)

    def documents() -> Iterator[tuple[Document, bool]]:
        index = 0
        for item in clock.timed(items, "ingest"):
            if isinstance(item, IngestError):
                fail(item)
            else:
                yield item, is_sampled(index, validate)
                index += 1

    # the store is written on a thread of its own (Oxigraph releases Python's lock), while
    # this one goes on with the next documents; each graph is still one transaction
    with _long_lived_frozen(), StoreWriter(store, flush_every=FLUSH_EVERY) as writer:
        for outcome in runner(documents()):
            clock.merge(outcome.seconds)
            report.tokens += outcome.tokens
            if outcome.graph is None:
                fail(IngestError(outcome.source, outcome.error or "could not be analysed"))
                continue
            writer.put(outcome.graph, URIRef(outcome.context), by_source.pop(outcome.source, ()))
            report.violations += outcome.violations
            report.validated += "validate" in outcome.seconds
            report.documents += 1
            report.mentions += outcome.mentions
            report.entities.update(outcome.entities)
            report.relations += outcome.relations
            report.events += outcome.events
            if progress is not None:
                progress.update(tokens=outcome.tokens)
    clock.add("store", writer.seconds)  # on the writer thread, alongside the other stages
    if progress is not None:
        progress.close()
    report.seconds = clock.seconds
    report.wall = time.perf_counter() - start
    return report


@contextmanager
def _long_lived_frozen() -> Iterator[None]:
    """Keep the objects alive when the documents start (the pipeline and its tables, the
    store: about 300,000 with the default model) out of the garbage collector's passes
    until they end (:func:`gc.freeze`).

    Each full pass walked them all, about a quarter of a second, a few times per hundred
    documents; forked workers inherit them frozen, so their passes skip them too (and leave
    their pages shared). They go back to the collector afterwards; a caller that froze
    objects itself keeps its own arrangement.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _default_runner(nlp: Language, *, processes: int, max_chars: int, validate: bool) -> Runner:
    """Run the stages here (one process) or in ``processes`` worker processes."""
    if processes > 1:
        from kg.workers import ProcessRunner

        return ProcessRunner(nlp, processes=processes, max_chars=max_chars, validate=validate)

    def here(items: Iterable[tuple[Document, bool]]) -> Iterator[DocumentOutcome]:
        return outcomes(nlp, items, validator=Validator(), max_chars=max_chars)

    return here


def write_outputs(
    store: KGStore, outdir: str | os.PathLike[str], *,
    explorer_top: int | None = BUILD_EXPLORER_NODES,
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
    """Write ``data`` as indented JSON to ``path``, atomically, streamed (``json.dump`` writes
    it piece by piece: the report of 10,000 documents as one string took 900 MB)."""
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
    os.replace(partial, path)
    return path

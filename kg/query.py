"""SPARQL answers from the store, formatted as a table, CSV, TSV or JSON."""

from __future__ import annotations

import csv
import gc
import io
import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple

import pyoxigraph as ox
from tabulate import tabulate

from kg.store import KGStore
from kg.vocab import NAMESPACES

__all__ = [
    "FORMATS",
    "Answer",
    "QueryError",
    "TooManyRowsError",
    "UnacceptableTypeError",
    "answer_bytes",
    "answer_text",
    "ask",
    "bind",
    "format_answer",
    "serialize_answer",
]

FORMATS = ("table", "csv", "tsv", "json")


class QueryError(ValueError):
    """A query that cannot run: malformed, or asking for something the tool refuses."""


class TooManyRowsError(QueryError):
    """An answer longer than the row limit it was asked under."""


class UnacceptableTypeError(QueryError):
    """An answer that none of the media types asked for can hold (HTTP 406)."""


class Answer(NamedTuple):
    """A query's answer: ``columns`` and ``rows`` (SELECT, CONSTRUCT, DESCRIBE) or ``boolean``.

    ``triples`` is true for CONSTRUCT and DESCRIBE, whose rows are subject, predicate, object.
    """

    columns: list[str]
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]]
    boolean: bool | None = None
    triples: bool = False


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def bind(sparql: str, values: Mapping[str, str]) -> str:
    """``sparql`` with its variables fixed: a trailing ``VALUES`` clause (SPARQL 1.1, 10.2),
    which joins the answer of the query's pattern before its ORDER BY, LIMIT and the like.

    Parameters
    ----------
    sparql
        A query without a trailing ``VALUES`` clause of its own.
    values
        Variable name (no ``?``) -> value: ``<IRI>`` for an IRI, anything else a plain
        string literal (``rdfs:label``-like values).

    Returns
    -------
    str
        The query with ``VALUES (?a ?b) { ("x" <urn:y>) }`` on a line of its own at its end.

    Raises
    ------
    QueryError
        For a name that is no SPARQL variable name, or an IRI SPARQL cannot hold.

    Examples
    --------
    >>> print(bind("SELECT ?actor ?other WHERE { ?x ?p ?y }", {"actor": 'Hun "HM" Manet'}))
    SELECT ?actor ?other WHERE { ?x ?p ?y }
    VALUES (?actor) { ("Hun \\"HM\\" Manet") }
    """
    if not values:
        return sparql
    terms = []
    for name, value in values.items():
        if not _VARIABLE.fullmatch(name):
            raise QueryError(f"{name!r} is no SPARQL variable name (letters, digits, _)")
        try:
            term = ox.NamedNode(value[1:-1]) if value.startswith("<") and value.endswith(">") \
                else ox.Literal(value)
        except ValueError as err:
            raise QueryError(f"{value}: not an IRI ({err})") from None
        terms.append(str(term))
    names = " ".join(f"?{name}" for name in values)
    return f"{sparql.rstrip()}\nVALUES ({names}) {{ ({' '.join(terms)}) }}"


def ask(
    store: KGStore,
    sparql: str,
    *,
    max_rows: int | None = None,
    default_graph: list[str] | None = None,
) -> Answer:
    """Run ``sparql`` (SELECT, ASK, CONSTRUCT or DESCRIBE) and collect its answer.

    Parameters
    ----------
    store
        The graph to ask.
    sparql
        The query; the project prefixes are predeclared.
    max_rows
        Stop and raise :class:`TooManyRowsError` past this many rows (or triples).
    default_graph
        Graph IRIs to query instead of the union of all graphs.

    Raises
    ------
    QueryError
        With the parser's message when the query is malformed.
    TooManyRowsError
        When the answer is longer than ``max_rows``.
    PermissionError
        When the query holds SERVICE.
    """
    return _collect(_run(store, sparql, default_graph), max_rows)


def answer_bytes(
    store: KGStore,
    sparql: str,
    accepted: list[str],
    *,
    max_rows: int | None = None,
    default_graph: list[str] | None = None,
) -> tuple[str, bytes]:
    """Run ``sparql`` and write its answer in the first of the ``accepted`` media types it fits.

    What ``kg serve`` sends. The rows of a SELECT answer are written by Oxigraph itself and
    never become Python objects: as SPARQL TSV first, which holds one row per line (its
    terms escape line breaks), so the row limit is counted as the text is written, and then,
    for another format, read back and written again by Oxigraph. For the 9,854 rows of
    ``actor-relations`` at a million triples that is about 235 CPU ms as JSON, against 340-440
    through :func:`ask` and :func:`serialize_answer` (median of 5, two runs at load 1-2.6).

    Parameters
    ----------
    store, sparql, max_rows, default_graph
        As for :func:`ask`.
    accepted
        Media types, best first (keys of :data:`RESULT_TYPES` and :data:`GRAPH_TYPES`).

    Returns
    -------
    tuple
        The media type chosen and the answer written in it.

    Raises
    ------
    QueryError, TooManyRowsError, PermissionError
        As :func:`ask` raises them.
    UnacceptableTypeError
        When no media type of ``accepted`` fits the answer.
    """
    result = _run(store, sparql, default_graph)
    if not isinstance(result, ox.QuerySolutions):
        answer = _collect(result, max_rows)
        media_type = _first_fitting(accepted, GRAPH_TYPES if answer.triples else RESULT_TYPES)
        return media_type, serialize_answer(answer, media_type)
    media_type = _first_fitting(accepted, RESULT_TYPES)
    sink = _CountedRows(max_rows)
    result.serialize(sink, format=ox.QueryResultsFormat.TSV)
    tsv = sink.getvalue()
    if RESULT_TYPES[media_type] == ox.QueryResultsFormat.TSV:
        return media_type, tsv
    rows = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    return media_type, rows.serialize(format=RESULT_TYPES[media_type])  # type: ignore[return-value]


def answer_text(store: KGStore, sparql: str, fmt: str = "table") -> str:
    """Run ``sparql`` and render its answer as :func:`format_answer` renders it: what ``kg
    query`` prints.

    The rows of a SELECT answer asked for as JSON are written by Oxigraph itself and never
    become Python objects (W3C SPARQL JSON, as :func:`format_answer` writes it, without its
    indentation).

    Raises
    ------
    QueryError, PermissionError
        As :func:`ask` raises them.
    ValueError
        For a format not in :data:`FORMATS`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    result = _run(store, sparql, None)
    if fmt == "json" and isinstance(result, ox.QuerySolutions):
        return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8")  # type: ignore[union-attr]
    return format_answer(_collect(result, None), fmt)


def _run(
    store: KGStore, sparql: str, default_graph: list[str] | None
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    try:
        return store.query(sparql, default_graph=default_graph)
    except SyntaxError as err:
        raise QueryError(f"malformed SPARQL: {err}") from None


def _collect(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, max_rows: int | None
) -> Answer:
    if isinstance(result, ox.QueryBoolean):
        return Answer(["ask"], [], bool(result))
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        # a solution iterates over its values in the order of the variables (None if unbound),
        # twice as fast as looking each up by name: 80 ms less for 13,000 rows of 7 columns
        with _collector_paused():
            return Answer(columns, [list(row) for row in _capped(result, max_rows)])
    with _collector_paused():
        rows = [[t.subject, t.predicate, t.object] for t in _capped(result, max_rows)]
    return Answer(["subject", "predicate", "object"], rows, triples=True)  # type: ignore[misc]


class _Pause:
    """How many threads are inside :func:`_collector_paused`, and whether the collector ran
    before the first of them came in."""

    lock = threading.Lock()
    depth = 0
    was_enabled = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while an answer's rows are made, on again after.

    A row is a new list, so every 700 rows start a collection, and some of those go through
    every object of the process: in a process that has imported ``kg.cli`` as ``kg query``
    has (about 100,000 objects), they took about 40 of 220 ms (median CPU of 15 runs) of
    reading the 9,288 rows of ``actor-relations`` at a million triples. The rows hold no
    cycles; what the collector would have found is found at its next run. Threads that ask
    at once share one pause: the collector is switched on again, if it was on, when the last
    one leaves.
    """
    with _Pause.lock:
        if _Pause.depth == 0:
            _Pause.was_enabled = gc.isenabled()
            gc.disable()
        _Pause.depth += 1
    try:
        yield
    finally:
        with _Pause.lock:
            _Pause.depth -= 1
            if _Pause.depth == 0 and _Pause.was_enabled:
                gc.enable()


def _capped(rows: Iterator[Any], limit: int | None) -> Iterator[Any]:
    for n, row in enumerate(rows):
        if limit is not None and n >= limit:
            raise _too_many(limit)
        yield row


def _too_many(limit: int) -> TooManyRowsError:
    return TooManyRowsError(
        f"the answer has more than {limit} rows, the limit here; add a LIMIT to the query"
    )


class _CountedRows(io.BytesIO):
    """SPARQL TSV as Oxigraph writes it, refused (:class:`TooManyRowsError`) once it holds
    more than ``limit`` rows: a line for the header and one for each row."""

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit = limit
        self.lines = 0

    def write(self, data: Any) -> int:
        if self.limit is not None:
            self.lines += bytes(data).count(b"\n")
            if self.lines - 1 > self.limit:
                raise _too_many(self.limit)
        return super().write(data)


def _first_fitting(accepted: list[str], offered: Mapping[str, Any]) -> str:
    media_type = next((t for t in accepted if t in offered), None)
    if media_type is None:
        wanted = ", ".join(accepted) or "nothing"
        raise UnacceptableTypeError(f"cannot answer as {wanted}; offered: {', '.join(offered)}")
    return media_type


#: Media types of SELECT and ASK answers, and of CONSTRUCT and DESCRIBE graphs.
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    f.media_type.split(";")[0]: f
    for f in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML,
              ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV)
}
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    f.media_type.split(";")[0]: f
    for f in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML,
              ox.RdfFormat.JSON_LD, ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
}


def serialize_answer(answer: Answer, media_type: str) -> bytes:
    """Write ``answer`` in a W3C format: a key of :data:`RESULT_TYPES` or :data:`GRAPH_TYPES`.

    SELECT and ASK answers take a results format (JSON, XML, CSV, TSV), graphs an RDF format.

    Raises
    ------
    ValueError
        For a media type that does not fit the answer.
    """
    if answer.triples:
        if media_type not in GRAPH_TYPES:
            raise ValueError(f"a graph cannot be written as {media_type}")
        triples = [ox.Triple(*row) for row in answer.rows]  # type: ignore[arg-type]
        return ox.serialize(triples, format=GRAPH_TYPES[media_type], prefixes=NAMESPACES)  # type: ignore[return-value]
    if media_type not in RESULT_TYPES:
        raise ValueError(f"query results cannot be written as {media_type}")
    data = json.dumps(_results_json(answer), ensure_ascii=False).encode("utf-8")
    if RESULT_TYPES[media_type] == ox.QueryResultsFormat.JSON:
        return data
    parsed = ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
    return parsed.serialize(format=RESULT_TYPES[media_type])  # type: ignore[return-value]


def format_answer(answer: Answer, fmt: str = "table") -> str:
    """Render ``answer`` as ``table`` (prefixed names), ``csv``, ``tsv`` or ``json``.

    JSON follows the SPARQL 1.1 Query Results JSON Format.
    """
    if fmt == "json":
        return json.dumps(_results_json(answer), indent=2, ensure_ascii=False)
    if answer.boolean is not None:
        return "true" if answer.boolean else "false"
    if fmt == "table":
        with _collector_paused():  # tabulate's lists: 880 -> 620 ms for 9,288 rows of 7 columns
            rows = [[_short(term) for term in row] for row in answer.rows]
            return tabulate(rows, headers=answer.columns, tablefmt="simple", disable_numparse=True)
    if fmt not in ("csv", "tsv"):
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
    writer.writerow(answer.columns)
    for row in answer.rows:
        writer.writerow([_plain(term) for term in row])
    return buffer.getvalue().rstrip("\n")


def _plain(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _short(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        for prefix, iri in NAMESPACES.items():
            if term.value.startswith(iri) and "#" not in term.value[len(iri) :]:
                return f"{prefix}:{term.value[len(iri):]}"
        return f"<{term.value}>"
    text = _plain(term)
    return text if len(text) <= 120 else text[:117] + "..."


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _results_json(answer: Answer) -> dict[str, Any]:
    if answer.boolean is not None:
        return {"head": {}, "boolean": answer.boolean}
    bindings = [
        {col: _term_json(term) for col, term in zip(answer.columns, row) if term is not None}
        for row in answer.rows
    ]
    return {"head": {"vars": answer.columns}, "results": {"bindings": bindings}}

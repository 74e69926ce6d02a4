"""SPARQL answers from the store, formatted as a table, CSV, TSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, NamedTuple

import pyoxigraph as ox
from tabulate import tabulate

from kg.store import KGStore
from kg.vocab import NAMESPACES

__all__ = ["FORMATS", "Answer", "ask", "format_answer", "QueryError"]

FORMATS = ("table", "csv", "tsv", "json")


class QueryError(ValueError):
    """A query that cannot run: malformed, or asking for something the tool refuses."""


class Answer(NamedTuple):
    """A query's answer: ``columns`` and ``rows`` (SELECT, CONSTRUCT, DESCRIBE) or ``boolean``."""

    columns: list[str]
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None]]
    boolean: bool | None = None


def ask(store: KGStore, sparql: str) -> Answer:
    """Run ``sparql`` (SELECT, ASK, CONSTRUCT or DESCRIBE) and collect its answer.

    Raises
    ------
    QueryError
        With the parser's message when the query is malformed.
    """
    try:
        result = store.query(sparql)
    except SyntaxError as err:
        raise QueryError(f"malformed SPARQL: {err}") from None
    if isinstance(result, ox.QueryBoolean):
        return Answer(["ask"], [], bool(result))
    if isinstance(result, ox.QuerySolutions):
        columns = [v.value for v in result.variables]
        return Answer(columns, [[row[c] for c in columns] for row in result])
    return Answer(["subject", "predicate", "object"], [[t.subject, t.predicate, t.object] for t in result])


def format_answer(answer: Answer, fmt: str = "table") -> str:
    """Render ``answer`` as ``table`` (prefixed names), ``csv``, ``tsv`` or ``json``.

    JSON follows the SPARQL 1.1 Query Results JSON Format.
    """
    if fmt == "json":
        return json.dumps(_results_json(answer), indent=2, ensure_ascii=False)
    if answer.boolean is not None:
        return "true" if answer.boolean else "false"
    if fmt == "table":
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

"""The ``kg`` command: thin commands over the library, errors as one line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kg.nlp import DEFAULT_MODEL

__all__ = ["main"]

#: Saved queries for ``--name``: ``kg/queries`` links to the top-level ``queries/``.
_QUERY_DIR = Path(__file__).resolve().parent / "queries"


def _error(message: str, status: int) -> None:
    click.echo(f"kg: error: {message}", err=True)
    sys.exit(status)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actorkg")
def main() -> None:
    """actorkg: news articles -> a knowledge graph of actors and their relations.

    \b
    Example:
      kg build examples/ -o output/
      kg query output/ 'SELECT ?name WHERE { ?p a akg:Person ; rdfs:label ?name }'
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "outdir", default="output", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the outputs.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, metavar="NAME_OR_PATH",
              help="Installed spaCy pipeline package name, or a pipeline folder.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--top", "top_n", default=10, show_default=True, help="Top actors to print.")
def build(paths: tuple[Path, ...], outdir: Path, model: str, quiet: bool, top_n: int) -> None:
    """Build the graph of the articles in PATHS (files or folders) into OUTDIR.

    Reads .txt, .md, .html/.htm and .jsonl (one article per line with a "text" field).
    Writes graph.ttl, graph.html and analysis.json. Exit status 0 when every input was
    processed, 1 when some failed (the rest is still built), 2 for bad usage.

    \b
    Example:
      kg build examples/ -o output/
    """
    from kg.build import build as run_build
    from kg.ingest import MissingInputError, find_inputs
    from kg.nlp import PipelineError, load_pipeline

    try:
        for _ in find_inputs(paths):
            break
    except MissingInputError as err:
        _error(str(err), 2)
    try:
        nlp = load_pipeline(model)
    except PipelineError as err:
        _error(str(err), 2)

    def on_failure(failure: Any) -> None:
        click.echo(f"kg: skipped {failure}", err=True)

    report = run_build(paths, outdir, nlp=nlp, on_failure=on_failure)
    for line in report.violations:
        click.echo(f"kg: shape violation: {line}", err=True)
    if not quiet:
        click.echo(
            f"{report.documents} documents, {report.mentions} mentions, "
            f"{len(report.entities)} entities, {report.triples} triples; "
            f"{len(report.failures)} failed, {len(report.violations)} shape violations"
        )
        for name, path in report.outputs.items():
            click.echo(f"  {name:<14} {path}")
        _print_top(report.analysis, top_n)
    sys.exit(0 if report.ok else 1)


def _print_top(analysis: dict[str, Any], n: int) -> None:
    from tabulate import tabulate

    from kg.network import top_nodes

    rows = [
        [node["label"], node["class"], node["degree"], f"{node['pagerank']:.4f}"]
        for node in top_nodes(analysis, n)
    ]
    if rows:
        click.echo(f"\nTop {len(rows)} actors by PageRank:")
        click.echo(tabulate(rows, headers=["actor", "class", "degree", "pagerank"]))


def _graph_file(target: Path) -> Path:
    path = target / "graph.ttl" if target.is_dir() else target
    if not path.is_file():
        _error(f"{path}: no such file (give an output folder of 'kg build' or a Turtle file)", 2)
    return path


@main.command()
@click.argument("target", type=click.Path(path_type=Path))
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the query from a .rq file.")
@click.option("--name", help="Run the saved query queries/NAME.rq.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]),
              default="table", show_default=True)
def query(target: Path, sparql: str | None, query_file: Path | None, name: str | None,
          fmt: str) -> None:
    """Answer a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over TARGET.

    TARGET is an output folder of 'kg build' or a Turtle file. The prefixes akg, nif,
    itsrdf, prov, dcterms, schema, skos, owl, rdf, rdfs, xsd are predeclared.

    \b
    Example:
      kg query output/ 'SELECT ?name WHERE { ?p a akg:Person ; rdfs:label ?name }'
      kg query output/ -f queries/top-actors.rq --format csv
    """
    from kg.query import QueryError, ask, format_answer
    from kg.store import KGStore

    given = [x for x in (sparql, query_file, name) if x is not None]
    if len(given) != 1:
        _error("give exactly one of: a SPARQL string, -f FILE.rq, --name NAME", 2)
    if query_file is not None:
        sparql = _read_query(query_file)
    elif name is not None:
        sparql = _read_query(_QUERY_DIR / f"{name}.rq")
    store = KGStore.from_turtle(_graph_file(target))
    try:
        answer = ask(store, sparql or "")
    except (QueryError, PermissionError) as err:
        _error(str(err), 2)
    click.echo(format_answer(answer, fmt))


def _read_query(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        _error(f"{path}: cannot read the query ({getattr(err, 'strerror', None) or err})", 2)
        raise AssertionError("unreachable")


@main.command()
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option("--top", "top_n", default=20, show_default=True, help="Actors to print.")
def analyze(outdir: Path, top_n: int) -> None:
    """Print the network figures of a built OUTDIR (from its analysis.json).

    \b
    Example:
      kg analyze output/
    """
    path = outdir / "analysis.json"
    try:
        analysis = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        _error(f"{path}: cannot read the analysis ({getattr(err, 'strerror', None) or err})", 2)
    counts = analysis["counts"]
    click.echo(f"{counts['nodes']} nodes, {counts['edges']} edges, "
               f"{counts['components']} connected components")
    _print_top(analysis, top_n)


if __name__ == "__main__":  # pragma: no cover
    main()

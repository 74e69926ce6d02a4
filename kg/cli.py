"""The ``kg`` command: thin commands over the library, errors as one line."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from kg.evaluate import DEFAULT_MIN_CONFIDENCE
from kg.ingest import MAX_DOCUMENT_CHARS
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
    from kg.memory import limit_arenas

    limit_arenas()  # before a store or a thread starts: see kg.memory


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", "outdir", default="output", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the outputs.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, metavar="NAME_OR_PATH",
              help="Installed spaCy pipeline package name, or a pipeline folder.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors (no progress either).")
@click.option("--top", "top_n", default=10, show_default=True, help="Top actors to print.")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes for parsing, analysis and validation (with --dask: "
                   "workers of the local cluster).")
@click.option("--validate", type=click.Choice(["all", "sample", "none"]), default="sample",
              show_default=True,
              help="Graphs checked against the SHACL shapes: all, a sample (the first 10 "
                   "documents, then one in 100), none.")
@click.option("--dask", "dask_address", is_flag=False, flag_value="local", default=None,
              metavar="[SCHEDULER_ADDRESS]",
              help="Run the stages on a Dask cluster (tcp://host:8786); alone, on a local "
                   "cluster of --processes workers (at least 2).")
@click.option("--max-chars", default=100_000, show_default=True, type=click.IntRange(min=1000),
              help="Longer texts are parsed in pieces (spaCy needs ~1 GB per 100,000).")
@click.option("--max-document-chars", default=MAX_DOCUMENT_CHARS, show_default=True,
              type=click.IntRange(min=1),
              help="Longer documents are skipped, each with one line (a failure).")
def build(paths: tuple[Path, ...], outdir: Path, model: str, quiet: bool, top_n: int,
          processes: int, validate: str, dask_address: str | None, max_chars: int,
          max_document_chars: int) -> None:
    """Build the graph of the articles in PATHS (files or folders) into OUTDIR.

    Reads .txt, .md, .html/.htm and .jsonl (one article per line with a "text" field).
    Writes graph.ttl, graph.html and analysis.json. Shows progress on standard error
    (a bar on a terminal, a line per 100 documents otherwise). Exit status 0 when every
    input was processed, 1 when some failed (the rest is still built), 2 for bad usage.

    \b
    Example:
      kg build examples/ -o output/
      kg build corpus/ -o output/ --processes 2
      kg build corpus/ -o output/ --dask tcp://scheduler:8786
    """
    from kg.build import build as run_build
    from kg.distributed import DaskError, DaskRunner
    from kg.progress import Progress, expected_documents

    if dask_address is not None and dask_address != "local" and Path(dask_address).exists() \
            and "://" not in dask_address:
        paths = (Path(dask_address), *paths)  # `--dask corpus/`: a path, not an address
        dask_address = "local"
    if not paths:
        _error("give at least one PATH to build (kg build --help)", 2)
    runner = None
    if dask_address is not None:
        runner = DaskRunner(None if dask_address == "local" else dask_address, model=model,
                            workers=max(processes, 2), max_chars=max_chars)
        nlp = _inputs_and_pipeline(paths, None)
    else:
        nlp = _inputs_and_pipeline(paths, model)
    try:
        with runner if runner is not None else contextlib.nullcontext():
            # connected, the pipeline loaded on every worker: only now is OUTDIR touched
            progress = Progress.for_stream(None if quiet else expected_documents(paths),
                                           quiet=quiet)
            report = run_build(paths, outdir, nlp=nlp, on_failure=_skipped,
                               processes=processes, runner=runner,
                               validate=validate,  # type: ignore[arg-type]
                               progress=progress, max_chars=max_chars,
                               max_document_chars=max_document_chars)
    except DaskError as err:  # no dask, no scheduler, no model on a worker
        _error(str(err).splitlines()[0], 2)
    _echo_violations(report.violations)
    if not quiet:
        click.echo(
            f"{report.documents} documents, {report.mentions} mentions, "
            f"{len(report.entities)} entities, {report.triples} triples; "
            f"{len(report.failures)} failed, {len(report.violations)} shape violations"
        )
        for name, path in report.outputs.items():
            click.echo(f"  {name:<14} {path}")
        _print_top(report.analysis, top_n)
        _print_stages(report)
    sys.exit(0 if report.ok else 1)


def _print_stages(report: Any) -> None:
    """The counts and the seconds per stage, last lines of the build report."""
    from kg.progress import STAGES

    click.echo(
        f"\n{report.documents} documents, {len(report.entities)} entities, "
        f"{report.relations} relations, {report.events} events, {len(report.failures)} failures; "
        f"{report.validated} of {report.documents} graphs validated"
    )
    stages = ", ".join(f"{stage} {report.seconds.get(stage, 0.0):.2f}" for stage in STAGES)
    rate = report.tokens / report.wall if report.wall else 0.0
    click.echo(f"seconds: {stages}; wall {report.wall:.2f} ({rate:,.0f} tokens/s)")


def _inputs_and_pipeline(paths: Any, model: str | None) -> Any:
    """Check that every input path exists, then load the pipeline (None: none); exit 2 otherwise."""
    from kg.ingest import MissingInputError, find_inputs
    from kg.nlp import PipelineError, load_pipeline

    try:
        next(iter(find_inputs(paths)), None)
    except MissingInputError as err:
        _error(str(err), 2)
    if model is None:
        return None
    try:
        return load_pipeline(model)
    except PipelineError as err:
        _error(str(err), 2)


def _echo_violations(violations: list[str]) -> None:
    for line in violations:
        click.echo(f"kg: shape violation: {line}", err=True)


def _skipped(failure: Any) -> None:
    click.echo(f"kg: skipped {failure}", err=True)


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


def _open_graph(target: Path) -> Any:
    """The store of an output folder (read-only), else its graph.ttl, else a Turtle file."""
    from kg.store import STORE_DIR, KGStore, StoreError

    try:
        if target.is_dir() and (target / STORE_DIR).is_dir():
            return KGStore(target / STORE_DIR, read_only=True)
        path = target / "graph.ttl" if target.is_dir() else target
        if not path.is_file():
            _error(f"{path}: no such file (give an output folder of 'kg build' or a Turtle file)", 2)
        return KGStore.from_turtle(path)
    except (StoreError, SyntaxError) as err:
        _error(str(err).splitlines()[0], 2)


@main.command()
@click.argument("target", type=click.Path(path_type=Path))
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Read the query from a .rq file.")
@click.option("--name", help="Run the saved query queries/NAME.rq.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]),
              default="table", show_default=True)
@click.option("--bind", "bindings", multiple=True, metavar="VAR=VALUE",
              help="Fix a variable of the query: a string, or <IRI> (repeatable).")
def query(target: Path, sparql: str | None, query_file: Path | None, name: str | None,
          fmt: str, bindings: tuple[str, ...]) -> None:
    """Answer a SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over TARGET.

    TARGET is an output folder of 'kg build' (its Oxigraph store, opened read-only, or its
    graph.ttl) or a Turtle file. The prefixes akg, nif, itsrdf, prov, dcterms, schema,
    skos, owl, rdf, rdfs, xsd, ent are predeclared.

    \b
    Example:
      kg query output/ 'SELECT ?name WHERE { ?p a akg:Person ; rdfs:label ?name }'
      kg query output/ --name central-actors --format csv
      kg query output/ --name actor-relations --bind actor="Hun Manet"
    """
    from kg.query import QueryError, answer_text, bind

    given = [x for x in (sparql, query_file, name) if x is not None]
    if len(given) != 1:
        _error("give exactly one of: a SPARQL string, -f FILE.rq, --name NAME", 2)
    if query_file is not None:
        sparql = _read_query(query_file)
    elif name is not None:
        sparql = _read_query(_QUERY_DIR / f"{name}.rq")
    values: dict[str, str] = {}
    for given_binding in bindings:
        var, equals, value = given_binding.partition("=")
        if not equals or var in values:
            _error(f"--bind {given_binding!r}: give each variable once, as VAR=VALUE", 2)
        values[var] = value
    store = _open_graph(target)
    try:
        text = answer_text(store, bind(sparql or "", values), fmt)
    except (QueryError, PermissionError) as err:
        _error(str(err), 2)
    click.echo(text)


def _read_query(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        _error(f"{path}: cannot read the query ({getattr(err, 'strerror', None) or err})", 2)
        raise AssertionError("unreachable")


def _projection_options(command: Any) -> Any:
    """``--events``, ``--cooccurrence`` and ``--max-cooccurrence``: how the graph becomes a
    network."""
    from kg.network import MAX_COOCCURRENCE

    command = click.option(
        "--max-cooccurrence", type=click.IntRange(min=0), default=MAX_COOCCURRENCE,
        show_default=True, metavar="N",
        help="Keep at most N co-occurrence links, those of the pairs named together in the "
             "most sentences (0: keep all).")(command)
    command = click.option(
        "--cooccurrence", type=click.Choice(["fallback", "always", "none"]), default="fallback",
        show_default=True,
        help="Link two actors named in one sentence: only when no relation or event links "
             "them, always, or never.")(command)
    return click.option(
        "--events", type=click.Choice(["collapse", "nodes", "drop"]), default="collapse",
        show_default=True,
        help="Events as agent->target links labelled with the event type, as nodes, or not "
             "at all.")(command)


def _network(outdir: Path, events: str, cooccurrence: str, max_cooccurrence: int) -> Any:
    from kg.network import actor_graph

    return actor_graph(_open_graph(outdir), events=events,  # type: ignore[arg-type]
                       cooccurrence=cooccurrence,  # type: ignore[arg-type]
                       max_cooccurrence=max_cooccurrence or None)


@main.command()
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option("--top", "top_n", default=10, show_default=True,
              help="Actors to print per measure.")
@_projection_options
@click.option("--seed", default=0, show_default=True, help="Seed of Louvain and sampling.")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
@click.option("--graphml", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the network as GraphML to this file.")
@click.option("--gexf", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the network as GEXF (Gephi) to this file.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write nodes.csv and edges.csv into this folder.")
@click.option("--html", type=click.Path(dir_okay=False, path_type=Path),
              help="Write an explorer page to this file.")
@click.option("--explorer-top", type=click.IntRange(min=0), metavar="N",
              help="With --html: keep the N actors of highest PageRank and their links.")
def analyze(outdir: Path, top_n: int, events: str, cooccurrence: str, max_cooccurrence: int,
            seed: int, as_json: bool, graphml: Path | None, gexf: Path | None, csv_dir: Path | None,
            html: Path | None, explorer_top: int | None) -> None:
    """Print the network figures of the graph in OUTDIR, and export the network.

    Reads OUTDIR's store (or graph.ttl), projects it into a network of actors and places
    and prints the top actors by PageRank, betweenness and degree, the Louvain communities
    and the brokers between them. With the default options the figures are those that
    'kg build' wrote into graph.ttl and analysis.json.

    \b
    Example:
      kg analyze output/
      kg analyze output/ --gexf output/graph.gexf --csv output/csv
      kg analyze output/ --html output/top100.html --explorer-top 100
    """
    from kg.network import figures

    network = _network(outdir, events, cooccurrence, max_cooccurrence)
    analysis = figures(network, seed=seed)
    written = _export_network(network, graphml=graphml, gexf=gexf, csv_dir=csv_dir,
                              html=html, explorer_top=explorer_top)
    if as_json:
        click.echo(json.dumps(analysis, indent=2, ensure_ascii=False))
    else:
        _print_analysis(analysis, top_n)
    for line in written:
        click.echo(line, err=as_json)


def _export_network(network: Any, *, graphml: Path | None, gexf: Path | None,
                    csv_dir: Path | None, html: Path | None, explorer_top: int | None
                    ) -> list[str]:
    from kg.explore import write_explorer
    from kg.export_graph import write_csv, write_gexf, write_graphml

    written = []
    try:
        if graphml is not None:
            written.append(f"  graphml  {write_graphml(network, graphml)}")
        if gexf is not None:
            written.append(f"  gexf     {write_gexf(network, gexf)}")
        if csv_dir is not None:
            written += [f"  csv      {p}" for p in write_csv(network, csv_dir)]
        if html is not None:
            written.append(f"  html     {write_explorer(network, html, top=explorer_top)}")
    except OSError as err:
        _error(f"{err.filename or ''}: cannot write ({err.strerror or err})", 2)
    return written


def _print_analysis(analysis: dict[str, Any], n: int) -> None:
    from tabulate import tabulate

    from kg.network import top_nodes

    counts = analysis["counts"]
    click.echo(f"{counts['nodes']} nodes, {counts['edges']} edges (linked pairs), "
               f"{counts['components']} connected components, "
               f"{counts['communities']} communities\n"
               f"links: {counts['relation_edges']} relation, {counts['event_edges']} event, "
               f"{counts['cooccurrence_edges']} co-occurrence")
    measures = [("pagerank", "PageRank", ".4f"), ("betweenness", "betweenness", ".4f"),
                ("degree", "degree", "d")]
    for key, name, spec in measures:
        rows = [[node["label"], node["class"], format(node[key], spec), node["community"]]
                for node in top_nodes(analysis, n, by=key)]
        if rows:
            click.echo(f"\nTop {len(rows)} by {name}:")
            click.echo(tabulate(rows, headers=["actor", "class", name, "community"],
                                disable_numparse=True))
    shown = [c for c in analysis["communities"] if c["size"] > 1][:n]
    if shown:
        click.echo(f"\nCommunities (Louvain; {len(shown)} largest, members by PageRank):")
        for community in shown:
            members = community["members"][:8]
            more = community["size"] - len(members)
            click.echo(f"  {community['id']:>3}  {community['size']:>4}  {', '.join(members)}"
                       + (f" (+{more})" if more else ""))
    if analysis["brokers"]:
        click.echo("\nBrokers between communities (by betweenness):")
        rows = [[b["label"], f"{b['betweenness']:.4f}", f"{b['participation']:.2f}",
                 ", ".join(map(str, b["communities"]))] for b in analysis["brokers"][:n]]
        click.echo(tabulate(rows, headers=["actor", "betweenness", "participation",
                                           "communities"], disable_numparse=True))


@main.command()
@click.argument("outdir", type=click.Path(path_type=Path))
@click.argument("source")
@click.argument("target")
@_projection_options
def path(outdir: Path, source: str, target: str, events: str, cooccurrence: str,
         max_cooccurrence: int) -> None:
    """Explain the shortest connection between two actors of OUTDIR, hop by hop.

    SOURCE and TARGET are labels (case-insensitive; a unique part of one will do) or IRIs
    (ent:person.hun-manet). Each hop shows the relation, how often it was read, and one
    evidence sentence with its source. Exit status 1 when nothing connects them, 2 when a
    name matches no actor or several.

    \b
    Example:
      kg path output/ 'Hun Manet' Thailand
    """
    import networkx as nx

    from kg.network import CO_OCCURS, shortest_connection

    network = _network(outdir, events, cooccurrence, max_cooccurrence)
    a, b = _one_node(network, source), _one_node(network, target)
    label = network.nodes
    try:
        hops = shortest_connection(network, a, b)
    except nx.NetworkXNoPath:
        click.echo(f"No connection between {label[a]['label']} and {label[b]['label']}.")
        sys.exit(1)
    click.echo(f"{label[a]['label']} to {label[b]['label']}: {len(hops)} "
               f"hop{'s' * (len(hops) != 1)}")
    for i, (u, v, data) in enumerate(hops, 1):
        relation, weight = data["relation"], data.get("weight", 1)
        arrow = f" —{relation}→ " if data.get("directed") else f" —{relation}— "
        unit = "sentence" if relation == CO_OCCURS else "statement"
        click.echo(f"{i}. {label[u]['label']}{arrow}{label[v]['label']} "
                   f"({weight} {unit}{'s' * (weight != 1)})")
        for item in data.get("evidence", [])[:1]:
            click.echo(f"   “{' '.join(item['sentence'].split())}”")
            click.echo(f"   — {item['source']}")


def _one_node(network: Any, name: str) -> Any:
    from kg.network import find_node
    from kg.vocab import ENTITY_BASE

    if name.startswith("ent:"):
        name = ENTITY_BASE + name[4:]
    found = find_node(network, name)
    if len(found) == 1:
        return found[0]
    if not found:
        _error(f"{name!r} matches no actor (give a label, part of one, or an entity IRI)", 2)
    shown = ", ".join(f"{network.nodes[n]['label']} <{n}>" for n in found[:8])
    _error(f"{name!r} matches {len(found)} actors: {shown}"
           f"{' ...' if len(found) > 8 else ''}; give the IRI or the full label", 2)


@main.group(name="eval")
def eval_() -> None:
    """Measure entities, synonyms and relations against an annotated dataset.

    Runs the pipeline of 'kg build' over the dataset's texts and prints precision, recall
    and F1 per type: EXACT (same offsets and type) and OVERLAP (shared characters and the
    same type, each span matched once). Exit status 2 for a path that cannot be read.

    \b
    Example:
      kg eval re3d ../shared/data/re3d-dev
      kg eval conll04 ../shared/data/conll04/conll04_dev.json --json
    """


def _eval_options(command: Any) -> Any:
    command = click.option("--json", "as_json", is_flag=True,
                           help="Print the scores as JSON instead of tables.")(command)
    return click.option("--model", default=DEFAULT_MODEL, show_default=True,
                        metavar="NAME_OR_PATH",
                        help="Installed spaCy pipeline package name, or a pipeline folder.")(command)


def _run_eval(evaluate: Any, model: str, as_json: bool) -> None:
    from kg.evaluate import DatasetError, format_report, report_as_json
    from kg.nlp import PipelineError, load_pipeline

    try:
        nlp = load_pipeline(model)
    except PipelineError as err:
        _error(str(err), 2)
    try:
        report = evaluate(nlp)
    except DatasetError as err:
        _error(str(err), 2)
    if as_json:
        click.echo(json.dumps(report_as_json(report), indent=2))
    else:
        click.echo(format_report(report))


@eval_.command(name="re3d")
@click.argument("dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--min-confidence", default=DEFAULT_MIN_CONFIDENCE, show_default=True, type=float,
              help="Drop gold annotations whose re3d confidence is below this.")
@_eval_options
def eval_re3d(dirs: tuple[Path, ...], min_confidence: float, model: str, as_json: bool) -> None:
    """Score against re3d part folders (or folders above them) in DIRS.

    Entities: Person, Organisation, Location (our Country too), Nationality. IsSynonymOf:
    the share of gold pairs whose two arguments our resolver put in one entity. Relations:
    our properties as re3d categories, arguments overlapping (either order for the
    symmetric FightingAgainst, AlliesOf, CommWith, CoLocated).

    \b
    Example:
      kg eval re3d ../shared/data/re3d-dev
      kg eval re3d ../shared/data/re3d-dev/CENTCOM --json
    """
    from kg.evaluate import evaluate_re3d

    for path in dirs:
        if not path.is_dir():
            _error(f"{path}: no such folder (give re3d part folders holding documents.json, "
                   f"entities.json and relations.json, or a folder above them)", 2)
    _run_eval(lambda nlp: evaluate_re3d(dirs, nlp, min_confidence=min_confidence),
              model, as_json)


@eval_.command(name="conll04")
@click.argument("file", type=click.Path(path_type=Path))
@_eval_options
def eval_conll04(file: Path, model: str, as_json: bool) -> None:
    """Score against a CoNLL04 FILE (SpERT/TablERT JSON, such as conll04_dev.json).

    Entities: Person, Organization, Location (our Country too; Other is not scored).
    Relations: Work_For as memberOf, Kill as killed, Live_In as livesIn, and both
    OrgBased_In and Located_In as locatedIn; EXACT is the strict CoNLL04 criterion.

    \b
    Example:
      kg eval conll04 ../shared/data/conll04/conll04_dev.json
    """
    from kg.evaluate import evaluate_conll04

    if not file.is_file():
        _error(f"{file}: no such file (give a CoNLL04 JSON file such as conll04_dev.json)", 2)
    _run_eval(lambda nlp: evaluate_conll04(file, nlp), model, as_json)


@main.command()
@click.option("--conll04", "conll04", type=click.Path(dir_okay=False, path_type=Path),
              help="CoNLL04 JSON train split (never the dev or test file).")
@click.option("--re3d", "re3d", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="re3d part folders or a folder above them (repeatable).")
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Where the model is written [default: the shipped model "
              "folder kg/models/relations].")
@click.option("--seed", default=0, show_default=True, help="Seed of weights and example order.")
@click.option("--epochs", default=None, type=click.IntRange(min=1),
              help="Passes over the data [default: kg.train.DEFAULT_EPOCHS].")
@click.option("--cv", "folds", default=0, show_default=True, type=click.IntRange(min=0),
              help="Also score each dataset by K-fold cross-validation over its texts "
              "(K >= 2).")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, metavar="NAME_OR_PATH",
              help="spaCy pipeline that reads the training texts (as 'kg build' would).")
def train(conll04: Path | None, re3d: tuple[Path, ...], outdir: Path | None, seed: int,
          epochs: int | None, folds: int, model: str) -> None:
    """Train the relation classifier on train splits and save its weights.

    Each text is read by our pipeline; every pair of mentions in one sentence is an
    example, labelled by the gold relation whose arguments it overlaps. The same data and
    seed give the same model. Prints the pairs, labels, training time and size on disk, and
    with --cv the relation scores of each dataset cross-validated over K folds (rules alone,
    rules and classifier; CoNLL04 exact and overlapping, re3d overlapping).

    \b
    Example:
      kg train --conll04 ../shared/data/conll04/conll04_train.json \\
               --re3d ../shared/data/re3d-dev --cv 5
    """
    from tabulate import tabulate

    from kg.evaluate import DatasetError
    from kg.nlp import PipelineError, load_pipeline
    from kg.relclf import MODEL_DIR
    from kg.train import DEFAULT_EPOCHS
    from kg.train import train as run_train

    if conll04 is None and not re3d:
        _error("nothing to train on: give --conll04 FILE, --re3d DIR, or both", 2)
    if conll04 is not None and not conll04.is_file():
        _error(f"{conll04}: no such file (give the CoNLL04 train split, conll04_train.json)", 2)
    for path in re3d:
        if not path.is_dir():
            _error(f"{path}: no such folder (give re3d part folders or a folder above them)", 2)
    try:
        nlp = load_pipeline(model)
    except PipelineError as err:
        _error(str(err), 2)
    try:
        report, tables = run_train(nlp, outdir or MODEL_DIR, conll04=conll04, re3d=re3d,
                                   seed=seed, epochs=epochs or DEFAULT_EPOCHS, folds=folds)
    except (DatasetError, ValueError) as err:
        _error(str(err), 2)
    labels = ", ".join(f"{label} {n}" for label, n in sorted(report.labels.items()))
    click.echo(f"{report.documents} texts, {report.pairs} pairs ({labels})")
    click.echo(f"trained in {report.seconds:.1f} s; {report.bytes / 1e6:.1f} MB in {report.path}")
    units = {"conll04": "CoNLL04 train sentence", "re3d": "re3d document"}
    for dataset, by_name in (tables or {}).items():
        click.echo(f"\n{dataset} relations, {folds}-fold cross-validated by {units[dataset]}:")
        rows = [[category, name, c.tp, c.fp, c.fn, f"{c.precision:.3f}", f"{c.recall:.3f}",
                 f"{c.f1:.3f}"]
                for category in next(iter(by_name.values()))
                for name, table in by_name.items() for c in [table[category]]]
        click.echo(tabulate(rows, headers=["type", "read by", "tp", "fp", "fn", "P", "R", "F1"],
                            disable_numparse=True))


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--model", default=DEFAULT_MODEL, show_default=True, metavar="NAME_OR_PATH",
              help="Installed spaCy pipeline package name, or a pipeline folder.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def add(outdir: Path, paths: tuple[Path, ...], model: str, quiet: bool) -> None:
    """Add new or changed articles in PATHS to the build in OUTDIR.

    A document whose text the store already holds from the same source is skipped without
    parsing; a changed file replaces its old graph; JSONL lines that are gone are dropped.
    graph.ttl, analysis.json and graph.html are then written anew. Exit status as for
    'kg build'.

    \b
    Example:
      kg add output/ new-articles/ examples/edited.txt
    """
    from kg.incremental import add as run_add
    from kg.store import StoreError

    nlp = _inputs_and_pipeline(paths, model)
    on_failure = _skipped

    try:
        report = run_add(paths, outdir, nlp=nlp, on_failure=on_failure)
    except StoreError as err:
        _error(str(err), 2)
    _echo_violations(report.violations)
    if not quiet:
        click.echo(
            f"{report.documents} added, {len(report.unchanged)} unchanged, "
            f"{len(report.removed)} removed; {report.triples} triples; "
            f"{len(report.failures)} failed, {len(report.violations)} shape violations"
        )
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("source")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def remove(outdir: Path, source: str, quiet: bool) -> None:
    """Drop the document read from SOURCE (its path as given to 'kg build' or 'kg add').

    Entities that other documents name stay, with those documents' evidence.
    graph.ttl, analysis.json and graph.html are then written anew.

    \b
    Example:
      kg remove output/ examples/cambodia-cybercrime-crackdown.txt
    """
    from kg.incremental import NoSuchSourceError
    from kg.incremental import remove as run_remove
    from kg.store import StoreError

    try:
        removed = run_remove(outdir, source)
    except (StoreError, NoSuchSourceError) as err:
        _error(str(err).strip("'\""), 2)
    if not quiet:
        click.echo(f"removed {len(removed)} documents: {', '.join(removed)}")


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld", "rdfxml"]),
              default="ttl", show_default=True,
              help="nq and trig keep one named graph per document; the others write the union.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
def export(outdir: Path, fmt: str, output: Path | None) -> None:
    """Write the graph of OUTDIR's store in an RDF format, streamed from the store.

    \b
    Example:
      kg export output/ --format nq -o graph.nq
      kg export output/ --format jsonld | head
    """
    from kg.store import STORE_DIR, KGStore, StoreError

    try:
        store = KGStore(outdir / STORE_DIR, read_only=True)
    except StoreError as err:
        _error(str(err), 2)
    try:
        if output is None:
            store.export(sys.stdout.buffer, fmt)
            sys.stdout.buffer.flush()
        else:
            partial = output.with_name(f".{output.name}.partial")
            with partial.open("wb") as stream:
                store.export(stream, fmt)
            partial.replace(output)
    except BrokenPipeError:  # `kg export ... | head`
        sys.stderr.close()
        sys.exit(0)
    except OSError as err:
        _error(f"{output}: cannot write ({err.strerror or err})", 2)


@main.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the graph to the network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0 picks a free one).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds a query may run before it is stopped (HTTP 503).")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(min=1),
              help="Rows (or triples) an answer may have; longer answers are refused (HTTP 400).")
@click.option("--max-body", default=1 << 20, show_default=True, type=click.IntRange(min=1),
              help="Bytes a POST body may have (HTTP 413 past it).")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="Queries that may run at once (one process each).")
@click.option("--quiet", is_flag=True, help="Do not log requests.")
def serve(outdir: Path, host: str, port: int, timeout: float, max_rows: int, max_body: int,
          workers: int, quiet: bool) -> None:
    """Serve OUTDIR: a read-only SPARQL 1.1 endpoint at /sparql, the explorer at /.

    GET /sparql?query=... or POST (form or application/sparql-query); answers as JSON,
    XML, CSV or TSV (graphs as Turtle, N-Triples, RDF/XML, JSON-LD) by the Accept header.
    SPARQL Update and SERVICE are refused. Ctrl-C stops it.

    \b
    Example:
      kg serve output/ --port 8000
      curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/sparql' \\
           --data-urlencode 'query=SELECT ?n WHERE { ?p a akg:Person ; rdfs:label ?n }'
    """
    from kg.runner import QueryRefused
    from kg.server import make_server
    from kg.server import serve as run_server
    from kg.store import STORE_DIR

    if not (outdir / STORE_DIR).is_dir() and not (outdir / "graph.ttl").is_file():
        _error(f"{outdir}: no store/ or graph.ttl here (run 'kg build PATH... -o {outdir}' first)", 2)
    try:
        server = make_server(outdir, host=host, port=port, timeout=timeout, max_rows=max_rows,
                             max_body=max_body, workers=workers, quiet=quiet)
    except QueryRefused as err:
        _error(f"{outdir}: {err}", 2)
    except OSError as err:
        _error(f"cannot listen on {host}:{port} ({err.strerror or err})", 2)
    bound_host, bound_port = server.server_address[:2]
    if isinstance(bound_host, bytes):
        bound_host = bound_host.decode()
    click.echo(f"Serving {outdir} at http://{bound_host}:{bound_port}/ "
               f"(SPARQL at /sparql); Ctrl-C stops", err=True)
    run_server(server)


if __name__ == "__main__":  # pragma: no cover
    main()

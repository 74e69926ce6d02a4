"""Store speed at about a million triples: load time, and each saved query on Oxigraph and rdflib.

Not a unit test: ``make bench`` runs it (``python benchmarks/bench_store.py [TRIPLES]``).
The demo page is analysed once with the real pipeline; its graph is then copied until the
store holds about TRIPLES quads (default 1,000,000), each copy under its own context IRI and
source, and with a third of its entities renamed per copy (one of 200 variants), so copies
share some actors and not others, as articles do. Reported, and written to
``benchmarks/RESULTS.md``:

- load time: one transaction per document (how ``kg build`` writes), and ``bulk_load`` of the
  same N-Quads;
- the analysis write-back's mention counts (:func:`kg.tallies.tallies_graph`, which the saved
  queries read) computed on the whole store, beside the demo's network figures (the figures
  are not recomputed at this size);
- each saved query (``queries/*.rq``): median wall time of 5 runs on Oxigraph (the goal is
  under 200 ms), on the store closed and opened again read-only as ``kg query`` opens it, of
  :func:`kg.query.ask`, which ``kg query`` calls: the query and every term of every row read
  into Python; and of :func:`kg.query.answer_bytes` asked for SPARQL JSON, what ``kg serve``
  sends (Oxigraph writes the rows, which never become Python objects); and of up to 3 runs on
  rdflib's in-memory ``Dataset`` (union default graph)
  loaded from the same named graphs, each rdflib run cut at ``RDFLIB_TIMEOUT`` seconds
  (shown as ">N s"). The rdflib phase runs in a child process, so its memory (a few GB for a
  million quads) is given back before anything else runs; peak memory of both is reported.

Only the ``# Store benchmark`` section of ``benchmarks/RESULTS.md`` is rewritten; other
sections (the build benchmark) are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.build import build
from kg.network import ANALYSIS_GRAPH
from kg.nlp import load_pipeline
from kg.query import answer_bytes, ask, bind
from kg.store import KGStore
from kg.tallies import tallies_graph
from kg.vocab import AKG, DOC_BASE, ENTITY_BASE, NAMESPACES

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
OX_RUNS, RDFLIB_RUNS, RDFLIB_TIMEOUT = 5, 3, 10.0
JSON = "application/sparql-results+json"
VARIANTS = 200
SECTION = "# Store benchmark"
#: What the rewrites of the slowest queries changed, measured once (kept with the table).
NOTES = """\
`actor-relations` sorts on one string made per row (`CONCAT` of actor, relation and other
actor, joined by U+0001, which sorts before any character of a name: the same order):
`ORDER BY ?actor ?relation ?other` read both rows' names from the store at each comparison.
The run of 2026-11-29 22:39 UTC (commit 593d780, with the relation rules of that session, which
leave the demo page's 17 relations as they were, load 1.0): 190 ms for the same 12,172 rows
(223 in the run before), the sort 30 ms of `profile_query`'s 207 (55 of 233 before); as
SPARQL JSON for `kg serve` 233 ms, over the goal. On a 1,000-document `kg build` store
(16,534 rows) the query went from 571 to 351 CPU ms. The run of 22:59 UTC (the same code,
load 1.0-1.3): 192 ms, `profile_query` 200 (the sort 26), as SPARQL JSON 231.

`actor-relations` follows its rows (the run of 2026-11-29 16:25 UTC, commit fab2e93): 177 ms for
9,854 rows (13 statements per copy of the demo page, whose relation extraction now reads 14
relations) against 257 ms for 12,716 rows (17 per copy) in the run before: 18.0 against 20.2
microseconds a row, at loads 1.2 and 1.1. In the same run `profile_query`'s median of 11
runs, interleaved with its other variants, read 225 CPU ms for the same query: under the
goal by the 5-run median, over it by that one. Fewer relations, not a faster query. The run of
18:28 UTC (commit 2f6ebb4, load 0.1-0.6), whose demo reads 14 relations again: 192 ms for
10,584 rows (18.1 microseconds a row), `profile_query` 200; as SPARQL JSON for `kg serve`
(`kg.query.answer_bytes`, new in that commit: Oxigraph writes the rows, which used to be read
into Python and written by it) 223 ms, over the goal. The run of 20:31 UTC (commit eaece14, load 0.9), whose demo
page reads 17 relations (plurals of people are mentions now): 223 ms for 12,172 rows (18.3
microseconds a row), `profile_query` 233, as SPARQL JSON 250: over the goal again, with the
same cost a row; bound to one actor (`--bind`, the busiest) 99 ms.

`actor-relations` (2026-11-29; measured on a store this file built at 12:40 UTC, 9,288 rows
of 7 columns, the relation extraction of the tree then; 10,584 rows in the run above): most
of its time is the answer itself, not the joins. Its CPU time is now 175-209 ms (loads
1.7-4.0): about the 200 ms goal when the querying process has a core to itself, over it in
wall time on a machine as loaded as in the run above (two other processes busy on the two
cores). Reading every term into Python had been
costing as much again in Python's cyclic garbage collector:
each row is a new list, a collection starts every 700 of them, and some go through every
object of the process (135,000 here, as in `kg query`, which imports the pipeline).
`kg.query.ask` now reads the rows with the collector paused: 254 ms before, 175 after
(median wall of 7 runs of each in turn in a process that had imported this file, load 1.8;
the other saved queries, with fewer rows, within 5 ms of before; the profile above measures
it again). Tried on that store and not kept, as each took off 5 ms or less, or added: the evidence rows keyed by statement (an
`akg:evidenceOfStatement` from each row to its statement, one hashed join instead of two:
-5 ms; and a separately written analysis graph cannot name a statement that is a blank
node, Oxigraph renames blank nodes on load); the labels of distinct subjects and objects
only (no change); integer ranks of the labels to sort on (-12 ms of 243 at load 3, for two
more joins and an analysis term); `sameTerm` instead of `=` in the `IF` (no change); the two
directions as a `UNION` instead of `VALUES` and `IF` (340 against 200: worse); the store
compacted (`Store.optimize`: no change). The answer itself, written as one node per row
with its 7 values and read back by 7 hashed sub-SELECTs, took as long as the query without
its `ORDER BY` (221 against 189-199 CPU ms at load 3, 12,886 rows): that is the floor of
producing the rows through Oxigraph and `kg.query.ask`, and the sort (ties on 28 distinct
actor names at this size: each comparison decodes both rows' terms) is most of what is left.

Earlier rewrites (the run of 2026-11-29 at load 1.0, before them: `actor-relations` 991 ms,
`quotes-by-speaker` 538, `arrests` 269): the sentence and source of a statement's subject
mention or an event's trigger are read from the analysis graph's `akg:StatementEvidence` and
`akg:EventEvidence` rows (`kg/tallies.py`) by three hashed scans, not four lookups per row
(about 400 ms of `actor-relations`); `actor-relations` no longer sorts on the source, nor
`quotes-by-speaker` on source and quote (about 550 and 200 ms of decoding long strings);
every `OPTIONAL` of `arrests` and `payments` is a hashed sub-SELECT. Each rewrite answers as
the query before it on the demo, the contract sample and hand-made odd graphs
(`tests/test_queries.py`). A lookup from a bound variable costs about 5 microseconds in
Oxigraph, a scanned triple about 0.5, decoding a long string (a sentence, a source) from the
store about 3."""
FIGURES = {str(p) for p in (AKG.degree, AKG.pageRank, AKG.betweenness, AKG.community)}


def demo_quads(workdir: Path) -> list[ox.Quad]:
    """The demo corpus's document graphs (named graphs; the union and the figures left out)."""
    out = workdir / "demo"
    build([ROOT / "examples"], out, nlp=load_pipeline(), validate=False)
    store = KGStore(out / "store", read_only=True)
    documents = {ox.NamedNode(g) for g in store.documents()}
    return [q for q in store.store if q.graph_name in documents]


def figure_quads(workdir: Path) -> list[ox.Quad]:
    """The demo's network figures (from its analysis graph), so ``central-actors`` has data."""
    store = KGStore(workdir / "demo" / "store", read_only=True)
    graph = ox.NamedNode(str(ANALYSIS_GRAPH))
    return [q for q in store.store.quads_for_pattern(None, None, None, graph)
            if q.predicate.value in FIGURES]


def write_analysis(store: KGStore, figures: list[ox.Quad]) -> None:
    """Write the analysis graph as ``kg build`` does: ``figures`` and the store's counts."""
    from rdflib import Literal, URIRef

    analysis = tallies_graph(store)
    for q in figures:
        value = Literal(q.object.value, datatype=URIRef(q.object.datatype.value))
        analysis.add((URIRef(q.subject.value), URIRef(q.predicate.value), value))
    store.add_graph(analysis, ANALYSIS_GRAPH)
    store.store.flush()


def profile_query(store: KGStore, sparql: str, runs: int = OX_RUNS) -> dict[str, float]:
    """Where the time of a SELECT query with an ``ORDER BY`` goes, by taking parts away.

    Median CPU ms of ``runs`` runs of each, run in turn: the query as :func:`kg.query.ask`
    runs it (``whole``), and its rows read with Python's cyclic garbage collector running
    (``collected``, as ``ask`` read them before it paused it); without its ``ORDER BY``
    (``unordered``); that, its rows decoded by Oxigraph but not read into Python
    (``decoded``); and ``COUNT(*)`` of its pattern (``evaluation``: the joins, no row
    decoded). The differences are the collector, the sort, the Python objects of every term,
    and Oxigraph's decoding of the terms from the store.

    Parameters
    ----------
    store
        The store asked.
    sparql
        A SELECT query whose ``ORDER BY`` starts a line and ends it.
    runs
        Runs of each variant.

    Returns
    -------
    dict
        ``rows`` and ``columns`` of the answer, and the four medians in ms.
    """
    unordered = sparql.partition("\nORDER BY")[0]
    count = "SELECT (COUNT(*) AS ?n) " + unordered[unordered.index("WHERE"):]
    answer = ask(store, sparql)

    def decoded() -> None:
        for _ in store.query(unordered):  # type: ignore[union-attr]
            pass

    def collected() -> None:  # the rows read as kg.query.ask read them before it paused the collector
        [list(row) for row in store.query(sparql)]  # type: ignore[union-attr]

    variants = {"whole": lambda: ask(store, sparql), "collected": collected,
                "unordered": lambda: ask(store, unordered), "decoded": decoded,
                "evaluation": lambda: ask(store, count)}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, fn in variants.items():
            start = time.process_time()
            fn()
            cpu[name].append((time.process_time() - start) * 1000)
    out = {name: statistics.median(times) for name, times in cpu.items()}
    return {"rows": len(answer.rows), "columns": len(answer.columns), **out}


def _replace_section(text: str, section: str) -> str:
    """``text`` (a Markdown file) with its ``# Store benchmark`` section replaced by ``section``."""
    start = text.find(SECTION + "\n")
    if start < 0:
        return (text.rstrip("\n") + "\n\n" if text.strip() else "") + section
    following = re.search(r"^# ", text[start + len(SECTION):], re.MULTILINE)
    end = start + len(SECTION) + following.start() if following else len(text)
    rest = text[end:]
    return text[:start] + section + ("\n" + rest if rest else "")


def with_union(quads: list[ox.Quad]) -> list[ox.Quad]:
    """``quads`` and their copy in the default graph, as :meth:`KGStore.replace_graphs` writes."""
    return quads + [ox.Quad(q.subject, q.predicate, q.object) for q in quads]


def copies(quads: list[ox.Quad], target: int) -> tuple[list[list[ox.Quad]], int]:
    """Documents of about ``target`` quads in all: the demo's graphs, renamed per copy."""
    per_copy = len(quads)
    n = max(1, round(target / per_copy))
    text = "\n".join(f"{q} ." for q in quads)
    docs = sorted({m for m in re.findall(re.escape(DOC_BASE) + r"[0-9a-f]+", text)})
    entities = sorted(set(re.findall(re.escape(ENTITY_BASE) + r"[\w.%-]+", text)))
    renamed = entities[::3]
    out: list[list[ox.Quad]] = []
    for k in range(n):
        variant = text
        for doc in docs:
            variant = variant.replace(doc, f"{doc}c{k}")
        for e in renamed:
            variant = re.sub(re.escape(e) + r"(?=>)", f"{e}-v{k % VARIANTS}", variant)
        variant = variant.replace('/terms/source> "', f'/terms/source> "copy{k}/')
        out.append(list(ox.parse(variant, ox.RdfFormat.N_QUADS)))
    return out, n


def median_ms(fn, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in ms, of ``runs`` calls."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(times), statistics.median(cpu)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # rdflib's engine is pure Python, so a signal can stop it
    raise _Timeout


def rdflib_ms(graph: rdflib.Dataset, sparql: str) -> str:
    signal.signal(signal.SIGALRM, _alarm)
    times = []
    for _ in range(RDFLIB_RUNS):
        signal.setitimer(signal.ITIMER_REAL, RDFLIB_TIMEOUT)
        try:
            start = time.perf_counter()
            result = graph.query(sparql, initNs=NAMESPACES)
            list(result) if result.type != "ASK" else bool(result)
            times.append((time.perf_counter() - start) * 1000)
        except _Timeout:
            return f">{RDFLIB_TIMEOUT * 1000:g}"
        except Exception as err:  # noqa: BLE001 (rdflib fails some valid queries)
            return f"error: {type(err).__name__}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if times[-1] > 2000:  # slow: one run is enough
            break
    return f"{statistics.median(times):.0f}"


def machine() -> str:
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.processor() or platform.machine()}, nproc {os.cpu_count()}, "
            f"{ram:.0f} GiB RAM, Python {platform.python_version()}, "
            f"pyoxigraph {ox.__version__ if hasattr(ox, '__version__') else '?'}, "
            f"rdflib {rdflib.__version__}")


def peak_mb() -> float:
    """Peak resident memory of this process, in MiB.

    ``VmHWM`` of ``/proc/self/status``, which starts afresh in an exec'd child (``ru_maxrss``
    would report the parent's size at the fork); ``ru_maxrss`` where there is no ``/proc``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def saved_queries(actor: str | None = None) -> dict[str, str]:
    """The saved queries by name, and ``actor-relations`` asked about ``actor`` (``--bind``)."""
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
    if actor is not None:
        queries[f'actor-relations --bind actor="{actor}"'] = bind(queries["actor-relations"],
                                                                   {"actor": actor})
    return queries


def busiest_actor(store: KGStore) -> str:
    """The actor with the most rows in ``actor-relations``."""
    sparql = (ROOT / "queries" / "actor-relations.rq").read_text(encoding="utf-8")
    rows = ask(store, sparql).rows
    return statistics.mode(sorted(str(row[0].value) for row in rows if row[0] is not None))


def rdflib_phase(nquads: Path, actor: str) -> dict:
    """Load ``nquads`` into rdflib and time every saved query (run in a child process)."""
    queries = saved_queries(actor)
    t = time.perf_counter()
    graph = rdflib.Dataset(default_union=True)
    graph.parse(nquads, format="nquads")
    load = time.perf_counter() - t
    print(f"rdflib load: {load:.0f} s, {peak_mb():.0f} MiB", flush=True)
    times = {}
    for name, sparql in queries.items():
        times[name] = rdflib_ms(graph, sparql)
        print(f"  rdflib {name}: {times[name]} ms", flush=True)
    return {"load": load, "times": times, "peak_mb": peak_mb()}


def main(target: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        base = demo_quads(work)
        figures = figure_quads(work)
        print(f"demo analysed: {len(base)} quads in {time.perf_counter() - t:.1f} s", flush=True)
        docs, n = copies(base, target)
        total = sum(map(len, docs))
        print(f"{n} copies, {total} quads", flush=True)

        store = KGStore(work / "store")
        t = time.perf_counter()
        for quads in docs:
            store.store.extend(with_union(quads))  # one transaction per document, as kg build
        store.store.flush()
        extend_s = time.perf_counter() - t
        del docs
        t = time.perf_counter()
        write_analysis(store, figures)
        tallies_s = time.perf_counter() - t
        analysis = ox.NamedNode(str(ANALYSIS_GRAPH))
        analysis_n = sum(1 for _ in store.store.quads_for_pattern(None, None, None, analysis))
        print(f"analysis counts: {tallies_s:.1f} s, {analysis_n} triples", flush=True)
        nquads = work / "named.nq"  # the named graphs: documents and analysis
        named = (q for q in store.store.quads_for_pattern(None, None, None)
                 if not isinstance(q.graph_name, ox.DefaultGraph))
        ox.serialize(named, str(nquads), ox.RdfFormat.N_QUADS)
        bulk = ox.Store(str(work / "bulk"))
        t = time.perf_counter()
        bulk.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        bulk_s = time.perf_counter() - t
        del bulk
        triples = store.count_triples()
        print(f"load: {extend_s:.1f} s per-document transactions, {bulk_s:.1f} s bulk_load; "
              f"{triples} distinct triples", flush=True)
        del store, named  # closed, and opened again read-only, as ``kg query`` and ``kg serve`` open it
        store = KGStore(work / "store", read_only=True)

        actor = busiest_actor(store)
        queries = saved_queries(actor)
        ox_times, ox_cpu, served = {}, {}, {}
        for name, sparql in queries.items():
            ox_times[name], ox_cpu[name] = median_ms(lambda s=sparql: ask(store, s), OX_RUNS)
            served[name], _ = median_ms(lambda s=sparql: answer_bytes(store, s, [JSON]), OX_RUNS)
            print(f"  oxigraph {name}: {ox_times[name]:.0f} ms ({ox_cpu[name]:.0f} ms CPU), "
                  f"as JSON {served[name]:.0f} ms", flush=True)
        profile = profile_query(store, queries["actor-relations"], runs=2 * OX_RUNS + 1)
        print(f"  actor-relations profile: {profile}", flush=True)
        ox_peak = peak_mb()
        load_avg = os.getloadavg()[0]

        child = subprocess.run([sys.executable, __file__, "--rdflib", str(nquads), actor],
                               stdout=subprocess.PIPE, text=True, check=True)
        rd = json.loads(child.stdout.strip().splitlines()[-1])
        print("\n".join(child.stdout.strip().splitlines()[:-1]), flush=True)
        rd_times = rd["times"]

    lines = [
        SECTION,
        "",
        (f"Run {dt.date.today().isoformat()} on {machine()} with `make bench` "
         f"(`python benchmarks/bench_store.py {target}`); load average {load_avg:.1f} while "
         "the Oxigraph queries ran (the machine is shared: wall times grow with it)."),
        "",
        (f"The demo page's document graph ({len(base)} triples) copied {n} times: {total} "
         f"triples in {n} named graphs, {triples} distinct triples in their union (entities "
         "shared between copies count once), which the store also keeps as its default graph. "
         f"The analysis graph holds {analysis_n} triples: the demo's network figures, and the "
         "mention counts and the evidence rows of the whole store (`kg/tallies.py`)."),
        "",
        "| load | seconds |",
        "|---|---|",
        f"| Oxigraph on disk, one transaction per document (`kg build`) | {extend_s:.1f} |",
        f"| mention counts of the analysis graph (`kg/tallies.py`), computed and written | {tallies_s:.1f} |",
        f"| Oxigraph on disk, `bulk_load` of the N-Quads | {bulk_s:.1f} |",
        f"| rdflib in-memory `Dataset`, parse of the N-Quads | {rd['load']:.0f} |",
        "",
        (f"Peak memory: {ox_peak:.0f} MiB for everything but rdflib, {rd['peak_mb']:.0f} MiB "
         "for the rdflib phase (a child process, so the two never add up)."),
        "",
        (f"Saved queries, median wall time in ms (Oxigraph {OX_RUNS} runs of `kg.query.ask`, "
         "what `kg query` runs: every term of every row read into Python; "
         f"rdflib up to {RDFLIB_RUNS} runs, cut at {RDFLIB_TIMEOUT:g} s, on the same "
         "named graphs with `default_union`). Goal: under 200 ms on Oxigraph. The CPU "
         "column is the CPU time of the querying process (Oxigraph runs the query in it): "
         "what the query costs when the machine is not shared. The JSON column is the "
         f"median wall time of {OX_RUNS} runs of `kg.query.answer_bytes`, the answer written "
         "as SPARQL JSON as `kg serve` sends it (by Oxigraph, the rows never Python objects). "
         "The last row is "
         "`actor-relations` asked about one actor, the one with the most rows, as "
         "`kg query --bind` asks it."),
        "",
        "| query | Oxigraph ms | Oxigraph CPU ms | JSON for `kg serve` ms | rdflib ms | rdflib / Oxigraph |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in queries:
        rd_ms = rd_times[name]
        if rd_ms.startswith(">"):
            ratio = f">{RDFLIB_TIMEOUT * 1000 / max(ox_times[name], 0.01):.0f}x"
        elif rd_ms.startswith("error"):
            ratio = "-"
        else:
            ratio = f"{float(rd_ms) / max(ox_times[name], 0.01):.0f}x"
        flag = "" if ox_times[name] < 200 else " (over goal)"
        served_flag = "" if served[name] < 200 else " (over goal)"
        lines.append(f"| `{name}` | {ox_times[name]:.0f}{flag} | {ox_cpu[name]:.0f} "
                     f"| {served[name]:.0f}{served_flag} | {rd_ms} | {ratio} |")
    p = profile
    lines += [
        "",
        (f"Where the time of `actor-relations` goes ({p['rows']:,} rows of {p['columns']} "
         f"columns; `profile_query`: median CPU ms of {2 * OX_RUNS + 1} runs of each variant, "
         f"run in turn): the query {p['whole']:.0f} ({p['collected']:.0f} with the garbage "
         f"collector running while the rows are read); without its `ORDER BY` {p['unordered']:.0f} "
         f"(the sort: {p['whole'] - p['unordered']:.0f}); of that, reading every term into "
         f"Python {p['unordered'] - p['decoded']:.0f}, Oxigraph decoding the rows' terms from "
         f"the store {p['decoded'] - p['evaluation']:.0f}, and evaluating the pattern "
         f"(`COUNT(*)`: the scans and hash joins, no row decoded) {p['evaluation']:.0f}."),
        "",
        NOTES,
    ]
    section = "\n".join(lines) + "\n"
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    RESULTS.write_text(_replace_section(old, section), encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--rdflib":
        print(json.dumps(rdflib_phase(Path(sys.argv[2]), sys.argv[3])))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

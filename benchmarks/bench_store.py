"""Store speed at about a million triples: load time, and each saved query on Oxigraph and rdflib.

Not a unit test: ``make bench`` runs it (``python benchmarks/bench_store.py [TRIPLES]``).
The demo page is analysed once with the real pipeline; its graph is then copied until the
store holds about TRIPLES quads (default 1,000,000), each copy under its own context IRI and
source, and with a third of its entities renamed per copy (one of 200 variants), so copies
share some actors and not others, as articles do. Reported, and written to
``benchmarks/RESULTS.md``:

- load time: one transaction per document (how ``kg build`` writes), and ``bulk_load`` of the
  same N-Quads;
- each saved query (``queries/*.rq``): median wall time of 5 runs on Oxigraph (the goal is
  under 200 ms), and of up to 3 runs on rdflib's in-memory ``Dataset`` (union default graph)
  loaded from the same N-Quads, each rdflib run cut at ``RDFLIB_TIMEOUT`` seconds (shown
  as ">N s").
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.build import build
from kg.nlp import load_pipeline
from kg.store import KGStore
from kg.vocab import DOC_BASE, ENTITY_BASE, NAMESPACES

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
OX_RUNS, RDFLIB_RUNS, RDFLIB_TIMEOUT = 5, 3, 10.0
VARIANTS = 200


def demo_quads(workdir: Path) -> list[ox.Quad]:
    """The demo corpus's document graphs (named graphs; the union and the figures left out)."""
    out = workdir / "demo"
    build([ROOT / "examples"], out, nlp=load_pipeline(), validate=False)
    store = KGStore(out / "store", read_only=True)
    documents = {ox.NamedNode(g) for g in store.documents()}
    return [q for q in store.store if q.graph_name in documents]


def figure_quads(workdir: Path) -> list[ox.Quad]:
    """The demo's network figures (its analysis graph), so ``central-actors`` has data."""
    store = KGStore(workdir / "demo" / "store", read_only=True)
    documents = {ox.NamedNode(g) for g in store.documents()}
    return [q for q in store.store
            if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name not in documents]


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
        variant = variant.replace('dcterms/source> "', f'dcterms/source> "copy{k}/')
        out.append(list(ox.parse(variant, ox.RdfFormat.N_QUADS)))
    return out, n


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


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


def main(target: int = 1_000_000) -> None:
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        base = demo_quads(work)
        print(f"demo analysed: {len(base)} quads in {time.perf_counter() - t:.1f} s", flush=True)
        docs, n = copies(base, target)
        docs[0] = docs[0] + figure_quads(work)
        total = sum(map(len, docs))
        print(f"{n} copies, {total} quads", flush=True)

        store = KGStore(work / "store")
        t = time.perf_counter()
        for quads in docs:
            store.store.extend(with_union(quads))  # one transaction per document, as kg build
        store.store.flush()
        extend_s = time.perf_counter() - t
        nquads = work / "all.nq"
        ox.serialize((q for d in docs for q in with_union(d)), str(nquads), ox.RdfFormat.N_QUADS)
        del docs
        bulk = ox.Store(str(work / "bulk"))
        t = time.perf_counter()
        bulk.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        bulk_s = time.perf_counter() - t
        del bulk
        triples = store.count_triples()
        print(f"load: {extend_s:.1f} s per-document transactions, {bulk_s:.1f} s bulk_load; "
              f"{triples} distinct triples", flush=True)

        ox_times = {}
        for name, sparql in queries.items():
            ox_times[name] = median_ms(lambda s=sparql: list(store.query(s)), OX_RUNS)
            print(f"  oxigraph {name}: {ox_times[name]:.0f} ms", flush=True)

        t = time.perf_counter()
        graph = rdflib.Dataset(default_union=True)
        graph.parse(nquads, format="nquads")
        rdflib_load = time.perf_counter() - t
        print(f"rdflib load: {rdflib_load:.0f} s", flush=True)
        rd_times = {}
        for name, sparql in queries.items():
            rd_times[name] = rdflib_ms(graph, sparql)
            print(f"  rdflib {name}: {rd_times[name]} ms", flush=True)

    lines = [
        "# Store benchmark",
        "",
        (f"Run {dt.date.today().isoformat()} on {machine()} with `make bench` "
         f"(`python benchmarks/bench_store.py {target}`)."),
        "",
        (f"The demo page's document graph ({len(base)} triples) copied {n} times: {total} "
         f"triples in {n} named graphs, {triples} distinct triples in their union (entities "
         "shared between copies count once), which the store also keeps as its default graph."),
        "",
        "| load | seconds |",
        "|---|---|",
        f"| Oxigraph on disk, one transaction per document (`kg build`) | {extend_s:.1f} |",
        f"| Oxigraph on disk, `bulk_load` of the N-Quads | {bulk_s:.1f} |",
        f"| rdflib in-memory `Dataset`, parse of the N-Quads | {rdflib_load:.0f} |",
        "",
        (f"Saved queries, median wall time in ms (Oxigraph {OX_RUNS} runs, results read in "
         f"full; rdflib up to {RDFLIB_RUNS} runs, cut at {RDFLIB_TIMEOUT:g} s, on the same "
         "N-Quads with `default_union`). Goal: under 200 ms on Oxigraph."),
        "",
        "| query | Oxigraph ms | rdflib ms | rdflib / Oxigraph |",
        "|---|---:|---:|---:|",
    ]
    for name in queries:
        rd = rd_times[name]
        if rd.startswith(">"):
            ratio = f">{RDFLIB_TIMEOUT * 1000 / max(ox_times[name], 0.01):.0f}x"
        elif rd.startswith("error"):
            ratio = "-"
        else:
            ratio = f"{float(rd) / max(ox_times[name], 0.01):.0f}x"
        flag = "" if ox_times[name] < 200 else " (over goal)"
        lines.append(f"| `{name}` | {ox_times[name]:.0f}{flag} | {rd} | {ratio} |")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

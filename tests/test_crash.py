"""A build killed with SIGKILL leaves whole documents in the store, and a store that opens."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from kg.build import add_documents
from kg.ingest import read_documents
from kg.store import KGStore

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Hun Manet", "Anutin Charnvirakul", "Xi Jinping", "Interpol", "Thai police", "Joko Widodo"]
PLACES = ["Phnom Penh", "Bangkok", "Beijing", "Kratie", "Manila", "Jakarta"]

#: Documents of the killed build: several of the store writer's batches (kg.writer.BATCH).
DOCUMENTS = 200

QUADS_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _stored_documents(store: Path) -> int:
    """Documents a build that is still writing has stored: read from a read-only view of its
    store (none while the store is being created)."""
    try:
        return len(KGStore(store, read_only=True).documents())
    except Exception:  # noqa: BLE001  (not a store yet: its folder or column families missing)
        return 0


def _written_bytes(store: Path) -> int:
    """Bytes of the store's write-ahead log and table files: documents are written to the log
    (a transaction) or as table files (the build's batches, ingested by RocksDB)."""
    if not store.is_dir():
        return 0
    total = 0
    for f in store.iterdir():
        if f.suffix in (".log", ".sst"):
            try:
                total += f.stat().st_size
            except FileNotFoundError:  # RocksDB deleted it (an old log, a compacted table)
                continue
    return total


def test_sigkill_mid_build_leaves_whole_documents(tmp_path, nlp):
    corpus = tmp_path / "in"
    corpus.mkdir()
    for i in range(DOCUMENTS):
        text = " ".join(
            f"{NAMES[(i + k) % 6]} met {NAMES[(i + 2 * k + 1) % 6]} in {PLACES[(i + k) % 6]} "
            f"on day {i}-{k}." for k in range(6))
        (corpus / f"doc{i:03d}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "kg", "build", str(corpus), "-o", str(out),
                                "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not _stored_documents(out / "store"):  # the first batch of documents written
            assert process.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline, "the build never wrote to its store"
            time.sleep(0.1)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL

    store = KGStore(out / "store")  # read-write: the dead process's lock is gone
    documents = store.documents()
    sizes = {row["g"].value: int(row["n"].value) for row in store.store.query(QUADS_PER_GRAPH)}
    assert 0 < len(documents) < DOCUMENTS, "the kill should land mid-build"
    assert set(sizes) <= set(documents) | {"https://w3id.org/actorkg/analysis"}
    for graph, source in documents.items():
        fresh = KGStore()
        add_documents(fresh, read_documents([source]), nlp=nlp, validate=False)
        assert sizes[graph] == len(fresh), f"{source} was stored in part"
    # the default graph (the union, which queries read) is in step with the named graphs
    assert not store.store.query("ASK { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
    assert not store.store.query("ASK { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }")


# ---------------------------------------------------------------- outputs (issue 8)

CONTEXTS = "SELECT ?c ?source WHERE { ?c a nif:Context ; dcterms:source ?source }"


def _write_corpus(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        text = " ".join(f"{NAMES[(i + k) % 6]} met {NAMES[(i + 2 * k + 1) % 6]} in "
                        f"{PLACES[(i + k) % 6]} on day {i}-{k}." for k in range(4))
        (folder / f"doc{i:03d}.txt").write_text(text, encoding="utf-8")


def _sources(graph_ttl: Path) -> list[str]:
    """The dcterms:source of every document in ``graph_ttl`` (which must parse)."""
    store = KGStore.from_turtle(graph_ttl)
    return sorted(row["source"].value for row in store.query(CONTEXTS))


def _kill_when(process: subprocess.Popen, ready, what: str) -> bool:
    """SIGKILL ``process`` as soon as ``ready()`` holds; False if it ended first."""
    deadline = time.monotonic() + 300
    while not ready():
        if process.poll() is not None:
            return False
        assert time.monotonic() < deadline, f"the build never reached {what}"
        time.sleep(0.001)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return True


def test_sigkill_while_writing_outputs_keeps_the_previous_ones(tmp_path, nlp):
    """Killed mid-parse, while graph.ttl is written, or just after, a build leaves each of
    graph.ttl, analysis.json and graph.html whole (the previous one or the new one: each file
    is replaced atomically, the three are not one transaction); `kg add` then finishes the job
    without duplicates."""
    from kg.build import build

    first, second = tmp_path / "first", tmp_path / "second"
    _write_corpus(first, 4)
    _write_corpus(second, 20)
    out = tmp_path / "out"
    build([first], out, nlp=nlp, validate=False)
    previous = {name: (out / name).read_bytes()
                for name in ("graph.ttl", "analysis.json", "graph.html")}
    old_sources = _sources(out / "graph.ttl")
    new_sources = sorted(str(p) for p in second.glob("*.txt"))
    moments = {
        "mid-parse": lambda: _written_bytes(out / "store") > before + 20_000,
        ".graph.ttl.partial": lambda: (out / ".graph.ttl.partial").exists(),
        # graph.ttl renamed into place: analysis.json and graph.html are written next
        "graph.ttl replaced": lambda: (out / "graph.ttl").stat().st_ino != inode,
    }
    killed = []
    for what, ready in moments.items():
        for stale in out.glob(".*partial"):
            stale.unlink()
        inode = (out / "graph.ttl").stat().st_ino
        before = _written_bytes(out / "store")
        process = subprocess.Popen(
            [sys.executable, "-m", "kg", "build", str(second), "-o", str(out), "--quiet"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if _kill_when(process, ready, what):
            killed.append(what)
        # whatever the moment, every output is whole: the previous one or the new one
        assert _sources(out / "graph.ttl") in (old_sources, new_sources), what
        json.loads((out / "analysis.json").read_text(encoding="utf-8"))
        assert (out / "graph.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
        if what == "mid-parse":
            for name, data in previous.items():
                assert (out / name).read_bytes() == data, f"{name} changed by a killed build"
    # the last moment is a few milliseconds long and may be missed; the first two are not
    assert {"mid-parse", ".graph.ttl.partial"} <= set(killed), f"only killed at {killed}"
    # re-running finishes the job: every document once, none twice
    done = subprocess.run([sys.executable, "-m", "kg", "add", str(out), str(second), "--quiet"],
                          check=False, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _sources(out / "graph.ttl") == new_sources
    store = KGStore(out / "store", read_only=True)
    assert sorted(store.documents().values()) == new_sources

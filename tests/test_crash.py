"""A build killed with SIGKILL leaves whole documents in the store, and a store that opens."""

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

QUADS_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _wal_bytes(store: Path) -> int:
    return sum(f.stat().st_size for f in store.glob("*.log")) if store.is_dir() else 0


def test_sigkill_mid_build_leaves_whole_documents(tmp_path, nlp):
    corpus = tmp_path / "in"
    corpus.mkdir()
    for i in range(60):
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
        while _wal_bytes(out / "store") < 20_000:  # the first document's transaction
            assert process.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline, "the build never wrote to its store"
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL

    store = KGStore(out / "store")  # read-write: the dead process's lock is gone
    documents = store.documents()
    sizes = {row["g"].value: int(row["n"].value) for row in store.store.query(QUADS_PER_GRAPH)}
    assert 0 < len(documents) < 60, "the kill should land mid-build"
    assert set(sizes) <= set(documents) | {"https://w3id.org/actorkg/analysis"}
    for graph, source in documents.items():
        fresh = KGStore()
        add_documents(fresh, read_documents([source]), nlp=nlp, validate=False)
        assert sizes[graph] == len(fresh), f"{source} was stored in part"
    # the default graph (the union, which queries read) is in step with the named graphs
    assert not store.store.query("ASK { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
    assert not store.store.query("ASK { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }")

"""The store writer: a few documents per transaction, the same store as one by one."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import URIRef

import kg.build
from kg.build import add_documents
from kg.ingest import read_documents
from kg.store import KGStore
from kg.writer import StoreWriter

DOC = "https://w3id.org/actorkg/doc/"


def _quads(store: KGStore) -> list[str]:
    """Every quad of ``store``, the default graph (the union) included, sorted."""
    return sorted(map(str, store.store.quads_for_pattern(None, None, None)))


def _graph(i: int, shared: str = "") -> tuple[str, URIRef]:
    name = f"urn:x:doc{i}"
    return f'<{name}> <urn:x:p> "{i}" .\n<urn:x:s> <urn:x:q> <urn:x:o{i}> .\n{shared}', URIRef(name)


@pytest.fixture(scope="module")
def corpus_graphs(nlp, fixture_corpus) -> list[tuple[str, URIRef]]:
    """The N-Triples a build hands its writer for the demo page and two re3d texts, and the
    same texts again under other document IRIs (as the benchmark corpus copies documents)."""
    captured: list[tuple[str, URIRef]] = []

    class Capturing(StoreWriter):
        def put(self, graph, name, old=()):
            captured.append((graph, name))
            super().put(graph, name, old)

    with pytest.MonkeyPatch.context() as patch:  # the build's own writer, listened to
        patch.setattr(kg.build, "StoreWriter", Capturing)
        report = add_documents(KGStore(), read_documents([fixture_corpus]), nlp=nlp,
                               validate=False)
    assert report.documents == 3 and len(captured) == 3
    copies = [(text.replace(DOC, f"{DOC}copy-"), URIRef(str(name).replace(DOC, f"{DOC}copy-")))
              for text, name in captured]
    return captured + copies


def _write(path, graphs, **options) -> tuple[KGStore, StoreWriter]:
    store = KGStore(path)
    with StoreWriter(store, **options) as writer:
        for text, name in graphs:
            writer.put(text, name)
    return store, writer


def test_batches_store_the_same_quads_as_one_by_one(corpus_graphs, tmp_path):
    """On disk, batches go through Oxigraph's bulk loader (SST files ingested at once); in
    memory, and in the code before batches, each graph was one transaction of `load`."""
    one, single = _write(None, corpus_graphs, batch=1)  # in memory: one `load` per graph
    assert single.writes == single.written == 6
    expected = _quads(one)
    union = len(list(one.store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    assert 0 < union < len(expected) - union  # the copies share triples (their entities)
    for i, options in enumerate(({}, {"batch": 1}, {"batch": 4}, {"batch_bytes": 1},
                                 {"batch": 4, "flush_every": 1})):
        store, writer = _write(tmp_path / f"batched-{i}", corpus_graphs, **options)
        assert writer.written == 6
        assert _quads(store) == expected, options
        if not options:  # the default: the six documents in one write
            assert writer.writes == 1
        if options.get("batch_bytes") == 1:  # each graph is over the budget: written alone
            assert writer.writes == 6


def test_a_batch_keeps_the_union_and_each_graph():
    """A triple two documents of one batch state is in both named graphs and once in the union."""
    shared = "<urn:x:hun> <urn:x:name> \"Hun Manet\" .\n"
    store = KGStore()
    with StoreWriter(store, batch=8) as writer:
        for i in range(3):
            writer.put(*_graph(i, shared))
    assert writer.writes == 1 and writer.written == 3
    graphs = [row["g"].value for row in store.query(
        'SELECT ?g WHERE { GRAPH ?g { <urn:x:hun> <urn:x:name> "Hun Manet" } } ORDER BY ?g')]
    assert graphs == ["urn:x:doc0", "urn:x:doc1", "urn:x:doc2"]
    assert len(store) == 1 + 3 + 3  # the shared triple once, each doc's two triples


def test_a_bad_graph_in_a_batch_costs_no_other_graph(tmp_path):
    """The batch fails as a whole, so its graphs are written again one by one: the store ends
    as one-by-one writing leaves it (the graphs before the bad one, whole), and the bad
    graph's error stops the writing as it always did."""
    graphs = [_graph(0), _graph(1), ("<urn:x:a> not N-Triples .\n", URIRef("urn:x:bad")),
              _graph(3)]
    stores = []
    for batch in (1, 8):
        store = KGStore(tmp_path / f"batch-{batch}")
        with pytest.raises(SyntaxError), StoreWriter(store, batch=batch) as writer:
            for text, name in graphs:
                writer.put(text, name)
        assert writer.written == 2
        stores.append(_quads(store))
    assert stores[0] == stores[1]
    assert len(stores[1]) == 8  # doc0 and doc1: two triples each, in its graph and the union
    assert sum(q.endswith("<urn:x:doc1>") for q in stores[1]) == 2
    assert not any("doc3" in q or "urn:x:bad" in q for q in stores[1])


def test_a_graph_replacing_older_ones_is_written_on_its_own_in_order():
    store = KGStore()
    with StoreWriter(store, batch=8) as writer:
        writer.put(*_graph(0))
        text, _ = _graph(10)
        writer.put(text, URIRef("urn:x:doc0-v2"), old=["urn:x:doc0"])  # a changed file
        writer.put(*_graph(2))
        writer.put(*_graph(3))
    assert writer.written == 4 and writer.writes == 3  # [doc0] [doc0-v2] [doc2 doc3]
    names = {g.value for g in store.store.named_graphs()}
    assert names == {"urn:x:doc0-v2", "urn:x:doc2", "urn:x:doc3"}
    assert not store.query('ASK { ?s ?p "0" }')  # the old version left the union too


@pytest.mark.parametrize("on_disk", [False, True])
def test_write_graphs_is_one_transaction(on_disk, tmp_path):
    """All or nothing, in memory (one `load`) and on disk (one bulk load: SST files ingested
    in one step)."""
    store = KGStore(tmp_path / "store" if on_disk else None)
    with pytest.raises(SyntaxError):
        store.write_graphs([(*_graph(0), ()), ("<urn:x:a> broken", URIRef("urn:x:bad"), ())])
    assert len(store.store) == 0
    store.write_graphs([(*_graph(0), ()), (*_graph(1), ())])
    assert len(store.store) == 8  # two graphs of two triples, each also in the union
    # a graph replacing an older one makes the call one SPARQL Update, still one transaction
    with pytest.raises(SyntaxError):
        store.write_graphs([(*_graph(2), ()), ("<urn:x:a> broken", URIRef("urn:x:doc1"), ["urn:x:doc0"])])
    assert len(store.store) == 8
    store.write_graphs([(*_graph(2), ()), (*_graph(3), ["urn:x:doc0"])])
    assert {g.value for g in store.store.named_graphs()} == {"urn:x:doc1", "urn:x:doc2", "urn:x:doc3"}


@pytest.mark.parametrize("option", ["batch", "batch_bytes", "flush_every", "backlog"])
def test_bad_options_are_refused(option):
    with pytest.raises(ValueError, match=option):
        StoreWriter(KGStore(), **{option: 0})


def test_batches_flush_once_enough_was_written(tmp_path):
    """The write that brings the graphs since the last flush to flush_every flushes."""
    store = KGStore(tmp_path / "store")
    flushes = []
    flush = store.flush
    store.flush = lambda: (flushes.append(store.store.__len__()), flush())[1]
    with StoreWriter(store, flush_every=3, batch=2) as writer:
        for i in range(7):
            writer.put(*_graph(i))
    assert writer.writes == 4  # [0 1] [2 3] [4 5] [6]
    assert flushes == [16, 28]  # after graphs 0-3 and 0-6: 4 quads each (2 triples, 2 copies)

import json
import platform

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from kg.query import QueryError, answer_text, ask, format_answer
from kg.store import EXPORT_FORMATS, KGStore, StoreError, uses_service

EX = "http://example.org/"


@pytest.fixture()
def store():
    kg = KGStore()
    g = Graph()
    g.add((URIRef(EX + "a"), URIRef(EX + "name"), Literal("Hun Manet")))
    g.add((URIRef(EX + "a"), URIRef(EX + "age"), Literal(48)))
    kg.add_graph(g, URIRef(EX + "doc1"))
    return kg


def test_named_graph_is_replaced_not_duplicated(store):
    g = Graph()
    g.add((URIRef(EX + "b"), URIRef(EX + "name"), Literal("Other")))
    store.add_graph(g, URIRef(EX + "doc1"))
    assert len(store) == 1


def test_select_ask_construct(store):
    answer = ask(store, f"SELECT ?n WHERE {{ ?s <{EX}name> ?n }}")
    assert answer.columns == ["n"] and answer.rows[0][0].value == "Hun Manet"
    assert ask(store, f"ASK {{ <{EX}a> <{EX}age> 48 }}").boolean is True
    triples = ask(store, f"CONSTRUCT {{ ?s <{EX}label> ?n }} WHERE {{ ?s <{EX}name> ?n }}")
    assert len(triples.rows) == 1


def test_formats(store):
    answer = ask(store, f"SELECT ?s ?n WHERE {{ ?s <{EX}name> ?n }}")
    assert format_answer(answer, "csv").splitlines() == ["s,n", f"{EX}a,Hun Manet"]
    assert format_answer(answer, "tsv").splitlines()[1] == f"{EX}a\tHun Manet"
    data = json.loads(format_answer(answer, "json"))
    assert data["head"]["vars"] == ["s", "n"]
    assert data["results"]["bindings"][0]["n"] == {"type": "literal", "value": "Hun Manet"}
    assert "Hun Manet" in format_answer(answer, "table")


def test_answer_text_writes_json_as_format_answer_does(store):
    select = "SELECT ?s ?n ?missing WHERE { ?s ?p ?n } ORDER BY ?n"
    written = json.loads(answer_text(store, select, "json"))  # by Oxigraph
    assert written == json.loads(format_answer(ask(store, select), "json"))
    assert {"type": "literal", "value": "48",
            "datatype": "http://www.w3.org/2001/XMLSchema#integer"} in [
        b["n"] for b in written["results"]["bindings"]]
    construct = f"CONSTRUCT {{ ?s <{EX}label> ?n }} WHERE {{ ?s <{EX}name> ?n }}"
    assert json.loads(answer_text(store, construct, "json"))["head"]["vars"] == [
        "subject", "predicate", "object"]
    assert answer_text(store, f"ASK {{ <{EX}a> ?p ?o }}", "table") == "true"
    with pytest.raises(ValueError, match="unknown format"):
        answer_text(store, select, "xml")


def test_malformed_query_is_a_query_error(store):
    with pytest.raises(QueryError, match="malformed SPARQL"):
        ask(store, "SELECT WHERE {")


def test_service_is_refused(store):
    assert uses_service("select * { service <http://example.org/sparql> { ?s ?p ?o } }")
    assert not uses_service('SELECT * { ?s ?p "a SERVICE here" } # SERVICE')
    with pytest.raises(PermissionError):
        ask(store, "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")


def test_turtle_round_trip(store, tmp_path):
    path = store.write_turtle(tmp_path / "g.ttl")
    assert len(Graph().parse(path)) == 2
    assert len(KGStore.from_turtle(path)) == 2


def test_replacing_a_graph_drops_the_old_versions_in_one_update(store):
    g = Graph()
    g.add((URIRef(EX + "c"), URIRef(EX + "name"), Literal("New")))
    store.replace_graphs(g, URIRef(EX + "doc2"), [EX + "doc1"])
    assert [str(g) for g in store.store.named_graphs()] == [f"<{EX}doc2>"]
    assert ask(store, f"SELECT ?n {{ ?s <{EX}name> ?n }}").rows[0][0].value == "New"
    assert store.remove_graphs([EX + "doc2", EX + "nope"]) == 1 and len(store) == 0


def test_on_disk_store_read_only_and_lock(tmp_path):
    path = tmp_path / "store"
    writer = KGStore(path)
    g = Graph()
    g.add((URIRef(EX + "doc"), URIRef("http://purl.org/dc/terms/source"), Literal("a.txt")))
    writer.add_graph(g, URIRef(EX + "doc"))
    writer.store.flush()
    assert KGStore(path, read_only=True).documents() == {EX + "doc": "a.txt"}
    with pytest.raises(StoreError, match="in use"):
        KGStore(path)
    with pytest.raises(StoreError, match="no store"):
        KGStore(tmp_path / "nothing", read_only=True)


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_export_formats_parse_back(store, fmt):
    import io

    buffer = io.BytesIO()
    store.export(buffer, fmt)
    rdf_format, keeps_graphs = EXPORT_FORMATS[fmt]
    quads = list(ox.parse(buffer.getvalue(), rdf_format))
    assert len(quads) == 2
    names = {q.graph_name for q in quads}
    assert names == ({ox.NamedNode(EX + "doc1")} if keeps_graphs else {ox.DefaultGraph()})


def test_describe(store):
    answer = ask(store, f"DESCRIBE <{EX}a>")
    assert answer.triples and len(answer.rows) == 2


def test_removing_a_document_keeps_what_another_document_states():
    kg = KGStore()
    shared = (URIRef(EX + "hun-manet"), URIRef(EX + "label"), Literal("Hun Manet"))
    for doc, extra in (("d1", "one"), ("d2", "two")):
        g = Graph()
        g.add(shared)
        g.add((URIRef(EX + doc), URIRef(EX + "says"), Literal(extra)))
        kg.add_graph(g, URIRef(EX + doc))
    assert len(kg) == 3
    kg.remove_graphs([EX + "d1"])
    assert len(kg) == 2 and ask(kg, f"ASK {{ <{EX}hun-manet> <{EX}label> ?l }}").boolean
    kg.remove_graphs([EX + "d2"])
    assert len(kg) == 0


def _lines(n, prefix="x"):
    return [f'<{EX}{prefix}{i}> <{EX}value> "{i}" .\n' for i in range(n)]


def _quads(kg, graph):
    return {(q.subject, q.predicate, q.object)
            for q in kg.store.quads_for_pattern(None, None, None, graph)}


def test_derived_graph_is_written_and_replaced_in_parts():
    kg = KGStore()
    name = URIRef(EX + "analysis")
    assert kg.replace_derived_graph(name, iter(_lines(25)), batch=4) == 25
    graph = ox.NamedNode(str(name))
    assert len(_quads(kg, graph)) == 25 and len(kg) == 25  # the named graph and the union
    kg.replace_derived_graph(name, _lines(3, "y"), batch=2)
    assert len(_quads(kg, graph)) == 3 and len(kg) == 3
    assert kg.store.contains_named_graph(graph)


def test_dropping_a_derived_graph_keeps_what_a_document_states(store):
    name = URIRef(EX + "analysis")
    shared = f'<{EX}a> <{EX}name> "Hun Manet" .\n'  # also in doc1
    kg_lines = [shared, *_lines(7)]
    store.replace_derived_graph(name, kg_lines, batch=3)
    assert len(store) == 2 + 7
    assert store.drop_derived_graph(name, batch=3) == 8
    assert len(store) == 2 and not store.store.contains_named_graph(ox.NamedNode(str(name)))
    assert ask(store, f'ASK {{ <{EX}a> <{EX}name> "Hun Manet" }}').boolean


def test_a_derived_graph_left_half_written_is_replaced_whole(store):
    # what a process killed while writing the analysis graph leaves: a part of it, and a
    # triple of the union whose named copy was already dropped cannot be there (the union
    # copy goes first), but one whose union copy is missing can
    name = URIRef(EX + "analysis")
    graph = ox.NamedNode(str(name))
    store.replace_derived_graph(name, _lines(10), batch=4)
    first = next(iter(store.store.quads_for_pattern(None, None, None, graph)))
    store.store.remove(ox.Quad(first.subject, first.predicate, first.object, ox.DefaultGraph()))
    store.replace_derived_graph(name, _lines(5, "y"), batch=4)
    assert len(_quads(store, graph)) == 5 and len(store) == 2 + 5
    assert _quads(store, graph) == _quads(store, ox.DefaultGraph()) - _quads(store, ox.NamedNode(EX + "doc1"))


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_trim_reaches_glibc_malloc_trim() -> None:
    """On glibc, flushing the store gives freed heap memory back: kg.memory finds the call."""
    from kg import memory

    assert memory._libc() is not None
    assert isinstance(memory.trim(), bool)

import json

import pytest
from rdflib import Graph, Literal, URIRef

from kg.query import QueryError, ask, format_answer
from kg.store import KGStore, uses_service

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

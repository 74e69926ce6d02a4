"""`kg serve` with a real SPARQL client (SPARQLWrapper) on loopback."""

import urllib.error
import urllib.request
from threading import Thread

import pytest
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.server import make_server


@pytest.fixture(scope="module")
def endpoint(demo_build):
    out, _ = demo_build
    server = make_server(out, port=0, timeout=3, max_rows=500, max_body=4096, quiet=True)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def client(base, query, fmt=JSON, method="GET"):
    sparql = SPARQLWrapper(f"{base}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


PERSONS = "SELECT ?name WHERE { ?p a akg:Person ; rdfs:label ?name } ORDER BY ?name"


@pytest.mark.parametrize("method", ["GET", POST])
def test_select_as_json_and_csv(endpoint, method):
    data = client(endpoint, PERSONS, JSON, method).queryAndConvert()
    assert "Hun Manet" in [b["name"]["value"] for b in data["results"]["bindings"]]
    csv = client(endpoint, PERSONS, CSV, method).queryAndConvert().decode("utf-8")
    assert csv.splitlines()[0] == "name" and "Hun Manet" in csv


def test_ask_and_describe(endpoint):
    assert client(endpoint, "ASK { ?p a akg:Person }").queryAndConvert()["boolean"] is True
    graph = client(endpoint, "DESCRIBE ent:person.hun-manet", TURTLE).queryAndConvert()
    assert b"Hun Manet" in graph


def _raw(url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def test_update_is_refused(endpoint):
    update = client(endpoint, "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", method=POST)
    with pytest.raises(urllib.error.HTTPError) as refused:
        update.query()
    assert refused.value.code == 403
    status, text = _raw(f"{endpoint}/sparql", b"update=DELETE+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D",
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and "read-only" in text
    status, _ = _raw(f"{endpoint}/sparql", b"CLEAR ALL", {"Content-Type": "application/sparql-update"})
    assert status == 403
    assert client(endpoint, "ASK { ?s ?p ?o }").queryAndConvert()["boolean"] is True


def test_service_is_refused(endpoint):
    status, text = _raw(f"{endpoint}/sparql?query=" + urllib.request.quote(
        "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"))
    assert status == 403 and "SERVICE" in text


def test_malformed_query_is_400_with_the_parser_message(endpoint):
    with pytest.raises(QueryBadFormed, match="error at 1:"):
        client(endpoint, "SELECT WHERE {").query()


def test_limits(endpoint):
    status, text = _raw(f"{endpoint}/sparql?query=" + urllib.request.quote("SELECT * { ?s ?p ?o }"))
    assert status == 400 and "500 rows" in text
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, text = _raw(f"{endpoint}/sparql?query=" + urllib.request.quote(slow))
    assert status == 503 and "time limit" in text
    # the worker that was killed has been replaced
    assert client(endpoint, "ASK { ?p a akg:Person }").queryAndConvert()["boolean"] is True
    status, _ = _raw(f"{endpoint}/sparql", b"query=" + b"x" * 5000,
                     {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413


def test_explorer_and_files(endpoint):
    status, page = _raw(f"{endpoint}/")
    assert status == 200 and "<html" in page.lower()
    assert _raw(f"{endpoint}/analysis.json")[0] == 200
    for path in ("/../graph.ttl", "/%2e%2e/%2e%2e/etc/passwd", "/store/CURRENT", "/nope.html",
                 "/.graph.ttl.partial"):
        assert _raw(endpoint + path)[0] == 404, path


def test_foreign_host_name_is_refused(endpoint):
    status, _ = _raw(f"{endpoint}/", headers={"Host": "evil.example:80"})
    assert status == 403

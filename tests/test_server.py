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


# ---------------------------------------------------------------- hostile requests (issue 8)


def _raw_request(base: str, request: bytes) -> bytes:
    """Send ``request`` as is (no client-side quoting) and return the whole reply."""
    import socket

    host, port = base.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1])


OUTSIDE_PATHS = [
    "/etc/passwd", "//etc/passwd", "/%2Fetc%2Fpasswd", "/..%2F..%2Fetc%2Fpasswd",
    "/..%5c..%5cgraph.ttl", "/%2e%2e/graph.ttl", "/graph.ttl%00.html", "/%00", "/store",
    "/store/", "/.%2e/%2e%2e/etc/passwd", "/analysis.json/..", "/C:%5cWindows%5cwin.ini",
]


@pytest.mark.parametrize("path", OUTSIDE_PATHS)
def test_paths_outside_the_folder_are_404(endpoint, path):
    reply = _raw_request(endpoint, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Connection: close\r\n\r\n".encode())
    assert _status(reply) == 404, reply[:200]
    assert b"root:" not in reply


def test_hostile_sparql_requests(endpoint):
    sparql = f"{endpoint}/sparql"
    for update in ("PREFIX x: <http://x/> # INSERT\nINSERT DATA { x:a x:b x:c }",
                   "  # a comment\n drop all", "LOAD <http://127.0.0.1:9/x.ttl>",
                   "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"):
        status, text = _raw(f"{sparql}?query=" + urllib.request.quote(update))
        assert status == 403 and "read-only" in text, update
        status, _ = _raw(sparql, update.encode(), {"Content-Type": "application/sparql-update"})
        assert status == 403
    for federated in ("SELECT * { service<http://127.0.0.1:9/> { ?s ?p ?o } }",
                      "SELECT * { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
                      "ASK { SERVICE ?endpoint { ?s ?p ?o } }"):
        status, text = _raw(f"{sparql}?query=" + urllib.request.quote(federated))
        assert status == 403 and "SERVICE" in text, federated
    # SPARQL's \u escapes do not smuggle the keyword past the check: Oxigraph refuses them
    status, _ = _raw(f"{sparql}?query=" + urllib.request.quote(
        "SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"))
    assert status == 400
    forever = ("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l "
               "FILTER(STRLEN(STR(?a)) + STRLEN(STR(?d)) > 0) }")
    status, text = _raw(f"{sparql}?query=" + urllib.request.quote(forever))
    assert status == 503 and "time limit" in text
    status, _ = _raw(sparql, b"query=" + b"x" * 5000,
                     {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413
    # a body announced as small but a request line too long for the server
    reply = _raw_request(endpoint, b"GET /sparql?query=" + b"A" * 70_000 +
                         b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert _status(reply) == 414
    reply = _raw_request(endpoint, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/sparql-query\r\n"
                         b"Content-Length: -5\r\nConnection: close\r\n\r\n")
    assert _status(reply) == 400
    reply = _raw_request(endpoint, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/sparql-query\r\n"
                         b"Content-Length: 99999999999\r\nConnection: close\r\n\r\nASK{}")
    assert _status(reply) == 413
    status, _ = _raw(sparql, b"\xff\xfe not utf-8", {"Content-Type": "application/sparql-query"})
    assert status == 400
    # no harm done: the store answers as before
    assert client(endpoint, "ASK { ?p a akg:Person }").queryAndConvert()["boolean"] is True
    assert client(endpoint, "ASK { <http://x/a> ?p ?o }").queryAndConvert()["boolean"] is False


def test_concurrent_queries_lose_no_answer_and_memory_stays_flat(endpoint):
    """8 threads x 25 queries on loopback: every answer arrives and is right; the RSS of
    this process (the server's threads) and of its query workers does not grow."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    import psutil

    queries = [PERSONS, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
               "SELECT ?c WHERE { ?c a nif:Context }", "ASK { ?p a akg:Person }"]
    expected = [_raw(f"{endpoint}/sparql?query=" + urllib.request.quote(q)) for q in queries]
    assert all(status == 200 for status, _ in expected)

    def rss() -> int:
        me = psutil.Process(os.getpid())
        return sum(p.memory_info().rss for p in [me, *me.children(recursive=True)])

    def worker(n: int) -> list[bool]:
        return [_raw(f"{endpoint}/sparql?query=" + urllib.request.quote(queries[(n + i) % 4]))
                == expected[(n + i) % 4] for i in range(25)]

    with ThreadPoolExecutor(8) as pool:  # a first round: caches and pools settle
        list(pool.map(worker, range(8)))
    before = rss()
    for _ in range(2):
        with ThreadPoolExecutor(8) as pool:
            answers = [ok for batch in pool.map(worker, range(8)) for ok in batch]
        assert len(answers) == 200 and all(answers), f"{answers.count(False)} wrong or lost"
    after = rss()
    assert after < before * 1.10 + (20 << 20), f"RSS grew from {before >> 20} to {after >> 20} MiB"

"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint and the explorer, over HTTP.

Standard library only (``http.server.ThreadingHTTPServer``): the endpoint is for one analyst
on one machine, so it binds 127.0.0.1 unless told otherwise. Queries run in
:class:`kg.runner.QueryRunner` worker processes, which enforce the time and row limits.

- ``GET /sparql?query=...`` and ``POST /sparql`` (form-encoded ``query=``, or the query as
  ``application/sparql-query``); ``default-graph-uri`` is honoured.
- Answers by content negotiation: SPARQL results as JSON (the default), XML, CSV or TSV;
  CONSTRUCT and DESCRIBE graphs as Turtle (the default), N-Triples, RDF/XML or JSON-LD.
- SPARQL Update is refused (403), so is SERVICE (403); a malformed query gets 400 with the
  parser's message, a body over the size limit 413, a time-out 503.
- ``GET /`` is ``graph.html``; other files directly in the output folder are served too;
  anything else (subfolders, hidden files, the store, ``..``) is 404.
"""

from __future__ import annotations

import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from kg.query import GRAPH_TYPES, RESULT_TYPES
from kg.runner import QueryRefused, QueryRunner

__all__ = ["DEFAULT_HOST", "SPARQL_PATH", "Endpoint", "accepted_types", "make_server"]

DEFAULT_HOST = "127.0.0.1"
SPARQL_PATH = "/sparql"
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>|#[^\n]*)\s*)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE,
)
_CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".ttl": "text/turtle; charset=utf-8",
                  ".json": "application/json", ".nq": "application/n-quads",
                  ".nt": "application/n-triples", ".trig": "application/trig"}


def accepted_types(accept: str | None) -> list[str]:
    """The media types an ``Accept`` header asks for, best first, wildcards expanded.

    >>> accepted_types("text/csv;q=0.5, application/sparql-results+xml")[:2]
    ['application/sparql-results+xml', 'text/csv']
    >>> accepted_types(None)[:2]
    ['application/sparql-results+json', 'text/turtle']
    """
    defaults = ["application/sparql-results+json", "text/turtle"]
    offered = [*defaults, *RESULT_TYPES, *GRAPH_TYPES]
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((accept or "*/*").split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranked.append((-q, n, media.lower()))
    out: list[str] = []
    for _, _, media in sorted(ranked):
        if media in ("*/*", "application/*", "text/*"):
            family = media.split("/")[0]
            matches = [t for t in offered if media == "*/*" or t.startswith(family + "/")]
        elif media == "application/json":  # what generic clients send
            matches = ["application/sparql-results+json", "application/ld+json"]
        elif media == "application/xml":
            matches = ["application/sparql-results+xml", "application/rdf+xml"]
        else:
            matches = [media]
        out += [t for t in matches if t not in out]
    return out


class Endpoint(ThreadingHTTPServer):
    """The HTTP server: an output folder, a query runner and the request size limit."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], outdir: Path, runner: QueryRunner, *,
                 max_body: int = 1 << 20, quiet: bool = False) -> None:
        super().__init__(address, _Handler)
        self.outdir = outdir.resolve()
        self.runner = runner
        self.max_body = max_body
        self.quiet = quiet
        self.loopback = address[0] in _LOOPBACK

    def server_close(self) -> None:
        super().server_close()
        self.runner.close()


def make_server(outdir: str | Path, *, host: str = DEFAULT_HOST, port: int = 8000,
                timeout: float = 10.0, max_rows: int = 10_000, max_body: int = 1 << 20,
                workers: int = 2, quiet: bool = False) -> Endpoint:
    """Make (but do not start) the endpoint for ``outdir``; ``port`` 0 picks a free port.

    Raises
    ------
    OSError
        When the address cannot be bound.
    kg.runner.QueryRefused
        When the workers cannot open the store.
    """
    runner = QueryRunner(outdir, workers=workers, timeout=timeout, max_rows=max_rows)
    try:
        runner.warm_up()
        return Endpoint((host, port), Path(outdir), runner, max_body=max_body, quiet=quiet)
    except BaseException:
        runner.close()
        raise


class _Handler(BaseHTTPRequestHandler):
    server: Endpoint
    server_version = "actorkg"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            super().log_message(format, *args)

    # -- replies ---------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, media_type: str, *, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fail(self, status: int, message: str, *, close: bool = False) -> None:
        self._send(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8", close=close)

    # -- routing ---------------------------------------------------------------------------

    def _host_ok(self) -> bool:
        # A page on another site may point the browser at 127.0.0.1 under its own name (DNS
        # rebinding); a loopback server answers only to loopback names.
        if not self.server.loopback:
            return True
        host = self.headers.get("Host") or ""
        name = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0]
        return not name or name.lower() in _LOOPBACK

    def do_GET(self) -> None:
        if not self._host_ok():
            return self._fail(403, "this server answers only to 127.0.0.1 or localhost")
        url = urlsplit(self.path)
        if url.path == SPARQL_PATH:
            params = parse_qs(url.query, keep_blank_values=True)
            return self._sparql(params)
        self._file(url.path)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        if not self._host_ok():
            return self._fail(403, "this server answers only to 127.0.0.1 or localhost")
        url = urlsplit(self.path)
        if url.path != SPARQL_PATH:
            return self._fail(404, f"nothing to POST to at {url.path}; the endpoint is {SPARQL_PATH}")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._fail(400, "Content-Length is not a number", close=True)
        if length > self.server.max_body:
            return self._fail(413, f"request body of {length} bytes is over the limit of "
                                   f"{self.server.max_body} bytes", close=True)
        body = self.rfile.read(length) if length > 0 else b""
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._fail(400, "the request body is not UTF-8")
        if media == "application/x-www-form-urlencoded":
            for key, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif media == "application/sparql-query":
            params["query"] = [text]
        elif media == "application/sparql-update":
            return self._fail(403, "SPARQL Update is refused: this endpoint is read-only")
        else:
            return self._fail(415, f"cannot read a body of type {media or 'none'}; send "
                                   "application/x-www-form-urlencoded or application/sparql-query")
        self._sparql(params)

    def _not_allowed(self) -> None:
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD, POST")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_DELETE = do_PATCH = _not_allowed

    # -- the endpoint ----------------------------------------------------------------------

    def _sparql(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            return self._fail(403, "SPARQL Update is refused: this endpoint is read-only")
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return self._fail(400, "give exactly one query: ?query=SELECT... or POST it")
        sparql = queries[0]
        if _UPDATE.match(sparql):
            return self._fail(403, "SPARQL Update is refused: this endpoint is read-only")
        accepted = accepted_types(self.headers.get("Accept"))
        try:
            reply = self.server.runner.run(sparql, accepted, params.get("default-graph-uri") or None)
        except QueryRefused as err:
            return self._fail(err.status, str(err))
        media = reply.media_type
        charset = "" if "json" in media else "; charset=utf-8"
        self._send(200, reply.body, media + charset)

    # -- files -----------------------------------------------------------------------------

    def _file(self, path: str) -> None:
        name = unquote(path).lstrip("/") or "graph.html"
        if any(ch < " " or ch == "\x7f" for ch in name):  # NUL and other controls: no file
            return self._fail(404, f"not found: {path}")
        target = (self.server.outdir / name).resolve()
        if (
            "/" in name or "\\" in name or name.startswith(".")
            or target.parent != self.server.outdir or not target.is_file()
        ):
            return self._fail(404, f"not found: {path}")
        media = _CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream")
        self._send(200, target.read_bytes(), media)


def serve(server: Endpoint) -> None:
    """Serve until interrupted (Ctrl-C), then stop the workers."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print(file=sys.stderr)
    finally:
        server.server_close()

"""Read-only SPARQL in worker processes that can be stopped: the engine behind ``kg serve``.

Oxigraph cannot cancel a running query from Python, and a thread cannot be killed, so each
query runs in a worker process that has the store open read-only. A query that outlives the
time limit gets its worker killed (SIGKILL) and a fresh worker started in its place; the
caller gets :class:`QueryTimeout` at once. Answers longer than the row limit are refused
rather than cut short, so a client never takes a partial answer for a whole one.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["QueryRefused", "QueryRunner", "QueryTimeout", "Reply"]


class Reply(NamedTuple):
    """An answer ready to send: its media type and bytes."""

    media_type: str
    body: bytes


class QueryRefused(ValueError):
    """A query that was not answered; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class QueryTimeout(QueryRefused):
    """A query stopped at the time limit."""


def _work(conn: Connection, outdir: str, max_rows: int) -> None:
    """Worker loop: answer ``(sparql, media types, default graphs)`` requests until EOF."""
    from kg.query import QueryError, UnacceptableTypeError, answer_bytes
    from kg.store import KGStore

    store = KGStore.open_output(outdir)
    conn.send(("ready", None, None))
    while True:
        try:
            sparql, accepted, default_graph = conn.recv()
        except EOFError:
            return
        try:
            media_type, body = answer_bytes(store, sparql, accepted, max_rows=max_rows,
                                            default_graph=default_graph)
            conn.send(("ok", media_type, body))
        except UnacceptableTypeError as err:
            conn.send(("error", 406, str(err)))
        except QueryError as err:  # malformed, or past the row limit
            conn.send(("error", 400, str(err)))
        except PermissionError as err:
            conn.send(("error", 403, str(err)))
        except Exception as err:  # noqa: BLE001 (an engine error ends this query, not the worker)
            conn.send(("error", 500, f"the query failed: {err}"))


class _Worker:
    def __init__(self, ctx: Any, outdir: str, max_rows: int) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_work, args=(child, outdir, max_rows), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        if not self.conn.poll(timeout):
            raise QueryRefused(503, "the query worker did not start in time")
        try:
            self.conn.recv()
        except EOFError:
            raise QueryRefused(500, "the query worker could not open the store") from None
        self.ready = True

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryRunner:
    """A pool of worker processes answering read-only SPARQL over an output folder.

    Parameters
    ----------
    outdir
        An output folder of ``kg build`` (its ``store/``, else its ``graph.ttl``).
    workers
        How many queries may run at once.
    timeout
        Seconds a query may run (waiting for a free worker included).
    max_rows
        Rows (or triples) an answer may have.
    """

    def __init__(self, outdir: str | os.PathLike[str], *, workers: int = 2, timeout: float = 10.0,
                 max_rows: int = 10_000) -> None:
        self.outdir = str(Path(outdir))
        self.timeout = timeout
        self.max_rows = max_rows
        # spawn: the server runs threads, and forking a threaded process is unsafe
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._ctx, self.outdir, self.max_rows)
        with self._lock:
            self._all.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.remove(worker)
        self._idle.put(self._start())

    def warm_up(self, timeout: float = 60.0) -> None:
        """Wait until every worker has opened the store (raises :class:`QueryRefused`)."""
        workers = [self._idle.get() for _ in range(self._idle.qsize())]
        try:
            for worker in workers:
                worker.wait_ready(timeout)
        finally:
            for worker in workers:
                self._idle.put(worker)

    def run(self, sparql: str, accepted: list[str], default_graph: list[str] | None = None) -> Reply:
        """Answer ``sparql`` in the first of the ``accepted`` media types that fits it.

        Raises
        ------
        QueryTimeout
            When the time limit passes (HTTP 503).
        QueryRefused
            For a malformed (400), refused (403) or unanswerable (406, 500) query.
        """
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout(503, f"every query worker stayed busy for {self.timeout:g} s") from None
        try:
            worker.wait_ready(max(30.0, self.timeout))
        except QueryRefused:
            self._retire(worker)
            raise
        try:
            worker.conn.send((sparql, accepted, default_graph))
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._retire(worker)
                raise QueryTimeout(
                    503, f"the query ran past the time limit of {self.timeout:g} s and was stopped"
                )
            status, first, second = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._retire(worker)
            raise QueryRefused(500, "the query worker died; the query was not answered") from None
        except QueryTimeout:
            raise
        except BaseException:
            self._retire(worker)
            raise
        self._idle.put(worker)
        if status == "ok":
            return Reply(first, second)
        raise QueryRefused(first, second)

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            workers, self._all = list(self._all), []
        for worker in workers:
            worker.kill()

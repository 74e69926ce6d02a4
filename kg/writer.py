"""Write documents' graphs into the store on a thread of its own, in input order.

Oxigraph parses and writes a graph in Rust with Python's lock released, so while this thread
waits on the store the build's own thread goes on parsing and analysing the next documents.
Each graph is still one transaction (:meth:`kg.store.KGStore.replace_graphs`): a process
killed half-way leaves whole documents only.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Self

from rdflib import URIRef

from kg.store import KGStore

__all__ = ["FLUSH_BYTES", "StoreWriter"]

#: N-Triples characters written between two flushes at most (about 85 MB of write buffers).
FLUSH_BYTES = 12_000_000


class StoreWriter:
    """Write graphs into ``store`` on a background thread, one transaction each, in order.

    Use it as a context manager; leaving the ``with`` block waits for every graph put.

    Parameters
    ----------
    store
        The store written.
    flush_every
        Graphs between two flushes of an on-disk store's write buffers (memory stays flat).
    flush_bytes
        Or as soon as this many characters of N-Triples were written since the last flush:
        RocksDB's write buffers grow by about seven times the N-Triples text (each quad in
        every index order, in its graph and in the union), some 4 MB for a news article, so
        100 articles of the benchmark corpus swung the build's memory by 400 MB.
    backlog
        Graphs waiting at most; :meth:`put` blocks while that many wait.

    Raises
    ------
    ValueError
        If ``flush_every`` or ``backlog`` is below 1.

    >>> store = KGStore()
    >>> with StoreWriter(store) as writer:
    ...     writer.put('<urn:x:a> <urn:x:p> "1" .\\n', URIRef("urn:x:doc"))
    >>> len(store), writer.written
    (1, 1)
    """

    def __init__(self, store: KGStore, *, flush_every: int = 100,
                 flush_bytes: int = FLUSH_BYTES, backlog: int = 16) -> None:
        if flush_every < 1 or backlog < 1:
            raise ValueError(f"flush_every and backlog must be at least 1, not {flush_every} "
                             f"and {backlog}")
        self.store, self.flush_every, self.flush_bytes = store, flush_every, flush_bytes
        self._unflushed = (0, 0)  # graphs, N-Triples characters written since the last flush
        self.written = 0  # graphs written
        self.seconds = 0.0  # spent writing, on the writer thread
        self.cpu_seconds = 0.0  # of which the thread ran on a CPU (the rest: waiting on disk)
        self._queue: queue.Queue[tuple[Any, URIRef, tuple[str, ...]] | None] = queue.Queue(backlog)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def put(self, graph: Any, name: URIRef, old: Iterable[str] = ()) -> None:
        """Queue ``graph`` (N-Triples text or an ``rdflib.Graph``) to be written as the named
        graph ``name``, replacing the graphs ``old`` (see :meth:`KGStore.replace_graphs`).

        Raises
        ------
        Exception
            The error of an earlier write, which stopped the writing.
        """
        self._raise()
        if self._thread is None:  # started on first use: after any worker processes forked
            self._thread = threading.Thread(target=self._run, name="kg-store-writer", daemon=True)
            self._thread.start()
        self._queue.put((graph, name, tuple(old)))

    def close(self) -> None:
        """Wait until every queued graph is written; raise the error of a write that failed."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._raise()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.close()
            return
        try:  # already failing: write what was queued (whole documents), keep that error
            self.close()
        except Exception:  # noqa: BLE001, S110  (the error in flight is the one to report)
            pass

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # a write failed: drain the queue without writing
            graph, name, old = item
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                self.store.replace_graphs(graph, name, old)
                self.written += 1
                graphs, size = self._unflushed
                self._unflushed = graphs + 1, size + (len(graph) if isinstance(graph, str) else 0)
                if self.store.path is not None and (self._unflushed[0] >= self.flush_every
                                                    or self._unflushed[1] >= self.flush_bytes):
                    self.store.flush()
                    self._unflushed = (0, 0)
            except BaseException as err:  # noqa: BLE001  (raised in the build's thread)
                self._error = err
            self.seconds += time.perf_counter() - start
            self.cpu_seconds += time.thread_time() - cpu

"""Write documents' graphs into the store on a thread of its own, in input order.

Oxigraph parses and writes a graph in Rust with Python's lock released, so while this thread
waits on the store the build's own thread goes on parsing and analysing the next documents.
The thread writes a few documents at once (:meth:`kg.store.KGStore.write_graphs`: on disk,
Oxigraph's bulk loader, whose SST files RocksDB ingests in one atomic step), which costs a
quarter to a third less CPU than a transaction per document (``benchmarks/bench_writes.py``);
each write is still all or nothing, so a process killed half-way leaves whole documents only.
A batch that fails is written again one document at a time, so the store ends as if every
document had been written on its own.
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

__all__ = ["BACKLOG", "BATCH", "BATCH_BYTES", "FLUSH_BYTES", "StoreWriter"]

#: N-Triples characters written between two flushes at most (about 85 MB of write buffers).
FLUSH_BYTES = 12_000_000
#: Documents written at once at most. Fewer, larger writes leave RocksDB less to compact:
#: 300 corpus documents cost the process 3.0 CPU s in writes of 48 (6 MB), 3.7 in writes of
#: 16 (2 MB), for 118 and 62 MiB more memory (``python benchmarks/bench_writes.py --docs 300
#: --repeat 1``, ways ``writer`` and ``writer-16``; 2.7 s and 180 MiB in writes of 64).
BATCH = 48
#: N-Triples characters written at once at most (Oxigraph holds several times the text in
#: memory while it writes).
BATCH_BYTES = 6_000_000
#: Graphs waiting at most: room for the next batch while one is written, so that the build's
#: thread need not wait on the writer (300 corpus documents into the store, one process, two
#: runs of each alternated: 20.6 and 21.1 s with 16, 19.6 and 20.3 s with 96).
BACKLOG = 2 * BATCH

_Item = tuple[Any, URIRef, tuple[str, ...]]


class StoreWriter:
    """Write graphs into ``store`` on a background thread, in order, a few at once.

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
    batch
        Graphs written at once at most (:meth:`KGStore.write_graphs`): the thread waits for
        that many (or ``batch_bytes`` of text, or the end) before it writes. 1 writes each
        on its own. A graph that replaces older ones, or whose text holds a blank node, is
        written on its own.
    batch_bytes
        N-Triples characters written at once at most (a single larger graph is written
        alone).

    Raises
    ------
    ValueError
        If ``flush_every``, ``backlog``, ``batch`` or ``batch_bytes`` is below 1.

    >>> store = KGStore()
    >>> with StoreWriter(store) as writer:
    ...     writer.put('<urn:x:a> <urn:x:p> "1" .\\n', URIRef("urn:x:doc"))
    >>> len(store), writer.written
    (1, 1)
    """

    def __init__(self, store: KGStore, *, flush_every: int = 100,
                 flush_bytes: int = FLUSH_BYTES, backlog: int = BACKLOG, batch: int = BATCH,
                 batch_bytes: int = BATCH_BYTES) -> None:
        if min(flush_every, backlog, batch, batch_bytes) < 1:
            raise ValueError(f"flush_every, backlog, batch and batch_bytes must be at least 1, "
                             f"not {flush_every}, {backlog}, {batch} and {batch_bytes}")
        self.store, self.flush_every, self.flush_bytes = store, flush_every, flush_bytes
        self.batch, self.batch_bytes = batch, batch_bytes
        self._unflushed = (0, 0)  # graphs, N-Triples characters written since the last flush
        self.written = 0  # graphs written
        self.writes = 0  # store writes (each all or nothing) that wrote them
        self.seconds = 0.0  # spent writing, on the writer thread
        self.cpu_seconds = 0.0  # of which the thread ran on a CPU (the rest: waiting on disk)
        self._queue: queue.Queue[_Item | None] = queue.Queue(backlog)
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
        held: _Item | None = None  # taken from the queue, to start the next batch
        done = False
        while not done:
            first = held if held is not None else self._queue.get()
            held = None
            if first is None:
                break
            batch, size = [first], _size(first)
            while _batchable(first) and len(batch) < self.batch and size < self.batch_bytes:
                item = self._queue.get()  # wait for the next graph: fewer, larger writes
                if item is None:
                    done = True
                    break
                if not _batchable(item) or size + _size(item) > self.batch_bytes:
                    held = item  # written after this batch, in order
                    break
                batch.append(item)
                size += _size(item)
            if self._error is None:  # after a failed write: drain the queue without writing
                self._write(batch, size)

    def _write(self, batch: list[_Item], size: int) -> None:
        """Write ``batch`` at once; if that fails, each graph on its own, in order, up to the
        first that fails (whose error stops the writing)."""
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            try:
                self.store.write_graphs(batch, lenient=True)  # text kg.rdf wrote
            except Exception:  # one bad graph must not cost its batch: the graphs one by one
                if len(batch) == 1:
                    raise
                for item in batch:
                    self.store.write_graphs([item], lenient=True)
                    self._count([item], _size(item))
            else:
                self._count(batch, size)
        except BaseException as err:  # noqa: BLE001  (raised in the build's thread)
            self._error = err
        self.seconds += time.perf_counter() - start
        self.cpu_seconds += time.thread_time() - cpu

    def _count(self, written: list[_Item], size: int) -> None:
        """Count one write of ``written`` (``size`` characters), and flush the store's write
        buffers when enough was written since the last flush."""
        self.writes += 1
        self.written += len(written)
        graphs, chars = self._unflushed
        self._unflushed = graphs + len(written), chars + size
        if self.store.path is not None and (self._unflushed[0] >= self.flush_every
                                            or self._unflushed[1] >= self.flush_bytes):
            self.store.flush()
            self._unflushed = (0, 0)


def _size(item: _Item) -> int:
    """N-Triples characters of a queued graph (0 for an ``rdflib.Graph``)."""
    return len(item[0]) if isinstance(item[0], str) else 0


def _batchable(item: _Item) -> bool:
    """Whether a queued graph may be written together with others: N-Triples text without
    blank nodes (whose labels would be shared across the texts of one parse) that replaces no
    older graph (those keep a SPARQL Update of their own)."""
    return isinstance(item[0], str) and not item[2] and "_:" not in item[0]

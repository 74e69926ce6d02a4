"""The per-document stages in worker processes: ``kg build --processes N``.

Parsing, analysis, the rdflib graph and its SHACL check run in ``N`` worker processes, each
with its own copy of the pipeline; this process reads the inputs, writes each graph into the
store and keeps the report. Documents go out in chunks and come back in input order, with at
most a few chunks per worker in flight, so a corpus of any size streams through.

Workers are forked where the platform allows it (they inherit the loaded pipeline, nothing is
pickled); elsewhere they are spawned and the pipeline is pickled to them once (our components
are registered factories, so a pipeline with them pickles).
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from spacy.language import Language

from kg.longtext import DEFAULT_MAX_CHARS
from kg.types import Document, DocumentOutcome
from kg.validate import Validator

__all__ = ["ProcessRunner", "chunked", "in_order"]

_STATE: dict[str, Any] = {}  # the pipeline and validator of a worker process


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of ``size`` consecutive items (the last may be shorter).

    >>> list(chunked(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def in_order(submit: Callable[[Any], Any], result: Callable[[Any], list[Any]],
             chunks: Iterable[Any], *, window: int) -> Iterator[Any]:
    """Submit ``chunks`` with at most ``window`` pending; yield their results' items in order.

    Parameters
    ----------
    submit
        Starts the work on one chunk and returns a handle (an ``AsyncResult``, a future).
    result
        Waits for a handle and returns the chunk's results as a list.
    chunks
        The work, read lazily: only ``window`` chunks are read ahead.
    window
        Chunks in flight at most.
    """
    pending: deque[Any] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield from result(pending.popleft())
    while pending:
        yield from result(pending.popleft())


def _start(nlp: Language, max_chars: int, validator: Validator | None) -> None:
    _STATE.update(nlp=nlp, max_chars=max_chars,
                  validator=validator if validator is not None else Validator())


def _work(chunk: list[tuple[Document, bool]]) -> list[DocumentOutcome]:
    from kg.build import outcomes

    return list(outcomes(_STATE["nlp"], chunk, validator=_STATE["validator"],
                         max_chars=_STATE["max_chars"]))


class ProcessRunner:
    """Run :func:`kg.build.outcomes` in ``processes`` worker processes.

    Parameters
    ----------
    nlp
        The pipeline the workers use.
    processes
        Worker processes (at least 1).
    chunk_size
        Documents per task: each worker parses a chunk with ``nlp.pipe``.
    max_chars
        As for :func:`kg.build.parse`.
    validate
        Whether some documents will be validated: the SHACL validator is then prepared
        (shapes parsed, pySHACL imported) before the workers fork, so they share it.

    Raises
    ------
    ValueError
        If ``processes`` or ``chunk_size`` is below 1.
    """

    def __init__(self, nlp: Language, *, processes: int = 2, chunk_size: int = 4,
                 max_chars: int = DEFAULT_MAX_CHARS, validate: bool = True) -> None:
        if processes < 1 or chunk_size < 1:
            raise ValueError(f"processes and chunk_size must be at least 1, not "
                             f"{processes} and {chunk_size}")
        self.nlp, self.processes, self.chunk_size = nlp, processes, chunk_size
        self.max_chars, self.validate = max_chars, validate

    def __call__(self, items: Iterable[tuple[Document, bool]]) -> Iterator[DocumentOutcome]:
        """Outcomes of ``items``, in input order."""
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        context = mp.get_context(method)
        # forked workers inherit a prepared validator; spawned ones make their own
        validator = Validator().prepare() if method == "fork" and self.validate else None
        with context.Pool(self.processes, initializer=_start,
                          initargs=(self.nlp, self.max_chars, validator)) as pool:
            yield from in_order(
                lambda chunk: pool.apply_async(_work, (chunk,)),
                lambda handle: handle.get(),
                chunked(items, self.chunk_size),
                window=2 * self.processes,
            )

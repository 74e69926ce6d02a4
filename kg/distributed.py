"""The per-document stages on a Dask cluster: ``kg build --dask [SCHEDULER_ADDRESS]``.

The client (``kg build``) reads the inputs and sends them in chunks of a few documents to
the cluster's workers; each worker loads the spaCy pipeline once (a cached loader, warmed on
every worker before the first chunk), runs :func:`kg.build.outcomes` (parse, analyse, rdf,
validate) and sends back each document's outcome with its rdflib graph. The client writes the
graphs into the store in input order, exactly as a local build does, so the store holds the
same triples whatever ran the stages. A handful of chunks per worker are in flight at a time:
the corpus streams through.

Workers need ``actorkg`` and the pipeline package installed (``pip install 'actorkg[dask]'``
and the model); without an address a ``LocalCluster`` of worker processes is started here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any, Self

from kg.longtext import DEFAULT_MAX_CHARS
from kg.nlp import DEFAULT_MODEL
from kg.types import Document, DocumentOutcome
from kg.workers import chunked, in_order

__all__ = ["DaskError", "DaskRunner", "worker_pipeline"]


class DaskError(RuntimeError):
    """Dask is not installed, the scheduler cannot be reached, or a worker lacks the model."""


@cache
def worker_pipeline(model: str) -> Any:
    """The pipeline ``model`` of this worker process, loaded on first use only.

    Returns
    -------
    tuple
        ``(nlp, validator)``.
    """
    from kg.nlp import load_pipeline
    from kg.validate import Validator

    return load_pipeline(model), Validator()


def _warm(model: str) -> str:
    """Load the pipeline on a worker; return its name (the error text when it fails)."""
    try:
        worker_pipeline(model)
    except Exception as err:  # noqa: BLE001  (reported to the client as one line)
        return f"error: {err}"
    return model


def _work(chunk: list[tuple[Document, bool]], model: str, max_chars: int) -> list[DocumentOutcome]:
    from kg.build import outcomes

    nlp, validator = worker_pipeline(model)
    return list(outcomes(nlp, chunk, validator=validator, max_chars=max_chars))


class DaskRunner:
    """Run :func:`kg.build.outcomes` on a Dask cluster, results in input order.

    Use it as a context manager to connect (and load the pipeline on every worker) before
    anything else is touched: ``kg build`` does, so a missing scheduler or model leaves the
    output folder as it was. Called outside a ``with`` block it connects on first use.

    Parameters
    ----------
    address
        The scheduler (``tcp://host:8786``); None starts a ``LocalCluster`` here.
    model
        The spaCy pipeline package name (or folder path) each worker loads.
    workers
        Worker processes of the ``LocalCluster`` (one thread each); ignored with an address.
    chunk_size
        Documents per task.
    max_chars
        As for :func:`kg.build.parse`.
    """

    def __init__(self, address: str | None = None, *, model: str = DEFAULT_MODEL,
                 workers: int = 2, chunk_size: int = 4,
                 max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.address, self.model, self.workers = address, model, workers
        self.chunk_size, self.max_chars = chunk_size, max_chars
        self._cluster: Any = None
        self._client: Any = None
        self._workers = 0

    def __enter__(self) -> Self:
        """Connect to the scheduler (or start a ``LocalCluster``) and load the pipeline on
        every worker.

        Raises
        ------
        DaskError
            Dask is missing, the scheduler is unreachable, or a worker cannot load the model.
        """
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise DaskError("--dask needs dask.distributed: pip install 'actorkg[dask]'") from None
        try:
            if self.address is None:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                             processes=True, dashboard_address=None)
            try:
                self._client = Client(self._cluster or self.address, timeout=30)
            except OSError as err:
                raise DaskError(f"cannot reach the Dask scheduler {self.address}: {err}") from None
            loaded = self._client.run(_warm, self.model)  # once per worker, before any work
            if not loaded:
                raise DaskError(f"the Dask scheduler {self.address} has no workers")
            for worker, answer in loaded.items():
                if answer != self.model:
                    raise DaskError(f"Dask worker {worker} cannot load the pipeline "
                                    f"{self.model!r}: {answer}")
            self._workers = len(loaded)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the client and the ``LocalCluster`` this runner started."""
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def __call__(self, items: Iterable[tuple[Document, bool]]) -> Iterator[DocumentOutcome]:
        """Outcomes of ``items``, in input order.

        Raises
        ------
        DaskError
            As for :meth:`__enter__`, when the runner was not entered before.
        """
        if self._client is not None:
            yield from self._outcomes(items)
            return
        with self:
            yield from self._outcomes(items)

    def _outcomes(self, items: Iterable[tuple[Document, bool]]) -> Iterator[DocumentOutcome]:
        client = self._client
        yield from in_order(
            lambda chunk: client.submit(_work, chunk, self.model, self.max_chars, pure=False),
            lambda future: future.result(),
            chunked(items, self.chunk_size),
            window=3 * self._workers,
        )

"""Progress of long builds, and the time each stage of a build takes.

:class:`Progress` shows a tqdm bar (documents/s, tokens/s, ETA) when its stream is a terminal,
a plain line every ``every`` documents when it is not (a log file, CI), and nothing when
quiet. :class:`StageClock` adds up the seconds spent per stage.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, Literal

from kg.ingest import find_inputs

__all__ = ["STAGES", "Progress", "ProgressMode", "StageClock", "expected_documents"]

#: The stages of a build, in the order they run.
STAGES = ("ingest", "parse", "analyse", "rdf", "validate", "store", "outputs")

ProgressMode = Literal["bar", "lines", "off"]


class StageClock:
    """Seconds spent per stage, added up over a build.

    >>> clock = StageClock()
    >>> with clock.stage("rdf"):
    ...     pass
    >>> clock.seconds["rdf"] >= 0.0
    True
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)

    def add(self, stage: str, seconds: float) -> None:
        """Add ``seconds`` to ``stage``."""
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def merge(self, seconds: dict[str, float]) -> None:
        """Add the seconds of another clock (a worker's) stage by stage."""
        for stage, value in seconds.items():
            self.add(stage, value)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as ``name``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def timed(self, items: Iterable[Any], stage: str) -> Iterator[Any]:
        """Yield from ``items``, timing each step of the iteration as ``stage``."""
        iterator = iter(items)
        while True:
            start = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self.add(stage, time.perf_counter() - start)
                return
            self.add(stage, time.perf_counter() - start)
            yield item


def expected_documents(paths: Iterable[str | os.PathLike[str]]) -> int:
    """How many documents ``paths`` hold, for an ETA: one per file, one per JSONL line.

    Counts without decoding anything (a JSONL line that later fails to read still counts).

    Raises
    ------
    kg.ingest.MissingInputError
        If a path does not exist.
    """
    total = 0
    for path in find_inputs(paths):
        if path.suffix.lower() == ".jsonl":
            with open(path, "rb") as lines:
                total += sum(1 for line in lines if line.strip())
        else:
            total += 1
    return total


class Progress:
    """Report documents done, documents/s, tokens/s and the time left.

    Parameters
    ----------
    total
        Documents expected (None when unknown: no ETA then).
    mode
        ``"bar"`` (tqdm), ``"lines"`` (one plain line every ``every`` documents and at the
        end), ``"off"``; :meth:`for_stream` picks one.
    every
        Documents between two lines in ``"lines"`` mode.
    stream
        Where to write (standard error by default).
    """

    def __init__(self, total: int | None = None, *, mode: ProgressMode = "lines",
                 every: int = 100, stream: IO[str] | None = None) -> None:
        self.total = total
        self.mode = mode
        self.every = max(1, every)
        self.stream = stream if stream is not None else sys.stderr
        self.documents = 0
        self.tokens = 0
        self.failed = 0
        self.start = time.perf_counter()
        self._bar: Any = None
        if mode == "bar":
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="doc", file=self.stream, dynamic_ncols=True,
                             smoothing=0.1)

    @classmethod
    def for_stream(cls, total: int | None = None, *, quiet: bool = False, every: int = 100,
                   stream: IO[str] | None = None) -> Progress:
        """A bar on a terminal, plain lines elsewhere, nothing when ``quiet``."""
        stream = stream if stream is not None else sys.stderr
        mode: ProgressMode = "off" if quiet else "bar" if stream.isatty() else "lines"
        return cls(total, mode=mode, every=every, stream=stream)

    def update(self, *, tokens: int = 0, failed: bool = False) -> None:
        """One more document done (``failed`` when it could not be analysed or read)."""
        self.documents += 1
        self.tokens += tokens
        self.failed += failed
        if self._bar is not None:
            elapsed = max(time.perf_counter() - self.start, 1e-9)
            self._bar.set_postfix_str(f"{self.tokens / elapsed:,.0f} tokens/s", refresh=False)
            self._bar.update(1)
        elif self.mode == "lines" and self.documents % self.every == 0:
            self._line()

    def close(self) -> None:
        """End the bar, or write the last line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.mode == "lines" and self.documents % self.every != 0:
            self._line()

    def _line(self) -> None:
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        rate = self.documents / elapsed
        left = ""
        if self.total and rate > 0 and self.total > self.documents:
            left = f", ETA {_clock((self.total - self.documents) / rate)}"
        total = f"/{self.total}" if self.total else ""
        failed = f", {self.failed} failed" if self.failed else ""
        print(f"kg: {self.documents}{total} documents, {rate:.2f} documents/s, "
              f"{self.tokens / elapsed:,.0f} tokens/s{failed}{left}", file=self.stream, flush=True)


def _clock(seconds: float) -> str:
    """``3725`` -> ``'1:02:05'``."""
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"

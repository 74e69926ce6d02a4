"""The outputs stage of ``kg build`` (``kg.build.write_outputs``), step by step, on a built store.

Usage: ``python benchmarks/bench_outputs.py OUTDIR`` where ``OUTDIR`` is the output folder of
a finished build (its ``store/`` is rewritten: copy it first with ``cp -a``). Prints the
seconds and the peak resident memory of this process in each step (sampled every 50 ms):
dropping the old analysis graph (what ``kg add`` does; a fresh build has none), writing the
counts of the analysis graph (streamed), projecting the network, the figures (``measure``),
writing them, the per-node records of the report, then ``graph.ttl``, ``analysis.json`` and
``graph.html``: the steps of ``kg.network.analyse_store`` and ``kg.build.write_outputs``, in
their order, with the malloc arenas limited as the ``kg`` command limits them
(``kg.memory.limit_arenas``). Numbers in ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kg.build import _write_json
from kg.explore import BUILD_EXPLORER_NODES, write_explorer
from kg.memory import limit_arenas, trim
from kg.network import ANALYSIS_GRAPH, _ntriple_lines, actor_graph, figure_triples, measure, report
from kg.store import STORE_DIR, KGStore
from kg.tallies import tally_triples

_peak = [0.0, 0.0]  # in the current step, overall


def _rss() -> float:
    """Resident memory of this process, MiB."""
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _sample() -> None:
    while True:
        rss = _rss()
        _peak[0], _peak[1] = max(_peak[0], rss), max(_peak[1], rss)
        time.sleep(0.05)


def _step(name: str, run: Callable[[], Any]) -> Any:
    _peak[0] = _rss()
    start = time.perf_counter()
    result = run()
    print(f"{name}: {time.perf_counter() - start:.1f} s, resident {_rss():.0f} MiB after, "
          f"peak {_peak[0]:.0f} MiB", flush=True)
    return result


def main(out: Path) -> None:
    limit_arenas()  # before the store and its threads start, as the kg command does
    threading.Thread(target=_sample, daemon=True).start()
    start = time.perf_counter()
    store = KGStore(out / STORE_DIR)
    _step("drop the old analysis graph", lambda: store.drop_derived_graph(ANALYSIS_GRAPH))
    counts = _step("write the counts", lambda: store.replace_derived_graph(
        ANALYSIS_GRAPH, _ntriple_lines(tally_triples(store))))
    graph = _step("actor_graph", lambda: actor_graph(store))
    summary = _step("figures", lambda: measure(graph))
    written = _step("write the figures", lambda: store.extend_derived_graph(
        ANALYSIS_GRAPH, _ntriple_lines(figure_triples(graph))))
    trim()
    analysis = _step("the records", lambda: report(graph, summary))
    print(f"{counts + written} analysis triples")
    _step("graph.ttl", lambda: store.write_turtle(out / "graph.ttl"))
    _step("analysis.json", lambda: _write_json(out / "analysis.json", analysis))
    _step("graph.html", lambda: write_explorer(graph, out / "graph.html", top=BUILD_EXPLORER_NODES))
    print(f"total {time.perf_counter() - start:.0f} s, peak resident {_peak[1]:.0f} MiB")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not (Path(sys.argv[1]) / STORE_DIR).is_dir():
        sys.exit("usage: python benchmarks/bench_outputs.py OUTDIR  (a built output folder)")
    main(Path(sys.argv[1]))

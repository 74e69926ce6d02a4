"""How long the explorer takes to settle at 5,000 nodes, in headless Chromium.

Not a unit test: ``make bench`` runs it (``python benchmarks/bench_explorer.py [NODES]``).
A planted-partition graph of NODES nodes (default 5,000) in communities of about 50, with
about four times as many edges, gets its figures (:func:`kg.network.figures`), is written
with :func:`kg.explore.write_explorer`, and is opened in Debian's chromium through
chromedriver (nothing downloaded). The page sets ``window.kgStabilized``
(``performance.now()``, ms since navigation) when the layout has settled and the physics
stopped; that is the number reported.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from kg.explore import write_explorer
from kg.network import figures

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def planted_graph(n: int, *, size: int = 50, seed: int = 1) -> nx.Graph:
    """``n`` nodes in communities of ``size``; ~3.6 edges per node inside, ~0.4 across."""
    rng = random.Random(seed)
    sizes = [size] * (n // size) + ([n % size] if n % size else [])
    graph = nx.random_partition_graph(sizes, 7.2 / size, 0.8 / n, seed=seed)
    classes = ("Person", "Organization", "Location", "Country", "NationalityGroup")
    for node in graph:
        graph.nodes[node].update(label=f"Actor {node}", cls=rng.choice(classes), mentions=1,
                                 evidence=[{"sentence": f"Actor {node} said something.",
                                            "source": "bench.txt"}])
    for u, v in graph.edges():
        graph.edges[u, v].update(relation=rng.choice(["co-occurs", "leads", "memberOf"]),
                                 weight=rng.randint(1, 3), directed=True,
                                 evidence=[{"sentence": f"{u} and {v}.", "source": "bench.txt"}])
    return graph


def settle_time(page: Path, *, timeout: float = 120.0) -> float:
    """Milliseconds from navigation until the page's layout settled, in headless Chromium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"
    profile = tempfile.mkdtemp(prefix="kg-bench-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1400,900", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(timeout)
        driver.get(page.as_uri())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = driver.execute_script("return window.kgStabilized")
            if done is not None:
                return float(done)
            time.sleep(0.1)
        raise TimeoutError(f"{page}: the layout did not settle within {timeout} s")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def main(n: int = 5000) -> None:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        sys.exit(f"bench_explorer: needs {CHROMIUM} and {CHROMEDRIVER} "
                 "(apt-get install chromium chromium-driver)")
    graph = planted_graph(n)
    start = time.perf_counter()
    report = figures(graph)
    analysed = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        page = Path(tmp) / "graph.html"
        start = time.perf_counter()
        write_explorer(graph, page, title=f"bench {n}")
        written = time.perf_counter() - start
        size = page.stat().st_size
        settled = settle_time(page)
    print(f"explorer, {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
          f"{report['counts']['communities']} communities:")
    print(f"  figures (betweenness sampled k={report['parameters']['betweenness']['k']}): "
          f"{analysed:6.2f} s")
    print(f"  write_explorer:                       {written:6.2f} s  ({size / 1e6:.1f} MB)")
    print(f"  headless Chromium, load to settled:   {settled / 1000:6.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)

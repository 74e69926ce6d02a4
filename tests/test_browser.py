"""The explorer in a real browser: Debian's headless Chromium driven by selenium.

Nothing is downloaded: chromedriver and chromium are the system's (``apt-get install
chromium chromium-driver``), Selenium Manager is kept offline. Outside CI the tests skip
when chromium is absent; in CI (``CI=true``) they fail instead, since ``.ci/run`` installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kg.explore import write_explorer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
IMG = "<img src=x onerror=alert(1)>"
EVIDENCE = [{"sentence": "Ann Lee leads Acme, the police said.", "source": "news/a.txt"}]
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,900")
# Any alert, confirm or prompt is recorded instead of shown (and would fail the tests).
TRAP = """window.__dialogs = [];
["alert", "confirm", "prompt"].forEach(function (f) {
  window[f] = function (m) { window.__dialogs.push(f + ":" + m); };
});"""


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} not found (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not fetch a browser or driver
    profile = tempfile.mkdtemp(prefix="kg-test-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRAP})
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    nodes = [("urn:akg:ann", "Ann Lee", "Person", 0.4, 0), ("urn:akg:acme", "Acme", "Organization", 0.3, 0),
             ("urn:akg:img", IMG, "Organization", 0.2, 1), ("urn:akg:kh", "Cambodia", "Country", 0.1, 1)]
    for iri, label, cls, pagerank, community in nodes:
        g.add_node(iri, label=label, cls=cls, pagerank=pagerank, degree=1, mentions=2,
                   community=community, evidence=EVIDENCE if iri == "urn:akg:ann" else
                   [{"sentence": f"{IMG} was named.", "source": IMG}])
    g.add_edge("urn:akg:ann", "urn:akg:acme", "leads", relation="leads", weight=2,
               directed=True, evidence=EVIDENCE)
    g.add_edge("urn:akg:img", "urn:akg:kh", "co-occurs", relation="co-occurs", weight=1,
               directed=False, evidence=[])
    g.add_edge("urn:akg:acme", "urn:akg:kh", "locatedIn", relation="locatedIn", weight=1,
               directed=True, evidence=[])
    return g


def open_page(driver: Any, page: Path, timeout: float = 60) -> None:
    """Load ``page`` and wait until its layout has settled; clear the logs before."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(page.as_uri())
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return window.kgStabilized !== null && "
                                   "window.kgStabilized !== undefined"))


def requests(driver: Any) -> list[str]:
    """URLs the page asked for, from Chromium's DevTools Network events."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def click_node(driver: Any, node_id: str) -> None:
    """A real mouse click at the node's place on the canvas."""
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = driver.find_element("css selector", "#network canvas")
    x, y = driver.execute_script(
        "var p = kgNetwork.getPositions([arguments[0]])[arguments[0]];"
        "var d = kgNetwork.canvasToDOM(p); return [d.x, d.y];", node_id)
    width, height = canvas.size["width"], canvas.size["height"]
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(x - width / 2), int(y - height / 2)).click().perform()


@pytest.fixture(scope="module")
def page(graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_explorer(graph, tmp_path_factory.mktemp("browser") / "graph.html",
                          title=f"Story {IMG}")


def test_loads_without_console_errors_or_requests(driver, page):
    open_page(driver, page)
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    others = [u for u in requests(driver) if u != page.as_uri() and not u.startswith("data:")]
    assert others == []
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (r) { return r.name; })")
    assert [r for r in resources if not r.startswith("data:")] == []


def test_network_holds_every_node_and_edge(driver, page, graph):
    open_page(driver, page)
    counts = driver.execute_script(
        "return [kgNetwork.body.data.nodes.length, kgNetwork.body.data.edges.length,"
        " Object.keys(kgNetwork.getPositions()).length]")
    assert counts == [graph.number_of_nodes(), graph.number_of_edges(), graph.number_of_nodes()]
    assert driver.execute_script("return kgNetwork.physics.options.enabled") is False  # frozen


def test_clicking_a_node_shows_its_evidence(driver, page):
    open_page(driver, page)
    click_node(driver, "urn:akg:ann")
    panel = driver.find_element("id", "panel")
    assert panel.is_displayed()
    assert panel.find_element("tag name", "h2").text == "Ann Lee"
    assert EVIDENCE[0]["sentence"] in panel.text and EVIDENCE[0]["source"] in panel.text
    assert driver.execute_script("return kgNetwork.getSelectedNodes()") == ["urn:akg:ann"]


def test_hostile_label_is_text_and_fires_nothing(driver, page):
    open_page(driver, page)
    click_node(driver, "urn:akg:img")
    panel = driver.find_element("id", "panel")
    assert panel.find_element("tag name", "h2").text == IMG  # shown as typed, not parsed
    assert IMG in panel.find_element("css selector", ".source").text
    assert driver.execute_script("return document.querySelectorAll('img').length") == 0
    tip_text = driver.execute_script(
        "var t = kgNetwork.body.nodes['urn:akg:img'].options.title;"
        "return [t.textContent, t.children.length]")
    assert IMG in tip_text[0] and tip_text[1] == 0
    assert driver.find_element("tag name", "h1").text == f"Story {IMG}"
    assert driver.execute_script("return window.__dialogs") == []
    assert [u for u in requests(driver) if u.endswith("/x")] == []  # no <img src=x> fetched


def test_search_filter_and_colour_controls(driver, page):
    from selenium.webdriver.common.keys import Keys

    open_page(driver, page)
    search = driver.find_element("id", "search")
    search.send_keys("cambod", Keys.ENTER)
    assert driver.find_element("css selector", "#panel h2").text == "Cambodia"
    driver.find_element("css selector", "#legend input[value='Organization']").click()
    hidden = driver.execute_script(
        "return kgNetwork.body.data.nodes.get({filter: function (n) { return n.hidden; }})"
        ".map(function (n) { return n.id; }).sort()")
    assert hidden == ["urn:akg:acme", "urn:akg:img"]
    driver.find_element("css selector", "#legend input[value='Organization']").click()
    driver.find_element("css selector", "#communities li:nth-child(3) button").click()  # 1
    shown = driver.execute_script(
        "return kgNetwork.body.data.nodes.get({filter: function (n) { return !n.hidden; }})"
        ".map(function (n) { return n.id; }).sort()")
    assert shown == ["urn:akg:img", "urn:akg:kh"]
    driver.find_element("css selector", "#colour-by input[value='community']").click()
    groups = driver.execute_script(
        "return kgNetwork.body.data.nodes.map(function (n) { return n.group; }).sort()")
    assert groups == ["community-0", "community-0", "community-1", "community-1"]
    assert driver.execute_script("return window.__dialogs") == []


def test_the_demo_page(driver, demo_build):
    out, report = demo_build
    open_page(driver, out / "graph.html")
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    nodes = driver.execute_script("return kgNetwork.body.data.nodes.length")
    assert nodes == report.analysis["counts"]["nodes"]
    assert [u for u in requests(driver) if not u.startswith(("file:", "data:"))] == []

"""kg.explore: the HTML explorer is self-contained, offline and escapes news text."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import networkx as nx
import pytest

from kg.explore import write_explorer

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"
EVIDENCE = [{"sentence": 'He said "quotes" & <b>bold</b> things.', "source": "news/a.txt"}]

# Any src/href attribute pointing at http(s):// or protocol-relative //.
REMOTE = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture
def graph() -> nx.Graph:
    g = nx.Graph()
    people = [
        ("urn:akg:ann", "Ann Lee", "Person", 0.4),
        ("urn:akg:img", IMG, "Organization", 0.3),
        ("urn:akg:scr", SCRIPT, "Country", 0.2),
        ("urn:akg:odd", "Somewhere", "Planet", 0.1),  # not an actor class: grey
    ]
    for iri, label, cls, pagerank in people:
        g.add_node(iri, label=label, cls=cls, pagerank=pagerank, degree=0, mentions=2,
                   evidence=EVIDENCE if cls == "Person" else [])
    g.add_edge("urn:akg:ann", "urn:akg:img", weight=3, relation="leads", evidence=EVIDENCE)
    g.add_edge("urn:akg:img", "urn:akg:scr", weight=1, relation="co-occurs", evidence=[])
    g.add_edge("urn:akg:scr", "urn:akg:odd", weight=2, relation="co-occurs", evidence=[])
    return g


def embedded(page: str) -> dict:
    """The graph data JSON the page embeds."""
    pattern = r'<script type="application/json" id="graph-data">(.*?)</script>'
    match = re.search(pattern, page, re.S)
    assert match, "graph data block not found"
    return json.loads(match.group(1))


def test_writes_and_returns_path(graph: nx.Graph, tmp_path: Path) -> None:
    out = write_explorer(graph, tmp_path / "sub" / "kg.html", title="My <graph>")
    assert out == tmp_path / "sub" / "kg.html"
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["kg.html"]  # no temp file left


def test_no_remote_resources(graph: nx.Graph, tmp_path: Path) -> None:
    page = write_explorer(graph, tmp_path / "kg.html").read_text("utf-8")
    assert not REMOTE.search(page), REMOTE.search(page)
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert not re.search(r"@import|url\(\s*[\"']?(?:https?:)?//", page, re.IGNORECASE)


def test_vis_network_is_inlined(graph: nx.Graph, tmp_path: Path) -> None:
    page = write_explorer(graph, tmp_path / "kg.html").read_text("utf-8")
    assert "vis-network" in page
    assert ".vis-tooltip" in page  # the library CSS
    assert len(page) > 400_000  # the minified library itself is ~450 kB


def test_untrusted_text_is_escaped(graph: nx.Graph, tmp_path: Path) -> None:
    page = write_explorer(graph, tmp_path / "kg.html", title=IMG).read_text("utf-8")
    assert "<img src=x" not in page
    assert "</script><script>alert" not in page
    assert "<b>bold" not in page
    assert "innerHTML" not in page.split("<script>")[-1]  # our own page script
    data = embedded(page)  # the data survive, as text, once decoded
    labels = {n["label"] for n in data["nodes"]}
    assert {IMG, SCRIPT} <= labels
    assert data["details"]["urn:akg:ann"]["evidence"] == EVIDENCE
    assert html.escape(IMG) in page  # the title, escaped in <title> and <h1>


def test_counts_and_attributes(graph: nx.Graph, tmp_path: Path) -> None:
    page = write_explorer(graph, tmp_path / "kg.html").read_text("utf-8")
    data = embedded(page)
    assert len(data["nodes"]) == 4 and len(data["edges"]) == 3
    assert "4 nodes · 3 edges" in page
    groups = data["options"]["groups"]
    assert groups["Planet"]["color"] == "#9E9E9E"
    assert len({groups[c]["color"] for c in ("Person", "Organization", "Country")}) == 3
    leads = next(e for e in data["edges"] if e["label"] == "leads")
    assert leads["value"] == 3 and data["details"][leads["id"]]["relation"] == "leads"
    assert data["options"]["physics"]["stabilization"]["iterations"] > 0
    assert "physics: false" in page  # layout frozen after stabilisation


def test_top_keeps_highest_pagerank(graph: nx.Graph, tmp_path: Path) -> None:
    data = embedded(write_explorer(graph, tmp_path / "kg.html", top=2).read_text("utf-8"))
    assert {n["id"] for n in data["nodes"]} == {"urn:akg:ann", "urn:akg:img"}
    assert [(e["from"], e["to"]) for e in data["edges"]] == [("urn:akg:ann", "urn:akg:img")]


def test_negative_top_is_an_error(graph: nx.Graph, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="top"):
        write_explorer(graph, tmp_path / "kg.html", top=-1)


def test_empty_graph(tmp_path: Path) -> None:
    page = write_explorer(nx.Graph(), tmp_path / "kg.html").read_text("utf-8")
    data = embedded(page)
    assert data["nodes"] == [] and data["edges"] == []
    assert "0 nodes · 0 edges" in page and page.rstrip().endswith("</html>")


def test_replaces_existing_file(graph: nx.Graph, tmp_path: Path) -> None:
    out = tmp_path / "kg.html"
    out.write_text("old")
    write_explorer(graph, out)
    assert "vis-network" in out.read_text("utf-8")

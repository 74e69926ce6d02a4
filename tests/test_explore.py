"""kg.explore: the HTML explorer is self-contained, offline and escapes news text."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import networkx as nx
import pytest

from kg.explore import BUILD_EXPLORER_NODES, LARGE, explorer_data, write_explorer

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
    match = re.search(pattern, page, re.DOTALL)
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
    assert groups["Planet"]["color"]["background"] == "#9E9E9E"
    assert len({groups[c]["color"]["background"] for c in ("Person", "Organization", "Country")}) == 3
    leads = next(e for e in data["edges"] if e["label"] == "leads")
    assert leads["value"] == 3 and data["details"][leads["id"]]["relation"] == "leads"
    assert data["options"]["physics"]["stabilization"]["iterations"] > 0
    assert "physics: false" in page  # layout frozen after stabilisation


def test_top_keeps_highest_pagerank(graph: nx.Graph, tmp_path: Path) -> None:
    page = write_explorer(graph, tmp_path / "kg.html", top=2).read_text("utf-8")
    data = embedded(page)
    assert {n["id"] for n in data["nodes"]} == {"urn:akg:ann", "urn:akg:img"}
    assert [(e["from"], e["to"]) for e in data["edges"]] == [("urn:akg:ann", "urn:akg:img")]
    assert data["total_nodes"] == 4
    assert "2 nodes (of 4: those of highest PageRank) · 1 edges" in page  # the reader is told


def test_build_page_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kg build's page keeps the BUILD_EXPLORER_NODES nodes of highest PageRank (the network
    analysis is replaced by a graph just over the cap: only the page is under test)."""
    import kg.build
    from kg.store import KGStore

    g = nx.MultiDiGraph()
    for i in range(BUILD_EXPLORER_NODES + 3):
        g.add_node(f"urn:x:{i}", label=f"n{i}", pagerank=float(i))
    monkeypatch.setattr(kg.build, "analyse_store", lambda _store: (g, {}))
    outputs = kg.build.write_outputs(KGStore(tmp_path / "store"), tmp_path)
    ids = {n["id"] for n in embedded(outputs["graph.html"].read_text("utf-8"))["nodes"]}
    assert len(ids) == BUILD_EXPLORER_NODES and "urn:x:0" not in ids


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


def test_relation_edges_are_labelled_and_cooccurrence_is_light(graph: nx.Graph) -> None:
    data = explorer_data(graph)
    by_relation = {e["relation"]: e for e in data["edges"]}
    assert by_relation["leads"]["label"] == "leads" and "dashes" not in by_relation["leads"]
    cooc = by_relation["co-occurs"]
    assert "label" not in cooc and cooc["dashes"] is True
    assert "arrows" not in cooc  # an undirected graph: no arrows at all


def test_directed_relations_get_arrows_symmetric_ones_do_not() -> None:
    g = nx.MultiDiGraph()
    g.add_edge("urn:a", "urn:b", "leads", relation="leads", directed=True, weight=2)
    g.add_edge("urn:a", "urn:b", "fightsAgainst", relation="fightsAgainst", directed=False)
    g.add_edge("urn:a", "urn:b", "co-occurs", relation="co-occurs", directed=False)
    arrows = {e["relation"]: e.get("arrows") for e in explorer_data(g)["edges"]}
    assert arrows == {"leads": "to", "fightsAgainst": None, "co-occurs": None}


def test_tooltips_quote_evidence_and_details_hold_figures(graph: nx.Graph) -> None:
    graph.nodes["urn:akg:ann"].update(community=2, betweenness=0.5)
    data = explorer_data(graph)
    ann = next(n for n in data["nodes"] if n["id"] == "urn:akg:ann")
    assert EVIDENCE[0]["sentence"] in ann["title"] and "news/a.txt" in ann["title"]
    assert ann["community"] == 2 and data["options"]["groups"]["community-2"]
    assert data["details"]["urn:akg:ann"]["betweenness"] == 0.5
    leads = next(e for e in data["edges"] if e["relation"] == "leads")
    assert EVIDENCE[0]["sentence"] in leads["title"]
    assert [c["size"] for c in data["communities"]] == [3, 1]


def test_large_graphs_get_fast_layout_settings() -> None:
    g = nx.gnm_random_graph(LARGE + 1, 3 * LARGE, seed=1)
    nx.set_node_attributes(g, {n: n % 7 for n in g}, "community")
    data = explorer_data(g)
    options = data["options"]
    assert options["layout"]["improvedLayout"] is False
    assert options["physics"]["solver"] == "barnesHut"
    assert options["edges"]["smooth"] == {"enabled": False}
    assert all("x" in n and "y" in n for n in data["nodes"])  # seeded by community
    small = explorer_data(nx.path_graph(3))["options"]
    assert small["physics"]["solver"] == "forceAtlas2Based" and "x" not in explorer_data(
        nx.path_graph(3))["nodes"][0]


def test_page_data_is_written_in_pieces_exactly_as_tojson_writes_it(graph, tmp_path):
    from jinja2.utils import htmlsafe_json_dumps

    from kg.explore import _safe_json

    graph.nodes[next(iter(graph))]["label"] = "</script><b>'&'</b>"
    data = explorer_data(graph)
    assert "".join(_safe_json(data)) == htmlsafe_json_dumps(data, sort_keys=True)
    page = write_explorer(graph, tmp_path / "g.html").read_text(encoding="utf-8")
    assert htmlsafe_json_dumps(data, sort_keys=True) in page and "\x00" not in page

"""`kg analyze` (figures, exports) and `kg path` on a small contract-shaped graph."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main

DATA = Path(__file__).resolve().parent / "data"
HUN = "https://w3id.org/actorkg/id/person.hun-manet"


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    """An output folder holding only graph.ttl (no store): what `kg analyze` falls back on."""
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(DATA / "network.ttl", out / "graph.ttl")
    return out


def kg(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_analyze_prints_measures_communities_and_brokers(outdir):
    status, output = kg("analyze", outdir, "--top", "2")
    assert status == 0, output
    assert output.startswith("6 nodes, ")
    assert "links: 2 relation, 1 event, " in output
    for heading in ("Top 2 by PageRank:", "Top 2 by betweenness:", "Top 2 by degree:",
                    "Communities (Louvain", "Brokers between communities"):
        assert heading in output
    assert output.index("Cambodia") < output.index("Hun Manet")


def test_analyze_json_holds_parameters(outdir):
    status, output = kg("analyze", outdir, "--json", "--seed", "4", "--events", "nodes")
    report = json.loads(output)
    assert status == 0 and report["parameters"]["louvain"]["seed"] == 4
    assert report["parameters"]["projection"]["events"] == "nodes"
    assert report["counts"]["nodes"] == 7  # the arrest is a node


def test_analyze_exports(outdir, tmp_path):
    graphml, gexf, folder, page = (tmp_path / "g.graphml", tmp_path / "g.gexf", tmp_path / "csv",
                                   tmp_path / "top.html")
    status, output = kg("analyze", outdir, "--graphml", graphml, "--gexf", gexf, "--csv", folder,
                        "--html", page, "--explorer-top", 3)
    assert status == 0, output
    for written in (graphml, gexf, folder / "nodes.csv", folder / "edges.csv", page):
        assert str(written) in output
    from_graphml = nx.read_graphml(graphml)
    assert from_graphml.number_of_nodes() == 6
    leads = [d for _, _, d in from_graphml.edges(data=True) if d["relation"] == "leads"]
    assert leads[0]["weight"] == 2 and json.loads(leads[0]["evidence"])[0]["source"] == "news/a.txt"
    assert nx.read_gexf(gexf).nodes[HUN]["label"] == "Hun Manet"
    nodes = list(csv.DictReader((folder / "nodes.csv").open(encoding="utf-8")))
    assert {n["label"] for n in nodes} >= {"Hun Manet", "Cambodia"}
    assert all(0 <= float(n["pagerank"]) <= 1 for n in nodes)
    edges = list(csv.DictReader((folder / "edges.csv").open(encoding="utf-8")))
    assert {e["relation"] for e in edges} >= {"leads", "fightsAgainst", "Arrest", "co-occurs"}
    assert "3 nodes" in page.read_text(encoding="utf-8")


def test_path_explains_each_hop(outdir):
    status, output = kg("path", outdir, "hun manet", "Vietnamese")
    assert status == 0, output
    lines = output.splitlines()
    assert lines[0] == "Hun Manet to Vietnamese: 2 hops"
    assert lines[1] == "1. Hun Manet —leads→ Cambodia (2 statements)"
    assert lines[2].strip().startswith("“") and "news/a.txt" in lines[3]
    assert lines[4].startswith("2. Cambodia —co-occurs— Vietnamese")


def test_path_by_iri_and_errors(outdir):
    assert kg("path", outdir, "ent:person.hun-manet", "thai")[0] == 0
    status, output = kg("path", outdir, "Hun Manet", "Ann")
    assert status == 1 and "No connection" in output
    status, output = kg("path", outdir, "Nobody", "Ann")
    assert status == 2 and "'Nobody' matches no actor" in output
    status, output = kg("path", outdir, "a", "Ann")  # a part of several labels
    assert status == 2 and "matches" in output and "give the IRI" in output


def test_analyze_without_a_build(tmp_path):
    status, output = kg("analyze", tmp_path)
    assert status == 2 and "graph.ttl" in output

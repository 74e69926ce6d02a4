import networkx as nx

from kg.network import cooccurrence_graph, figures


def test_cooccurrence_graph_of_the_demo(demo_build):
    from kg.store import KGStore

    out, _ = demo_build
    graph = cooccurrence_graph(KGStore.from_turtle(out / "graph.ttl"))
    labels = {data["label"]: node for node, data in graph.nodes(data=True)}
    assert {"Hun Manet", "Amnesty International", "Cambodia"} <= set(labels)
    for _, _, data in graph.edges(data=True):
        assert data["weight"] >= 1 and data["evidence"]
        assert all({"sentence", "source"} == set(e) for e in data["evidence"])


def test_figures_rank_the_hub_first():
    g = nx.star_graph(4)
    nx.set_node_attributes(g, {n: f"n{n}" for n in g}, "label")
    report = figures(g)
    assert report["nodes"][0]["label"] == "n0"
    assert report["nodes"][0]["degree"] == 4
    assert abs(sum(n["pagerank"] for n in report["nodes"]) - 1) < 1e-3
    assert report["counts"] == {"nodes": 5, "edges": 4, "components": 1}


def test_figures_of_an_empty_graph():
    assert figures(nx.Graph())["nodes"] == []

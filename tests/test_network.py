"""kg.network: projection of a contract-shaped graph, the figures, and their write-back."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph, URIRef

from kg.network import (
    ANALYSIS_GRAPH,
    CO_OCCURS,
    _linked,
    _sampled_dependencies,
    actor_graph,
    analyse_store,
    betweenness,
    brokers,
    collapse,
    communities,
    components,
    cooccurrence_graph,
    figures,
    figures_graph,
    find_node,
    measure,
    participation,
    report,
    shortest_connection,
)
from kg.store import KGStore
from kg.validate import Validator

ENT = "https://w3id.org/actorkg/id/"
HUN, CAM, THA, POL, ANN, VIE = (f"{ENT}{k}" for k in (
    "person.hun-manet", "country.cambodia", "country.thailand", "organization.police",
    "person.ann", "nationalitygroup.vietnamese"))
DOC = "https://w3id.org/actorkg/doc/d1"
S1 = "Hun Manet leads Cambodia."
S2 = "Cambodia fights Thailand, and Hun Manet leads Cambodia."
S3 = "Police arrested Vietnamese in Cambodia."

# A small graph shaped as CONTRACT.md fixes it (read the comment at the top of the file).
NETWORK_TTL = Path(__file__).resolve().parent / "data" / "network.ttl"


@pytest.fixture
def store() -> KGStore:
    kg = KGStore()
    kg.add_graph(Graph().parse(NETWORK_TTL, format="turtle"), URIRef(DOC))
    return kg


def edges(graph: nx.MultiDiGraph) -> dict[tuple[str, str, str], dict]:
    return {(u, v, k): d for u, v, k, d in graph.edges(keys=True, data=True)}


def test_nodes_are_entities_not_events(store):
    graph = actor_graph(store)
    assert set(graph) == {HUN, CAM, THA, POL, ANN, VIE}
    assert graph.nodes[CAM]["cls"] == "Country"  # the most specific contract class
    assert graph.nodes[CAM]["mentions"] == 3
    assert {"sentence": S1, "source": "news/a.txt"} in graph.nodes[HUN]["evidence"]


def test_relations_weighted_by_statements_with_evidence(store):
    links = edges(actor_graph(store))
    leads = links[HUN, CAM, "leads"]
    assert leads["weight"] == 2 and leads["directed"] and leads["kind"] == "relation"
    # one from the sentence, one from the context: the subject mention's sentence
    assert {e["sentence"] for e in leads["evidence"]} == {S1, S2}
    assert all(e["source"] == "news/a.txt" for e in leads["evidence"])


def test_symmetric_relation_read_both_ways_is_one_undirected_edge(store):
    links = edges(actor_graph(store))
    fights = [d for (u, v, k), d in links.items() if k == "fightsAgainst"]
    assert len(fights) == 1
    assert fights[0]["weight"] == 2 and not fights[0]["directed"]  # 1 statement + 1 bare triple
    assert fights[0]["evidence"] == [{"sentence": S2, "source": "news/a.txt"}]


def test_events_collapse_to_agent_target_edges(store):
    links = edges(actor_graph(store))
    arrest = links[POL, VIE, "Arrest"]
    assert arrest["kind"] == "event" and arrest["weight"] == 1 and arrest["directed"]
    assert arrest["evidence"] == [{"sentence": S3, "source": "news/a.txt"}]


def test_events_as_nodes(store):
    graph = actor_graph(store, events="nodes")
    event = f"{DOC}#ev1"
    assert graph.nodes[event]["cls"] == "Event" and graph.nodes[event]["label"] == "Arrest of Vietnamese"
    assert {(u, v, k) for u, v, k in graph.edges(keys=True) if event in (u, v)} == {
        (POL, event, "agent"), (event, VIE, "target"), (event, CAM, "place")}


def test_events_dropped(store):
    assert not [k for _, _, k in actor_graph(store, events="drop").edges(keys=True) if k == "Arrest"]


def test_cooccurrence_modes(store):
    fallback = edges(actor_graph(store))
    # pairs linked by a relation or event get no co-occurrence edge; the others do
    cooc = {frozenset((u, v)) for (u, v, k) in fallback if k == CO_OCCURS}
    assert frozenset((HUN, CAM)) not in cooc and frozenset((POL, VIE)) not in cooc
    assert frozenset((HUN, THA)) in cooc and frozenset((POL, CAM)) in cooc
    always = edges(actor_graph(store, cooccurrence="always"))
    both = [k for (u, v, k) in always if {u, v} == {HUN, CAM}]
    assert sorted(both) == [CO_OCCURS, "leads"]
    assert always[CAM, HUN, CO_OCCURS]["weight"] == 2  # s1 and s2
    none = actor_graph(store, cooccurrence="none")
    assert CO_OCCURS not in {k for _, _, k in none.edges(keys=True)}


def test_bad_modes_are_errors(store):
    with pytest.raises(ValueError, match="events"):
        actor_graph(store, events="fold")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cooccurrence"):
        actor_graph(store, cooccurrence="sometimes")  # type: ignore[arg-type]


def test_analyse_store_writes_figures_into_a_named_graph(store):
    graph, report = analyse_store(store)
    assert report["parameters"]["louvain"]["seed"] == 0
    assert report["counts"]["relation_edges"] == 2 and report["counts"]["event_edges"] == 1
    rows = list(store.query(
        f"SELECT ?e ?pr ?c ?d WHERE {{ GRAPH <{ANALYSIS_GRAPH}> {{ ?e akg:pageRank ?pr ; "
        "akg:community ?c ; akg:degree ?d } }"))
    assert len(rows) == len(graph) == 6
    # the store's union (what graph.ttl and kg query see) has them too
    [top] = store.query("SELECT ?l WHERE { ?e akg:pageRank ?pr ; rdfs:label ?l } "
                        "ORDER BY DESC(?pr) LIMIT 1")
    assert top["l"].value == "Cambodia"
    analyse_store(store)  # replaced, not added to
    [count] = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?e akg:pageRank ?pr }")
    assert int(count["n"].value) == 6


def test_the_analysis_graph_streamed_in_parts_is_the_figures_and_the_tallies(store, tmp_path):
    import pyoxigraph as ox

    from kg.store import STORE_DIR
    from kg.tallies import tallies_graph

    on_disk = KGStore(tmp_path / STORE_DIR)  # flushed after each part
    on_disk.add_graph(Graph().parse(NETWORK_TTL, format="turtle"), URIRef(DOC))
    graph, _ = analyse_store(on_disk)
    one_graph = KGStore()  # the same triples as one graph, as Oxigraph keeps them
    one_graph.add_graph(figures_graph(graph) + tallies_graph(on_disk), ANALYSIS_GRAPH)

    def analysis(kg: KGStore) -> set:
        name = ox.NamedNode(str(ANALYSIS_GRAPH))
        return {q.triple for q in kg.store.quads_for_pattern(None, None, None, name)}

    assert analysis(on_disk) == analysis(one_graph) and len(analysis(on_disk)) > 40


def test_figures_graph_conforms_to_the_shapes(store):
    graph = actor_graph(store)
    figures(graph)
    assert Validator().violations(figures_graph(graph)) == []


def test_report_holds_communities_brokers_and_parameters(store):
    report = figures(actor_graph(store), seed=3)
    assert report["parameters"]["betweenness"]["sampled"] is False
    assert report["parameters"]["louvain"]["seed"] == 3
    assert sum(c["size"] for c in report["communities"]) == 6
    assert report["counts"]["components"] == 2  # Ann is alone
    node = {n["iri"]: n for n in report["nodes"]}
    assert node[ANN]["degree"] == 0 and node[CAM]["degree"] == 4
    assert report["brokers"][0]["iri"] == CAM


def test_shortest_connection_and_find_node(store):
    graph = actor_graph(store)
    assert find_node(graph, "HUN MANET") == [HUN] and find_node(graph, THA) == [THA]
    hops = shortest_connection(graph, HUN, VIE)
    assert [(u, v, d["relation"]) for u, v, d in hops] == [
        (HUN, CAM, "leads"), (CAM, VIE, CO_OCCURS)]
    assert hops[0][2]["evidence"]
    with pytest.raises(nx.NetworkXNoPath):
        shortest_connection(graph, HUN, ANN)


def test_cooccurrence_graph_of_the_demo(demo_build):
    out, _ = demo_build
    graph = cooccurrence_graph(KGStore.from_turtle(out / "graph.ttl"))
    labels = {data["label"]: node for node, data in graph.nodes(data=True)}
    assert {"Hun Manet", "Cambodia"} <= set(labels)
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
    assert {k: report["counts"][k] for k in ("nodes", "edges", "components")} == {
        "nodes": 5, "edges": 4, "components": 1}


def test_figures_of_an_empty_graph():
    report = figures(nx.Graph())
    assert report["nodes"] == [] and report["communities"] == [] and report["brokers"] == []


def test_betweenness_is_sampled_above_the_limit_and_seeded():
    g = nx.connected_watts_strogatz_graph(300, 6, 0.1, seed=1)
    exact = betweenness(g)
    sampled = betweenness(g, exact_limit=100, k=50, seed=5)
    assert sampled == betweenness(g, exact_limit=100, k=50, seed=5)
    assert sampled != exact
    top_exact = set(sorted(exact, key=exact.get)[-30:])
    assert len(top_exact & set(sorted(sampled, key=sampled.get)[-30:])) >= 15


def test_sampled_betweenness_draws_its_sources_among_the_linked_nodes():
    # a star and a path among 600 isolated nodes: a sample drawn among all 631 nodes would
    # mostly start from isolated ones (and find nothing); drawn among the linked ones, each
    # leaf of the star sees the same paths through the hub, so the estimate is the exact figure
    g = nx.star_graph(20)
    nx.add_path(g, range(1000, 1010))
    g.add_nodes_from(range(2000, 2600))
    exact = betweenness(g, exact_limit=len(g))
    sampled = betweenness(g, exact_limit=100, k=16, seed=0)
    assert exact[0] > 0 and sampled == betweenness(g, exact_limit=100, k=16, seed=0)
    assert sampled[0] == pytest.approx(exact[0], rel=0.2)
    assert sampled[1005] == pytest.approx(exact[1005], rel=0.2)
    assert sum(sampled.values()) == pytest.approx(sum(exact.values()), rel=0.1)
    assert sampled[2000] == 0.0 and set(sampled) == set(g)
    star = nx.star_graph(30)
    star.add_nodes_from(range(100, 700))
    exact_star = betweenness(star, exact_limit=len(star))
    for seed in range(3):  # any sample of the star's nodes gives the hub's exact figure
        assert betweenness(star, exact_limit=100, k=5, seed=seed)[0] == pytest.approx(
            exact_star[0], rel=1e-9)
    # the sample drawn among all nodes (networkx's) mostly missed the star
    assert nx.betweenness_centrality(star, k=5, seed=0)[0] < exact_star[0] / 2


@pytest.mark.parametrize("seed", range(4))
def test_sampled_betweenness_sums_are_networkx_s(seed):
    # kg.network sums the sampled sources' dependencies with scipy and numpy: the same
    # figures as networkx's walk in Python, on graphs with several components, self-loops,
    # isolated nodes, many shortest paths between two nodes, and string and tuple nodes
    import random

    g = nx.gnp_random_graph(400, 0.006, seed=seed)
    g.add_edges_from(nx.grid_2d_graph(6, 7).edges)  # many shortest paths between corners
    g.add_edges_from([(3, 3), (7, 7), ("x", "y"), ("y", "z")])
    g.add_nodes_from(range(1000, 1150))
    linked = _linked(g)
    sources = random.Random(seed).sample(linked, 40)
    ours = _sampled_dependencies(g, linked, sources)
    theirs = nx.betweenness_centrality_subset(g, sources, list(g), normalized=False)
    assert list(ours) == list(theirs)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)
    assert sum(theirs.values()) > 0


def test_sampled_betweenness_of_a_graph_without_links_is_zero():
    g = nx.empty_graph(600)
    assert set(betweenness(g, exact_limit=100).values()) == {0.0}


def test_measure_then_report_is_figures():
    g = nx.connected_caveman_graph(4, 4)
    nx.set_node_attributes(g, {n: f"n{n}" for n in g}, "label")
    h = g.copy()
    summary = measure(h)
    assert "nodes" not in summary and h.nodes[0]["degree"] == g.degree(0)
    assert report(h, summary) == figures(g)


def test_communities_are_seeded_and_numbered_by_size():
    g = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(3))
    g.add_edge(0, 5)
    found = communities(g, seed=1)
    assert found == communities(g, seed=1)
    assert found[0] == 0 and found[5] == 1  # the bigger community is 0
    assert components(g) == {n: 0 for n in g}


def test_isolated_nodes_are_communities_of_their_own_and_leave_the_others_alone():
    linked = nx.connected_caveman_graph(6, 5)  # six cliques of five in a ring
    g = linked.copy()
    g.add_nodes_from(f"alone-{i}" for i in range(200))
    g.add_edge("loop", "loop")  # a self-loop links a node to nothing else
    found = communities(g, seed=3)

    def groups(membership, nodes):
        return sorted(sorted(n for n in nodes if membership[n] == c)
                      for c in {membership[n] for n in nodes})

    assert groups(found, linked) == groups(communities(linked, seed=3), linked)
    alone = [n for n in g if n not in linked]
    assert len({found[n] for n in alone}) == len(alone) == 201
    assert min(found[n] for n in alone) >= len({found[n] for n in linked})


def test_participation_and_brokers():
    g = nx.barbell_graph(4, 1)  # two cliques joined through node 4
    comm = communities(g)
    part = participation(g, comm)
    assert part[0] == 0.0 and part[4] > 0
    assert brokers(g, comm, betweenness(g), n=1) == [4]


def test_collapse_sums_weights_and_ignores_direction():
    m = nx.MultiDiGraph()
    m.add_edge("a", "b", "leads", relation="leads", weight=2)
    m.add_edge("b", "a", "memberOf", relation="memberOf", weight=1)
    simple = collapse(m)
    assert simple.edges["a", "b"] == {"weight": 3, "relations": ["leads", "memberOf"]}


def test_statement_rows_are_the_rows_of_their_sparql_pattern(store):
    # the lookups of _statement_rows follow the pattern its docstring gives; here with every
    # branch: a statement derived from a sentence, one derived from its whole context, one
    # with no derivation (its subject mention's sentence), one with neither (no evidence)
    from kg.network import _statement_rows

    extra = Graph().parse(format="turtle", data=f"""
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix prov: <http://www.w3.org/ns/prov#> .
        @prefix akg: <https://w3id.org/actorkg/ontology#> .
        @prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        <urn:x:c> dcterms:source "x.txt" .
        <urn:x:s1> nif:anchorOf "Ann leads Hun." ; nif:referenceContext <urn:x:c> .
        <urn:x:m> nif:sentence <urn:x:s1> ; nif:referenceContext <urn:x:c> .
        <urn:x:st1> rdf:subject <{ANN}> ; rdf:predicate akg:leads ; rdf:object <{HUN}> ;
            prov:wasDerivedFrom <urn:x:c> ; akg:subjectMention <urn:x:m> .
        <urn:x:st2> rdf:subject <{ANN}> ; rdf:predicate akg:memberOf ; rdf:object <{POL}> ;
            akg:subjectMention <urn:x:m> .
        <urn:x:st3> rdf:subject <{ANN}> ; rdf:predicate akg:opposes ; rdf:object <{HUN}> .
        """)
    store.add_graph(extra, URIRef("urn:x:c"))
    pattern = _statement_rows.__doc__.split("::")[1].split("(but")[0]
    names = ("st", "s", "p", "o", "text", "source")
    expected = {tuple(None if row[n] is None else row[n].value for n in names)
                for row in store.query(f"SELECT ?{' ?'.join(names)} WHERE {{ {pattern} }}")}
    rows = set(_statement_rows(store))
    # but for a statement read from nowhere: SPARQL, its ?ctx unbound, pairs it with every source
    assert {r for r in rows if r[0] != "urn:x:st3"} == {r for r in expected if r[0] != "urn:x:st3"}
    assert {r[4:] for r in rows if r[0] == "urn:x:st3"} == {(None, None)}
    assert {r[0] for r in rows} >= {"urn:x:st1", "urn:x:st2", "urn:x:st3"}
    assert ("urn:x:st2", ANN, str(URIRef("https://w3id.org/actorkg/ontology#memberOf")), POL,
            "Ann leads Hun.", "x.txt") in rows


def test_sentence_rows_are_the_rows_of_their_sparql_pattern(store):
    from kg.network import _sentence_rows

    pattern = _sentence_rows.__doc__.split("::")[1].split("gives them")[0]
    expected = {(row["e"].value, row["text"].value, row["source"].value)
                for row in store.query(f"SELECT ?e ?text ?source WHERE {{ {pattern} }}")}
    rows = [(entities, places) for entities, places in _sentence_rows(store)]
    assert {(e, t, s) for entities, places in rows for e in entities for t, s in places} == expected
    # one row per sentence, one entity per mention: S2 has three mentions (network.ttl)
    [(entities, _)] = [r for r in rows if r[1] == [(S2, "news/a.txt")]]
    assert sorted(entities) == sorted([CAM, THA, HUN])


def test_event_rows_are_the_rows_of_their_sparql_pattern(store):
    from kg.network import _event_rows

    pattern = _event_rows.__doc__.split("::")[1].split("gives them")[0]
    events = {row["ev"] for row in store.query(
        "SELECT DISTINCT ?ev WHERE { ?ev akg:agent|akg:target|akg:place ?x }")}
    assert events
    for event in events:
        expected = {(row["text"] and row["text"].value, row["source"] and row["source"].value)
                    for row in store.query(f"SELECT ?text ?source WHERE {{ {pattern} }}"
                                           f" VALUES ?ev {{ {event} }}")}
        assert set(_event_rows(store, event)) == expected


def test_cooccurrence_links_beyond_the_budget_keep_the_pairs_named_together_most(store, monkeypatch):
    def links(graph: nx.MultiDiGraph) -> dict[tuple[str, str], int]:
        return {(u, v): d["weight"] for u, v, k, d in graph.edges(keys=True, data=True)
                if k == CO_OCCURS}

    every = actor_graph(store, cooccurrence="always", max_cooccurrence=None)
    assert len(links(every)) == 6 and every.graph["cooccurrence_least"] == 1
    assert actor_graph(store, cooccurrence="always", max_cooccurrence=6).graph[
        "cooccurrence_least"] == 1
    one = actor_graph(store, cooccurrence="always", max_cooccurrence=1)
    assert links(one) == {(CAM, HUN): 2} and one.graph["cooccurrence_least"] == 2
    assert set(one) == set(every)  # every node stays, with its evidence
    assert one.nodes[THA]["evidence"] == every.nodes[THA]["evidence"]
    # a pair named once whose hash is that of the most frequent pair still goes
    import builtins

    import kg.network
    import kg.tallies

    def clash(pair: object) -> int:
        return 0 if pair in {(CAM, HUN), (CAM, THA)} else builtins.hash(pair)

    monkeypatch.setattr(kg.network, "hash", clash, raising=False)
    monkeypatch.setattr(kg.tallies, "hash", clash, raising=False)  # kg.tallies.hash_counts
    assert links(actor_graph(store, cooccurrence="always", max_cooccurrence=1)) == {(CAM, HUN): 2}


def test_cooccurrence_links_made_in_one_pass_are_undone_past_the_budget(store, monkeypatch):
    """A graph of no more nodes than the budget is linked in one pass, undone to the graph
    before it (events as nodes keep their own evidence) when more links come than the budget."""
    def dump(graph: nx.MultiDiGraph) -> tuple[object, ...]:
        return (graph.graph, sorted(graph.nodes(data=True)),
                sorted(graph.edges(keys=True, data=True)))

    counted_first = {budget: dump(actor_graph(store, events="nodes", cooccurrence="always",
                                              max_cooccurrence=budget)) for budget in (1, 6)}

    class Small(nx.MultiDiGraph):  # a graph the size of any budget: linked in one pass first
        def number_of_nodes(self) -> int:
            return 0

    monkeypatch.setattr("kg.network.nx.MultiDiGraph", Small)
    for budget in (1, 6):
        assert dump(actor_graph(store, events="nodes", cooccurrence="always",
                                max_cooccurrence=budget)) == counted_first[budget]

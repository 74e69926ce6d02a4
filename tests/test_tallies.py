"""kg.tallies: the counts the saved queries read, made by lookups and two passes of hashes."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from kg import tallies
from kg.store import KGStore
from kg.tallies import PAIR_FLOOR, _pairs_in_groups, tallies_graph

PREFIXES = """
@prefix akg: <https://w3id.org/actorkg/ontology#> .
@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix itsrdf: <http://www.w3.org/2005/11/its/rdf#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def groups(*members: str) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Groups named g0, g1... of one-label entities: ``"ab"`` names the entities a and b."""
    return {f"g{i}": [(f"urn:{m}", (m.upper(),)) for m in names] for i, names in enumerate(members)}


def test_pairs_in_two_groups_are_counted_with_their_smallest_group():
    found = _pairs_in_groups(groups("abc", "ab", "cd"), at_least=2)
    assert found[("A", "B")] == [2, "g0"]
    assert {p for p, (n, _) in found.items() if n >= 2} == {("A", "B")}


def test_every_pair_while_fewer_than_the_floor_are_frequent():
    found = _pairs_in_groups(groups("abc", "ab", "cd"), at_least=2, floor=5)
    assert found == {("A", "B"): [2, "g0"], ("A", "C"): [1, "g0"], ("B", "C"): [1, "g0"],
                     ("C", "D"): [1, "g2"]}


def test_pairs_asked_for_are_counted_however_often():
    found = _pairs_in_groups(groups("ab", "ab", "cd"), at_least=2, also=[("C", "D"), ("X", "Y")])
    assert found[("C", "D")] == [1, "g2"] and ("X", "Y") not in found


def test_two_pairs_with_one_hash_are_told_apart(monkeypatch):
    # every pair's hash the same: the exact second pass still counts each pair apart, and
    # when fewer than the floor are frequent after all, every pair comes back
    monkeypatch.setattr(tallies, "hash", lambda _: 7, raising=False)
    found = _pairs_in_groups(groups("ab", "ab", "cd"), at_least=2)
    assert {p for p, (n, _) in found.items() if n >= 2} == {("A", "B")}
    assert ("C", "D") in _pairs_in_groups(groups("ab", "ab", "cd"), at_least=2, floor=2)


def corpus(n: int) -> Graph:
    """``n`` entities in two documents, each pair named together in one sentence of each,
    so that more than :data:`PAIR_FLOOR` pairs are frequent and the hashes are counted."""
    lines = [PREFIXES]
    for i in range(n):
        lines.append(f"<urn:e{i}> a akg:Person ; rdfs:label \"P{i:02d}\" .")
    k = 0
    for doc in range(2):
        lines.append(f"<urn:d{doc}> a nif:Context .")
        for i in range(n):
            for j in range(i + 1, n):
                s = f"<urn:s{doc}-{i}-{j}>"
                lines.append(f'{s} nif:anchorOf "P{i} and P{j}." ; nif:referenceContext <urn:d{doc}> .')
                for e in (i, j):
                    lines.append(f"<urn:m{k}> itsrdf:taIdentRef <urn:e{e}> ; nif:sentence {s} ; "
                                 f"nif:referenceContext <urn:d{doc}> .")
                    k += 1
    return Graph().parse(data="\n".join(lines), format="turtle")


@pytest.fixture(scope="module")
def store() -> KGStore:
    kg = KGStore()
    kg.add_graph(corpus(9), URIRef("urn:d"))  # 36 pairs, each in 2 sentences and 2 documents
    return kg


def test_name_pairs_of_a_corpus_past_the_floor(store):
    counts = {(str(r["a"].value), str(r["b"].value)): (int(r["n"].value), int(r["d"].value))
              for r in KGStore.query(_with(store), """
        SELECT ?a ?b ?n ?d WHERE { ?p a akg:NamePair ; akg:firstName ?a ; akg:secondName ?b ;
                                      akg:sentenceCount ?n ; akg:documentCount ?d }""")}
    assert len(counts) == 36 > PAIR_FLOOR
    assert set(counts.values()) == {(2, 2)}
    [row] = KGStore.query(_with(store), """SELECT ?n WHERE { <urn:e0> akg:mentionCount ?n ;
                                                               akg:documentCount 2 }""")
    assert int(row["n"].value) == 16  # 8 partners, 2 documents


def test_hash_collisions_change_no_count(store, monkeypatch):
    plain = set(tallies_graph(store))
    monkeypatch.setattr(tallies, "hash", lambda pair: len(pair[0]), raising=False)
    assert set(tallies_graph(store)) == plain


def _with(store: KGStore) -> KGStore:
    counted = KGStore()
    counted.add_graph(tallies_graph(store), URIRef("urn:analysis"))
    return counted

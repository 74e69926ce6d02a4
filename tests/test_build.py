"""End to end on the demo corpus: the contract holds for what `kg build` writes."""

import json
import re
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

from kg.query import ask
from kg.store import KGStore
from kg.validate import Validator, ontology_dir
from kg.vocab import AKG, ITSRDF, NIF


def test_outputs_exist_and_report_is_clean(demo_build):
    out, report = demo_build
    assert report.ok, (report.failures, report.violations[:5])
    assert report.documents == 1
    for name in ("graph.ttl", "graph.html", "analysis.json"):
        assert (out / name).stat().st_size > 0


def test_graph_reparses_and_conforms(demo_build):
    out, _ = demo_build
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    assert len(graph) > 500
    assert Validator().violations(graph) == []


def test_every_mention_slices_its_text(demo_build):
    out, _ = demo_build
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    phrases = list(graph.subjects(RDF.type, NIF.Phrase))
    assert len(phrases) > 50
    for phrase in phrases:
        ctx = graph.value(phrase, NIF.referenceContext)
        text = str(graph.value(ctx, NIF.isString))
        begin, end = int(graph.value(phrase, NIF.beginIndex)), int(graph.value(phrase, NIF.endIndex))
        assert text[begin:end] == str(graph.value(phrase, NIF.anchorOf))
        assert str(phrase).endswith(f"#char={begin},{end}")
        assert graph.value(phrase, ITSRDF.taIdentRef) is not None


def test_context_holds_the_file_text_unchanged(demo_build):
    from tests.conftest import EXAMPLES

    out, _ = demo_build
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    [ctx] = graph.subjects(RDF.type, NIF.Context)
    text = (EXAMPLES / "cambodia-cybercrime-crackdown.txt").read_text(encoding="utf-8")
    assert str(graph.value(ctx, NIF.isString)) == text
    assert int(graph.value(ctx, NIF.endIndex)) == len(text)


def test_key_actors_are_typed(demo_build):
    out, _ = demo_build
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    types = {str(graph.value(e, RDFS.label)): set(graph.objects(e, RDF.type))
             for e in set(graph.objects(None, ITSRDF.taIdentRef))}
    assert AKG.Person in types["Hun Manet"]
    assert AKG.Organization in types["Amnesty International"]
    assert AKG.Country in types["Cambodia"]


def test_every_ontology_term_emitted_is_declared(demo_build):
    out, _ = demo_build
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    ontology = Graph().parse(ontology_dir() / "actorkg.ttl", format="turtle")
    used = {t for triple in graph for t in triple
            if isinstance(t, URIRef) and str(t).startswith(str(AKG._NS))}
    assert used
    undeclared = {t for t in used if (t, RDF.type, None) not in ontology}
    assert not undeclared


def test_sparql_finds_the_actors(demo_build):
    out, _ = demo_build
    store = KGStore.from_turtle(out / "graph.ttl")
    answer = ask(store, "SELECT ?name WHERE { ?p a akg:Person ; rdfs:label ?name }")
    assert "Hun Manet" in {row[0].value for row in answer.rows}
    assert ask(store, 'ASK { ?o a akg:Organization ; rdfs:label "Amnesty International" }').boolean


def test_html_is_offline(demo_build):
    out, _ = demo_build
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"<script[^>]+src=", html, re.IGNORECASE)
    assert "Hun Manet" in html


def test_analysis_json(demo_build):
    out, _ = demo_build
    analysis = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    assert analysis["counts"]["nodes"] == len(analysis["nodes"]) > 10
    assert {"degree", "pagerank", "label", "class", "iri"} <= set(analysis["nodes"][0])
    ranks = [n["pagerank"] for n in analysis["nodes"]]
    assert ranks == sorted(ranks, reverse=True)


def test_facts_kept_per_document_change_no_reading(nlp):
    """The rules share what they read of a Doc (sentence units, usable sentences, the mention
    index, the classifier's token columns): the same events, quotations, learned and ruled
    relations as each rule reading a fresh Doc on its own."""
    from kg.coref import PRONOUN
    from kg.events import events
    from kg.frames import MentionIndex
    from kg.mentions import mentions
    from kg.quotes import quotations
    from kg.relations import relations
    from kg.relclf import _Columns, candidates, classify, pair_features

    examples = Path(__file__).resolve().parent.parent / "examples"
    text = next(examples.glob("*.txt")).read_text(encoding="utf-8")

    def read(doc, shared):
        readable = [m for m in mentions(doc) if m.label != PRONOUN]
        index = MentionIndex(doc, readable) if shared else None
        return (list(events(doc, readable, index=index)),
                list(quotations(doc, readable, index=index)),
                list(classify(doc, readable, index=index)),
                list(candidates(doc, readable, index=index)),
                list(relations(doc, readable, index=index)))

    doc = nlp(text)
    first = read(doc, shared=True)
    again = read(doc, shared=True)  # the kept facts are read back
    alone = read(nlp(text), shared=False)
    assert first == again == alone
    found_events, found_quotes, learned, pairs, ruled = first
    assert len(found_events) > 10 and found_quotes and learned and len(pairs) > 100 and ruled
    # a pair's features with the token columns kept over all pairs of the Doc, and alone
    index = MentionIndex(doc, [m for m in mentions(doc) if m.label != PRONOUN])
    columns = _Columns(doc)
    for pair in pairs[:300]:
        spans = index.spans[pair.first], index.spans[pair.second]
        assert (pair_features(*spans, pair.first, pair.second, 1, columns=columns)
                == pair_features(*spans, pair.first, pair.second, 1))

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS

from kg.rdf import context_iri, document_graph, entity_iri, span_iri
from kg.resolve import resolve
from kg.types import Document, DocumentResult, Mention, Sentence
from kg.validate import Validator
from kg.vocab import AKG, ITSRDF, NIF

TEXT = "Kylian Mbappe paid agents. Mbappe denied it."


def result() -> DocumentResult:
    s1, s2 = Sentence(0, 26), Sentence(27, 44)
    mentions = [Mention(0, 13, "Kylian Mbappe", "Person", s1, "PERSON"),
                Mention(27, 33, "Mbappe", "Person", s2, "PERSON")]
    entities, referent = resolve(mentions)
    doc = Document(source="t.txt", text=TEXT)
    return DocumentResult(doc, [s1, s2], mentions, entities, referent)


def test_graph_follows_the_contract():
    graph = document_graph(result())
    ctx = context_iri(Document(source="other-path.txt", text=TEXT))
    assert (ctx, RDF.type, NIF.Context) in graph  # identity is the content, not the path
    assert str(graph.value(ctx, NIF.isString)) == TEXT
    mention = span_iri(ctx, 27, 33)
    assert str(mention).endswith("#char=27,33")
    person = entity_iri("person/kylian-mbappe")
    assert graph.value(mention, ITSRDF.taIdentRef) == person
    assert graph.value(span_iri(ctx, 0, 13), ITSRDF.taIdentRef) == person
    assert (person, RDF.type, AKG.Person) in graph
    assert str(graph.value(person, RDFS.label)) == "Kylian Mbappe"
    assert str(graph.value(person, SKOS.altLabel)) == "Mbappe"
    assert graph.value(mention, NIF.sentence) == span_iri(ctx, 27, 44)


def test_graph_conforms_to_the_shapes_and_round_trips():
    graph = document_graph(result())
    assert Validator().violations(graph) == []
    again = Graph().parse(data=graph.serialize(format="turtle"), format="turtle")
    assert len(again) == len(graph)


def test_entity_iris_are_valid_for_any_name():
    iri = entity_iri('person/a"b<c>\\d é')
    assert not any(ch in str(iri) for ch in ' "<>\\{}|^`')


def test_the_ntriples_text_is_the_graph_and_reads_back_as_rdflib_reads_it():
    from kg.rdf import document_ntriples, ntriples, ntriples_graph

    text = document_ntriples(result())
    triples = list(Graph().parse(data=text, format="nt"))
    # the terms written directly are rdflib's, in order
    assert ntriples(sorted(triples, key=lambda t: text.index(ntriples([t])))) == text
    assert set(ntriples_graph(text)) == set(Graph().parse(data=text, format="nt"))
    assert len(ntriples_graph(text)) == len(triples) == len(text.splitlines())


def test_ntriples_graph_reads_every_escape_as_rdflib_reads_it():
    from rdflib import BNode, Literal, URIRef

    from kg.rdf import ntriples, ntriples_graph

    odd = ['a "quoted" word', "back\\slash", "tab\tnew\nline\r", "\x00\x01\x1f\x7f", "’“”é",
           "\u2028\x85", "ends with \\", '"', ""]
    triples = {(URIRef(f"urn:x:{i}"), RDFS.label, Literal(value)) for i, value in enumerate(odd)}
    triples.add((URIRef("urn:y"), RDFS.label, Literal("5", datatype=URIRef("urn:type"))))
    text = ntriples(sorted(triples))
    assert set(ntriples_graph(text)) == triples == set(Graph().parse(data=text, format="nt"))
    # text this module does not write (blank nodes, languages, \u escapes of other letters)
    other = ntriples([(BNode("b0"), RDFS.label, Literal("x", lang="en"))])
    other += '<urn:z> <urn:p> "caf\\u00e9" .\n'
    graph = ntriples_graph(other)
    assert len(graph) == 2 and (URIRef("urn:z"), URIRef("urn:p"), Literal("café")) in graph
    with pytest.raises(SyntaxError):
        ntriples_graph("<urn:z> <urn:p> not a term .\n")

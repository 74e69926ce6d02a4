"""`kg add` / `kg remove`: unchanged documents skipped, changed ones replaced, entities kept."""

import pytest

from kg.build import build
from kg.incremental import NoSuchSourceError, add, remove
from kg.query import ask
from kg.store import KGStore, StoreError


def _labels(out):
    store = KGStore(out / "store", read_only=True)
    return {row[0].value for row in ask(store, "SELECT ?l { ?e a akg:Person ; rdfs:label ?l }").rows}


def _sources(out):
    return sorted(KGStore(out / "store", read_only=True).documents().values())


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Prime Minister Hun Manet visited Phnom Penh.", encoding="utf-8")
    (folder / "b.txt").write_text("Hun Manet met Xi Jinping in Beijing.", encoding="utf-8")
    return folder


def test_add_skips_unchanged_replaces_changed_and_remove_keeps_shared_entities(corpus, tmp_path, nlp):
    out = tmp_path / "out"
    build([corpus / "a.txt"], out, nlp=nlp, validate=False)
    assert _sources(out) == [str(corpus / "a.txt")]

    report = add([corpus], out, nlp=nlp, validate=False)
    assert report.documents == 1 and report.unchanged == [str(corpus / "a.txt")]
    assert _sources(out) == [str(corpus / "a.txt"), str(corpus / "b.txt")]
    assert {"Hun Manet", "Xi Jinping"} <= _labels(out)
    assert "Xi Jinping" in (out / "graph.ttl").read_text(encoding="utf-8")

    (corpus / "b.txt").write_text("Hun Manet met Joko Widodo in Jakarta.", encoding="utf-8")
    report = add([corpus / "b.txt"], out, nlp=nlp, validate=False)
    assert report.documents == 1
    assert len(_sources(out)) == 2  # the old version of b.txt is gone, not kept beside the new
    assert "Xi Jinping" not in _labels(out)

    assert remove(out, str(corpus / "b.txt")) == [str(corpus / "b.txt")]
    assert _sources(out) == [str(corpus / "a.txt")]
    assert "Hun Manet" in _labels(out)  # a.txt still names him
    assert "Joko Widodo" not in (out / "graph.ttl").read_text(encoding="utf-8")
    with pytest.raises(NoSuchSourceError, match="a.txt"):
        remove(out, "nope.txt")


def test_jsonl_lines_gone_from_a_file_are_dropped(tmp_path, nlp):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"text": "Hun Manet spoke."}\n{"text": "Xi Jinping spoke."}\n', encoding="utf-8")
    out = tmp_path / "out"
    build([feed], out, nlp=nlp, validate=False)
    assert len(_sources(out)) == 2
    feed.write_text('{"text": "Hun Manet spoke."}\n', encoding="utf-8")
    report = add([feed], out, nlp=nlp, validate=False)
    assert report.removed == [f"{feed}#line=2"] and len(report.unchanged) == 1
    assert _sources(out) == [f"{feed}#line=1"]


def test_add_needs_a_store(tmp_path, corpus, nlp):
    with pytest.raises(StoreError, match="kg build"):
        add([corpus], tmp_path / "nothing", nlp=nlp)

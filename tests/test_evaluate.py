"""`kg eval`: the scorers on hand-made spans, the readers on fixtures, the command end to end."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import evaluate
from kg.cli import main
from kg.evaluate import (
    Counts,
    DatasetError,
    Span,
    SpanRelation,
    evaluate_conll04,
    evaluate_re3d,
    match_spans,
    micro,
    read_conll04,
    read_re3d,
    score_relations,
    score_spans,
    score_synonyms,
)
from kg.types import DocumentResult, Mention, Relation, Sentence

DATA = Path(__file__).resolve().parent / "data"
RE3D = DATA / "re3d"
CONLL04 = DATA / "conll04.json"


# --- scorers --------------------------------------------------------------------------------


def test_counts_measures_and_empty_cases():
    assert Counts(2, 2, 0).precision == 0.5 and Counts(2, 2, 0).recall == 1.0
    assert Counts(2, 2, 0).f1 == pytest.approx(2 / 3)
    nothing_predicted = Counts(0, 0, 4)
    assert (nothing_predicted.precision, nothing_predicted.recall, nothing_predicted.f1) == (0, 0, 0)
    assert Counts().f1 == 0.0
    assert micro([]) == Counts(0, 0, 0)
    assert Counts(1, 2, 3).as_dict()["precision"] == pytest.approx(1 / 3, abs=1e-4)


def test_exact_needs_same_offsets_and_type_overlap_needs_a_shared_character():
    gold = [Span("d", 0, 13, "Person"), Span("d", 20, 26, "Location")]
    predicted = [
        Span("d", 4, 13, "Person"),  # drops "the " of the gold span: overlap only
        Span("d", 20, 26, "Organisation"),  # right span, wrong type: no match at all
        Span("e", 0, 13, "Person"),  # same offsets, other document
    ]
    exact = score_spans(gold, predicted, overlap=False)
    assert exact["Person"] == Counts(0, 2, 1)
    overlap = score_spans(gold, predicted, overlap=True)
    assert overlap["Person"] == Counts(1, 1, 0)
    assert overlap["Location"] == Counts(0, 0, 1)
    assert overlap["Organisation"] == Counts(0, 1, 0)
    assert micro(overlap.values()) == Counts(1, 2, 1)


def test_spans_that_touch_do_not_overlap():
    assert score_spans([Span("d", 0, 5, "X")], [Span("d", 5, 9, "X")], overlap=True) == {
        "X": Counts(0, 1, 1)
    }


def test_matching_is_one_to_one_and_prefers_the_largest_overlap():
    # one long gold span, two predicted pieces: only one of them can be right
    gold = [Span("d", 0, 30, "Organisation")]
    predicted = [Span("d", 0, 5, "Organisation"), Span("d", 8, 30, "Organisation")]
    assert match_spans(gold, predicted, overlap=True) == [(gold[0], predicted[1])]
    assert score_spans(gold, predicted, overlap=True)["Organisation"] == Counts(1, 1, 0)
    # two gold spans competing for one prediction: the one it covers more of wins
    gold = [Span("d", 0, 10, "Person"), Span("d", 12, 14, "Person")]
    predicted = [Span("d", 5, 14, "Person")]
    assert match_spans(gold, predicted, overlap=True) == [(gold[0], predicted[0])]


def test_duplicate_spans_count_once():
    span = Span("d", 0, 3, "Person")
    assert score_spans([span, span], [span, span], overlap=False) == {"Person": Counts(1, 0, 0)}


def test_empty_predictions_give_zero_precision_not_an_error():
    scores = score_spans([Span("d", 0, 3, "Person")], [], overlap=True)
    assert scores == {"Person": Counts(0, 0, 1)} and scores["Person"].precision == 0.0
    assert score_spans([], [], overlap=False) == {}
    assert score_relations([], [], overlap=True) == {}


def test_relations_need_both_arguments_and_the_type():
    gold = [SpanRelation("d", "BelongsTo", (0, 10), (20, 30))]
    assert score_relations(gold, [SpanRelation("d", "BelongsTo", (2, 10), (25, 28))],
                           overlap=True) == {"BelongsTo": Counts(1, 0, 0)}
    assert score_relations(gold, [SpanRelation("d", "BelongsTo", (2, 10), (25, 28))],
                           overlap=False)["BelongsTo"] == Counts(0, 1, 1)
    # one argument wrong
    assert score_relations(gold, [SpanRelation("d", "BelongsTo", (0, 10), (40, 45))],
                           overlap=True)["BelongsTo"] == Counts(0, 1, 1)
    # other type
    assert score_relations(gold, [SpanRelation("d", "InChargeOf", (0, 10), (20, 30))],
                           overlap=True)["BelongsTo"] == Counts(0, 0, 1)


def test_symmetric_relations_match_in_either_order_and_count_once():
    forward = SpanRelation("d", "CommWith", (0, 10), (20, 30))
    backward = SpanRelation("d", "CommWith", (20, 30), (0, 10))
    # asymmetric unless said otherwise
    assert score_relations([forward], [backward], overlap=False)["CommWith"] == Counts(0, 1, 1)
    # gold listing the pair both ways is one relation; so is a prediction listing it twice
    assert score_relations([forward, backward], [backward], overlap=False,
                           symmetric={"CommWith"}) == {"CommWith": Counts(1, 0, 0)}
    assert score_relations([forward], [forward, backward], overlap=True,
                           symmetric={"CommWith"}) == {"CommWith": Counts(1, 0, 0)}
    # a directed category keeps its order
    directed = SpanRelation("d", "InChargeOf", (0, 10), (20, 30))
    assert score_relations([directed], [directed._replace(head=(20, 30), tail=(0, 10))],
                           overlap=True, symmetric={"CommWith"})["InChargeOf"] == Counts(0, 1, 1)


def test_relation_matching_is_one_to_one():
    gold = [SpanRelation("d", "BelongsTo", (0, 10), (20, 30))]
    predicted = [SpanRelation("d", "BelongsTo", (0, 4), (20, 30)),
                 SpanRelation("d", "BelongsTo", (5, 10), (20, 30))]
    assert score_relations(gold, predicted, overlap=True)["BelongsTo"] == Counts(1, 1, 0)


def test_synonyms_need_both_arguments_found_and_one_entity():
    gold = [
        SpanRelation("d", "IsSynonymOf", (0, 36), (38, 42)),  # linked
        SpanRelation("d", "IsSynonymOf", (38, 42), (0, 36)),  # the same pair reversed
        SpanRelation("d", "IsSynonymOf", (50, 54), (60, 65)),  # found, two entities
        SpanRelation("d", "IsSynonymOf", (70, 80), (90, 95)),  # one argument not found
    ]
    ours = [
        (Span("d", 0, 36, "Organisation"), "org/isil"),
        (Span("d", 38, 42, "Organisation"), "org/isil"),
        (Span("d", 50, 54, "Organisation"), "org/isil"),
        (Span("d", 60, 65, "Organisation"), "org/daesh"),
        (Span("d", 72, 80, "Person"), "person/x"),
    ]
    score = score_synonyms(gold, ours)
    assert (score.gold, score.found, score.linked) == (3, 2, 1)
    assert score.share == pytest.approx(1 / 3)
    assert score_synonyms([], ours).share == 0.0


# --- readers --------------------------------------------------------------------------------


def test_re3d_reader_offsets_slice_the_text_to_the_gold_value():
    documents = list(read_re3d([RE3D], min_confidence=0.0))
    assert len(documents) == 2
    values = {}
    for part in RE3D.iterdir():
        if part.is_dir():
            for line in (part / "entities.json").read_text(encoding="utf-8-sig").splitlines():
                row = json.loads(line)
                values[(row["documentId"], row["begin"], row["end"], row["type"])] = row["value"]
    checked = 0
    for gold in documents:
        text = gold.document.text
        doc_id = gold.document.source.rsplit("#", 1)[1]
        for span in gold.entities:
            assert text[span.start:span.end] == values[(doc_id, span.start, span.end, span.type)]
            checked += 1
        for relation in gold.relations:
            assert 0 <= relation.head[0] < relation.head[1] <= len(text)
            assert 0 <= relation.tail[0] < relation.tail[1] <= len(text)
    assert checked == len(values)
    assert any(r.type == "IsSynonymOf" for g in documents for r in g.relations)


def test_re3d_reader_drops_low_confidence_gold_and_finds_parts_below_a_folder():
    every = sum(len(g.entities) for g in read_re3d([RE3D], min_confidence=0.0))
    confident = sum(len(g.entities) for g in read_re3d([RE3D], min_confidence=0.5))
    assert 0 < confident < every
    one_part = list(read_re3d([RE3D / "CENTCOM"]))
    assert len(one_part) == 1 and "Votel" in one_part[0].document.text


def test_re3d_reader_names_a_bad_path(tmp_path):
    with pytest.raises(DatasetError, match="nope"):
        list(read_re3d([tmp_path / "nope"]))
    with pytest.raises(DatasetError, match="no re3d part"):
        list(read_re3d([tmp_path]))
    (tmp_path / "documents.json").write_text('{"_id": "a", "text": "x"}\n', encoding="utf-8")
    (tmp_path / "entities.json").write_text("{not json\n", encoding="utf-8")
    (tmp_path / "relations.json").write_text("", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"entities\.json:1"):
        list(read_re3d([tmp_path]))


def test_conll04_reader_builds_text_offsets_and_relations():
    documents = read_conll04(CONLL04)
    assert len(documents) == 3
    first = documents[0]
    text = first.document.text
    assert text.startswith("Maria Lopez , a reporter for the Daily Planet")
    assert [(text[s.start:s.end], s.type) for s in first.entities] == [
        ("Maria Lopez", "Peop"), ("Daily Planet", "Org"), ("Lisbon", "Loc")]
    assert [(r.type, text[slice(*r.head)], text[slice(*r.tail)]) for r in first.relations] == [
        ("Work_For", "Maria Lopez", "Daily Planet"), ("Live_In", "Maria Lopez", "Lisbon")]
    # relation indices count every entity, "Other" included
    last = documents[2]
    assert [s.type for s in last.entities] == ["Peop", "Peop", "Other", "Org"]
    assert [(last.document.text[slice(*r.head)], last.document.text[slice(*r.tail)])
            for r in last.relations] == [("John Carter", "Tom Reed")]


def test_conll04_reader_names_a_bad_file(tmp_path):
    with pytest.raises(DatasetError, match="missing.json"):
        read_conll04(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"tokens": ["a"]}]', encoding="utf-8")
    with pytest.raises(DatasetError, match="CoNLL04 JSON layout"):
        read_conll04(bad)


# --- runners --------------------------------------------------------------------------------


def test_evaluate_re3d_counts_every_in_scope_gold_span(nlp):
    report = evaluate_re3d([RE3D], nlp)
    gold = [s for g in read_re3d([RE3D]) for s in g.entities
            if s.type in evaluate.RE3D_ENTITY_TYPES]
    for criterion in ("exact", "overlap"):
        table = report["entities"][criterion]
        assert list(table) == [*evaluate.RE3D_ENTITY_TYPES, "micro"]
        assert table["micro"].tp + table["micro"].fn == len(gold)
    assert report["entities"]["overlap"]["micro"].tp >= report["entities"]["exact"]["micro"].tp
    synonyms = report["synonyms"]
    assert synonyms.gold == 3 and synonyms.linked <= synonyms.found <= synonyms.gold
    gold_relations = {r for g in read_re3d([RE3D]) for r in g.relations
                      if r.type in evaluate.RE3D_RELATION_TYPES}
    relations = report["relations"]["overlap"]["micro"]
    assert relations.tp + relations.fn == len(gold_relations)  # none listed both ways here


def test_evaluate_re3d_scores_relations_the_pipeline_reads(monkeypatch):
    """Relations from the pipeline are mapped to re3d categories and matched to the gold."""
    golds = list(read_re3d([RE3D / "CENTCOM"]))
    text = golds[0].document.text
    sentence = Sentence(0, len(text))

    def mention(anchor, cls, after=0):
        start = text.index(anchor, after)
        return Mention(start, start + len(anchor), anchor, cls, sentence, "X")

    keating = mention("Charles H. Keating IV", "Person")
    iraq = mention("Iraq", "Country")
    votel = mention("Joseph L. Votel", "Person")
    centcom = mention("U.S. Central Command", "Organization")

    def fake_pipeline(nlp, documents):
        for document in documents:
            found = [votel, centcom, keating, iraq]
            yield DocumentResult(
                document=document, sentences=[sentence], mentions=found, entities=[],
                referent={m: m.anchor for m in found},
                relations=[
                    Relation(keating, "livesIn", iraq, sentence, 0.9),  # CoLocated: right
                    Relation(votel, "leads", centcom, sentence, 0.9),  # InChargeOf: not in gold
                    Relation(keating, "killed", iraq, sentence, 0.9),  # no re3d category
                ],
            )

    monkeypatch.setattr(evaluate, "run_pipeline", fake_pipeline)
    report = evaluate_re3d([RE3D / "CENTCOM"], nlp=None)
    table = report["relations"]["overlap"]
    assert table["CoLocated"] == Counts(1, 0, 0)
    assert table["InChargeOf"] == Counts(0, 1, 0)
    assert table["BelongsTo"] == Counts(0, 0, 1)
    assert table["micro"] == Counts(1, 1, 1)


def test_evaluate_conll04_maps_types_and_located_in(monkeypatch):
    golds = read_conll04(CONLL04)
    text = golds[1].document.text  # "Acme Widgets is based in Toledo , Ohio ."
    sentence = Sentence(0, len(text))

    def mention(anchor, cls):
        start = text.index(anchor)
        return Mention(start, start + len(anchor), anchor, cls, sentence, "X")

    acme, toledo, ohio = (mention("Acme Widgets", "Organization"), mention("Toledo", "Location"),
                          mention("Ohio", "Country"))

    def fake_pipeline(nlp, documents):
        for document in documents:
            ours = document.text == text
            found = [acme, toledo, ohio] if ours else []
            yield DocumentResult(
                document=document, sentences=[sentence], mentions=found, entities=[],
                referent={m: m.anchor for m in found},
                relations=[Relation(acme, "locatedIn", toledo, sentence, 0.9),  # OrgBased_In
                           Relation(toledo, "locatedIn", ohio, sentence, 0.9)]  # Located_In
                if ours else [],
            )

    monkeypatch.setattr(evaluate, "run_pipeline", fake_pipeline)
    report = evaluate_conll04(CONLL04, nlp=None)
    assert report["relations"]["exact"]["locatedIn"] == Counts(2, 0, 1)
    assert report["relations"]["exact"]["micro"] == Counts(2, 0, 4)
    # our Country counts as Location
    assert report["entities"]["exact"]["Location"] == Counts(2, 0, 1)


def test_kg_eval_re3d_end_to_end():
    runner = CliRunner()
    result = runner.invoke(main, ["eval", "re3d", str(RE3D)])
    assert result.exit_code == 0, result.output
    for heading in ("re3d: 2 documents", "Entities", "IsSynonymOf", "Relations",
                    "Organisation", "micro", "overlap", "exact"):
        assert heading in result.output
    data = json.loads(runner.invoke(
        main, ["eval", "re3d", str(RE3D), "--json", "--min-confidence", "0.5"]).output)
    assert data["documents"] == 2 and data["synonyms"]["gold"] == 3
    micro_exact = data["entities"]["exact"]["micro"]
    assert set(micro_exact) == {"tp", "fp", "fn", "precision", "recall", "f1"}
    relations = data["relations"]["overlap"]["micro"]
    assert relations["tp"] + relations["fn"] == 6  # 3 in each document, none listed both ways


def test_kg_eval_conll04_end_to_end():
    runner = CliRunner()
    result = runner.invoke(main, ["eval", "conll04", str(CONLL04)])
    assert result.exit_code == 0, result.output
    assert "conll04: 3 documents" in result.output and "locatedIn" in result.output
    data = json.loads(runner.invoke(main, ["eval", "conll04", str(CONLL04), "--json"]).output)
    entities = data["entities"]["exact"]
    assert list(entities) == ["Person", "Organization", "Location", "micro"]
    assert entities["micro"]["tp"] + entities["micro"]["fn"] == 9
    relations = data["relations"]["exact"]["micro"]
    assert relations["tp"] + relations["fn"] == 6


@pytest.mark.parametrize("args", [
    ["eval", "re3d", "no/such/folder"],
    ["eval", "conll04", "no/such/file.json"],
])
def test_kg_eval_missing_path_exits_2_with_one_line(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "no/such" in result.output
    assert "Traceback" not in result.output


def test_kg_eval_help_has_examples_and_is_in_the_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for args in (["eval"], ["eval", "re3d"], ["eval", "conll04"]):
        result = CliRunner().invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and "Example" in result.output
        assert "kg " + " ".join(args) in readme


"""The saved analyst questions in queries/: each says what it asks, parses, runs, and answers."""

from pathlib import Path

import pytest

from kg.query import ask
from kg.store import KGStore

ROOT = Path(__file__).resolve().parent.parent
SAVED = sorted((ROOT / "queries").glob("*.rq"))
SAMPLE = Path(__file__).resolve().parent / "data" / "contract-sample.ttl"


@pytest.fixture(scope="module")
def sample():
    """A hand-made graph with relations, events and figures in the contract's shape."""
    return KGStore.from_turtle(SAMPLE)


def test_there_are_at_least_ten_and_the_readme_lists_them():
    assert len(SAVED) >= 10
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in SAVED:
        assert f"`{path.stem}`" in readme, path.stem


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.stem)
def test_saved_query_says_what_it_asks_and_runs_on_the_demo(path, demo_build):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 20
    out, _ = demo_build
    ask(KGStore(out / "store", read_only=True), path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", SAVED, ids=lambda p: p.stem)
def test_saved_query_answers_on_a_graph_that_has_what_it_asks_for(path, sample):
    answer = ask(sample, path.read_text(encoding="utf-8"))
    assert answer.rows, f"{path.stem} found nothing in {SAMPLE.name}"


def test_answers_are_the_expected_ones(sample):
    def rows(name):
        answer = ask(sample, (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8"))
        return [{c: (t.value if t is not None else None) for c, t in zip(answer.columns, row)}
                for row in answer.rows]

    [arrest] = rows("arrests")
    assert (arrest["arrestedBy"], arrest["arrested"], arrest["count"], arrest["where"]) == (
        "Police", "Thai", "12", "Kratie")
    assert rows("payments")[0]["amount"] == "$5 million"
    assert rows("investigations")[0]["target"] == "Prince Group"
    assert rows("central-actors")[0]["name"] == "Hun Manet"
    assert rows("quotes-by-speaker")[0]["speaker"] == "Hun Manet"
    assert {frozenset((r["a"], r["b"])) for r in rows("together-across-documents")} == {
        frozenset(("Hun Manet", "Police"))}
    assert rows("single-source-relations")[0]["source"] == "b.txt"
    relations = rows("actor-relations")
    assert {r["direction"] for r in relations} == {"->", "<-"}
    assert relations[0]["evidence"] == "Hun Manet met Thai police."

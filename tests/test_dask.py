"""Dask: two local worker processes build the same triples as one local process."""

from __future__ import annotations

import pytest

from kg.build import build
from kg.distributed import DaskError, DaskRunner
from tests.helpers_scale import sorted_nquads


def test_two_dask_workers_make_the_same_graphs_as_one_process(fixture_corpus, fixture_nquads,
                                                              tmp_path):
    runner = DaskRunner(None, workers=2, chunk_size=1)  # a LocalCluster, one task a document
    report = build([fixture_corpus], tmp_path, nlp=None, runner=runner, validate="all")
    assert report.documents == 3 and report.validated == 3, report.failures
    assert not report.failures
    assert sorted_nquads(tmp_path) == fixture_nquads


def test_a_model_the_workers_lack_is_one_clear_error(fixture_corpus, tmp_path):
    runner = DaskRunner(None, model="no_such_model_xyz", workers=1)
    with pytest.raises(DaskError, match="cannot load the pipeline 'no_such_model_xyz'"):
        build([fixture_corpus], tmp_path, nlp=None, runner=runner)


def test_a_dask_failure_leaves_the_output_folder_as_it_was(fixture_corpus, tmp_path):
    from click.testing import CliRunner
    from rdflib import Graph, Literal, URIRef

    from kg.cli import main
    from kg.store import STORE_DIR, KGStore

    kept = Graph()
    kept.add((URIRef("urn:x:a"), URIRef("urn:x:p"), Literal("kept")))
    store = KGStore(tmp_path / STORE_DIR)
    store.add_graph(kept, URIRef("urn:x:doc"))
    del store
    result = CliRunner().invoke(main, ["build", str(fixture_corpus), "-o", str(tmp_path),
                                       "--dask", "--model", "no_such_model_xyz", "--quiet"])
    assert result.exit_code == 2
    assert "cannot load the pipeline 'no_such_model_xyz'" in result.output
    assert len(KGStore(tmp_path / STORE_DIR, read_only=True)) == 1

"""The `kg` command as a user runs it: exit statuses, one-line errors, output formats."""

import csv as csv_module
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=ROOT):
    """Run `python -m kg` in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


def test_missing_path_exits_2_with_one_line(tmp_path):
    result = run("build", tmp_path / "nope.txt", "-o", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "nope.txt" in result.stderr and "Traceback" not in result.stderr


def test_unknown_model_exits_2(tmp_path):
    (tmp_path / "a.txt").write_text("Hun Manet spoke.", encoding="utf-8")
    result = run("build", tmp_path / "a.txt", "-o", tmp_path / "out", "--model", "no_such_model")
    assert result.returncode == 2
    assert "no_such_model" in result.stderr and "Traceback" not in result.stderr


def test_bad_file_costs_one_file(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Prime Minister Hun Manet visited Phnom Penh.", encoding="utf-8")
    (corpus / "bad.txt").write_bytes(bytes(range(128, 256)) * 4)  # no encoding fits
    out = tmp_path / "out"
    result = run("build", corpus, "-o", out, "--quiet")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.txt" in lines[0] and "UTF-8" in lines[0]
    assert result.stdout == ""
    assert "Hun Manet" in (out / "graph.ttl").read_text(encoding="utf-8")


def test_query_formats_and_errors(demo_build):
    out, _ = demo_build
    runner = CliRunner()
    q = "SELECT ?name WHERE { ?p a akg:Person ; rdfs:label ?name } ORDER BY ?name"
    table = runner.invoke(main, ["query", str(out), q])
    assert table.exit_code == 0 and "Hun Manet" in table.output
    data = json.loads(runner.invoke(main, ["query", str(out), q, "--format", "json"]).output)
    assert {"type": "literal", "value": "Hun Manet"} in [b["name"] for b in data["results"]["bindings"]]
    csv = runner.invoke(main, ["query", str(out / "graph.ttl"), q, "--format", "csv"])
    assert csv.output.splitlines()[0] == "name"
    bad = runner.invoke(main, ["query", str(out), "SELECT WHERE {"])
    assert bad.exit_code == 2 and "malformed SPARQL" in bad.output
    service = runner.invoke(main, ["query", str(out), "SELECT * { SERVICE <http://x.invalid/> { ?s ?p ?o } }"])
    assert service.exit_code == 2 and "SERVICE" in service.output


def test_query_from_file_and_saved_name(demo_build, tmp_path):
    out, _ = demo_build
    rq = tmp_path / "q.rq"
    rq.write_text("ASK { ?p a akg:Person }", encoding="utf-8")
    result = CliRunner().invoke(main, ["query", str(out), "-f", str(rq)])
    assert result.exit_code == 0 and result.output.strip() == "true"
    for saved in sorted((ROOT / "queries").glob("*.rq")):
        result = CliRunner().invoke(main, ["query", str(out), "--name", saved.stem])
        assert result.exit_code == 0, (saved.name, result.output)


def test_query_bind_fixes_a_variable(demo_build):
    """--bind asks a saved query about one actor: exactly the rows of the whole answer that
    name it (the trailing VALUES joins before ORDER BY)."""
    out, _ = demo_build

    def rows(*extra: str) -> list[list[str]]:
        result = CliRunner().invoke(main, ["query", str(out), "--name", "actor-relations",
                                           "--format", "csv", *extra])
        assert result.exit_code == 0, result.output
        return list(csv_module.reader(io.StringIO(result.output)))[1:]

    everything = rows()
    actor = Counter(row[0] for row in everything).most_common(1)[0][0]
    bound = rows("--bind", f"actor={actor}")
    assert len(bound) > 1 and bound == [row for row in everything if row[0] == actor]
    assert rows("--bind", "actor=nobody of that name") == []
    for bad, message in (("actor", "VAR=VALUE"), ("a-b=x", "variable name"),
                         ("actor=<not an iri>", "not an IRI")):
        result = CliRunner().invoke(main, ["query", str(out), "--name", "actor-relations",
                                           "--bind", bad])
        assert result.exit_code == 2 and message in result.output


def test_analyze(demo_build):
    out, _ = demo_build
    result = CliRunner().invoke(main, ["analyze", str(out)])
    assert result.exit_code == 0 and "PageRank" in result.output


@pytest.mark.parametrize("command", ["build", "query", "analyze", "eval", "add", "remove", "export",
                                     "serve", "path"])
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output
    assert f"kg {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_query_reads_the_store_and_describes(demo_build):
    out, _ = demo_build
    assert (out / "store").is_dir()
    result = CliRunner().invoke(main, ["query", str(out), "DESCRIBE ent:person.hun-manet",
                                       "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "subject,predicate,object" and "Hun Manet" in result.output


def test_export_and_store_errors(demo_build, tmp_path):
    out, _ = demo_build
    target = tmp_path / "g.nq"
    result = CliRunner().invoke(main, ["export", str(out), "--format", "nq", "-o", str(target)])
    assert result.exit_code == 0 and "<https://w3id.org/actorkg/doc/" in target.read_text("utf-8")
    for command in (["export", str(tmp_path)], ["remove", str(tmp_path), "a.txt"],
                    ["serve", str(tmp_path)], ["add", str(tmp_path), str(target)]):
        result = run(*command)
        assert result.returncode == 2 and "Traceback" not in result.stderr, command
        assert result.stderr.count("\n") == 1, result.stderr

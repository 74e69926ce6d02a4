"""Shared fixtures: the small spaCy model, loaded once, and one build of the demo corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import BuildReport, build
from kg.nlp import load_pipeline

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def nlp():
    return load_pipeline()


@pytest.fixture(scope="session")
def demo_build(nlp, tmp_path_factory) -> tuple[Path, BuildReport]:
    """The demo corpus built once for the session: (output folder, report)."""
    out = tmp_path_factory.mktemp("demo")
    return out, build([EXAMPLES], out, nlp=nlp)


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory) -> Path:
    """The demo page and the two re3d texts of tests/data (as one JSONL file), in a folder."""
    import json
    import shutil

    folder = tmp_path_factory.mktemp("corpus")
    for page in EXAMPLES.glob("*.txt"):
        shutil.copy(page, folder / page.name)
    lines = []
    for part in sorted((DATA / "re3d").glob("*/documents.json")):
        for line in part.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                lines.append(json.dumps({"text": row["text"], "title": row["title"],
                                         "url": row["sourceUrl"]}))
    (folder / "re3d.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def fixture_nquads(nlp, fixture_corpus, tmp_path_factory) -> bytes:
    """Sorted N-Quads of the fixture corpus built in one process (what other runs must match)."""
    from tests.helpers_scale import sorted_nquads

    out = tmp_path_factory.mktemp("one-process")
    report = build([fixture_corpus], out, nlp=nlp, processes=1, validate="none")
    assert report.documents == 3 and not report.failures, report.failures
    return sorted_nquads(out)

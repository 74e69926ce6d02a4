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

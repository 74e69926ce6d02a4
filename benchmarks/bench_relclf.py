"""What the relation classifier adds to a build: time per document, model size and load time.

Not a unit test: run ``python benchmarks/bench_relclf.py [PATH...]`` (default: ``examples/``).
Each input document is parsed once; then :func:`kg.relclf.classify` (pairs, features and
the linear model) is timed over it, best of three, beside the whole of
:func:`kg.build.analyse` with and without the classifier.
"""

from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path

from kg.build import analyse, parse
from kg.ingest import read_documents
from kg.mentions import mentions
from kg.nlp import load_pipeline
from kg.relclf import MODEL_DIR, RelationModel, classify, using
from kg.types import Document


def best_of(n: int, run: object) -> float:
    """The shortest of ``n`` timings of ``run()``, in seconds."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times)


def _classify_all(doc: object, found: list, model: RelationModel) -> None:
    list(classify(doc, found, model=model))


def main(paths: list[str]) -> None:
    started = time.perf_counter()
    model = RelationModel.load(MODEL_DIR)
    load = time.perf_counter() - started
    size = sum(f.stat().st_size for f in MODEL_DIR.iterdir())
    print(f"model: {size / 1e6:.1f} MB on disk, loaded in {load * 1000:.0f} ms")
    nlp = load_pipeline()
    documents = [d for d in read_documents(paths) if isinstance(d, Document)]
    total_clf = total_with = total_without = 0.0
    chars = 0
    for doc, document, sections in parse(nlp, documents):
        found = list(mentions(doc))
        read = partial(analyse, doc, document, sections=sections)
        total_clf += best_of(3, partial(_classify_all, doc, found, model))
        with using(model):
            total_with += best_of(3, read)
        with using(None):
            total_without += best_of(3, read)
        chars += len(document.text)
    n = max(len(documents), 1)
    print(f"{len(documents)} documents, {chars / n:.0f} characters each on average")
    print(f"classify: {total_clf / n * 1000:.1f} ms per document")
    print(f"analyse: {total_without / n * 1000:.1f} ms without the classifier, "
          f"{total_with / n * 1000:.1f} ms with it (parsing not included)")


if __name__ == "__main__":
    main(sys.argv[1:] or [str(Path(__file__).resolve().parent.parent / "examples")])

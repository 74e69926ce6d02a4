"""A benchmark corpus of any size, made by repeating real documents with small changes.

The seeds are the demo page (``examples/*.txt``) and, when present, the re3d texts in
``../shared/data/re3d-dev`` (75 short government and military press releases). Copy ``i`` of
a seed gets its own first line and its numbers and one of its capitalised words changed, so
each copy is a distinct document (its own text hash, so its own named graph) that reads like
the seed: the parser and the analysis do the same work as on the seed.

``python benchmarks/corpus.py N OUT.jsonl`` writes N documents as JSONL (``kg build`` input).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

__all__ = ["RE3D", "documents", "seeds", "write_jsonl"]

ROOT = Path(__file__).resolve().parent.parent
#: re3d documents used when the shared data folder is there.
RE3D = ROOT.parent / "shared" / "data" / "re3d-dev"

_NUMBER = re.compile(r"\b\d+\b")
_NAME = re.compile(r"\b[A-Z][a-z]{3,}\b")
_PLACES = ["Geneva", "Nairobi", "Manila", "Lima", "Oslo", "Hanoi", "Accra", "Quito", "Riga"]


def seeds(re3d: Path = RE3D) -> list[dict[str, str]]:
    """The real documents copied: the demo page(s), then re3d's texts if present.

    Returns
    -------
    list of dict
        ``{"text", "title", "url"}`` records.
    """
    found = [
        {"text": page.read_text(encoding="utf-8"), "title": page.stem, "url": str(page)}
        for page in sorted((ROOT / "examples").glob("*.txt"))
    ]
    for part in sorted(re3d.glob("*/documents.json")):
        for line in part.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                found.append({"text": row["text"], "title": row.get("title", ""),
                              "url": row.get("sourceUrl", "")})
    return found


def documents(n: int, *, seed: int = 7, re3d: Path = RE3D) -> Iterator[dict[str, str]]:
    """``n`` documents: the seeds in turn, copy ``i`` changed in small ways.

    Parameters
    ----------
    n
        How many documents.
    seed
        Seed of the random changes (the same corpus every run).
    re3d
        The re3d folder (skipped when missing).

    >>> docs = list(documents(3, re3d=Path("/nonexistent")))
    >>> len(docs), len({d["text"] for d in docs})
    (3, 3)
    """
    pool = seeds(re3d)
    rng = random.Random(seed)
    for i in range(n):
        base = pool[i % len(pool)]
        copy = i // len(pool)
        text = _NUMBER.sub(lambda m, c=copy: str(int(m.group()) + c % 7), base["text"])
        names = sorted(set(_NAME.findall(text)))
        if copy and names:
            old = rng.choice(names)
            text = re.sub(rf"\b{old}\b", rng.choice(_PLACES), text)
        text = f"Report {i + 1} from the news desk, edition {copy + 1}.\n\n{text}"
        yield {"text": text, "title": f"{base['title']} ({copy + 1})",
               "url": f"{base['url']}#copy={copy}"}


def write_jsonl(path: str | Path, n: int, *, seed: int = 7) -> Path:
    """Write :func:`documents` to a JSONL file; return its path."""
    target = Path(path)
    with open(target, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(record, ensure_ascii=False) + "\n"
                       for record in documents(n, seed=seed))
    return target


if __name__ == "__main__":
    print(write_jsonl(sys.argv[2], int(sys.argv[1])))

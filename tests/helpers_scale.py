"""Helpers shared by the scale and Dask tests."""

from __future__ import annotations

import io
from pathlib import Path

from kg.store import STORE_DIR, KGStore


def sorted_nquads(outdir: Path) -> bytes:
    """The store's named graphs as N-Quads, lines sorted (the graphs hold no blank nodes)."""
    store = KGStore(outdir / STORE_DIR, read_only=True)
    buffer = io.BytesIO()
    store.export(buffer, "nq")
    lines = buffer.getvalue().splitlines()
    assert not any(b" _:" in line for line in lines), "blank nodes: compare isomorphic graphs"
    return b"\n".join(sorted(lines))

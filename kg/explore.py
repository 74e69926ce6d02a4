"""networkx actor graph -> one self-contained, offline HTML explorer.

pyvis builds the nodes, edges and vis-network options; the page itself comes from our
own Jinja2 template (``templates/explorer.html``), because pyvis's template links
Bootstrap from a CDN and writes tooltips with ``innerHTML``. Every label, tooltip and
evidence sentence is untrusted news text: it reaches the page only as JSON (``|tojson``)
and is put into the DOM with ``textContent``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx
from pyvis.network import Network

from kg.network import CO_OCCURS, MAX_EVIDENCE
from kg.types import ACTOR_CLASSES

__all__ = ["CLASS_COLORS", "DEFAULT_COLOR", "MAX_EVIDENCE", "write_explorer"]

#: Node colour per actor class (Okabe-Ito palette, readable by colour-blind people).
CLASS_COLORS: dict[str, str] = {
    "Person": "#0072B2",
    "Organization": "#E69F00",
    "Location": "#009E73",
    "Country": "#CC79A7",
    "NationalityGroup": "#D55E00",
}
#: Colour of any class not in :data:`kg.types.ACTOR_CLASSES`.
DEFAULT_COLOR = "#9E9E9E"

_VIS_DIR = "lib/vis-9.1.2"
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def write_explorer(
    graph: nx.Graph, path: str | os.PathLike[str], *, title: str = "actorkg explorer",
    top: int | None = None,
) -> Path:
    """Write an interactive HTML explorer of an actor graph that works offline.

    The page has a legend with class filters, a name search, edge labels showing the
    relation, and a side panel with a clicked node's class, PageRank, degree and
    evidence. The layout is computed once (forceAtlas2Based, stabilised), then frozen.

    Parameters
    ----------
    graph : networkx.Graph
        Nodes keyed by entity IRI with ``label``, ``cls``, ``pagerank``, ``degree``,
        ``mentions`` and ``evidence`` (list of ``{"sentence", "source"}`` dicts);
        edges with ``weight``, ``relation`` and ``evidence``. Missing ones get defaults.
    path : str or os.PathLike
        The HTML file to write; it is replaced atomically.
    title : str
        Shown in the page header and the browser tab.
    top : int or None
        Keep only the ``top`` nodes of highest PageRank and the edges among them.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        If ``top`` is negative.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_node("urn:x:a", label="Ann", cls="Person", pagerank=1.0)
    >>> import tempfile
    >>> write_explorer(g, Path(tempfile.mkdtemp()) / "kg.html").name
    'kg.html'
    """
    if top is not None:
        if top < 0:
            raise ValueError(f"top must be a number of nodes >= 0 or None, not {top!r}")
        ranked = sorted(graph.nodes(data="pagerank", default=0.0), key=lambda n: -(n[1] or 0.0))
        graph = graph.subgraph(node for node, _ in ranked[:top])
    net = _build_network(graph)
    nodes, edges, _heading, _height, _width, options_json = net.get_network_data()
    options = json.loads(options_json)
    classes = list(ACTOR_CLASSES) + sorted({n["group"] for n in nodes} - set(ACTOR_CLASSES))
    colors = {cls: CLASS_COLORS.get(cls, DEFAULT_COLOR) for cls in classes}
    options["groups"] = {cls: {"color": color} for cls, color in colors.items()}
    options["nodes"] = {"shape": "dot", "scaling": {"min": 8, "max": 40}}
    options["edges"]["font"] = {"size": 10, "align": "middle"}
    options["interaction"].update(hover=True, tooltipDelay=150)
    counts = {cls: sum(n["group"] == cls for n in nodes) for cls in classes}
    lib = files("pyvis").joinpath(_VIS_DIR)
    html = _TEMPLATES.get_template("explorer.html").render(
        title=title,
        data={"nodes": nodes, "edges": edges, "options": options, "details": _details(graph)},
        legend=[(cls, colors[cls], counts[cls]) for cls in classes],
        vis_js=_raw_text(lib.joinpath("vis-network.min.js").read_text("utf-8"), "script"),
        vis_css=_raw_text(lib.joinpath("vis-network.css").read_text("utf-8"), "style"),
    )
    return _write_atomic(Path(path), html)


def _build_network(graph: nx.Graph) -> Network:
    """pyvis network of ``graph``: one node per entity, one edge per pair."""
    net = Network(height="100%", width="100%", directed=graph.is_directed())
    labels = {}
    for node, attrs in graph.nodes(data=True):
        label = str(attrs.get("label") or node)
        labels[node] = label
        cls, pagerank = str(attrs.get("cls") or "Unknown"), float(attrs.get("pagerank") or 0.0)
        degree = int(attrs.get("degree") or 0)
        tip = f"{label}\n{cls} · PageRank {pagerank:.4f} · degree {degree}"
        net.add_node(str(node), label=label, title=tip, group=cls, value=pagerank)
    for i, (u, v, attrs) in enumerate(graph.edges(data=True)):
        relation, weight = str(attrs.get("relation") or CO_OCCURS), int(attrs.get("weight") or 1)
        tip = f"{labels[u]} — {relation} — {labels[v]}\nweight {weight}"
        # co-occurrence is the default link: labelling every edge with it only adds clutter
        label = {"label": relation} if relation != CO_OCCURS else {}
        net.add_edge(str(u), str(v), id=f"e{i}", value=weight, title=tip, **label)
    net.force_atlas_2based(gravity=-60, spring_length=120, overlap=0.5)
    net.options.physics.stabilization.iterations = 300
    net.options.edges.toggle_smoothness("continuous")  # "dynamic" adds a physics node per edge
    return net


def _details(graph: nx.Graph) -> dict[str, dict[str, Any]]:
    """Side-panel facts per node id, and per edge id (``e0``, ``e1``... as in pyvis)."""
    details: dict[str, dict[str, Any]] = {}
    for node, attrs in graph.nodes(data=True):
        details[str(node)] = {
            "label": str(attrs.get("label") or node),
            "cls": str(attrs.get("cls") or "Unknown"),
            "pagerank": float(attrs.get("pagerank") or 0.0),
            "degree": int(attrs.get("degree") or 0),
            "mentions": int(attrs.get("mentions") or 0),
            **_evidence(attrs.get("evidence")),
        }
    for i, (_u, _v, attrs) in enumerate(graph.edges(data=True)):
        details[f"e{i}"] = {
            "relation": str(attrs.get("relation") or CO_OCCURS),
            "weight": int(attrs.get("weight") or 1),
            **_evidence(attrs.get("evidence")),
        }
    return details


def _evidence(items: Any) -> dict[str, Any]:
    """The first :data:`MAX_EVIDENCE` evidence dicts as plain strings, and the total."""
    items = list(items or [])
    kept = [{"sentence": str(e.get("sentence", "")), "source": str(e.get("source", ""))}
            for e in items[:MAX_EVIDENCE]]
    return {"evidence": kept, "evidence_total": len(items)}


def _raw_text(text: str, tag: str) -> str:
    """Library text that cannot close the ``<script>``/``<style>`` element it is put in."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


def _write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path

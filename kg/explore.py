"""networkx actor graph -> one self-contained, offline HTML explorer.

The page is our own Jinja2 template (``templates/explorer.html``) around pyvis's bundled
vis-network 9.1.2, inlined: pyvis's own template links Bootstrap from a CDN and writes
tooltips with ``innerHTML``. Every label, tooltip and evidence sentence is untrusted news
text: it reaches the page only as JSON (``|tojson``) and the DOM only through
``textContent`` (tooltips are elements built with ``textContent`` too).

pyvis supplies the vis-network options (:class:`pyvis.options.Options`, solver presets).
The node and edge lists are built here directly, in the shape pyvis's ``Network.add_node``
and ``add_edge`` produce (``{"id", "label", "shape", "title", "group", "value"}`` and
``{"from", "to", "arrows", ...}``): ``add_edge`` scans every edge already added and
``add_node`` every node id, which took 14 s for 5,000 nodes and 20,000 edges.

Large graphs: above :data:`LARGE` nodes the layout starts from positions grouped by
community, uses the Barnes-Hut solver without vis-network's ``improvedLayout`` (a
Kamada-Kawai pass that is quadratic), straight edges, and fewer stabilisation iterations;
then, like small graphs, the physics stops once the layout has settled. The page sets
``window.kgStabilized`` (``performance.now()`` in ms) at that moment, for tests and
benchmarks.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import tempfile
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import networkx as nx
from pyvis.network import Network

from kg.network import CO_OCCURS, MAX_EVIDENCE
from kg.types import ACTOR_CLASSES

#: Where the page's data goes in the rendered template (a string no text can hold).
_DATA_MARK = "\x00graph-data\x00"

__all__ = [
    "BUILD_EXPLORER_NODES",
    "CLASS_COLORS",
    "COMMUNITY_COLORS",
    "DEFAULT_COLOR",
    "LARGE",
    "MAX_EVIDENCE",
    "explorer_data",
    "write_explorer",
]

#: Node colour per actor class (Okabe-Ito palette, readable by colour-blind people).
CLASS_COLORS: dict[str, str] = {
    "Person": "#0072B2",
    "Organization": "#E69F00",
    "Location": "#009E73",
    "Country": "#CC79A7",
    "NationalityGroup": "#D55E00",
    "Event": "#56B4E9",
}
#: Colour of any class not in :data:`CLASS_COLORS`, and of small communities.
DEFAULT_COLOR = "#9E9E9E"
#: Colours of the largest communities, in order (Tableau 10); the rest are grey.
COMMUNITY_COLORS = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948",
                    "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC")
#: Colour of relation edges, of edges that stand for an event, and of co-occurrence edges.
RELATION_COLOR, EVENT_COLOR, COOCCURRENCE_COLOR = "#4a5560", "#b03a2e", "#c8c8c8"
#: Graphs with more nodes than this get the large-graph layout settings.
LARGE = 500
#: Actors on the page ``kg build`` and ``kg add`` write (those of highest PageRank): the page
#: ``make bench`` times settles in seconds at 5,000 nodes, while 10,000 documents make 62,000
#: actors, a 336 MB page no browser lays out (``kg analyze --html --explorer-top N`` for more).
BUILD_EXPLORER_NODES = 5000
#: Evidence sentences quoted in a tooltip (the side panel shows up to MAX_EVIDENCE).
TOOLTIP_EVIDENCE = 2

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

    Nodes are coloured by class (or, at the press of a button, by community) and sized by
    PageRank; relation edges are labelled and point from subject to object, co-occurrence
    edges are light and dashed. The page has a legend that filters by class, a community
    list that filters by community, a name search, tooltips quoting evidence, and a side
    panel with a clicked node's or edge's figures and evidence sentences. The layout is
    computed once, then frozen.

    Parameters
    ----------
    graph : networkx.Graph
        Any networkx graph (a ``MultiDiGraph`` from :func:`kg.network.actor_graph`, or a
        simple graph). Nodes keyed by entity IRI with ``label``, ``cls``, ``pagerank``,
        ``degree``, ``betweenness``, ``community``, ``mentions`` and ``evidence`` (list of
        ``{"sentence", "source"}`` dicts); edges with ``weight``, ``relation``,
        ``directed`` and ``evidence``. Missing ones get defaults.
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
    data = explorer_data(graph, top=top)
    counts = Counter(n["cls"] for n in data["nodes"])
    legend = [(cls, data["options"]["groups"][cls]["color"]["background"], counts[cls])
              for cls in data["classes"]]
    lib = files("pyvis").joinpath(_VIS_DIR)
    # the data is written into the page piece by piece where the template has _DATA_MARK: at
    # 10,000 documents its JSON is over 300 MB, and one string of it plus the escaped copies
    # and the rendered page took more than a gigabyte
    html = _TEMPLATES.get_template("explorer.html").render(
        title=title,
        data=data,
        graph_data=markupsafe.Markup(_DATA_MARK),
        legend=legend,
        vis_js=_raw_text(lib.joinpath("vis-network.min.js").read_text("utf-8"), "script"),
        vis_css=_raw_text(lib.joinpath("vis-network.css").read_text("utf-8"), "style"),
    )
    head, tail = html.split(_DATA_MARK)
    return _write_atomic(Path(path), [head, *_safe_json(data), tail])


def explorer_data(graph: nx.Graph, *, top: int | None = None) -> dict[str, Any]:
    """The data the explorer page embeds: vis-network nodes, edges and options, and details.

    Parameters
    ----------
    graph, top
        As for :func:`write_explorer`.

    Returns
    -------
    dict
        ``nodes`` and ``edges`` (vis-network items; edge ids ``e0``, ``e1``...),
        ``options``, ``details`` (side-panel facts by node or edge id), ``classes`` (legend
        order), ``communities`` (``{"id", "size", "color", "members"}``, largest first) and
        ``total_nodes`` (the nodes of ``graph``, before ``top`` kept some of them).

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("urn:x:a", "urn:x:b", "leads", relation="leads", weight=2)
    'leads'
    >>> e = explorer_data(g)["edges"][0]
    >>> e["label"], e["arrows"], e["value"]
    ('leads', 'to', 2)
    """
    total_nodes = len(graph)
    if top is not None:
        if top < 0:
            raise ValueError(f"top must be a number of nodes >= 0 or None, not {top!r}")
        ranked = sorted(graph.nodes(data="pagerank", default=0.0),
                        key=lambda n: (-(n[1] or 0.0), str(n[0])))
        graph = graph.subgraph(node for node, _ in ranked[:top])
    large = len(graph) > LARGE
    positions = _community_positions(graph) if large else {}
    labels = {node: str(graph.nodes[node].get("label") or node) for node in graph}
    sizes = Counter(int(graph.nodes[n].get("community") or 0) for n in graph)
    ranked_communities = sorted(sizes, key=lambda c: (-sizes[c], c))
    community_color = {c: COMMUNITY_COLORS[i] if i < len(COMMUNITY_COLORS) else DEFAULT_COLOR
                       for i, c in enumerate(ranked_communities)}

    nodes: list[dict[str, Any]] = []
    details: dict[str, dict[str, Any]] = {}
    for node, attrs in graph.nodes(data=True):
        nid, label = str(node), labels[node]
        cls = str(attrs.get("cls") or "Unknown")
        pagerank, community = float(attrs.get("pagerank") or 0.0), int(attrs.get("community") or 0)
        evidence = _evidence(attrs.get("evidence"))
        facts = {"label": label, "cls": cls, "pagerank": pagerank,
                 "degree": int(attrs.get("degree") or 0),
                 "betweenness": float(attrs.get("betweenness") or 0.0),
                 "community": community, "mentions": int(attrs.get("mentions") or 0)}
        tip = (f"{label}\n{cls} · PageRank {pagerank:.4f} · degree {facts['degree']} · "
               f"community {community}{_quote(evidence['evidence'])}")
        item = {"id": nid, "label": label, "shape": "dot", "title": tip, "group": cls,
                "value": pagerank, "cls": cls, "community": community}
        if node in positions:
            item["x"], item["y"] = positions[node]
        nodes.append(item)
        details[nid] = {**facts, **evidence}

    edges = []
    default_directed = graph.is_directed()
    for i, (u, v, attrs) in enumerate(graph.edges(data=True)):
        relation = str(attrs.get("relation") or CO_OCCURS)
        weight = int(attrs.get("weight") or 1)
        cooccurs = relation == CO_OCCURS
        directed = bool(attrs.get("directed", default_directed)) and not cooccurs
        arrow = " → " if directed else " — "
        evidence = _evidence(attrs.get("evidence"))
        tip = (f"{labels[u]}{arrow}{relation}{arrow}{labels[v]}\n"
               f"{weight} {'sentence' if cooccurs else 'statement'}{'s' * (weight != 1)}"
               f"{_quote(evidence['evidence'])}")
        edge: dict[str, Any] = {"id": f"e{i}", "from": str(u), "to": str(v), "value": weight,
                                "title": tip, "relation": relation}
        if directed:
            edge["arrows"] = "to"
        if attrs.get("kind") == "event":
            edge["color"] = {"color": EVENT_COLOR, "highlight": "#222", "hover": "#222"}
        if cooccurs:  # the default link: a label on each would only add clutter
            edge.update(dashes=True, color={"color": COOCCURRENCE_COLOR, "highlight": "#888",
                                            "hover": "#888"})
        elif not large:  # thousands of edge labels cost seconds to measure, and are unreadable
            edge["label"] = relation
        edges.append(edge)
        details[edge["id"]] = {"relation": relation, "weight": weight, "directed": directed,
                               **evidence}

    classes: list[str] = list(ACTOR_CLASSES)
    classes += sorted({str(n["cls"]) for n in nodes} - set(classes))
    options = _options(len(nodes), len(edges), large=large)
    options["groups"] = {cls: _color(CLASS_COLORS.get(cls, DEFAULT_COLOR)) for cls in classes}
    options["groups"].update({f"community-{c}": _color(community_color[c])
                              for c in ranked_communities})
    members: dict[int, list[tuple[float, str]]] = {c: [] for c in ranked_communities}
    for n in nodes:
        members[n["community"]].append((-n["value"], n["label"]))
    return {
        "nodes": nodes,
        "edges": edges,
        "options": options,
        "details": details,
        "classes": classes,
        "communities": [
            {"id": c, "size": sizes[c], "color": community_color[c],
             "members": [label for _, label in sorted(members[c])[:3]]}
            for c in ranked_communities
        ],
        "total_nodes": total_nodes,
    }


def _options(n_nodes: int, n_edges: int, *, large: bool) -> dict[str, Any]:
    """vis-network options from pyvis, tuned to the graph's size."""
    net = Network(height="100%", width="100%")
    if large:
        # the layout comes from _community_positions; the physics only polishes it, with
        # fewer iterations as they get dearer: 100 at 500 nodes, 10 at 5,000
        net.barnes_hut(gravity=-2000, central_gravity=0.1, spring_length=60,
                       spring_strength=0.04, damping=0.5)
        net.options.physics.stabilization.iterations = max(5, min(100, 50_000 // n_nodes))
    else:
        net.force_atlas_2based(gravity=-60, spring_length=120, overlap=0.5)
        net.options.physics.stabilization.iterations = 300
    net.options.physics.stabilization.updateInterval = 25
    net.options.edges.toggle_smoothness("continuous")  # "dynamic" adds a node per edge
    options: dict[str, Any] = json.loads(net.options.to_json())
    if large:
        options["physics"]["solver"] = "barnesHut"  # vis-network's default; pyvis omits it
    if large or n_edges > 2000:
        options["edges"]["smooth"] = {"enabled": False}  # straight lines draw much faster
    options["edges"].pop("color", None)  # pyvis's inherit: true greys nothing out
    options["edges"]["color"] = {"color": RELATION_COLOR, "highlight": "#222", "hover": "#222"}
    options["edges"]["font"] = {"size": 12, "align": "middle", "strokeWidth": 3,
                                "color": "#333"}
    options["edges"]["scaling"] = {"min": 1, "max": 8, "label": {"enabled": False}}
    options["edges"]["arrows"] = {"to": {"scaleFactor": 0.5}}
    options["nodes"] = {
        "shape": "dot", "borderWidth": 1,
        "scaling": {"min": 8, "max": 40,
                    "label": {"enabled": True, "min": 12, "max": 26, "drawThreshold": 7}},
    }
    options["layout"] = {"improvedLayout": not large and n_nodes <= 150, "randomSeed": 7}
    options["interaction"].update(hover=True, tooltipDelay=150, hideEdgesOnDrag=large,
                                  hideEdgesOnZoom=large)
    return options


def _color(color: str) -> dict[str, Any]:
    """A vis-network group colour: the fill, a darker border when highlighted."""
    return {"color": {"background": color, "border": color,
                      "highlight": {"background": color, "border": "#222"},
                      "hover": {"background": color, "border": "#222"}}}


def _community_positions(graph: nx.Graph, *, spacing: float = 30.0, seed: int = 7
                         ) -> dict[Hashable, tuple[float, float]]:
    """A layout computed in Python: each community laid out alone, in its own disc.

    Communities are placed on a sunflower spiral, largest in the middle, each in a disc whose
    area grows with its size; inside, a Fruchterman-Reingold layout of the community's own
    links (:func:`networkx.spring_layout`, seeded), or random places above 1,000 members.
    Each community costs at most (its size)^2, where vis-network's Barnes-Hut needs ~100 ms
    per iteration at 5,000 nodes. networkx 3.6 (the version installed) lays out a community
    of 500 nodes or more by its "energy" method (scipy's L-BFGS): the explorer of the
    1,000-document benchmark spent about 80% of its 16 s here (cProfile of
    ``benchmarks/bench_outputs.py``, 2026-11-30), most of it in its few largest communities.
    """
    rng = random.Random(seed)
    groups: dict[int, list[Hashable]] = {}
    for node, community in graph.nodes(data="community", default=0):
        groups.setdefault(int(community or 0), []).append(node)
    order = sorted(groups, key=lambda c: (-len(groups[c]), c))
    golden = math.pi * (3 - math.sqrt(5))
    positions: dict[Hashable, tuple[float, float]] = {}
    placed = 0  # nodes already placed: each disc starts outside the area they use
    for i, community in enumerate(order):
        members = sorted(groups[community], key=str)
        radius = spacing * math.sqrt(len(members))
        distance = spacing * 1.2 * math.sqrt(placed) + (radius if placed else 0.0)
        cx, cy = distance * math.cos(golden * i), distance * math.sin(golden * i)
        if 1 < len(members) <= 1000:
            sub = nx.Graph(graph.subgraph(members).to_undirected(as_view=True))
            inner = nx.spring_layout(sub, seed=seed, iterations=50)
            local = {n: (float(x), float(y)) for n, (x, y) in inner.items()}
        else:
            local = {}
            for n in members:
                r, a = math.sqrt(rng.random()), rng.random() * 2 * math.pi
                local[n] = (r * math.cos(a), r * math.sin(a))
        for node, (x, y) in local.items():
            positions[node] = (round(cx + radius * x, 1), round(cy + radius * y, 1))
        placed += len(members)
    return positions


def _evidence(items: Any) -> dict[str, Any]:
    """The first :data:`MAX_EVIDENCE` evidence dicts as plain strings, and the total."""
    items = list(items or [])
    kept = [{"sentence": str(e.get("sentence", "")), "source": str(e.get("source", ""))}
            for e in items[:MAX_EVIDENCE]]
    return {"evidence": kept, "evidence_total": len(items)}


def _quote(evidence: list[dict[str, str]], width: int = 240) -> str:
    """Tooltip lines quoting the first evidence sentences and their sources."""
    lines = []
    for item in evidence[:TOOLTIP_EVIDENCE]:
        sentence = " ".join(item["sentence"].split())
        if len(sentence) > width:
            sentence = sentence[: width - 1].rstrip() + "…"
        lines.append(f"\n\n“{sentence}”\n— {item['source']}")
    if len(evidence) > TOOLTIP_EVIDENCE:
        lines.append(f"\n\n(+{len(evidence) - TOOLTIP_EVIDENCE} more: click)")
    return "".join(lines)


def _raw_text(text: str, tag: str) -> str:
    """Library text that cannot close the ``<script>``/``<style>`` element it is put in."""
    return re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)


def _safe_json(data: Any, depth: int = 2) -> Iterator[str]:
    r"""``data`` as Jinja's ``|tojson`` writes it (keys sorted; ``<``, ``>``, ``&``, ``'``
    escaped, so the text cannot close its ``<script>``), in pieces: the items of the lists
    and dicts ``depth`` levels down are encoded one at a time.

    >>> "".join(_safe_json({"b": ["<i>", {"y": 1, "x": "'"}], "a": {}}))
    '{"a": {}, "b": ["\\u003ci\\u003e", {"x": "\\u0027", "y": 1}]}'
    """
    if depth and isinstance(data, list) and data:
        yield "["
        for i, item in enumerate(data):
            if i:
                yield ", "
            yield from _safe_json(item, depth - 1)
        yield "]"
    elif depth and isinstance(data, dict) and data and all(isinstance(k, str) for k in data):
        yield "{"
        for i, key in enumerate(sorted(data)):
            yield f"{', ' if i else ''}{_escape_json(json.dumps(key))}: "
            yield from _safe_json(data[key], depth - 1)
        yield "}"
    else:
        yield _escape_json(json.dumps(data, sort_keys=True))


def _escape_json(text: str) -> str:
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("'", "\\u0027"))


def _write_atomic(path: Path, text: str | Iterable[str]) -> Path:
    """Write ``text`` (a string, or its pieces in order) to a temporary file beside ``path``,
    then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.writelines([text] if isinstance(text, str) else text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path

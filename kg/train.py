"""``kg train``: the relation classifier of :mod:`kg.relclf`, trained from annotated data.

Training data are the train splits only: CoNLL04 train (SpERT/TablERT JSON) and re3d
folders. Each text is parsed and read by our own pipeline, so the classifier learns from
the mentions it will see at run time: every pair of our mentions in one sentence, plus the
gold mentions our pipeline missed, labelled with the gold relation whose two arguments
overlap the pair's (:func:`labelled_pairs`). :func:`fit` trains the thinc model with a
fixed seed; :func:`cross_validate_re3d` and :func:`cross_validate_conll04` score re3d
documents and CoNLL04 train sentences by k-fold cross-validation (each fold scored by a
model that never saw it), the signal that features, thresholds and epochs are chosen by:
CoNLL04 dev is never read.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.coref import PRONOUN
from kg.evaluate import (
    DEFAULT_MIN_CONFIDENCE,
    RE3D_RELATION_TYPES,
    Counts,
    GoldDocument,
    SpanRelation,
    conll04_bounds,
    conll04_gold_relations,
    conll04_relations,
    re3d_relations,
    read_conll04,
    read_re3d,
    score_conll04_relations,
    score_re3d_relations,
)
from kg.relclf import LABELS, NONE, RelationModel, candidates, label_of, using
from kg.spans import text_of
from kg.types import DocumentResult, Mention, RelationCandidate, Sentence

__all__ = [
    "CONLL04_TRAIN_CLASSES",
    "CONLL04_TRAIN_PREDICATES",
    "DEFAULT_EPOCHS",
    "DEFAULT_LENGTH",
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "PRONOUNS_ANNOTATED",
    "RE3D_TRAIN_CLASSES",
    "RE3D_TRAIN_PREDICATES",
    "Parsed",
    "TrainReport",
    "cross_validate",
    "cross_validate_conll04",
    "cross_validate_re3d",
    "fit",
    "labelled_pairs",
    "parse_dataset",
    "train",
]

DEFAULT_SEED = 0
DEFAULT_EPOCHS = 4
#: Hash buckets of the bag-of-features model (its size on disk is about 4 bytes times
#: this times the number of labels).
DEFAULT_LENGTH = 2**16
DEFAULT_BATCH_SIZE = 128
#: Models trained (each on its own order of the examples) whose weights make the one shipped.
DEFAULT_RUNS = 5
DEFAULT_LEARN_RATE = 0.005
#: re3d relations below this annotator confidence are rejected alternatives, not taught.
TRAIN_MIN_CONFIDENCE = 0.5

#: Gold entity types as our mention classes, for the gold mentions our pipeline missed.
CONLL04_TRAIN_CLASSES = {"Peop": "Person", "Org": "Organization", "Loc": "Location"}
RE3D_TRAIN_CLASSES = {"Person": "Person", "Organisation": "Organization",
                      "Location": "Location", "Nationality": "NationalityGroup"}
#: Gold relation categories as our predicates.
CONLL04_TRAIN_PREDICATES = {"Work_For": "memberOf", "Kill": "killed", "OrgBased_In": "locatedIn",
                            "Located_In": "locatedIn", "Live_In": "livesIn"}
RE3D_TRAIN_PREDICATES = {"BelongsTo": "memberOf", "InChargeOf": "leads", "CoLocated": "locatedIn",
                         "HasAttrOf": "hasNationality", "FightingAgainst": "fightsAgainst",
                         "AlliesOf": "alliedWith", "CommWith": "communicatedWith",
                         "Dislikes": "opposes", "Likes": "supports"}

#: Whether each dataset annotates relations argued on pronouns ("he", "we"): re3d does,
#: CoNLL04 annotates names only (see :func:`labelled_pairs`).
PRONOUNS_ANNOTATED = {"conll04": False, "re3d": True}

Pair = tuple[tuple[str, ...], str]  # (features, label)


@dataclass
class Parsed:
    """One annotated text parsed by our pipeline: what :func:`kg.build.analyse` needs, and
    the labelled pairs for training."""

    gold: GoldDocument
    doc: Any
    sections: list[Any]
    pairs: list[Pair]


@dataclass
class TrainReport:
    """What :func:`train` did."""

    documents: int = 0
    pairs: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    bytes: int = 0
    path: Path | None = None


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


def _bounds(mention: Mention) -> tuple[tuple[int, int], ...]:
    """The spans a gold argument may have to name ``mention`` exactly: its own, and without
    a leading article (CoNLL04's convention, see :func:`kg.evaluate.conll04_bounds`)."""
    return (mention.start, mention.end), conll04_bounds(mention)


def _names(pair: RelationCandidate, head: tuple[int, int], tail: tuple[int, int]) -> bool:
    """Whether the two mentions of ``pair`` are exactly the gold arguments, in either order."""
    first, second = _bounds(pair.first), _bounds(pair.second)
    return (head in first and tail in second) or (head in second and tail in first)


def _gold_mentions(doc: Any, gold: GoldDocument, classes: dict[str, str],
                   found: Sequence[Mention]) -> list[Mention]:
    """Gold entities of the scored types that no mention of ours overlaps, as mentions."""
    out = []
    for span in gold.entities:
        cls = classes.get(span.type)
        if cls is None or any(_overlap((m.start, m.end), (span.start, span.end)) for m in found):
            continue
        tokens = doc.char_span(span.start, span.end, alignment_mode="expand")
        if tokens is None or not len(tokens):
            continue
        sentence = Sentence(tokens.sent.start_char, tokens.sent.end_char)
        anchor = text_of(doc)[span.start:span.end]
        mention = Mention(span.start, span.end, anchor, cls, sentence, "GOLD",  # type: ignore[arg-type]
                          name=anchor)
        if mention not in out:
            out.append(mention)
    return out


def labelled_pairs(doc: Any, found: Sequence[Mention], gold: GoldDocument, *,
                   classes: dict[str, str], predicates: dict[str, str],
                   pronouns: bool = True) -> list[Pair]:
    """The candidate pairs of one text with the gold label each should get.

    Parameters
    ----------
    doc
        The text parsed by our pipeline.
    found
        Our mentions of it (:func:`kg.mentions.mentions`).
    gold
        Its annotations.
    classes
        Gold entity type -> our class, for the gold mentions ``found`` misses.
    predicates
        Gold relation category -> our predicate; other categories are not taught.
    pronouns
        Whether pairs with a pronoun mention (:mod:`kg.coref`) are taught. A dataset that
        annotates names only (CoNLL04: :data:`PRONOUNS_ANNOTATED`) says nothing of "he" in
        "he was born in Austin": its ``NONE`` there is no reading, and taught it silenced
        the pronoun pairs of re3d, which does annotate them.

    Returns
    -------
    list of (features, label)
        One per pair (:func:`kg.relclf.candidates`); the label is that of the first gold
        relation whose arguments overlap the pair's, in either order, else ``NONE``.
    """
    if not pronouns:
        found = [m for m in found if m.label != PRONOUN]
    relations = [(predicates[r.type], r.head, r.tail) for r in gold.relations
                 if r.type in predicates]
    out: list[Pair] = []
    mentions = [*found, *_gold_mentions(doc, gold, classes, found)]
    pairs = list(candidates(doc, mentions))
    # a gold relation some pair names exactly is that pair's: the pairs that only overlap
    # it ("Staunton" where the gold place is "Staunton, Va.", which is a mention too) are not
    exact = {(head, tail) for _, head, tail in relations for pair in pairs
             if _names(pair, head, tail)}
    for pair in pairs:
        a, b = (pair.first.start, pair.first.end), (pair.second.start, pair.second.end)
        label = NONE
        for predicate, head, tail in relations:
            if (head, tail) in exact and not _names(pair, head, tail):
                continue
            if _overlap(a, head) and _overlap(b, tail):
                label = label_of(predicate, first_is_subject=True)
                break
            if _overlap(a, tail) and _overlap(b, head):
                label = label_of(predicate, first_is_subject=False)
                break
        out.append((pair.features, label))
    return out


def parse_dataset(nlp: Any, golds: Iterable[GoldDocument], *, classes: dict[str, str],
                  predicates: dict[str, str], pronouns: bool = True) -> list[Parsed]:
    """Parse each gold text as ``kg build`` does and label its pairs (see
    :func:`labelled_pairs`, which ``pronouns`` is passed to)."""
    from kg.build import parse
    from kg.mentions import mentions

    golds = list(golds)
    by_source = {g.document.source: g for g in golds}
    out = []
    for doc, document, sections in parse(nlp, (g.document for g in golds)):
        gold = by_source[document.source]
        pairs = labelled_pairs(doc, list(mentions(doc)), gold, classes=classes,
                               predicates=predicates, pronouns=pronouns)
        out.append(Parsed(gold, doc, sections, pairs))
    return out


def fit(pairs: Sequence[Pair], *, seed: int = DEFAULT_SEED, epochs: int = DEFAULT_EPOCHS,
        length: int = DEFAULT_LENGTH, batch_size: int = DEFAULT_BATCH_SIZE,
        learn_rate: float = DEFAULT_LEARN_RATE, runs: int = DEFAULT_RUNS) -> RelationModel:
    """Train the relation classifier on labelled pairs (Adam), ``runs`` times over, and
    average the runs' weights.

    Each run sees the examples in an order of its own; the model is linear before its
    softmax, so the mean of the runs' weights is one model of the same size and speed that
    scores the mean of their logits. One run's weights swung with the order: one training
    pair more or less moved single probabilities by 0.2-0.3 ("Acme Widgets, based in Toledo"
    ``locatedIn`` 0.43 or 0.16).

    The gradient ``(probabilities - truth) / batch`` is passed back through the softmax
    layer, so the loss minimised is the squared error of the probabilities, not
    cross-entropy; true cross-entropy scored lower by cross-validation (re3d-dev 0.204
    -> 0.177, CoNLL04 train exact 0.469 -> 0.462).

    Parameters
    ----------
    pairs
        ``(features, label)``; labels from :data:`kg.relclf.LABELS`.
    seed
        Seeds the order of the examples: the same data and seed give the same model.
    epochs
        Passes over the data.
    length
        Hash buckets of the model (see :class:`kg.relclf.RelationModel`).
    batch_size
        Examples per update.
    learn_rate
        Adam's learning rate.
    runs
        Runs averaged; run ``k`` orders the examples by the seed ``seed + 1000 * k``.

    Returns
    -------
    RelationModel
        Each run keeps the average of its weights over every update (Polyak averaging, as
        spaCy's training keeps); the model holds the mean of those.

    Raises
    ------
    ValueError
        If ``pairs`` is empty, a label is not one of :data:`kg.relclf.LABELS` or ``runs``
        is below 1.
    """
    if not pairs:
        raise ValueError("no training pairs: the data gave no two mentions in one sentence")
    index = {label: k for k, label in enumerate(LABELS)}
    unknown = {label for _, label in pairs} - index.keys()
    if unknown:
        raise ValueError(f"unknown labels {sorted(unknown)}; known: {', '.join(LABELS)}")
    if runs < 1:
        raise ValueError(f"runs must be at least 1, not {runs}")
    gold = [index[label] for _, label in pairs]
    models = [_fit_run(pairs, gold, seed=seed + 1000 * k, epochs=epochs, length=length,
                       batch_size=batch_size, learn_rate=learn_rate) for k in range(runs)]
    model = models[0]
    for node, *others in zip(*(m.model.walk() for m in models), strict=True):
        for name in node.param_names:
            if node.has_param(name):
                total = sum((other.get_param(name) for other in others), node.get_param(name))
                node.set_param(name, total / len(models))
    return model


def _fit_run(pairs: Sequence[Pair], gold: list[int], *, seed: int, epochs: int, length: int,
             batch_size: int, learn_rate: float) -> RelationModel:
    """One run of :func:`fit`: the examples in the order ``seed`` deals, averaged weights."""
    import numpy
    from thinc.api import Adam, fix_random_seed

    fix_random_seed(seed)
    model = RelationModel.new(labels=LABELS, length=length)
    optimizer = Adam(learn_rate, use_averages=True)
    labels = numpy.array(gold, dtype="int64")
    order = list(range(len(pairs)))
    shuffle = random.Random(seed).shuffle
    for _ in range(epochs):
        shuffle(order)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            scores, backprop = model.model.begin_update(
                model.inputs([pairs[i][0] for i in batch]))
            truth = numpy.zeros_like(scores)
            truth[numpy.arange(len(batch)), labels[batch]] = 1.0
            backprop((scores - truth) / len(batch))
            model.model.finish_update(optimizer)
    for node in model.model.walk():  # the averaged weights, as spaCy's own training keeps
        for name in node.param_names:
            if (node.id, name) in optimizer.averages:
                node.set_param(name, optimizer.averages[(node.id, name)].copy())
    return model


def _pairs(parsed: Iterable[Parsed]) -> list[Pair]:
    return [pair for p in parsed for pair in p.pairs]


def cross_validate(parsed: Sequence[Parsed], extra: Sequence[Pair] = (), *,
                   read: Callable[[DocumentResult], list[SpanRelation]],
                   score: Callable[[list[SpanRelation]], dict[str, dict[str, Counts]]],
                   folds: int = 5, seed: int = DEFAULT_SEED, epochs: int = DEFAULT_EPOCHS,
                   length: int = DEFAULT_LENGTH) -> dict[str, dict[str, Counts]]:
    """Score relations by k-fold cross-validation over documents.

    Documents are dealt into ``folds`` folds (shuffled with ``seed``); each fold is read by
    :func:`kg.build.analyse` with a model trained on ``extra`` and the other folds, and the
    relations of all folds are scored together; the rules alone are scored too.

    Parameters
    ----------
    parsed
        The parsed documents (:func:`parse_dataset`).
    extra
        Pairs every fold is also trained on (the other dataset).
    read
        An analysed document -> its relations as the dataset names them.
    score
        The relations of every document -> named tables (``{"exact": table}``...).
    folds, seed, epochs, length
        The number of folds; see :func:`fit` for the others.

    Returns
    -------
    dict
        ``"rules, NAME"`` and ``"cross-validated, NAME"`` for each table NAME of ``score``:
        the rules alone and rules with the classifier; each table category ->
        :class:`~kg.evaluate.Counts`, ending with ``"micro"``.
    """
    from kg.build import analyse

    order = list(range(len(parsed)))
    random.Random(seed).shuffle(order)
    fold_of = {i: n % folds for n, i in enumerate(order)}
    tables: dict[str, dict[str, Counts]] = {}
    for name in ("rules", "cross-validated"):
        predicted = []
        for k in range(folds):
            held = [p for i, p in enumerate(parsed) if fold_of[i] == k]
            if name == "rules":
                model = None
            else:
                taught = [p for i, p in enumerate(parsed) if fold_of[i] != k]
                model = fit([*extra, *_pairs(taught)], seed=seed, epochs=epochs, length=length)
            with using(model):
                for p in held:
                    predicted += read(analyse(p.doc, p.gold.document, sections=p.sections))
        for criterion, table in score(predicted).items():
            tables[f"{name}, {criterion}"] = table
    return tables


def cross_validate_re3d(re3d: Sequence[Parsed], extra: Sequence[Pair] = (), *, folds: int = 5,
                        seed: int = DEFAULT_SEED, epochs: int = DEFAULT_EPOCHS,
                        length: int = DEFAULT_LENGTH,
                        gold: Sequence[SpanRelation] | None = None,
                        ) -> dict[str, dict[str, Counts]]:
    """Score re3d relations by k-fold cross-validation over documents, as ``kg eval re3d``
    scores (arguments overlapping; see :func:`cross_validate`).

    Parameters
    ----------
    re3d
        The parsed re3d documents (:func:`parse_dataset`).
    extra
        Pairs every fold is also trained on (CoNLL04 train).
    folds, seed, epochs, length
        See :func:`cross_validate`.
    gold
        The relations scored against; by default those of ``re3d`` (pass the ones read
        with ``kg eval re3d``'s confidence cut to score as it does).

    Returns
    -------
    dict
        ``{"rules, overlap": table, "cross-validated, overlap": table}``.
    """
    if gold is None:
        gold = [r for p in re3d for r in p.gold.relations]
    scored = [r for r in gold if r.type in RE3D_RELATION_TYPES]
    return cross_validate(re3d, extra, read=re3d_relations,
                          score=lambda predicted: {
                              "overlap": score_re3d_relations(scored, predicted)},
                          folds=folds, seed=seed, epochs=epochs, length=length)


def cross_validate_conll04(conll04: Sequence[Parsed], extra: Sequence[Pair] = (), *,
                           folds: int = 5, seed: int = DEFAULT_SEED,
                           epochs: int = DEFAULT_EPOCHS,
                           length: int = DEFAULT_LENGTH) -> dict[str, dict[str, Counts]]:
    """Score CoNLL04 train relations by k-fold cross-validation over sentences, as ``kg
    eval conll04`` scores (see :func:`cross_validate`): the held-out signal that choices
    are made by, so that CoNLL04 dev stays unseen.

    Parameters
    ----------
    conll04
        The parsed CoNLL04 sentences (:func:`parse_dataset`).
    extra
        Pairs every fold is also trained on (re3d).
    folds, seed, epochs, length
        See :func:`cross_validate`.

    Returns
    -------
    dict
        ``"rules, exact"``, ``"rules, overlap"``, ``"cross-validated, exact"`` and
        ``"cross-validated, overlap"`` tables.
    """
    gold = conll04_gold_relations(p.gold for p in conll04)
    return cross_validate(conll04, extra, read=conll04_relations,
                          score=lambda predicted: score_conll04_relations(gold, predicted),
                          folds=folds, seed=seed, epochs=epochs, length=length)


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def train(nlp: Any, out: str | os.PathLike[str], *, conll04: str | os.PathLike[str] | None = None,
          re3d: Sequence[str | os.PathLike[str]] = (), seed: int = DEFAULT_SEED,
          epochs: int = DEFAULT_EPOCHS, length: int = DEFAULT_LENGTH,
          folds: int = 0,
          ) -> tuple[TrainReport, dict[str, dict[str, dict[str, Counts]]] | None]:
    """Train the relation classifier on CoNLL04 and re3d and save it into ``out``.

    Parameters
    ----------
    nlp
        Our spaCy pipeline (:func:`kg.nlp.load_pipeline`), to read the texts as at run time.
    out
        The folder the model is written to (``kg/models/relations`` is the shipped one).
    conll04
        A CoNLL04 JSON file (the train split).
    re3d
        re3d part folders or folders above them.
    seed, epochs, length
        See :func:`fit`.
    folds
        With 2 or more, also cross-validate each dataset over that many folds (see
        :func:`cross_validate_re3d` and :func:`cross_validate_conll04`).

    Returns
    -------
    (TrainReport, dict or None)
        What was trained, and when ``folds`` >= 2 the cross-validated tables by dataset
        (``{"conll04": ..., "re3d": ...}``, the datasets given).

    Raises
    ------
    kg.evaluate.DatasetError
        If a dataset cannot be read.
    ValueError
        If there is nothing to train on.
    """
    if conll04 is None and not re3d:
        raise ValueError("nothing to train on: give a CoNLL04 file, re3d folders, or both")
    started = time.perf_counter()
    extra: list[Pair] = []
    documents = 0
    conll: list[Parsed] = []
    if conll04 is not None:
        conll = parse_dataset(nlp, read_conll04(conll04), classes=CONLL04_TRAIN_CLASSES,
                              predicates=CONLL04_TRAIN_PREDICATES,
                              pronouns=PRONOUNS_ANNOTATED["conll04"])
        extra, documents = _pairs(conll), len(conll)
    parsed: list[Parsed] = []
    if re3d:
        parsed = parse_dataset(nlp, read_re3d(re3d, min_confidence=TRAIN_MIN_CONFIDENCE),
                               classes=RE3D_TRAIN_CLASSES, predicates=RE3D_TRAIN_PREDICATES,
                               pronouns=PRONOUNS_ANNOTATED["re3d"])
        documents += len(parsed)
    pairs = [*extra, *_pairs(parsed)]
    model = fit(pairs, seed=seed, epochs=epochs, length=length)
    path = Path(out)
    model.save(path, seed=seed, epochs=epochs, runs=DEFAULT_RUNS, pairs=len(pairs),
               trained_on=([Path(conll04).name] if conll04 is not None else [])
               + [Path(r).name for r in re3d])
    report = TrainReport(documents=documents, pairs=len(pairs),
                         labels=Counter(label for _, label in pairs),
                         seconds=time.perf_counter() - started, bytes=_size(path), path=path)
    if folds < 2:
        return report, None
    tables: dict[str, dict[str, dict[str, Counts]]] = {}
    if conll:
        tables["conll04"] = cross_validate_conll04(conll, _pairs(parsed), folds=folds,
                                                   seed=seed, epochs=epochs, length=length)
    if parsed:
        scored = [r for g in read_re3d(re3d, min_confidence=DEFAULT_MIN_CONFIDENCE)
                  for r in g.relations]
        tables["re3d"] = cross_validate_re3d(parsed, extra, folds=folds, seed=seed,
                                             epochs=epochs, length=length, gold=scored)
    return report, tables

"""A learned relation classifier: which relation, if any, holds between two mentions.

Every pair of mentions of one sentence is a :class:`~kg.types.RelationCandidate` whose
features are tokens such as ``T=Person>Organization``, ``BW=spokesman``, ``P=nsubj^work>prep>
pobj`` (types, words between, the dependency path between the two heads, the verb on it,
apposition, possessive and preposition markers). A bag-of-features
linear model (thinc's ``SparseLinear``, the layer of spaCy's ``TextCatBOW``, with a
softmax over exclusive classes) reads them and says one of
:data:`LABELS`: ``NONE``, ``memberOf>`` (the first mention is the subject), ``memberOf<``
(the second is), or ``fightsAgainst=`` for the symmetric predicates. This is the
feature-based relation classifier of Kambhatla (2004, "Combining lexical, syntactic, and
semantic features with maximum entropy models for extracting relations") and Zhou et al.
(2005, "Exploring various knowledge in relation extraction"), on spaCy's linear text
classifier, trained with thinc.

Precision first: a pair is said to be related only when the classifier's probability of its
likeliest relation is at least :data:`DEFAULT_THRESHOLD` (:data:`PREDICATE_THRESHOLDS` for the
conflict and stance predicates) and the classes of the two mentions fit the predicate
(:func:`kg.relations.fits`); sentences that are lists, headlines or too long are not read
(:func:`kg.frames.is_usable`); a place said to be at a distance ("some way from Vaucluse")
holds nothing, two kinds of actor ("between governments and private businesses") are
not related, nor is a story's dateline to its agency ("MOSCOW (Reuters) -") or a name in a
relative clause on another mention to the names outside it ("the head of Crimea - which
Russia annexed"); a description and the name it holds ("the city of Raqqa", "Raqqa") state a
fact once. :func:`merge` joins the rules' relations and the learned ones, the rule's
reading first when both found the same pair (a learned residence stands beside a rule's
office: whoever leads or serves a country lives in it).

The weights ship in ``kg/models/relations/`` (``kg train`` rebuilds them, see
:mod:`kg.train`); :func:`default_model` loads them once. :func:`using` swaps the model for a
block (cross-validation, tests).
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from itertools import chain, pairwise
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span

from kg.frames import MentionIndex, columns, is_usable, units
from kg.relations import MAX_SENTENCE_TOKENS, PREDICATES, SYMMETRIC, fits
from kg.types import Mention, Relation, RelationCandidate, Sentence

__all__ = [
    "DEFAULT_THRESHOLD",
    "LABELS",
    "MODEL_DIR",
    "NONE",
    "PREDICATE_THRESHOLDS",
    "ModelError",
    "RelationModel",
    "active_model",
    "candidates",
    "classify",
    "default_model",
    "label_of",
    "merge",
    "pair_features",
    "predicate_of",
    "using",
]

#: Where the shipped weights live (package data).
MODEL_DIR = Path(__file__).parent / "models" / "relations"
#: The label of a pair that is not related.
NONE = "NONE"
#: A learned relation is kept when the classifier gives it at least this probability (chosen
#: by cross-validation on CoNLL04 train and re3d-dev: 0.2 scored higher than 0.3 on both).
DEFAULT_THRESHOLD = 0.2
#: Predicates kept from a lower probability than :data:`DEFAULT_THRESHOLD`: the conflict and
#: stance relations, taught by re3d alone and rare there, rarely get much probability mass.
#: 0.1 was chosen by 5-fold cross-validation on re3d-dev (relation F1 0.192 -> 0.204,
#: precision 0.332 -> 0.337; 0.15 and 0.05 scored lower); CoNLL04 has none of them. Two names
#: of one list keep :data:`DEFAULT_THRESHOLD` ("Vietnam, China and Myanmar" met no one).
PREDICATE_THRESHOLDS: dict[str, float] = {
    "fightsAgainst": 0.1, "alliedWith": 0.1, "communicatedWith": 0.1, "opposes": 0.1,
    "supports": 0.1,
}
#: Pairs further apart than this many tokens are not read.
MAX_DISTANCE = 40

#: Every label: NONE, each directed predicate both ways, each symmetric predicate once.
LABELS: tuple[str, ...] = (NONE, *(
    label for p in PREDICATES
    for label in ((f"{p}=",) if p in SYMMETRIC else (f"{p}>", f"{p}<"))
))


class ModelError(ValueError):
    """A relation model folder is missing or cannot be read; the message names it."""


def label_of(predicate: str, *, first_is_subject: bool) -> str:
    """The label of ``predicate`` between a pair whose first mention is (or is not) the
    subject.

    >>> label_of("memberOf", first_is_subject=False), label_of("alliedWith", first_is_subject=False)
    ('memberOf<', 'alliedWith=')
    """
    if predicate in SYMMETRIC:
        return f"{predicate}="
    return f"{predicate}{'>' if first_is_subject else '<'}"


def predicate_of(label: str) -> tuple[str, bool] | None:
    """``(predicate, first_is_subject)`` of a label, None for :data:`NONE`.

    >>> predicate_of("leads<"), predicate_of("NONE")
    (('leads', False), None)
    """
    if label == NONE:
        return None
    return label[:-1], label[-1] != "<"


# ---------------------------------------------------------------- features


def _bucket(n: int) -> str:
    return str(n) if n < 5 else "5-9" if n < 10 else "10-19" if n < 20 else "20+"


class _Columns:
    """The per-token facts of one Doc that :func:`pair_features` reads, by token index.

    A sentence of ``n`` mentions has ``n**2 / 2`` pairs, each reading the words between and
    around them and the dependency path between them: reading ``Token`` objects for each
    pair made the features most of the classifier's time. The columns are the Doc's shared
    table (:func:`kg.frames.columns`); the words, paths and child labels the pairs read are
    kept here on first use.
    """

    def __init__(self, doc: Doc) -> None:
        table = columns(doc)
        self.doc = doc
        self.table = table
        self.deps = table.deps
        self.poses = table.poses
        self.lowers = table.lowers
        self.alphas = table.alphas
        self.spaces = table.spaces
        self.heads = table.heads
        self.sent_start = table.sent_start
        self.sent_end = table.sent_end
        self._words: dict[int, str] = {}
        self._child_deps: dict[int, tuple[str, ...]] = {}
        self._ancestors: dict[int, list[int]] = {}
        self._ranks: dict[int, dict[int, int]] = {}
        # the tokens that are not white space, and their words (each found on first use)
        self._solid: list[int] = [i for i, space in enumerate(self.spaces) if not space]
        self._solid_words: list[str | None] = [None] * len(self._solid)
        self._alpha_words: dict[tuple[int, int], list[str]] = {}
        self._roots: dict[tuple[int, int], int] = {}

    def word(self, i: int) -> str:
        """The word of token ``i`` as the features give it: ``#NUM`` for a number, the lemma
        (:func:`kg.lexicon.lemma`) of an alphabetic word, else the lower-cased text."""
        found = self._words.get(i)
        if found is None:
            table = self.table
            found = self._words[i] = "#NUM" if table.like_nums[i] else (
                table.lemma(i) if table.alphas[i] else table.lowers[i])
        return found

    def lemma(self, i: int) -> str:
        """:func:`kg.lexicon.lemma` of token ``i``."""
        return self.table.lemma(i)

    def child_deps(self, i: int) -> tuple[str, ...]:
        """The dependency labels of token ``i``'s children."""
        found = self._child_deps.get(i)
        if found is None:
            found = self._child_deps[i] = tuple(map(self.deps.__getitem__,
                                                    self.table.children(i)))
        return found

    def root(self, span: Span) -> int:
        """The index of ``span.root``."""
        key = (span.start, span.end)
        found = self._roots.get(key)
        if found is None:
            found = self._roots[key] = span.root.i
        return found

    def ancestors(self, i: int) -> list[int]:
        """Token ``i`` and its ancestors up to the root (``Token.ancestors``); not to be
        changed (it is kept)."""
        found = self._ancestors.get(i)
        if found is None:
            found = self._ancestors[i] = [i]
            token = i
            while self.heads[token] != token and len(found) <= len(self.heads):
                token = self.heads[token]
                found.append(token)
        return found

    def words_between(self, start: int, end: int) -> list[str]:
        """:meth:`word` of the tokens ``start``..``end`` that are not white space, in order
        (a slice of the Doc's words: the pairs of a sentence read overlapping stretches)."""
        solid = self._solid
        low, high = bisect_left(solid, start), bisect_left(solid, end)
        words = self._solid_words[low:high]
        if None in words:
            for k in range(low, high):
                if self._solid_words[k] is None:
                    self._solid_words[k] = self.word(solid[k])
            words = self._solid_words[low:high]
        return words  # type: ignore[return-value]

    def ranks(self, i: int) -> dict[int, int]:
        """Each token of :meth:`ancestors` of ``i`` -> its place in them; not to be changed."""
        found = self._ranks.get(i)
        if found is None:
            found = self._ranks[i] = {t: n for n, t in enumerate(self.ancestors(i))}
        return found

    def alpha_words(self, start: int, end: int) -> list[str]:
        """:meth:`word` of the alphabetic tokens ``start``..``end``; not to be changed."""
        found = self._alpha_words.get((start, end))
        if found is None:
            found = self._alpha_words[start, end] = [
                self.word(i) for i in range(start, end) if self.alphas[i]]
        return found


#: Parts of speech of the words on a dependency path that are features (``PW=``).
_PATH_WORD_POSES = frozenset(("VERB", "NOUN", "ADP", "AUX", "PROPN", "ADJ"))


def _path(columns: _Columns, a: int, b: int) -> tuple[list[int], int | None, list[int]]:
    """The tokens from ``a`` up to the lowest common ancestor and from it down to ``b``."""
    up = columns.ancestors(a)
    seen = columns.ranks(a)
    down: list[int] = []
    for token in columns.ancestors(b):
        if token in seen:
            return up[: seen[token]], token, list(reversed(down))
        down.append(token)
    return list(up), None, list(reversed(down))


def pair_features(first: Span, second: Span, a: Mention, b: Mention,
                  between_mentions: int, *, columns: _Columns | None = None) -> tuple[str, ...]:
    """The feature tokens of a pair of mentions ``a`` (span ``first``) before ``b``.

    Parameters
    ----------
    first, second
        The two mentions' token spans, ``first`` ending before ``second`` starts.
    a, b
        The mentions.
    between_mentions
        How many other mentions lie between the two.
    columns
        The token facts of their Doc, when the caller reads many pairs of it (made here
        otherwise).

    Returns
    -------
    tuple of str
        Feature tokens; the model reads them as a bag, so conjunctions of the type pair
        with the strongest cues are tokens of their own.
    """
    col = columns if columns is not None else _Columns(first.doc)
    deps, poses, heads = col.deps, col.poses, col.heads
    word, lemma_of, child_deps = col.word, col.table.lemma, col.child_deps
    first_start, first_end, second_start, second_end = (
        first.start, first.end, second.start, second.end)
    types = f"{a.cls}>{b.cls}"
    words = col.words_between(first_end, second_start)  # of the tokens between, not spaces
    distinct = list(dict.fromkeys(words))
    out = [f"T={types}", f"TA={a.cls}", f"TB={b.cls}", f"LA={a.label}", f"LB={b.label}",
           f"D={_bucket(len(words))}", f"M={_bucket(between_mentions)}"]
    if a.nominal:
        out.append("NA")
    if b.nominal:
        out.append("NB")
    if not words:
        out += ["ADJ", f"ADJ|{types}"]
    else:
        out += [f"BF={words[0]}", f"BL={words[-1]}", f"BF|{types}={words[0]}",
                f"BL|{types}={words[-1]}"]
        if len(words) <= 4:
            out += [f"BS={' '.join(words)}", f"BS|{types}={' '.join(words)}"]
    out += [f"BW={w}" for w in distinct]
    if len(words) <= 12:
        out += [f"BW|{types}={w}" for w in distinct if w.isalpha()]
        out += [f"BB={x}_{y}" for x, y in pairwise(words)]
    w0 = word(first_start - 1) if first_start > col.sent_start[first_start] else "^"
    w3 = word(second_end) if second_end < col.sent_end[second_start] else "$"
    out += [f"W0={w0}", f"W3={w3}", f"W0|{types}={w0}", f"W3|{types}={w3}"]
    alpha_a = col.alpha_words(first_start, first_end)
    alpha_b = col.alpha_words(second_start, second_end)
    out += [f"WA={w}" for w in alpha_a[-2:]]
    out += [f"WB={w}" for w in alpha_b[-2:]]
    if alpha_a:
        out.append(f"WA|{types}={alpha_a[-1]}")
    if alpha_b:
        out.append(f"WB|{types}={alpha_b[-1]}")
    ra, rb = col.root(first), col.root(second)
    out += [f"DA={deps[ra]}", f"DB={deps[rb]}", f"HA={lemma_of(heads[ra])}",
            f"HB={lemma_of(heads[rb])}"]
    up, top, down = _path(col, ra, rb)
    if top is None:
        out.append("NOPATH")
        return tuple(out)

    path = [f"{deps[i]}^" for i in up] + [f"v{deps[i]}" for i in down]
    on_path = (*up[1:], top, *down[:-1])
    # the words on the path that are in neither mention
    middle = [lemma_of(i) for i in on_path
              if poses[i] in _PATH_WORD_POSES
              and not (first_start <= i < first_end or second_start <= i < second_end)]
    top_word = "SELF" if (first_start <= top < first_end or second_start <= top < second_end) \
        else f"{lemma_of(top)}/{poses[top]}"
    joined = " ".join(path)
    out += [f"PD={joined}", f"PL={len(path)}", f"TOP={top_word}",
            f"P={' '.join(path[:len(up)])} {top_word} {' '.join(path[len(up):])}",
            f"PD|{types}={joined}", f"TOP|{types}={top_word}"]
    distinct = list(dict.fromkeys(middle))
    out += [f"PW={w}" for w in distinct]
    out += [f"PW|{types}={w}" for w in distinct]
    verbal = col.table.verbs
    verbs = [i for i in on_path if verbal[i]]
    if verbs:
        verb = lemma_of(verbs[0])
        out += [f"V={verb}", f"V|{types}={verb}"]
        below = child_deps(verbs[0])
        out.append(f"PASS={'nsubjpass' in below or 'auxpass' in below}")
        if any("neg" in child_deps(v) for v in verbs):
            out.append("NEG")
    for i, side in ((ra, "A"), (rb, "B")):
        if deps[i] == "poss":
            out.append(f"POSS{side}")
        if deps[i] == "appos" or "appos" in child_deps(i):
            out.append(f"APPOS{side}")
        if deps[i] == "pobj":
            out.append(f"PREP{side}={col.lowers[heads[i]]}")
    return tuple(out)


def _nesting(span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> list[str]:
    """``HOLDS`` when another mention lies inside ``span`` ("Staunton, Va." holds "Va."),
    ``INSIDE`` when ``span`` lies inside another one (mentions as token bounds)."""
    out = []
    start, end = span
    if any((s, e) != span and start <= s and e <= end for s, e in spans):
        out.append("HOLDS")
    if any((s, e) != span and s <= start and end <= e for s, e in spans):
        out.append("INSIDE")
    return out


def candidates(doc: Doc, mentions: Sequence[Mention], *,
               max_tokens: int = MAX_SENTENCE_TOKENS,
               max_distance: int = MAX_DISTANCE,
               index: MentionIndex | None = None) -> Iterator[RelationCandidate]:
    """Every pair of mentions of one usable sentence of ``doc``, with its features.

    Parameters
    ----------
    doc
        The parsed document.
    mentions
        The mentions to pair (character offsets into ``doc.text``).
    max_tokens
        Sentences longer than this, lists and headlines are skipped
        (:func:`kg.frames.is_usable`).
    max_distance
        Pairs more than this many tokens apart are skipped.
    index
        The :class:`~kg.frames.MentionIndex` of ``doc`` and ``mentions``, when the caller
        has made one; made here otherwise.

    Returns
    -------
    Iterator[RelationCandidate]
        In document order of the first mention, then of the second.
    """
    index = index if index is not None else MentionIndex(doc, mentions)
    columns: _Columns | None = None
    for sent in units(doc):
        inside = sorted(
            ((m, index.spans[m]) for m in index.in_span(sent.start, sent.end)),
            key=lambda item: (item[1].start, item[1].end))
        if len(inside) < 2 or not is_usable(sent, max_tokens=max_tokens):
            continue
        columns = columns if columns is not None else _Columns(doc)
        bounds = [(s.start, s.end) for _, s in inside]
        folded = [m.anchor.casefold() for m, _ in inside]  # once per mention, not per pair
        nested: list[list[str] | None] = [None] * len(inside)  # _nesting of each, once
        for i, (a, first) in enumerate(inside):
            first_end = bounds[i][1]
            between = 0  # mentions from the end of a up to b (counted as b moves on)
            for j in range(i + 1, len(inside)):
                if j > i + 1 and bounds[j - 1][0] >= first_end:
                    between += 1
                b, second = inside[j]
                second_start = bounds[j][0]
                if second_start < first_end:
                    continue  # nested or overlapping: one name in another
                if second_start - first_end > max_distance:
                    break
                if folded[i] == folded[j]:
                    continue
                features = pair_features(first, second, a, b, between, columns=columns)
                for k in (i, j):
                    if nested[k] is None:
                        nested[k] = _nesting(bounds[k], bounds)
                nesting = tuple(f"{kind}{side}|{a.cls}>{b.cls}"
                                for k, side in ((i, "A"), (j, "B"))
                                for kind in nested[k] or ())
                yield RelationCandidate(a, b, features + nesting)


# ---------------------------------------------------------------- the model


class RelationModel:
    """A linear classifier over hashed feature tokens with the labels of :data:`LABELS`.

    The model is thinc's ``SparseLinear`` (the bag-of-words layer of spaCy's
    ``TextCatBOW``) followed by a softmax: one weight per (hashed feature, label).

    Parameters
    ----------
    model
        The thinc model, initialised.
    labels
        Its output labels, in order.
    length
        Hash buckets of the ``SparseLinear`` layer.
    """

    def __init__(self, model: Any, labels: Sequence[str], length: int) -> None:
        self.model = model
        self.labels = tuple(labels)
        self.length = length

    @classmethod
    def new(cls, *, labels: Sequence[str] = LABELS, length: int = 2**16) -> RelationModel:
        """An untrained model (weights zero)."""
        from thinc.api import SparseLinear_v2, chain, softmax_activation

        model: Any = chain(SparseLinear_v2(nO=len(labels), length=length), softmax_activation())
        model.initialize()
        return cls(model, labels, length)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RelationModel:
        """Load a model saved with :meth:`save`.

        Raises
        ------
        ModelError
            If ``path`` holds no relation model.
        """
        folder = Path(path)
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            model = cls.new(labels=meta["labels"], length=int(meta["length"]))
            model.model.from_bytes((folder / "model.bin").read_bytes())
        except FileNotFoundError:
            raise ModelError(f"{folder}: no relation model here (a folder written by "
                             f"'kg train', holding meta.json and model.bin)") from None
        except (OSError, ValueError, KeyError) as err:
            raise ModelError(f"{folder}: cannot be loaded as a relation model ({err})") from None
        return model

    def save(self, path: str | os.PathLike[str], **meta: Any) -> None:
        """Write the model into the folder ``path`` (made if missing), with ``meta`` (what
        it was trained on) in ``meta.json``."""
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "model.bin").write_bytes(self.model.to_bytes())
        (folder / "meta.json").write_text(json.dumps(
            {"labels": list(self.labels), "length": self.length, **meta}, indent=2) + "\n",
            encoding="utf-8")

    @staticmethod
    def inputs(items: Sequence[Sequence[str]]) -> tuple[Any, Any, Any]:
        """The ``SparseLinear`` input of feature lists: hashed keys, values, lengths."""
        import numpy
        from spacy.strings import hash_string  # type: ignore[attr-defined]

        lengths = numpy.fromiter(map(len, items), dtype="int32", count=len(items))
        keys = numpy.fromiter(map(hash_string, chain.from_iterable(items)), dtype="uint64",
                              count=int(lengths.sum()))
        values = numpy.ones(len(keys), dtype="float32")
        return keys, values, lengths

    def predict(self, items: Sequence[Sequence[str]]) -> list[dict[str, float]]:
        """Label probabilities of each feature list of ``items``, in order."""
        if not items:
            return []
        scores = self.model.predict(self.inputs(items))
        return [{label: float(row[k]) for k, label in enumerate(self.labels)} for row in scores]

    def likeliest(self, items: Sequence[Sequence[str]]) -> list[tuple[str, float]]:
        """The likeliest label other than :data:`NONE` of each feature list of ``items``
        and its probability (the first such label on a tie), in order."""
        if not items:
            return []
        import numpy

        related = [k for k, label in enumerate(self.labels) if label != NONE]
        scores = self.model.predict(self.inputs(items))[:, related]
        best = scores.argmax(axis=1)
        chosen = scores[numpy.arange(len(best)), best]  # each row's probability of its best
        return [(self.labels[related[k]], probability)
                for k, probability in zip(best.tolist(), chosen.tolist())]


@cache
def default_model() -> RelationModel | None:
    """The shipped model of :data:`MODEL_DIR`, loaded once; None when there is none."""
    if not (MODEL_DIR / "meta.json").is_file():
        return None
    return RelationModel.load(MODEL_DIR)


_ACTIVE: ContextVar[RelationModel | None | bool] = ContextVar("kg_relation_model", default=True)


@contextmanager
def using(model: RelationModel | None) -> Iterator[None]:
    """Use ``model`` (None: no learned relations) instead of the shipped one in this block.

    >>> with using(None):
    ...     list(classify(None, []))
    []
    """
    token = _ACTIVE.set(model)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def active_model() -> RelationModel | None:
    """The model :func:`classify` uses by default here: the one :func:`using` set, else
    the shipped one (None when learned relations are off or none is shipped)."""
    model = _ACTIVE.get()
    if model is True:
        return default_model()
    return model if isinstance(model, RelationModel) else None


def _coordinated(features: Sequence[str]) -> bool:
    """Whether the dependency path between a pair (its ``PD=`` feature) is conjunctions only:
    two names of one list ("from Vietnam, China and Myanmar").

    >>> _coordinated(("T=Country>Country", "PD=vconj vconj")), _coordinated(("PD=nsubj^ vdobj",))
    (True, False)
    """
    path = next((f[3:] for f in features if f.startswith("PD=")), None)
    return path is not None and all(dep in ("conj^", "vconj") for dep in path.split())


def classify(doc: Any, mentions: Sequence[Mention], *, model: RelationModel | None = None,
             threshold: float | None = None,
             index: MentionIndex | None = None) -> Iterator[Relation]:
    """The relations the classifier reads between ``mentions`` of ``doc``.

    Parameters
    ----------
    doc
        The parsed document.
    mentions
        Its mentions (as :func:`kg.mentions.mentions` gives them).
    model
        The classifier; by default the shipped one (or the one :func:`using` set).
    threshold
        The least probability of a relation that is kept; by default that of
        :data:`PREDICATE_THRESHOLDS` for its predicate, else (and between two names of one
        list, whose path is conjunctions only) :data:`DEFAULT_THRESHOLD`.
    index
        As for :func:`candidates`.

    Returns
    -------
    Iterator[Relation]
        One relation per related pair, its confidence the classifier's probability, in
        document order; pairs whose classes do not fit the predicate are dropped, and so
        are a ``locatedIn`` or ``livesIn`` whose place is at a distance (:func:`_distant`),
        any relation between two kinds of actor (:func:`_generic`), a story's dateline and
        its agency (:func:`_dateline`) and a name in a relative clause on a third mention
        and a name outside it (:func:`_aside`); a description that a name stands in
        apposition with is read as the name (:meth:`kg.frames.MentionIndex.name_of`).
    """
    model = model or active_model()
    if model is None or not mentions:
        return
    index = index if index is not None else MentionIndex(doc, mentions)
    pairs = list(candidates(doc, mentions, index=index))
    # the likeliest relation, kept when likely enough even if NONE is likelier still
    for pair, (label, probability) in zip(pairs, model.likeliest([p.features for p in pairs])):
        read = predicate_of(label)
        if read is None:
            continue
        predicate, first_is_subject = read
        least = threshold if threshold is not None else PREDICATE_THRESHOLDS.get(
            predicate, DEFAULT_THRESHOLD)
        if probability < least or (threshold is None and probability < DEFAULT_THRESHOLD
                                   and _coordinated(pair.features)):
            continue  # two names of one list ("from Vietnam, China and Myanmar") keep the default
        subject, obj = (pair.first, pair.second) if first_is_subject else (pair.second, pair.first)
        if not fits(subject, predicate, obj):
            continue
        if predicate in ("locatedIn", "livesIn") and (
                _distant(index.spans[subject]) or _distant(index.spans[obj])):
            continue  # "the Stade de France, some way from Vaucluse": not in it
        if _generic(pair.first, index.spans[pair.first]) and \
                _generic(pair.second, index.spans[pair.second]):
            continue  # "a conversation between governments and private businesses": kinds
        first, second = index.spans[pair.first], index.spans[pair.second]
        if _dateline(first, second):
            continue  # "MOSCOW (Reuters) -": where the story was filed, not where Reuters is
        if _aside(first, second, index) or _aside(second, first, index):
            continue  # "the head of Crimea - which Russia annexed": Russia is Crimea's
        # "the Iraqi Foreign Minister, Ibrahim al-Jaafari": read on the name
        subject, obj = index.name_of(subject), index.name_of(obj)
        if subject == obj or not fits(subject, predicate, obj):
            continue
        yield Relation(subject, predicate, obj, subject.sentence, round(probability, 2))


def _dateline(first: Span, second: Span) -> bool:
    """Whether ``first`` and ``second`` are a story's dateline: a place opening its line and
    the news agency in brackets right after it ("MOSCOW (Reuters) -", "NEW ORLEANS (AP)").
    The place is where the story was filed, not where the agency is.

    >>> from kg.nlp import load_pipeline
    >>> doc = load_pipeline()("MOSCOW (Reuters) - Officials in Crimea said so.")
    >>> _dateline(doc[0:1], doc[2:3]), _dateline(doc[2:3], doc[6:7])
    (True, False)
    """
    doc = first.doc
    if second.start != first.end + 1 or doc[first.end].text != "(" or \
            second.end >= len(doc) or doc[second.end].text != ")":
        return False
    before = doc[first.start - 1] if first.start > 0 else None
    return before is None or before.is_space or first.start == first.sent.start


def _aside(inner: Span, outer: Span, index: MentionIndex) -> bool:
    """Whether ``inner`` lies in a relative clause on a third mention that ``outer`` is not
    in: "Sergei Aksyonov, the head of Crimea - which Russia annexed from Ukraine": Russia is
    said of Crimea, not of Aksyonov."""
    doc = inner.doc
    table = columns(doc)
    deps, heads = table.deps, table.heads
    inner_root, outer_root = inner.root.i, outer.root.i
    outer_tokens = range(outer.start, outer.end)
    # up from the root of inner by the Doc's columns: a Token only for the clause's verb (a
    # word that is its own head stops the walk; Token.head is a new object every time, so
    # the walk over Tokens stopped at the ROOT label alone, which every parse here has)
    i = inner_root
    while deps[i] != "ROOT" and heads[i] != i:
        if deps[i] == "relcl":
            token = doc[i]
            owner = index.at(token.head)
            clause = range(token.left_edge.i, token.right_edge.i + 1)
            if owner is None or inner_root not in clause or outer_root in clause:
                return False
            # "which" never opens a clause on a person: the parser hung it on the wrong name
            misplaced = owner.cls == "Person" and any(
                c.lower_ == "which" for c in token.children if c.dep_ != "prep")
            return heads[i] not in outer_tokens or misplaced
        i = heads[i]
    return False


#: Words measuring a distance ("some way from", "20 miles from", "far from").
_DISTANCE_WORDS = frozenset(("way", "far", "away", "mile", "miles", "km", "kilometre",
                             "kilometres", "kilometer", "kilometers", "metre", "metres",
                             "meter", "meters", "distance", "drive", "walk", "hour", "hours"))


def _distant(span: Span) -> bool:
    """Whether ``span`` is the place something is said to be at a distance from ("some way
    from Vaucluse", "20 miles away from Mosul", "far from Lyon"): the thing is not in it.

    >>> from kg.nlp import load_pipeline
    >>> doc = load_pipeline()("He was at the stadium, some way from Vaucluse.")
    >>> _distant(doc[-2:-1]), _distant(doc[4:5])
    (True, False)
    """
    root = span.root
    prep = root.head
    if root.dep_ != "pobj" or prep.lower_ != "from":
        return False
    measure = prep.head
    return measure.lower_ in _DISTANCE_WORDS or any(  # "far from", "way from", "way" on "from"
        c.dep_ in ("advmod", "npadvmod") and c.lower_ in _DISTANCE_WORDS
        for c in (*measure.children, *prep.children))


def _generic(mention: Mention, span: Span) -> bool:
    """Whether ``mention`` names a kind of actor rather than an actor: a description in the
    bare plural ("governments", "private businesses"), with no article, possessive, number or
    name in it.

    >>> from kg.nlp import load_pipeline
    >>> from kg.types import Mention, Sentence
    >>> doc = load_pipeline()("Governments and the private businesses met.")
    >>> m = Mention(0, 11, "Governments", "Organization", Sentence(0, 43), "NOMINAL",
    ...             nominal=True)
    >>> _generic(m, doc[0:1]), _generic(m._replace(start=16, end=42), doc[2:5])
    (True, False)
    """
    if not mention.nominal or span.root.tag_ != "NNS":
        return False
    return not any(t.dep_ in ("det", "poss", "nummod", "predet") or t.pos_ in ("PROPN", "NUM", "PRON")
                   or t.ent_type_ for t in span)


def merge(rules: Iterable[Relation], learned: Iterable[Relation]) -> list[Relation]:
    """The rules' relations, then each learned one about a pair the rules said nothing of
    (or a person's ``livesIn`` beside the rules' ``leads`` or ``memberOf``, see
    :func:`_alongside`).

    One relation per statement (predicate, subject span, object span): where two rules read
    the same one (a verb rule and an event's implied relation), the more confident stays;
    and one per fact of a sentence (see :func:`_one_per_fact`: "the city of Raqqa" and
    "Raqqa" are one place).

    >>> from kg.types import Mention, Sentence
    >>> a = Mention(0, 3, "Hun", "Person", Sentence(0, 20), "PERSON")
    >>> b = Mention(8, 10, "Xi", "Person", Sentence(0, 20), "PERSON")
    >>> [r.confidence for r in merge([Relation(a, "communicatedWith", b, a.sentence, 0.63),
    ...                               Relation(a, "communicatedWith", b, a.sentence, 0.75)], [])]
    [0.75]
    """
    best: dict[tuple[str, int, int, int, int], Relation] = {}
    for relation in rules:
        key = (relation.predicate, *relation.subject[:2], *relation.object[:2])
        if key not in best or relation.confidence > best[key].confidence:
            best[key] = relation  # a replaced entry keeps its place: document order holds
    out = list(best.values())
    seen: dict[frozenset[tuple[int, int]], set[str]] = {}
    for r in out:
        seen.setdefault(_pair_of(r), set()).add(r.predicate)
    for relation in learned:
        pair = _pair_of(relation)
        read = seen.get(pair)
        if read is None or _alongside(relation, read):
            seen.setdefault(pair, set()).add(relation.predicate)
            out.append(relation)
    return _one_per_fact(out, rules=len(best))


#: Classes of places: a description of a place and the place's name state one thing.
_PLACES = frozenset(("Location", "Country"))


def _restates(inner: Mention, outer: Mention) -> bool:
    """Whether ``outer`` is a description holding the name ``inner`` of the same kind of
    thing: "the city of Raqqa" and "Raqqa", "ISIL terrorists" and "ISIL" (not "the Iraqi
    Foreign Minister" and "Iraqi", a person and a nationality)."""
    if not (outer.nominal and outer.start <= inner.start and inner.end <= outer.end):
        return False
    return inner.cls == outer.cls or (inner.cls in _PLACES and outer.cls in _PLACES)


def _same_side(a: Mention, b: Mention) -> bool:
    return a[:2] == b[:2] or _restates(a, b) or _restates(b, a)


def _one_per_fact(relations: list[Relation], *, rules: int) -> list[Relation]:
    """One relation per fact a sentence states: of two relations with one predicate whose
    arguments are each the same mention or a description and the name it holds ("the SDF
    ... isolate the city of Raqqa": the SDF ``locatedIn`` "the city of Raqqa" and ``locatedIn``
    "Raqqa"), the one between names stays ("Raqqa"), then the rules' reading, then the more
    confident one.

    ``relations`` are the rules' (the first ``rules``) and then the learned ones."""
    rank = sorted(range(len(relations)),
                  key=lambda k: (relations[k].subject.nominal + relations[k].object.nominal,
                                 k >= rules, -relations[k].confidence, k))
    kept: list[int] = []
    said: dict[tuple[str, Sentence], list[Relation]] = {}  # compared within one sentence
    for k in rank:
        r = relations[k]
        same = said.setdefault((r.predicate, r.sentence), [])
        if not any(_restated(r, other) for other in same):
            same.append(r)
            kept.append(k)
    return [relations[k] for k in sorted(kept)]


def _restated(r: Relation, other: Relation) -> bool:
    """Whether ``r`` says what ``other`` (of the same predicate and sentence) says."""
    if _same_side(r.subject, other.subject) and _same_side(r.object, other.object):
        return True
    return r.predicate in SYMMETRIC and _same_side(r.subject, other.object) and \
        _same_side(r.object, other.subject)


def _pair_of(relation: Relation) -> frozenset[tuple[int, int]]:
    return frozenset(((relation.subject.start, relation.subject.end),
                      (relation.object.start, relation.object.end)))


def _alongside(learned: Relation, read: set[str]) -> bool:
    """Whether a learned relation adds to what the rules read of its pair without gainsaying
    it: a person who leads or serves a country or a place lives in it ("President Robert
    Mugabe of Zimbabwe": the rule's ``leads``, the classifier's ``livesIn``)."""
    return (learned.predicate == "livesIn" and learned.subject.cls == "Person"
            and read <= {"leads", "memberOf"})

"""The records that flow through the pipeline.

text -> :class:`Document` -> spaCy Doc -> :class:`Mention` -> :class:`Entity`
-> rdflib graph -> store / networkx / pyvis / SPARQL.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

__all__ = [
    "ACTOR_CLASSES",
    "ActorClass",
    "Decoded",
    "Document",
    "DocumentOutcome",
    "DocumentResult",
    "Entity",
    "Event",
    "EvidenceRow",
    "IngestError",
    "Mention",
    "Relation",
    "RelationCandidate",
    "Section",
    "Sentence",
]

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # Unicode Cc, line separators

#: Contract classes (local names in the ``akg:`` namespace) an entity can have.
ActorClass = Literal["Person", "Organization", "Location", "Country", "NationalityGroup"]
ACTOR_CLASSES: tuple[ActorClass, ...] = (
    "Person",
    "Organization",
    "Location",
    "Country",
    "NationalityGroup",
)


@dataclass(frozen=True)
class Document:
    """One article, holding exactly the text that is analysed.

    ``source`` is the input path (or URL) as given, with ``#line=N`` for JSONL lines.
    """

    source: str
    text: str
    title: str | None = None
    url: str | None = None
    date: str | None = None
    metadata: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def digest(self) -> str:
        """Content hash of the text: the document's identity across runs and paths."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


class IngestError(NamedTuple):
    """An input that could not be read; ``reason`` is one line for the user."""

    source: str
    reason: str

    def __str__(self) -> str:
        """One line, whatever the path or the message hold (line breaks and other control
        characters are written as escapes):

        >>> print(IngestError("a\\nb.txt", "bad\\nthing"))
        a\\nb.txt: bad\\nthing
        """
        line = f"{self.source}: {self.reason}"
        return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), line)


class Decoded(NamedTuple):
    """A file's bytes as text: the encoding that was used and how sure the choice is.

    ``encoding`` is a Python codec name (``utf-8``, ``utf-16``, ``cp1252``...); ``confidence``
    is 1.0 for UTF-8 and for a byte-order mark, else the detector's (1 - its mess ratio).
    """

    text: str
    encoding: str
    confidence: float = 1.0


class Sentence(NamedTuple):
    """A sentence of a document by character offsets."""

    start: int
    end: int


class Section(NamedTuple):
    """One story of a page (an ``akg:Article``): its span and what its header says."""

    start: int
    end: int
    title: str | None = None
    publisher: str | None = None
    date: str | None = None


class Mention(NamedTuple):
    """A span of text naming (or describing) an actor or place.

    ``start``/``end`` are character offsets into :attr:`Document.text`, so
    ``text[start:end] == anchor``. ``name`` is the name inside the anchor (no title, article
    or possessive: "Prime Minister Hun Manet's" -> "Hun Manet"), ``title`` the title before it.
    ``strong`` says the class comes from a context cue or gazetteer rather than the
    statistical model alone. A ``nominal`` mention names no one ("police", "the regime");
    ``refers_to`` is the ``(start, end)`` of the named mention the text equates it with.
    ``acting`` marks a mention that does something in its clause (a country that acts is its
    government: "the United States said").
    """

    start: int
    end: int
    anchor: str
    cls: ActorClass
    sentence: Sentence
    label: str  # where it came from: a spaCy label (PERSON, ORG, GPE...) or NOMINAL
    name: str = ""
    title: str | None = None
    strong: bool = False
    nominal: bool = False
    refers_to: tuple[int, int] | None = None
    acting: bool = False  # the subject, agent or possessor of its clause: an actor here


class Entity(NamedTuple):
    """An actor or place: the referent of one or more mentions.

    ``key`` is stable across runs and documents; the RDF layer mints the IRI from it.
    ``iso`` (ISO 3166-1 alpha-2) and ``geonameid`` link countries and unambiguous places;
    ``nationality`` is the country a nationality group is named after.
    """

    key: str
    cls: ActorClass
    label: str
    alt_labels: frozenset[str]
    title: str | None = None
    iso: str | None = None
    geonameid: int | None = None
    nationality: str | None = None  # the country's name, for NationalityGroup


class Relation(NamedTuple):
    """A relation ``subject predicate object`` read from one sentence.

    ``predicate`` is the local name of an ``akg:`` relation property (``memberOf``, ``leads``...);
    the two mentions are the evidence, resolved to entities through
    :attr:`DocumentResult.referent`.
    """

    subject: Mention
    predicate: str
    object: Mention
    sentence: Sentence
    confidence: float


class Event(NamedTuple):
    """Something that happened, read from one sentence (an arrest, an order, a payment...).

    ``kind`` is the local name of an ``akg:Event`` subclass; ``trigger`` the span of the word
    that says so, as ``(start, end)``; participants are mentions; ``date``, ``count`` and
    ``amount`` are as the text gives them (``date`` ISO 8601 when it could be resolved).
    """

    kind: str
    trigger: tuple[int, int]
    sentence: Sentence
    agents: tuple[Mention, ...] = ()
    targets: tuple[Mention, ...] = ()
    places: tuple[Mention, ...] = ()
    date: str | None = None
    count: int | None = None  # type: ignore[assignment]  # a field, shadowing tuple.count
    amount: str | None = None
    quote: str | None = None
    confidence: float = 0.5


class RelationCandidate(NamedTuple):
    """Two mentions of one sentence that the relation classifier reads as a pair.

    ``first`` comes before ``second`` in the text; ``features`` are the classifier's input
    (words, types and the dependency path between the two, see :mod:`kg.relclf`).
    """

    first: Mention
    second: Mention
    features: tuple[str, ...]


@dataclass
class DocumentResult:
    """What the pipeline read from one document."""

    document: Document
    sentences: list[Sentence]
    mentions: list[Mention]
    entities: list[Entity]
    referent: dict[Mention, str]  # mention -> Entity.key
    sections: list[Section] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)  # between two different entities
    events: list[Event] = field(default_factory=list)


class DocumentOutcome(NamedTuple):
    """One document after the per-document stages: what the store and the report need.

    This is what a worker process (or a Dask worker) sends back, so it holds no ``Doc`` and
    not the text: the document's ``graph`` (its triples as N-Triples text, see
    :func:`kg.rdf.ntriples`, or an ``rdflib.Graph``; None when ``error`` says why the document
    could not be analysed), its ``context`` IRI (the graph's name), counts, the
    shape ``violations`` found (empty when it was not validated) and the seconds per stage.
    """

    source: str
    context: str
    graph: Any
    tokens: int = 0
    mentions: int = 0
    entities: frozenset[str] = frozenset()
    relations: int = 0
    events: int = 0
    violations: tuple[str, ...] = ()
    error: str | None = None
    seconds: dict[str, float] = {}  # noqa: RUF012  (read only; outcomes pass their own)


class EvidenceRow(NamedTuple):
    """Where a mention was read (:func:`kg.tallies.read_evidence`): pyoxigraph terms.

    ``mention`` is an ``akg:subjectMention`` of a statement (``event`` false) or an
    ``akg:trigger`` of an event (``event`` true); ``text`` is an ``nif:anchorOf`` of its
    ``nif:sentence`` (``sentence``), ``source`` a ``dcterms:source`` of its
    ``nif:referenceContext`` (``document``); a pair is None when the store has none, as an
    ``OPTIONAL`` leaves it unbound.
    """

    event: bool
    mention: Any
    sentence: Any
    text: Any
    document: Any
    source: Any

"""The records that flow through the pipeline.

text -> :class:`Document` -> spaCy Doc -> :class:`Mention` -> :class:`Entity`
-> rdflib graph -> store / networkx / pyvis / SPARQL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

__all__ = [
    "ActorClass",
    "ACTOR_CLASSES",
    "Document",
    "IngestError",
    "Sentence",
    "Mention",
    "Entity",
    "DocumentResult",
]

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
        return f"{self.source}: {self.reason}"


class Sentence(NamedTuple):
    """A sentence of a document by character offsets."""

    start: int
    end: int


class Mention(NamedTuple):
    """A span of text naming an actor or place.

    ``start``/``end`` are character offsets into :attr:`Document.text`, so
    ``text[start:end] == anchor``.
    """

    start: int
    end: int
    anchor: str
    cls: ActorClass
    sentence: Sentence
    label: str  # the spaCy label it came from (PERSON, ORG, GPE...)


class Entity(NamedTuple):
    """An actor or place: the referent of one or more mentions.

    ``key`` is stable across runs and documents; the RDF layer mints the IRI from it.
    """

    key: str
    cls: ActorClass
    label: str
    alt_labels: frozenset[str]


@dataclass
class DocumentResult:
    """What the pipeline read from one document."""

    document: Document
    sentences: list[Sentence]
    mentions: list[Mention]
    entities: list[Entity]
    referent: dict[Mention, str]  # mention -> Entity.key

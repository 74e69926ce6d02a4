"""Mentions -> entities: one entity per actor named in a document, keyed the same everywhere.

Within a document, mentions with the same normalised name are one entity, its class decided
by the majority of their mentions; a one-word person name that is the surname of exactly one
longer person name is that person ("Mbappe" = "Kylian Mbappe"). Across documents, an entity's
key depends only on its class and canonical name, so the same actor gets the same key in every
run and every document, and two actors sharing a name but not a class stay apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

from kg.types import ActorClass, Entity, Mention

__all__ = ["normalize_name", "slug", "entity_key", "resolve"]

_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w]+")
# When mentions of one name disagree and the vote ties, the more specific class wins.
_CLASS_PRIORITY: dict[ActorClass, int] = {
    "Country": 0,
    "Person": 1,
    "Organization": 2,
    "NationalityGroup": 3,
    "Location": 4,
}


def normalize_name(name: str) -> str:
    """Unicode NFKC, curly quotes straightened, white space folded.

    >>> normalize_name("Hun\\u00a0 Manet")
    'Hun Manet'
    """
    name = unicodedata.normalize("NFKC", name).replace("\u2019", "'")
    return _SPACE.sub(" ", name).strip()


def slug(name: str) -> str:
    """A lower-case, hyphenated form of ``name`` for keys and IRIs; letters of any script stay.

    >>> slug("Amnesty International"), slug("Paris Saint-Germain")
    ('amnesty-international', 'paris-saint-germain')
    """
    value = _NOT_WORD.sub("-", normalize_name(name).casefold()).strip("-_")
    return value or "unnamed"


def entity_key(cls: ActorClass, name: str) -> str:
    """The stable key of the entity of class ``cls`` named ``name``: ``"person/hun-manet"``."""
    return f"{cls.lower()}/{slug(name)}"


def resolve(mentions: Iterable[Mention]) -> tuple[list[Entity], dict[Mention, str]]:
    """Group one document's mentions into entities.

    Parameters
    ----------
    mentions
        The mentions of one document.

    Returns
    -------
    (entities, referent)
        The entities in order of first mention, and each mention's entity key.
    """
    mentions = list(mentions)
    by_name: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_name[slug(mention.anchor)].append(mention)

    cls_of = {name: _vote(group) for name, group in by_name.items()}
    canonical = {name: name for name in by_name}
    # a lone surname joins the one longer person name it ends
    people = [name for name, cls in cls_of.items() if cls == "Person"]
    for name in people:
        if "-" in name:
            continue
        fuller = [other for other in people if other.endswith("-" + name)]
        if len(fuller) == 1:
            canonical[name] = fuller[0]

    groups: dict[str, list[Mention]] = defaultdict(list)
    for name, group in by_name.items():
        groups[canonical[name]].extend(group)

    entities: list[Entity] = []
    referent: dict[Mention, str] = {}
    for name in sorted(groups, key=lambda n: min(m.start for m in groups[n])):
        group = groups[name]
        cls = cls_of[name]
        forms = Counter(normalize_name(m.anchor) for m in by_name[name])
        label = max(forms, key=lambda form: (forms[form], form[:1].isupper(), form))
        alt = frozenset(normalize_name(m.anchor) for m in group) - {label}
        key = entity_key(cls, label)
        entities.append(Entity(key=key, cls=cls, label=label, alt_labels=alt))
        for mention in group:
            referent[mention] = key
    return entities, referent


def _vote(group: list[Mention]) -> ActorClass:
    votes = Counter(m.cls for m in group)
    return min(votes, key=lambda cls: (-votes[cls], _CLASS_PRIORITY[cls]))

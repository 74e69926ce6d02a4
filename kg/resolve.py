"""Mentions -> entities: one entity per actor named in a document, keyed the same everywhere.

Within a document, mentions are one entity when

- their names are the same once normalised ("Hun Manet's" and "Prime Minister Hun Manet" both
  name "Hun Manet": the mention stage strips possessives and titles);
- one is a one-word name that ends exactly one longer person's name ("Mbappe" = "Kylian
  Mbappe");
- the text defines one as the other's acronym ("the Republican Security Corps (CRS)");
- a nominal mention is equated with a name (apposition, "the city of X"), or is a title that one
  named person bears in the document ("the minister" after "Information Minister Neth Pheaktra");
- a pronoun stands for its antecedent (:mod:`kg.coref`); "I" and "we" with none are the
  document's unnamed speaker and speaking organisation, "we" of a person the unnamed
  "organisation of" that person.

An entity's class is the majority of its mentions' classes read from cues and gazetteers, and
of the model's guesses only when there is no cue. Its key depends on its class and canonical
name only, so the same actor gets the same key in every run and every document, and two
actors sharing a name but not a class stay apart. A nominal mention that names no one becomes
an unnamed entity of its document, keyed with the document's ``scope``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache

from kg import gazetteer
from kg.coref import ALIAS, PRONOUN, SIDE_OF, SPEAKER, SPEAKING_BODY, alias_after
from kg.lexicon import OFFICE_TITLES
from kg.types import ActorClass, Entity, Mention, Relation

__all__ = ["agree", "entity_key", "nationality_relations", "normalize_name", "resolve", "slug"]

_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w]+")
_ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Za-z&.\-]{1,11})\s*\)")
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
    return _normalized(name)


@lru_cache(maxsize=2**14)
def _normalized(name: str) -> str:
    """:func:`normalize_name`, remembered: a document names its actors many times over."""
    name = unicodedata.normalize("NFKC", name).replace("\u2019", "'")
    return _SPACE.sub(" ", name).strip()


def slug(name: str) -> str:
    """A lower-case, hyphenated form of ``name`` for keys and IRIs; letters of any script stay.

    >>> slug("Amnesty International"), slug("Paris Saint-Germain")
    ('amnesty-international', 'paris-saint-germain')
    """
    return _slug(name)


@lru_cache(maxsize=2**14)
def _slug(name: str) -> str:
    """:func:`slug`, remembered."""
    value = _NOT_WORD.sub("-", normalize_name(name).casefold()).strip("-_")
    return value or "unnamed"


def entity_key(cls: ActorClass, name: str, *, scope: str | None = None) -> str:
    """The stable key of the entity of class ``cls`` named ``name``: ``"person/hun-manet"``.

    An unnamed entity ("police" in one article) is only itself within its document: its key
    carries the document's ``scope``.
    """
    key = f"{cls.lower()}/{slug(name)}"
    return f"{key}~{scope}" if scope else key


class _Groups:
    """Union-find over mention groups keyed by normalised name."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, keep: str, other: str) -> None:
        self.parent[self.find(other)] = self.find(keep)


def resolve(
    mentions: Iterable[Mention], *, text: str = "", scope: str = ""
) -> tuple[list[Entity], dict[Mention, str]]:
    """Group one document's mentions into entities.

    Parameters
    ----------
    mentions
        The mentions of one document.
    text
        The document's text, to read acronyms it defines ("Corps (CRS)").
    scope
        What makes an unnamed entity's key unique to its document (e.g. a content hash).

    Returns
    -------
    (entities, referent)
        The entities in order of first mention, and each mention's entity key.
    """
    mentions = list(mentions)
    named = [m for m in mentions if not m.nominal]
    groups = _Groups()
    by_name: dict[str, list[Mention]] = defaultdict(list)
    for mention in named:
        by_name[_name_key(mention)].append(mention)
        groups.find(_name_key(mention))

    _link_surnames(by_name, groups)
    _link_acronyms(named, text, groups)

    # nominal mentions join the name the text equates them with, else a title, else no one
    at = {(m.start, m.end): m for m in named}
    members: dict[str, list[Mention]] = defaultdict(list)
    for name, group in by_name.items():
        members[groups.find(name)].extend(group)
    classes = {name: _vote(members[groups.find(name)]) for name in by_name}
    titles = _title_holders(named)
    unnamed: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        if not mention.nominal or mention.label == PRONOUN:
            continue
        target = at.get(mention.refers_to) if mention.refers_to else None
        holder = titles.get(_title_key(mention.name)) if mention.cls == "Person" else None
        if target is None and holder is None:
            holder = _government_of(mention, by_name) or _antecedent(mention, named, classes)
        if target is not None:
            by_name[_name_key(target)].append(mention)
        elif holder is not None:
            by_name[holder].append(mention)
        else:
            unnamed[f"{mention.cls}/{slug(mention.name)}"].append(mention)

    merged: dict[str, list[Mention]] = defaultdict(list)
    for name, group in by_name.items():
        merged[groups.find(name)].extend(group)

    entities: list[Entity] = []
    referent: dict[Mention, str] = {}
    for group in merged.values():
        entity = _named_entity(group)
        entities.append(entity)
        referent.update((m, entity.key) for m in group)
    for group in unnamed.values():
        cls = group[0].cls
        label = Counter(normalize_name(m.name) for m in group).most_common(1)[0][0]
        key = entity_key(cls, label, scope=scope or None)
        entities.append(Entity(key=key, cls=cls, label=label, alt_labels=frozenset()))
        referent.update((m, key) for m in group)
    _resolve_pronouns(mentions, referent, entities, scope)
    first: dict[str, int] = {}
    for mention, key in referent.items():
        first[key] = min(first.get(key, mention.start), mention.start)
    entities.sort(key=lambda e: first[e.key])
    return entities, referent


def agree(
    mentions: Iterable[Mention], entities: Iterable[Entity], referent: dict[Mention, str]
) -> tuple[list[Mention], dict[Mention, str]]:
    """All mentions of one entity take its class, where only the model typed them.

    The entity's class is the vote of its mentions' cues and gazetteers (see
    :func:`resolve`): one "ISIL fighters" makes every "ISIL" of the document an
    organisation. A mention typed by a cue of its own (a descriptor, a title, a gazetteer, a
    head noun) keeps its class; a pronoun takes its antecedent's entity's.

    Parameters
    ----------
    mentions
        The document's mentions, as given to :func:`resolve`.
    entities, referent
        What :func:`resolve` returned for them.

    Returns
    -------
    (mentions, referent)
        The mentions in the same order, retyped where they disagreed, and the referent map
        over them.
    """
    classes = {e.key: e.cls for e in entities}
    agreed: list[Mention] = []
    mapping: dict[Mention, str] = {}
    for mention in mentions:
        key = referent[mention]
        cls = classes.get(key, mention.cls)
        if cls != mention.cls and (not mention.strong or mention.label == PRONOUN):
            mention = mention._replace(cls=cls)
        agreed.append(mention)
        mapping[mention] = key
    return agreed, mapping


def _resolve_pronouns(
    mentions: list[Mention], referent: dict[Mention, str], entities: list[Entity], scope: str
) -> None:
    """A pronoun is a mention of its antecedent's entity (see :mod:`kg.coref`); "I" and "we"
    with no antecedent are the document's unnamed speaker and speaking organisation."""
    at = {(m.start, m.end): m for m in mentions if m.label != PRONOUN}
    by_key = {e.key: e for e in entities}
    for mention in mentions:
        if mention.label != PRONOUN:
            continue
        antecedent = at.get(mention.refers_to) if mention.refers_to else None
        key = referent.get(antecedent) if antecedent is not None else None
        name: str | None = None
        if key is None:
            name = SPEAKER if mention.cls == "Person" else SPEAKING_BODY
        elif by_key[key].cls == "Person" and mention.cls != "Person":
            name = SIDE_OF.format(by_key[key].label)  # "we" of a person speaking
        if name is not None or key is None:
            name = name or SPEAKING_BODY
            key = entity_key(mention.cls, name, scope=scope or None)
            if key not in by_key:
                by_key[key] = Entity(key=key, cls=mention.cls, label=name, alt_labels=frozenset())
                entities.append(by_key[key])
        referent[mention] = key


def _name_key(mention: Mention) -> str:
    name = mention.name or mention.anchor
    if mention.cls == "NationalityGroup":
        # "Cambodian" and "Cambodians" are one group: the people of one country
        place = gazetteer.demonym(name)
        if place is not None:
            return "people-of-" + slug(place.name)
    return slug(name)


def _link_surnames(by_name: dict[str, list[Mention]], groups: _Groups) -> None:
    """A one-word name joins the one longer name of a person that it ends."""
    people = {name for name, group in by_name.items() if any(m.cls == "Person" for m in group)}
    for name in by_name:
        if "-" in name:
            continue
        fuller = [other for other in people if other.endswith("-" + name)]
        if len(fuller) == 1:
            groups.union(fuller[0], name)


def _link_acronyms(named: list[Mention], text: str, groups: _Groups) -> None:
    """``Republican Security Corps (CRS)``, ``Daesh (also known as ISIL)``, ``USS Hopper (DDG
    70)``: the alias the text gives right after a name names the same actor (see
    :func:`kg.coref.alias_after`)."""
    if not text:
        return
    by_start = {m.start: m for m in named}
    for mention in named:
        span = alias_after(text, mention.end, mention.name or mention.anchor)
        alias = by_start.get(span[0]) if span is not None else None
        if alias is not None:
            groups.union(_name_key(mention), _name_key(alias))


#: Heads of definite descriptions that refer back to the organisation just named
#: ("Amnesty International ... the human rights group said").
_ANAPHORIC_ORG_HEADS = frozenset(
    """group organisation organization agency company firm body movement watchdog outlet
    network charity club team""".split()
)
_GOVERNMENT_HEADS = frozenset({"government", "authorities", "administration", "regime"})


def _government_of(mention: Mention, by_name: dict[str, list[Mention]]) -> str | None:
    """"the Cambodian government" is Cambodia (a Country is its government when it acts)."""
    words = mention.name.split()
    if mention.cls != "Organization" or len(words) != 2 or words[-1].lower() not in _GOVERNMENT_HEADS:
        return None
    place = gazetteer.demonym(words[0])
    if place is None:
        return None
    key = slug(place.name)
    if any(m.cls == "Country" for m in by_name.get(key, [])):
        return key
    return None


def _antecedent(
    mention: Mention, named: list[Mention], classes: dict[str, ActorClass]
) -> str | None:
    """The named organisation or person a definite description refers back to.

    "the human rights group" after "Amnesty International", "the Real Madrid star" after
    "Kylian Mbappe": a description starting with "the", with no number or ordinal in it,
    refers to the nearest preceding named mention of its class in the same or the previous
    sentence. A person named by an office ("the Iraqi Foreign Minister", see
    :data:`kg.lexicon.OFFICE_TITLES`) is not: "X met the Iraqi Foreign Minister" names two.
    """
    words = mention.anchor.split()
    if not words or words[0].lower() != "the" or any(w[:1].isdigit() for w in words):
        return None
    if any(w.lower().endswith(("th", "st", "nd", "rd")) and w.lower() in _ORDINALS for w in words):
        return None
    head = words[-1].lower()
    if mention.cls == "Organization" and head not in _ANAPHORIC_ORG_HEADS:
        return None
    if mention.cls not in ("Organization", "Person"):
        return None
    lower = [w.lower() for w in words]
    noun = lower[lower.index("of") - 1] if "of" in lower else head  # "the Minister of X"
    if mention.cls == "Person" and noun in OFFICE_TITLES:
        return None  # an office is its holder's, linked by _title_holders or not at all
    window_start = _previous_sentence_start(mention, named)
    before = [
        m for m in named
        if classes.get(_name_key(m)) == mention.cls
        and window_start <= m.start
        and m.end <= mention.start
    ]
    return _name_key(before[-1]) if before else None


_ORDINALS = frozenset(
    "first second third fourth fifth sixth seventh eighth ninth tenth last".split()
)


def _previous_sentence_start(mention: Mention, named: list[Mention]) -> int:
    """Start of the sentence before the mention's (as far as the mentions tell)."""
    earlier = [m.sentence.start for m in named if m.sentence.end <= mention.sentence.start]
    return max(earlier) if earlier else mention.sentence.start


def _title_key(title: str) -> str:
    return slug(" ".join(w for w in title.split() if w.lower() not in ("the", "a", "an")))


def _title_holders(named: list[Mention]) -> dict[str, str]:
    """Titles (whole, and their last word) borne by exactly one named person -> their name."""
    holders: dict[str, set[str]] = defaultdict(set)
    for mention in named:
        if mention.title and mention.cls == "Person":
            key = _title_key(mention.title)
            holders[key].add(_name_key(mention))
            holders[key.rsplit("-", 1)[-1]].add(_name_key(mention))
    return {title: next(iter(names)) for title, names in holders.items() if len(names) == 1}


def _named_entity(group: list[Mention]) -> Entity:
    cls = _vote(group)
    named = [m for m in group if not m.nominal]
    forms = Counter(normalize_name(m.name or m.anchor) for m in named)
    # an alias the text gives after a name ("USS Hopper (DDG 70)") is not the label
    names = Counter(normalize_name(m.name or m.anchor) for m in named if m.label != ALIAS)
    # the fullest name is the label: "Kylian Mbappe" over "Mbappe", "CRS" under its long form
    label = max(names or forms, key=lambda f: (len(f.split()), forms[f], f[:1].isupper(), f))
    alt = frozenset(forms) - {label}
    titles = Counter(m.title for m in named if m.title)
    title = titles.most_common(1)[0][0] if titles else None
    iso = geonameid = nationality = None
    if cls == "Country":
        place = gazetteer.country(label)
        if place is not None:
            iso, geonameid = place.iso, place.geonameid
    elif cls == "Location":
        place = gazetteer.city(label)
        if place is not None and not place.ambiguous:
            geonameid = place.geonameid
    elif cls == "NationalityGroup":
        place = gazetteer.demonym(label)
        if place is not None:
            nationality = place.name
            # the key of a nationality group is its country's demonym, whatever form is seen
            label = gazetteer.demonym_of(place.iso) or label
            alt = frozenset(forms) - {label}
    return Entity(
        key=entity_key(cls, label),
        cls=cls,
        label=label,
        alt_labels=alt,
        title=title,
        iso=iso,
        geonameid=geonameid,
        nationality=nationality,
    )


def _vote(group: list[Mention]) -> ActorClass:
    """Majority class among mentions typed by cues; the model's majority when none is."""
    strong = [m for m in group if m.strong and not m.nominal]
    votes = Counter(m.cls for m in (strong or [m for m in group if not m.nominal] or group))
    return min(votes, key=lambda cls: (-votes[cls], _CLASS_PRIORITY[cls]))


def nationality_relations(
    entities: Iterable[Entity], referent: dict[Mention, str]
) -> Iterator[Relation]:
    """``Cambodians hasNationality Cambodia``: a nationality group named as people (the plural
    demonym, not the adjective of "Cambodian police") and the country it is named after, when
    the document names that country too.

    The relation is read from the group's first plural mention and the country's first mention.
    """
    entities = list(entities)
    first: dict[str, Mention] = {}
    people: dict[str, Mention] = {}
    for mention, key in sorted(referent.items(), key=lambda item: item[0].start):
        first.setdefault(key, mention)
        if _plural_demonym(mention):
            people.setdefault(key, mention)
    countries = {e.label: e.key for e in entities if e.cls == "Country"}
    for entity in entities:
        country = countries.get(entity.nationality or "")
        group = people.get(entity.key)
        if entity.cls != "NationalityGroup" or country is None or group is None:
            continue
        yield Relation(group, "hasNationality", first[country], group.sentence, 0.9)


def _plural_demonym(mention: Mention) -> bool:
    name = mention.name or mention.anchor
    return name.endswith("s") and gazetteer.demonym(name[:-1]) is not None

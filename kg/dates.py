"""Date expressions -> ISO 8601, resolved against the article's date when it is known.

"on Wednesday", "last month", "a day ago" mean something only next to the date the article
was written: :func:`resolve_date` asks dateparser (offline, rules only) with that date as its
base and returns ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` by how precise the expression is.
Without an article date only expressions that name their year are resolved
("June 2023" -> ``2023-06``); the rest come back as written, so the graph never states a
date it could not know.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

__all__ = ["parse_base", "resolve_date"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_LEADING = re.compile(r"^(on|in|at|during|since|from|by|of|the)\s+", re.IGNORECASE)
#: Expressions that name no point in time ("so far", "annually") are left alone.
_VAGUE = re.compile(
    r"\b(annual(ly)?|daily|weekly|monthly|years?|months?|weeks?|days?|decades?|centur(y|ies))\b"
    r"(?! ago)",
    re.IGNORECASE,
)


def parse_base(value: str | None) -> date | None:
    """The article's date from ``Document.date`` ("2025-07-18", "2025-07-18T09:00:00Z").

    >>> parse_base("2025-07-18T09:30:00Z"), parse_base("sometime")
    (datetime.date(2025, 7, 18), None)
    """
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _parser(base: date | None) -> Any:
    from dateparser.date import DateDataParser  # slow to import; only when dates are read

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    return DateDataParser(languages=["en"], settings=settings)


def resolve_date(text: str, *, base: date | None = None) -> str:
    """``text`` as an ISO 8601 date when it can be resolved, else ``text`` unchanged.

    Parameters
    ----------
    text
        A date expression as written ("Wednesday", "last month", "June of 2023").
    base
        The article's date; relative expressions are resolved against it.

    Returns
    -------
    str
        ``YYYY-MM-DD`` for a day, ``YYYY-MM`` for a month, ``YYYY`` for a year, or ``text``.

    >>> from datetime import date
    >>> friday = date(2025, 7, 18)
    >>> resolve_date("on Wednesday", base=friday), resolve_date("last month", base=friday)
    ('2025-07-16', '2025-06')
    >>> resolve_date("June of 2023"), resolve_date("Wednesday")
    ('2023-06', 'Wednesday')
    """
    cleaned = _LEADING.sub("", text.strip())
    if not cleaned or (_VAGUE.search(cleaned) and not re.search(r"\bago\b|\blast\b|\bnext\b",
                                                                 cleaned, re.IGNORECASE)):
        return text
    if base is None and not _YEAR.search(cleaned):
        return text
    if base is not None and cleaned.casefold() in _WEEKDAYS:
        # news usage: "on Wednesday" is the latest Wednesday up to the article's day
        back = (base.weekday() - _WEEKDAYS.index(cleaned.casefold())) % 7
        return date.fromordinal(base.toordinal() - back).isoformat()
    try:
        data = _parser(base).get_date_data(cleaned)
    except (ValueError, TypeError, OverflowError, AttributeError, LookupError):
        # dateparser raises assorted errors on odd input
        return text
    when, period = data.date_obj, data.period
    if when is None:
        return text
    if period == "year":
        return f"{when.year:04d}"
    if period == "month":
        return f"{when.year:04d}-{when.month:02d}"
    if period == "day":
        return when.date().isoformat()
    return text

"""Text -> page layout: the stories a page holds, and the page furniture around them.

A scraped news page is more than its article: menus, "Try our app" lines, comment counters,
and often a block of related stories, each with its own headline, publisher and age
("2 hours ago"). :func:`layout` finds

- **furniture**: lines that are not prose (a few words with no sentence in them, nothing but
  symbols) or that speak the vocabulary of apps and sites ("Download the app",
  "No comments yet") rather than of news;
- **stories**: a headline is a line that the page repeats within a few lines (teaser and title),
  or the first line of a page when prose follows it within a few lines; the lines between a
  headline and the story's first prose line are its header (publisher, age), read as metadata.

Inside a story two kinds of short line are kept as text: a line that introduces what follows
("Minister Ellwood said:"), and a line that continues a sentence broken across lines (a link's
words on a line of their own: "the U.S.-led" / "coalition" / "conducted five airstrikes").
A headline kept as text ends its sentence: :attr:`Layout.breaks` holds the offset where the
next sentence starts, for the parser (spaCy runs a line into the next one otherwise).

The text is never changed: furniture is masked with spaces (same length, same offsets) before
parsing, so every offset still slices the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from kg.types import Section

__all__ = ["Layout", "layout", "mask"]

# words that belong to the site or app around an article, not to news
_UI_WORDS = frozenset(
    """
    app apps download downloads install subscribe subscription newsletter login logout signup
    sign-in sign-up cookie cookies comment comments share menu advertisement advertisements
    sponsored features feature explore premium upgrade click tap store play-store app-store
    bookmark bookmarks notifications trending
    """.split()
)
_READER = frozenset({"you", "your", "yours"})
_WORD = re.compile(r"[\w'’-]+")
_TERMINAL = re.compile(r"""[.!?:;"'”’)\]]\s*$""")
_AGO = re.compile(
    # no word boundary before the number: pages glue it to the publisher ("Companya day ago")
    r"(?P<age>(?:\d+|an?|one)\s*(?:second|minute|hour|day|week|month|year)s?\s+ago)\s*$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[\s•·*\-–—|]+")
#: lines a headline may be repeated within (teaser, headline, header lines between)
_REPEAT_WINDOW = 8
#: lines between a page's first line and its first prose for that line to be its headline
#: (a byline, a date, an age)
_HEADER_LINES = 3
#: a line of fewer words than this, with no sentence in it, is furniture
_MIN_PROSE_WORDS = 5
#: a line this long is prose whatever words of apps and sites it holds ("the app's menu")
_MAX_UI_LINE_WORDS = 25


class Layout(NamedTuple):
    """The stories of a text, the spans of furniture around them, and the offsets where a
    sentence starts after a headline (character offsets)."""

    sections: list[Section]
    furniture: list[tuple[int, int]]
    breaks: list[int] = []  # noqa: RUF012  (read only)


class _Line(NamedTuple):
    start: int
    end: int
    text: str


def layout(text: str, *, title: str | None = None) -> Layout:
    """Find the stories and the furniture of ``text``.

    Parameters
    ----------
    text
        The text of one page or article.
    title
        The document's own title when known (from HTML or JSONL metadata), given to the first
        story when the text does not show one.

    Returns
    -------
    Layout
        Sections in text order (at least one when the text holds any prose) and furniture
        spans, both as offsets into ``text``; no furniture when there is no section.

    Examples
    --------
    >>> page = "Menu\\nBig news today\\nBig news today\\nYahoo\\n\\nThe minister said on Monday that it was true."
    >>> found = layout(page)
    >>> [(s.title, s.publisher) for s in found.sections]
    [('Big news today', 'Yahoo')]
    >>> [page[a:b] for a, b in found.furniture]
    ['Menu', 'Big news today', 'Yahoo']
    """
    lines = list(_lines(text))
    keys = [_key(line.text) for line in lines]
    headlines = _headlines(lines, keys)
    furniture: list[tuple[int, int]] = []
    sections: list[Section] = []
    breaks: list[int] = []
    current: dict[str, object] | None = None
    header: list[_Line] = []  # furniture between a headline and its story's first prose
    seen: set[str] = set()

    for index, (line, key) in enumerate(zip(lines, keys)):
        if index in headlines and key not in seen:
            if current is not None:
                sections.append(_section(current))
            seen.add(key)
            current = {"start": line.start, "end": line.end, "title": line.text}
            header = []
            if index + 1 < len(lines):
                breaks.append(lines[index + 1].start)
        elif key not in seen and (_is_prose(line.text) or _in_prose(text, lines, index)):
            if current is None:
                current = {"start": line.start, "end": line.end, "title": title}
            if header:
                current.update(_header_metadata(header))
                header = []
            current["end"] = line.end
            current["prose"] = True
        else:
            furniture.append((line.start, line.end))
            if current is not None and not current.get("prose") and key not in seen:
                header.append(line)
    if current is not None:
        sections.append(_section(current))
    if not sections:
        # no story at all (a dateline, "Moscow ITAR-TASS"; a list): nothing is page furniture
        # around a story, so nothing is masked and the text is read whole
        return Layout([], [])
    masked = {start for start, _ in furniture}  # a masked line leaves a blank line: a break
    return Layout(sections, furniture, [b for b in breaks if b not in masked])


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` replaced by spaces, newlines kept.

    >>> mask("ab\\ncd", [(0, 4)])
    '  \\n d'
    """
    if not spans:
        return text
    parts, at = [], 0
    for start, end in sorted(spans):
        start = max(start, at)
        if end > start:
            parts += [text[at:start], _NOT_NEWLINE.sub(" ", text[start:end])]
            at = end
    parts.append(text[at:])
    return "".join(parts)


_NOT_NEWLINE = re.compile(r"[^\n\r]")


def _lines(text: str) -> Iterator[_Line]:
    for match in re.finditer(r"[^\n]+", text):
        stripped = match.group().strip()
        if not stripped:
            continue
        offset = match.group().index(stripped[0])
        start = match.start() + offset
        yield _Line(start, start + len(stripped), stripped)


def _is_prose(line: str) -> bool:
    words = len(_WORD.findall(line))
    if words < _MIN_PROSE_WORDS:
        return False
    # site vocabulary (two of its words, or one and "you") makes short lines furniture only
    if words < _MAX_UI_LINE_WORDS and _ui_words(line) >= 2:
        return False
    return bool(_TERMINAL.search(line)) or words >= 12


def _ui_words(line: str) -> int:
    """How many words of apps and sites ``line`` holds; one more if it speaks to the reader."""
    words = [w.lower() for w in _WORD.findall(line)]
    return sum(1 for w in words if w in _UI_WORDS) + any(w in _READER for w in words)


def _in_prose(text: str, lines: list[_Line], i: int) -> bool:
    """Whether the short line ``lines[i]`` belongs to the prose around it: it introduces the
    prose line after it ("Mr Hammond said:"), or it sits inside a sentence broken across
    lines (the line before ends with no sentence end, the line after goes on in lower case,
    no blank line between them). Never a line of site vocabulary."""
    line = lines[i]
    if i + 1 >= len(lines) or _ui_words(line.text):
        return False
    after = lines[i + 1].text
    if line.text.endswith(":") and len(_WORD.findall(line.text)) >= 2:
        return _is_prose(after)
    if i == 0 or "\n\n" in _squeezed(text, lines[i - 1].end, lines[i + 1].start):
        return False
    return not _TERMINAL.search(lines[i - 1].text) and after[:1].islower()


def _squeezed(text: str, start: int, end: int) -> str:
    """``text[start:end]`` without spaces and tabs: a blank line shows as two newlines."""
    return text[start:end].replace(" ", "").replace("\t", "")


def _headlines(lines: list[_Line], keys: list[str]) -> set[int]:
    """Indexes of lines that open a story, no sentence themselves: repeated soon after, or
    the page's first line when prose follows it within a few lines (``keys``: :func:`_key`
    of each line)."""
    found = set()
    for i, line in enumerate(lines):
        words = _WORD.findall(line.text)
        if len(words) < 3 or line.text.endswith((".", "!", "?", ":")) or _AGO.search(line.text):
            continue
        repeated = keys[i] in keys[i + 1 : i + 1 + _REPEAT_WINDOW]
        first = (i == 0 and not _ui_words(line.text) and _prose_soon(lines[1:1 + _HEADER_LINES])
                 and not lines[1].text[:1].islower())  # not when its words go on below
        if repeated or first:
            found.add(i)
    return found


def _prose_soon(lines: list[_Line]) -> bool:
    """Whether a prose line comes among ``lines`` (a headline's header lines, then its story)."""
    return any(_is_prose(line.text) for line in lines)


def _key(line: str) -> str:
    return " ".join(_WORD.findall(line.casefold()))


def _header_metadata(header: list[_Line]) -> dict[str, str]:
    """Publisher and age from the short lines between a headline and its first prose."""
    found: dict[str, str] = {}
    for line in header:
        text = _BULLET.sub("", line.text).strip()
        age = _AGO.search(text)
        if age:
            found.setdefault("date", age.group("age"))
            text = text[: age.start()].strip()
            # an icon's alt text glued to the age ("time2 hours ago") is no publisher
            if text.isalpha() and text.islower():
                continue
        words = _WORD.findall(text)
        if 1 <= len(words) <= 4 and text[:1].isupper() and "publisher" not in found:
            found["publisher"] = text
    return found


def _section(current: dict[str, object]) -> Section:
    return Section(
        start=int(current["start"]),  # type: ignore[call-overload]
        end=int(current["end"]),  # type: ignore[call-overload]
        title=current.get("title"),  # type: ignore[arg-type]
        publisher=current.get("publisher"),  # type: ignore[arg-type]
        date=current.get("date"),  # type: ignore[arg-type]
    )

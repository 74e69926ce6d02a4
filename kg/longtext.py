"""Long texts: parse a text of any length in pieces, as one ``Doc`` with the text's offsets.

spaCy needs about 1 GB of memory per 100,000 characters of one ``Doc`` (its ``max_length``
of 1,000,000 characters guards against that). A text longer than ``max_chars`` is cut into
pieces at the last paragraph break, else sentence end, else whitespace before the limit
(a hard cut only for a run of ``max_chars`` characters without any whitespace), each piece is
parsed, and the pieces are joined back with ``Doc.from_docs(..., ensure_whitespace=False)``:
the joined ``Doc``'s text is the original text, so every character offset is unchanged.

Our components set ``doc.ents`` only (no ``doc._`` extensions): ``kg_gazetteer`` reads one
name at a time, so it gives the same answer piece by piece; ``kg_names`` ("one sense per
document") must see the whole document, so :func:`kg.build.parse` runs it on the joined
``Doc`` (and on every other ``Doc``, so short and long texts go through the same steps).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

__all__ = ["DEFAULT_MAX_CHARS", "join_pieces", "split_points"]

#: Texts longer than this many characters are parsed in pieces (about 1 GB of spaCy memory).
DEFAULT_MAX_CHARS = 100_000

_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+")
_SPACE = re.compile(r"\s+")


def split_points(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[int]:
    """Where to cut ``text`` into pieces of at most ``max_chars`` characters.

    Each cut falls after a paragraph break ("\\n\\n"), else a line break, else a sentence end,
    else whitespace, searched in the second half of each window (so no piece is shorter than
    half the limit, except the last); a window without whitespace is cut at the limit.

    Parameters
    ----------
    text
        The text to cut.
    max_chars
        The longest piece, in characters (at least 2).

    Returns
    -------
    list of int
        The offsets ``[0, cut1, ..., len(text)]``: piece ``i`` is ``text[p[i]:p[i + 1]]``.

    Raises
    ------
    ValueError
        If ``max_chars`` is below 2.

    >>> split_points("One. Two. Three.", 8)
    [0, 5, 10, 16]
    >>> split_points("short", 100)
    [0, 5]
    """
    if max_chars < 2:
        raise ValueError(f"max_chars must be at least 2, not {max_chars}")
    points = [0]
    start = 0
    while len(text) - start > max_chars:
        points.append(start := _cut(text, start, start + max_chars))
    points.append(len(text))
    return points


def _cut(text: str, start: int, limit: int) -> int:
    """The end of the piece that starts at ``start``: a boundary in ``(start, limit]``."""
    low = start + (limit - start) // 2
    for mark in ("\n\n", "\n"):
        at = text.rfind(mark, low, limit)
        if at >= 0:
            return at + len(mark)
    window = text[low:limit]
    last = None
    for last in _SENTENCE_END.finditer(window):
        pass
    if last is None:
        for last in _SPACE.finditer(window):
            pass
    if last is not None and low + last.end() > start:
        return low + last.end()
    return limit


def join_pieces(pieces: list[Doc], text: str) -> Doc:
    """Join the parsed pieces of ``text`` into one ``Doc`` whose text is ``text``.

    Parameters
    ----------
    pieces
        The ``Doc`` of each piece of ``text``, in order (see :func:`split_points`).
    text
        The text the pieces were cut from.

    Returns
    -------
    spacy.tokens.Doc
        One ``Doc``: tokens, tags, dependency trees (one per piece), sentences and entities
        of the pieces, every offset relative to ``text``.

    Raises
    ------
    ValueError
        If the pieces do not spell ``text`` exactly.
    """
    if len(pieces) == 1:
        doc = pieces[0]
    else:
        doc = Doc.from_docs(pieces, ensure_whitespace=False)
    if doc.text != text:
        raise ValueError(f"pieces of a {len(text)}-character text joined to {len(doc.text)} "
                         f"different characters")
    return doc

"""Character offsets over spaCy Docs, without rebuilding the text.

``Doc.text`` joins every token's text each time it is read, so reading it once per mention
or per sentence makes a document's analysis quadratic in its length (a 100,000-character
document spent most of a minute there). These helpers read the text once per Doc or only
the span at hand.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from kg.frames import FACTS, columns
from kg.types import Sentence

__all__ = ["keep_text", "sentence_of", "text_of", "trimmed"]

_TEXT_KEY = "kg.text"
_SENTENCES_KEY = FACTS + "sentences"


def text_of(doc: Doc) -> str:
    """``doc.text``, built once per Doc and kept in ``doc.user_data``.

    >>> import spacy
    >>> doc = spacy.blank("en")("Hun Manet spoke.")
    >>> text_of(doc) == doc.text
    True
    """
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def keep_text(doc: Doc, text: str) -> Doc:
    """Give ``doc`` its text for :func:`text_of`, when the caller already holds it (the text
    the Doc was parsed from, which spaCy keeps character for character); return ``doc``.

    Raises
    ------
    ValueError
        If ``text`` is not as long as ``doc``'s text.
    """
    if len(text) != (doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0):
        raise ValueError(f"a {len(text)}-character text is not the text of this Doc")
    doc.user_data[_TEXT_KEY] = text
    return doc


def trimmed(span: Span) -> tuple[int, int] | None:
    """The character offsets of ``span`` without white space at either end; None if blank.

    >>> import spacy
    >>> doc = spacy.blank("en")("  Hun Manet spoke.\\n\\n")
    >>> trimmed(doc[:])
    (2, 18)
    """
    raw = text_of(span.doc)[span.start_char:span.end_char]  # span.text joins its tokens
    left = raw.lstrip()
    core = left.rstrip()
    if not core:
        return None
    start = span.start_char + len(raw) - len(left)
    return start, start + len(core)


def sentence_of(item: Span | Token) -> Sentence:
    """The sentence holding ``item`` (a token or a span), white space trimmed.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> nlp.add_pipe("sentencizer")  # doctest: +ELLIPSIS
    <...>
    >>> doc = nlp("Hun Manet spoke. He left.  ")
    >>> sentence_of(doc[4])
    Sentence(start=17, end=25)
    """
    doc = item.doc
    kept = doc.user_data.get(_SENTENCES_KEY)
    if kept is None:
        if doc.user_hooks or doc.user_span_hooks or doc.user_token_hooks \
                or not doc.has_annotation("SENT_START"):
            return _trimmed_sentence(item.sent)  # spaCy's answer (or its error: no sentences)
        kept = doc.user_data[_SENTENCES_KEY] = {}
    # the bounds Span.sent finds, from the Doc's columns; each sentence trimmed once per Doc
    table = columns(doc)
    start = table.sent_start[item.i if isinstance(item, Token) else item.start]
    found = kept.get(start)
    if found is None:
        found = kept[start] = _trimmed_sentence(doc[start:table.sent_end[start]])
    return found


def _trimmed_sentence(sent: Span) -> Sentence:
    bounds = trimmed(sent)
    return Sentence(*bounds) if bounds else Sentence(sent.start_char, sent.end_char)

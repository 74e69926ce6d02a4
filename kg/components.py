"""spaCy components of actorkg, registered as factories the way spaCy registers its own.

``kg_gazetteer`` runs after the statistical ``ner``: it labels every country name GPE and
every demonym NORP (names from :mod:`kg.gazetteer`, so from maintained packages), replacing
the model's label where the model found the same span with another label ("Cameroon" ORG),
and adding the name where the model found nothing and no other entity overlaps it.

``kg_typography`` runs first, before the tagger, parser and ``ner`` read the tokens: it
gives each token written with typographic quotes (’ ‘ “ ”) the norm of its ASCII spelling
("Da’esh" is read as "Da'esh", a name the model finds), so the statistical components see
the form they were trained on while the text, and every offset into it, stays as written.

``kg_paragraphs`` runs before the parser too: a blank line ends a sentence. spaCy's parser
does not split at blank lines, so a headline ran into the lede ("... generates 1,000 arrests
Cambodia on Wednesday said ..."), and "Cambodia" was not read as the subject of "said". The
text the parser reads (:func:`parser_text`) gives such a whitespace run as newlines only (one
token), and the component starts a sentence after it; spaCy's parser keeps preset starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from kg import gazetteer

__all__ = [
    "TYPOGRAPHIC",
    "GazetteerRuler",
    "NamePropagator",
    "ParagraphStarts",
    "TypographicNorms",
    "make_gazetteer_ruler",
    "make_name_propagator",
    "make_paragraph_starts",
    "make_typographic_norms",
    "parser_text",
]

#: Entity labels that name actors or places, which :class:`NamePropagator` spreads.
ACTOR_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC")
#: Typographic quotes and their ASCII forms (one character each: offsets do not move).
TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_QUOTES = ("\u2019", "\u2018", "\u201c", "\u201d")
#: A blank line and the white space after it (masked page furniture is spaces between
#: newlines). Spaces before its first newline are left: they stay the whitespace of the
#: token before ('."  \n\n' keeps the closing quote with its sentence).
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
#: Newlines in a whitespace token that make the next token start a sentence (a blank line).
PARAGRAPH_NEWLINES = 2
#: Labels of numbers: a span of them with no digit in it was a name the model misread.
NUMBER_LABELS = ("CARDINAL", "QUANTITY", "ORDINAL", "MONEY", "PERCENT")


class GazetteerRuler:
    """Label country names GPE and demonyms NORP.

    Parameters
    ----------
    nlp
        The pipeline, for its tokenizer and vocabulary.
    name
        The component's name in the pipeline.
    """

    def __init__(self, nlp: Language, name: str = "kg_gazetteer") -> None:
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._add(nlp, "GPE", gazetteer.country_names())
        self._add(nlp, "NORP", gazetteer.demonym_names())
        # the city table (about 2 s to read) is loaded with the pipeline, not in the middle
        # of the first document: worker processes forked later share it instead of each
        # reading it again
        gazetteer.city("")

    def _add(self, nlp: Language, label: str, names: Iterable[str]) -> None:
        self.matcher.add(label, [nlp.make_doc(name) for name in names])

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.match(doc))

    def match(self, doc: Doc) -> list[Span]:
        """Gazetteer spans that look like names (capitalised), longest first when nested."""
        found: dict[tuple[int, int], set[str]] = {}
        for match_id, start, end in self.matcher(doc):
            text = doc[start:end].text
            if text[:1].isupper() and ("." not in text or text.isupper()):
                found.setdefault((start, end), set()).add(doc.vocab.strings[match_id])
        labels = {}
        for (start, end), both in found.items():
            # a word that is both ("Thai") names people more often than the country,
            # unless it is the country's own name ("Gibraltar")
            if len(both) == 2:
                labels[(start, end)] = "GPE" if _is_country_name(doc[start:end].text) else "NORP"
            else:
                labels[(start, end)] = both.pop()
        return filter_spans([Span(doc, s, e, label=label) for (s, e), label in labels.items()])

    def set_annotations(self, doc: Doc, matches: list[Span]) -> Doc:
        """Relabel entities with the same span; add the others where nothing overlaps."""
        by_span = {(span.start, span.end): span for span in matches}
        ents = []
        for ent in doc.ents:
            match = by_span.pop((ent.start, ent.end), None)
            ents.append(match if match is not None else ent)
        taken = {i for ent in ents for i in range(ent.start, ent.end)}
        for span in by_span.values():
            if not taken.intersection(range(span.start, span.end)):
                ents.append(span)
        doc.ents = sorted(ents, key=lambda span: span.start)
        return doc


def _is_country_name(text: str) -> bool:
    place = gazetteer.country(text)
    return place is not None and place.name.casefold() == text.casefold()


class NamePropagator:
    """One sense per document: a name the pipeline found once is found everywhere.

    The small statistical model finds "ISIL" in one sentence and misses it, or calls it a
    number, in the next. This component labels every other occurrence of a found name (same
    characters, whole tokens) with the label the name has most often in the document, where
    no other actor name overlaps it; it replaces non-actor labels (CARDINAL, PRODUCT...) there.
    An all-capital word the model called a number becomes an organisation's acronym.
    """

    def __init__(self, nlp: Language, name: str = "kg_names") -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.tokenizer = nlp.tokenizer

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.match(doc))

    def match(self, doc: Doc) -> list[Span]:
        votes: dict[str, dict[str, int]] = {}
        for ent in doc.ents:
            if ent.label_ in ACTOR_LABELS and ent.text[:1].isupper() and len(ent.text) > 1:
                counts = votes.setdefault(ent.text, {})
                counts[ent.label_] = counts.get(ent.label_, 0) + 1
        matcher = PhraseMatcher(self.vocab, attr="ORTH")
        for text, counts in votes.items():
            label = max(counts, key=lambda lab: (counts[lab], lab))
            matcher.add(label, [self.tokenizer(text)])
        found = [Span(doc, s, e, label=m) for m, s, e in matcher(doc)]
        for ent in doc.ents:
            if ent.label_ in NUMBER_LABELS and ent.text.isupper() and ent.text.isalpha():
                found.append(Span(doc, ent.start, ent.end, label="ORG"))
        return filter_spans(found)

    def set_annotations(self, doc: Doc, matches: list[Span]) -> Doc:
        actors = [ent for ent in doc.ents if ent.label_ in ACTOR_LABELS]
        taken = {i for ent in actors for i in range(ent.start, ent.end)}
        added = [span for span in matches if not taken.intersection(range(span.start, span.end))]
        if added:
            others = [
                ent for ent in doc.ents
                if ent.label_ in ACTOR_LABELS
                or not any(span.start < ent.end and ent.start < span.end for span in added)
            ]
            doc.ents = sorted(others + added, key=lambda span: span.start)
        return doc


def parser_text(text: str) -> str:
    """The text the parser reads: as long as ``text``, every offset the same.

    Typographic quotes are read as ASCII (:data:`TYPOGRAPHIC`), and a blank line with the
    white space after it as as many newlines: one white-space token, which
    :class:`ParagraphStarts` reads as a paragraph break. The parser reads such a token by its
    characters: with the spaces of masked page furniture in it ("\\n\\n      \\n\\n") it cut
    the one-word sentence "Cambodia" from the start of the demo's first story.

    Parameters
    ----------
    text
        The text of a document (its page furniture masked with spaces).

    Returns
    -------
    str
        The text to hand to the pipeline, ``len(text)`` characters long.

    Examples
    --------
    >>> parser_text("Big news \\n\\n   \\n\\n  Hun Manet\u2019s order.")
    "Big news \\n\\n\\n\\n\\n\\n\\n\\n\\nHun Manet's order."
    """
    return _BLANK_LINE.sub(lambda m: "\n" * len(m.group()), text.translate(TYPOGRAPHIC))


class _Component:
    """A pipeline component that needs nothing but a name (which ``nlp.add_pipe`` gives)."""

    #: Its name when none is given.
    default_name = ""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.default_name


class ParagraphStarts(_Component):
    """Start a sentence after each blank line, before the parser finds sentences.

    A whitespace token holding :data:`PARAGRAPH_NEWLINES` newlines or more (a headline and
    its story, two paragraphs, a dateline, list items a blank line apart) ends the sentence
    before it: the token after it is marked ``is_sent_start``, and the white space and the
    closing punctuation just before it (a quote's last '."') are marked as no start, so
    they stay with the sentence they close; spaCy's parser keeps both. Nothing else is set:
    the parser still finds every other sentence bound.

    Examples
    --------
    >>> import spacy
    >>> doc = ParagraphStarts()(spacy.blank("en")('"Big news."\\n\\nHun Manet spoke.'))
    >>> [(token.text, token.is_sent_start) for token in doc[3:7]]
    [('.', False), ('"', False), ('\\n\\n', False), ('Hun', True)]
    """

    default_name = "kg_paragraphs"

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.match(doc))

    def match(self, doc: Doc) -> list[tuple[int, bool]]:
        """``(token index, is_sent_start)``: True for each token that follows a blank line
        (and is not white space), False for the break and the closing punctuation before it."""
        found = []
        for token in doc[1:-1]:
            if (token.is_space and token.text.count("\n") >= PARAGRAPH_NEWLINES
                    and not doc[token.i + 1].is_space):
                found.append((token.i, False))
                i = token.i - 1
                while i > 0 and _closes(doc[i]):
                    found.append((i, False))
                    i -= 1
                found.append((token.i + 1, True))
        return found

    def set_annotations(self, doc: Doc, matches: list[tuple[int, bool]]) -> Doc:
        for i, start in matches:
            doc[i].is_sent_start = start
        return doc


def _closes(token: Token) -> bool:
    """Punctuation that ends a sentence or a quote ('.', '"', ')'), not one that opens one."""
    return token.is_punct and (token.is_quote or not token.is_left_punct)


class TypographicNorms(_Component):
    """Give tokens spelt with typographic quotes the norm of their ASCII spelling.

    spaCy's English models read a token by its norm (and shape and affixes): "Da’esh" is a
    word they never saw, "Da'esh" one they label. The text and the tokens are left as they
    are; only ``Token.norm_`` changes, so offsets and ``nif:anchorOf`` stay exact.

    Examples
    --------
    >>> import spacy
    >>> doc = TypographicNorms()(spacy.blank("en")("Da\u2019esh fighters"))
    >>> doc[0].norm_, doc.text == "Da\u2019esh fighters"
    ("da'esh", True)
    """

    default_name = "kg_typography"

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.match(doc))

    def match(self, doc: Doc) -> list[tuple[int, str]]:
        """``(token index, ASCII norm)`` of each token whose norm holds a typographic quote."""
        text = doc.text
        if not any(quote in text for quote in _QUOTES):  # most texts: one scan, no token read
            return []
        out = []
        for token in doc:
            norm = token.norm_
            ascii_norm = norm.translate(TYPOGRAPHIC)
            if ascii_norm != norm:
                out.append((token.i, ascii_norm))
        return out

    def set_annotations(self, doc: Doc, matches: list[tuple[int, str]]) -> Doc:
        for i, norm in matches:
            doc[i].norm_ = norm
        return doc


@Language.factory("kg_typography", assigns=["token.norm"])
def make_typographic_norms(nlp: Language, name: str) -> TypographicNorms:
    """Factory of :class:`TypographicNorms` (``nlp.add_pipe("kg_typography", first=True)``)."""
    return TypographicNorms(name)


@Language.factory("kg_paragraphs", assigns=["token.is_sent_start"])
def make_paragraph_starts(nlp: Language, name: str) -> ParagraphStarts:
    """Factory of :class:`ParagraphStarts` (``nlp.add_pipe("kg_paragraphs", before="parser")``)."""
    return ParagraphStarts(name)


@Language.factory("kg_gazetteer", assigns=["doc.ents"], requires=["doc.ents"])
def make_gazetteer_ruler(nlp: Language, name: str) -> GazetteerRuler:
    """Factory of :class:`GazetteerRuler` (``nlp.add_pipe("kg_gazetteer", after="ner")``)."""
    return GazetteerRuler(nlp, name)


@Language.factory("kg_names", assigns=["doc.ents"], requires=["doc.ents"])
def make_name_propagator(nlp: Language, name: str) -> NamePropagator:
    """Factory of :class:`NamePropagator` (``nlp.add_pipe("kg_names", after="kg_gazetteer")``)."""
    return NamePropagator(nlp, name)

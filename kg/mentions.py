"""spaCy Doc -> :class:`~kg.types.Mention` records typed with the contract classes.

Named mentions come from the entities of the pipeline (statistical NER, then the
``kg_gazetteer`` component); their class is then corrected by cues of the text around them:

- a descriptor noun right before the name ("the intelligence agency Tracfin", "Real Madrid
  superstar Kylian Mbappe", "the capital Phnom Penh") or in apposition after it
  ("Poipet, a town on the border");
- "<place noun> of NAME" ("the northeastern province of Kratie");
- "<Nationality>-controlled/-held/-occupied NAME" (a territory);
- a title before a name ("Prime Minister Hun Manet"): the mention spans title and name, the
  name is "Hun Manet" and the title "Prime Minister";
- the gazetteers: a country name is a Country, a demonym a NationalityGroup, a city name a
  Location unless the model saw a person.

Nominal mentions are noun phrases headed by an actor noun ("police", "the regime", "the
Foreign Secretary", "coalition forces", "the city of Mosul"); one in apposition to a name,
or a place noun with "of NAME", refers to that name.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Span, Token

from kg import gazetteer
from kg.lexicon import lemma
from kg.nouns import (
    GROUP_NOUNS,
    ORG_NOUNS,
    TITLE_HEADS,
    TITLE_MODIFIERS,
    TITLE_WORDS,
    noun_class,
)
from kg.types import ActorClass, Mention, Sentence

__all__ = ["LABEL_CLASSES", "NOMINAL", "is_country", "mentions", "sentences"]

#: spaCy (OntoNotes) entity labels that name actors or places, and the class they map to.
LABEL_CLASSES: dict[str, ActorClass] = {
    "PERSON": "Person",
    "ORG": "Organization",
    "NORP": "NationalityGroup",
    "GPE": "Location",
    "LOC": "Location",
    "FAC": "Location",
}
#: The label of mentions read from noun phrases rather than named entities.
NOMINAL = "NOMINAL"

_ARTICLES = frozenset({"the", "a", "an"})
_POSSESSIVE = ("'s", "\u2019s", "'", "\u2019")
_CONTROL = frozenset({"controlled", "held", "occupied", "administered", "annexed", "run"})
_PRONOUNS = frozenset({"PRON"})


def _takes_article(cls: str, acting: bool) -> bool:
    return cls == "Organization" or (cls == "Country" and acting)


def is_country(name: str) -> bool:
    """True when ``name`` is a country's name (not a code: "AI" is not Anguilla here).

    >>> is_country("Cambodia"), is_country("Poipet"), is_country("AI")
    (True, False, False)
    """
    return gazetteer.country(name) is not None


def sentences(doc: Doc) -> list[Sentence]:
    """The sentences of ``doc`` as character offsets, whitespace trimmed."""
    found = []
    for sent in doc.sents:
        span = _trim_space(sent)
        if span is not None:
            found.append(Sentence(span[0], span[1]))
    return found


def mentions(doc: Doc) -> Iterator[Mention]:
    """Yield the named mentions of ``doc``, then its nominal mentions, each in text order.

    No mention crosses a line break: a name or noun phrase split over lines is a parse that
    ran across a heading or masked page furniture.
    """
    named = [m for m in _named_mentions(doc) if not _crosses_lines(m)]
    yield from named
    nominal = [m for m in _nominal_mentions(doc, named) if not _crosses_lines(m)]
    yield from nominal
    yield from _capitalised_bodies(doc, [(m.start, m.end) for m in named + nominal])


def _crosses_lines(mention: Mention) -> bool:
    return "\n" in mention.anchor or "\r" in mention.anchor


def _named_mentions(doc: Doc) -> Iterator[Mention]:
    ents = [ent for ent in doc.ents if ent.label_ in LABEL_CLASSES]
    names = {ent: _name_tokens(ent) for ent in ents}
    titles = {
        ent: _title_before(doc, bounds[0])
        for ent, bounds in names.items()
        if bounds is not None and ent.label_ == "PERSON"
    }
    inside_titles = [title for title in titles.values() if title is not None]
    for ent in ents:
        name = names[ent]
        if name is None or any(a <= ent.start and ent.end <= b for a, b in inside_titles):
            continue  # "Information" in "Information Minister Neth Pheaktra" names no one
        first, last = name
        cls, strong = _classify(ent, doc[first:last])
        title = titles.get(ent)
        if title is not None:
            cls, strong = "Person", True
        start_tok = title[0] if title is not None else first
        start = doc[start_tok].idx
        end = doc[last - 1].idx + len(doc[last - 1].text)
        name_start, name_end = _strip_possessive(doc.text, doc[first].idx, end)
        acting = _acting(doc[first:last])
        if title is None:
            start, end = name_start, name_end
            # an organisation's name takes its article ("the Coalition"), as does a country
            # that acts as its government ("the United States said")
            if _takes_article(cls, acting) and first > 0:
                article = doc[first - 1]
                if article.lower_ == "the" and article.i >= ent.sent.start:
                    start = article.idx
        else:
            end = name_end
        yield Mention(
            start=start,
            end=end,
            anchor=doc.text[start:end],
            cls=cls,
            sentence=_sentence_of(ent),
            label=ent.label_,
            name=doc.text[name_start:name_end],
            title=doc[title[0] : title[1]].text if title is not None else None,
            strong=strong,
            acting=acting,
        )


def _classify(ent: Span, name: Span) -> tuple[ActorClass, bool]:
    """The class of a named entity and whether a cue or gazetteer (not the model) says so."""
    text = name.text
    if ent.label_ == "NORP":
        if gazetteer.demonym(text):
            return "NationalityGroup", True
        # the model's NORP for a word no country's people are called by
        if text.isupper() and len(text) <= 6:
            return "Organization", True  # an acronym: "ISIL"
        if gazetteer.country(text):
            return "Country", True
        if gazetteer.city(text):
            return "Location", True
    if ent.label_ != "PERSON" and gazetteer.country(text):
        return "Country", True
    cue = _cue(ent, name)
    if cue is not None:
        return cue, True
    acronym = text.isupper() and len(text) <= 4
    if ent.label_ in ("GPE", "LOC", "ORG", "FAC") and not acronym and gazetteer.city(text):
        return "Location", False
    return LABEL_CLASSES[ent.label_], False


def _cue(ent: Span, name: Span) -> ActorClass | None:
    doc = ent.doc
    if name.start > ent.start and doc[name.start - 1].pos_ == "ADP":
        return "Location"  # "Near Palmyra": the model took the preposition into the name
    before = doc[name.start - 1] if name.start > 0 else None
    if before is not None and before.is_lower and before.pos_ in ("NOUN", "PROPN"):
        cls = noun_class(lemma(before))
        if cls is not None:
            return _as_actor_class(cls, name.text)
    if before is not None and before.lower_ == "of" and name.start > 1:
        noun = doc[name.start - 2]
        if noun.pos_ == "NOUN" and noun_class(lemma(noun)) == "Location":
            return "Location"
    if (
        before is not None
        and before.lower_ in _CONTROL
        and name.start > 2
        and doc[name.start - 2].text == "-"
    ):
        return "Location"
    for child in name.root.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN" and child.is_lower:
            cls = noun_class(lemma(child))
            if cls is not None:
                return _as_actor_class(cls, name.text)
    return None


def _acting(name: Span) -> bool:
    """The name is the subject, passive agent or possessor of its clause (or joined to one)."""
    root = name.root
    while root.dep_ == "conj" and root.head is not root:
        root = root.head
    if root.dep_ in ("nsubj", "nsubjpass", "poss"):
        return True
    return root.dep_ == "pobj" and root.head.dep_ == "agent"


def _as_actor_class(cls: str, name: str) -> ActorClass:
    if cls == "Location" and gazetteer.country(name):
        return "Country"
    return cls  # type: ignore[return-value]


def _name_tokens(ent: Span) -> tuple[int, int] | None:
    """Token bounds of the name in ``ent``: no leading article, no trailing punctuation."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and (doc[start].lower_ in _ARTICLES or doc[start].pos_ == "ADP"):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if end > start and doc[end - 1].lower_ in ("'s", "\u2019s", "'"):
        end -= 1
    if start >= end or not any(ch.isalnum() for ch in doc[start:end].text):
        return None
    if any(_lowercase_word(token) for token in doc[start:end]):
        return None  # "Les Bleus played European": a name holds no lower-case content word
    return start, end


_PARTICLES = frozenset({"al", "el", "bin", "ibn", "de", "du", "da", "der", "van", "von", "la", "le"})


def _lowercase_word(token: Token) -> bool:
    return (
        token.is_alpha
        and token.is_lower
        and not token.is_stop
        and token.lower_ not in _PARTICLES
        and token.pos_ in ("VERB", "NOUN", "ADJ", "ADV")
    )


def _strip_possessive(text: str, start: int, end: int) -> tuple[int, int]:
    for suffix in _POSSESSIVE:
        if text[start:end].endswith(suffix) and end - len(suffix) > start:
            end -= len(suffix)
            break
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _title_before(doc: Doc, first: int) -> tuple[int, int] | None:
    """Token span of a title right before a name ("Prime Minister", "Minister for the Middle
    East", "Lt. Gen."): title words, capitalised modifiers and "of/for the" between them,
    starting with a title word and holding a head word (a minister, not just "Foreign")."""
    i = first - 1
    sent_start = doc[first].sent.start
    while i >= sent_start:
        token = doc[i]
        if token.lower_ in TITLE_WORDS or token.lower_ in TITLE_MODIFIERS or token.text[:1].isupper() and token.dep_ in ("compound", "amod", "pobj", "nmod"):
            i -= 1
        else:
            break
    start = i + 1
    while start < first and doc[start].lower_ not in TITLE_WORDS:
        start += 1
    if start >= first or not any(doc[k].lower_ in TITLE_HEADS for k in range(start, first)):
        return None
    return start, first


def _nominal_mentions(doc: Doc, named: list[Mention]) -> Iterator[Mention]:
    covered = [(m.start, m.end) for m in named]
    places = [(m.start, m.end) for m in named if m.cls in ("Location", "Country")]
    for chunk in doc.noun_chunks:
        root = chunk.root
        if root.pos_ in _PRONOUNS or root.ent_type_:
            continue
        cls = noun_class(lemma(root))
        if cls is None:
            continue
        if cls == "Person" and root.tag_ in ("NNS", "NNPS") and root.lower_ not in GROUP_NOUNS:
            continue  # "ministers" is no one actor
        span = _trim_chunk(chunk)
        if span is None:
            continue
        start, end = span
        refers = _equated(doc, root, covered)
        if cls == "Location" and refers is None:
            refers, end = _place_of(root, places, end)
        yield Mention(
            start=start,
            end=end,
            anchor=doc.text[start:end],
            cls=cls,  # type: ignore[arg-type]
            sentence=_sentence_of(chunk),
            label=NOMINAL,
            name=_nominal_name(doc, chunk),
            strong=True,
            nominal=True,
            refers_to=refers,
        )


def _capitalised_bodies(doc: Doc, covered: list[tuple[int, int]]) -> Iterator[Mention]:
    """A capitalised organisation noun used as a name ("Coalition aircraft", "the Army's"),
    not the chunk's head and in no named entity: "Coalition" is a mention of its own."""
    for token in doc:
        if (
            token.dep_ in ("compound", "amod", "nmod", "poss")
            and token.text[:1].isupper()
            and not token.is_sent_start
            and not token.ent_type_
            and lemma(token) in ORG_NOUNS
            and not any(a <= token.idx < b for a, b in covered)
        ):
            start, end = token.idx, token.idx + len(token.text)
            yield Mention(
                start=start,
                end=end,
                anchor=token.text,
                cls="Organization",
                sentence=_sentence_of(doc[token.i : token.i + 1]),
                label=NOMINAL,
                name=token.text,
                strong=True,
                nominal=True,
            )


def _trim_chunk(chunk: Span) -> tuple[int, int] | None:
    """The span of a noun chunk without quantities before it ("three ISIL units" -> "ISIL
    units") or punctuation and possessive markers after it."""
    tokens = [t for t in chunk if not t.is_space]
    while tokens and tokens[0] is not chunk.root and (
        tokens[0].like_num or tokens[0].dep_ in ("nummod", "quantmod") or
        tokens[0].lower_ in ("at", "least", "more", "than", "about", "some", "over", "nearly")
    ):
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].lower_ in ("'s", "'")):
        tokens.pop()
    if not tokens:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _nominal_name(doc: Doc, chunk: Span) -> str:
    """The words of a nominal mention that say what it is: no article or possessive."""
    words = [t.text for t in chunk if t.lower_ not in _ARTICLES and t.pos_ not in ("DET", "PRON")]
    return " ".join(words) or chunk.root.text


def _equated(doc: Doc, root: Token, covered: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The named mention an apposition equates with ``root`` ("X, the group", "the group X")."""
    candidates = [root.head] if root.dep_ == "appos" else []
    candidates += [child for child in root.children if child.dep_ == "appos"]
    for token in candidates:
        for start, end in covered:
            if start <= token.idx < end:
                return start, end
    return None


def _place_of(
    root: Token, places: list[tuple[int, int]], end: int
) -> tuple[tuple[int, int] | None, int]:
    """``the city of Mosul``: the named place after "of", and the mention's new end."""
    for child in root.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                for start, stop in places:
                    if start <= obj.idx < stop:
                        return (start, stop), max(end, stop)
    return None, end


def _sentence_of(span: Span) -> Sentence:
    sent = span.sent
    bounds = _trim_space(sent)
    return Sentence(*bounds) if bounds else Sentence(sent.start_char, sent.end_char)


def _trim_space(span: Span) -> tuple[int, int] | None:
    text = span.doc.text
    start, end = span.start_char, span.end_char
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None

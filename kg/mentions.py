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

Names the small model cuts short are completed: a person's name by the capitalised proper
nouns around it ("Dr. Ahmed Kamil" + "Murad"), an organisation's by "and the X" when the
document abbreviates the whole ("Islamic State of Iraq and the Levant", "ISIL"); a leading
"Near" is no part of a place's name; an "organisation" whose head is a title ("the Minister
of Foreign Affairs of X") is a description of a person. A bracketed alias or code after a
name, or one introduced by "also known as", is a mention of the name's class (see
:func:`kg.coref.alias_after`). Names the model took for places but that fight or are fought
("ISIL fighters", "the fight against X", "X claimed") are organisations. A town followed by
its state or country ("Staunton, Va.", "Vienna, Austria") is also one place mention, the town
and the state staying mentions of their own.

Nominal mentions are noun phrases headed by an actor noun ("police", "the regime", "the
Foreign Secretary", "coalition forces", "the city of Mosul") or by a plural naming people by
what they are ("civilians", "60 civilians", "residents", "members of the tribe": a body of
them, an organisation), with what a person's title is "of", "for" or "to" ("Minister for the
Middle East", not over an actor's name); one in apposition to a name, beside it ("Gareth
Bayley, the UK Special Representative"), or a place noun with "of NAME", refers to that name.
Pronoun mentions come last (:mod:`kg.coref`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from itertools import pairwise

from spacy.tokens import Doc, Span, Token

from kg import gazetteer
from kg.coref import ALIAS, abbreviates, alias_after, pronoun_mentions
from kg.frames import Columns, columns
from kg.lexicon import lemma
from kg.nouns import (
    ORG_NOUNS,
    TITLE_HEADS,
    TITLE_MODIFIERS,
    TITLE_WORDS,
    head_class,
    noun_class,
)
from kg.spans import sentence_of, text_of, trimmed
from kg.types import ActorClass, Mention, Sentence

__all__ = ["LABEL_CLASSES", "NOMINAL", "REFERENCE_CODE", "is_country", "is_state", "mentions", "sentences"]

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
#: Prepositions of place the model takes into a name at the start of a line ("Near Palmyra").
_PLACE_PREPOSITIONS = frozenset({"near", "in", "at", "around", "outside", "inside", "across"})
#: Points of the compass: "the South of France" names a part of France, not a place "South".
_COMPASS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast",
                      "southwest", "north-east", "north-west", "south-east", "south-west"})


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
        span = trimmed(sent)
        if span is not None:
            found.append(Sentence(span[0], span[1]))
    return found


def mentions(doc: Doc) -> Iterator[Mention]:
    """Yield the named mentions of ``doc``, then its nominal mentions, then its pronoun
    mentions (see :mod:`kg.coref`), each in text order.

    No mention crosses a line break: a name or noun phrase split over lines is a parse that
    ran across a heading or masked page furniture.
    """
    named = [m for m in _named_mentions(doc) if not _crosses_lines(m)]
    named = _with_aliases(text_of(doc), _with_source_lines(doc, _split_bylines(named)))
    named = _with_town_and_state(text_of(doc), named)
    yield from named
    spans = {(m.start, m.end) for m in named}  # a phrase is one mention of one entity
    nominal = [m for m in _nominal_mentions(doc, named)
               if not _crosses_lines(m) and (m.start, m.end) not in spans]
    yield from nominal
    bodies = list(_capitalised_bodies(doc, [(m.start, m.end) for m in named + nominal]))
    yield from bodies
    yield from pronoun_mentions(doc, [*named, *nominal, *bodies])


def _with_aliases(text: str, named: list[Mention]) -> list[Mention]:
    """Add the alias the text gives right after a name ("USS Hopper (DDG 70)", "also called
    'Q-West'"; see :func:`kg.coref.alias_after`) where no mention names it, as a mention of
    the name's class; names inside such an alias ("DDG") give way to it."""
    added = []
    starts = {m.start for m in named}
    for mention in named:
        span = alias_after(text, mention.end, mention.name) or _expansion_after(
            text, mention.end, mention.name)
        if span is None or span[0] in starts:
            continue
        start, end = span
        added.append(mention._replace(
            start=start, end=end, anchor=text[start:end], label=ALIAS, name=text[start:end],
            title=None, refers_to=(mention.start, mention.end), acting=False))
    if not added:
        return named
    kept = [m for m in named if not any(a.start <= m.start and m.end <= a.end for a in added)]
    return sorted(kept + added, key=lambda m: m.start)


#: The Associated Press abbreviations of the US states (and D.C.), as in "Staunton, Va.".
_AP_STATES = frozenset("""
Ala. Alaska Ariz. Ark. Calif. Colo. Conn. Del. D.C. Fla. Ga. Hawaii Idaho Ill. Ind. Iowa Kan.
Ky. La. Maine Md. Mass. Mich. Minn. Miss. Mo. Mont. Neb. Nev. N.H. N.J. N.M. N.Y. N.C. N.D.
Ohio Okla. Ore. Pa. R.I. S.C. S.D. Tenn. Texas Utah Vt. Va. Wash. W.Va. Wis. Wyo.
""".split())
_TOWN_STATE_GAP = re.compile(r"[ \t]*,?[ \t]*")


def is_state(name: str) -> bool:
    """True when ``name`` names a US state by its name or AP abbreviation, with or without
    the final period ("Va.", "Va", "Virginia").

    >>> is_state("N.Y."), is_state("Tenn"), is_state("Virginia"), is_state("Paris")
    (True, True, True, False)
    """
    name = name.strip()
    return (name in _AP_STATES or f"{name}." in _AP_STATES
            or name.casefold() in _state_names())


@cache
def _state_names() -> frozenset[str]:
    import pycountry

    return frozenset(s.name.casefold() for s in pycountry.subdivisions.get(country_code="US")
                     if s.type == "State" or s.code == "US-DC")


def _with_town_and_state(text: str, named: list[Mention]) -> list[Mention]:
    """Add "Staunton, Va." (a town, then its state or country) as one place mention, keeping
    the town and the state as mentions of their own: the place a person lives in or comes
    from is the town in its state, and the town lies in the state (see
    :func:`kg.relclf.candidates`, which pairs nested mentions with the others)."""
    places = [m for m in named if m.cls in ("Location", "Country") and not m.nominal]
    added = []
    for town, state in pairwise(places):
        if (town.cls != "Location" or town.sentence != state.sentence
                or not _TOWN_STATE_GAP.fullmatch(text[town.end:state.start])
                or not (state.cls == "Country" or is_state(state.anchor))
                or is_state(town.anchor) or text[state.end:state.end + 1].isalnum()):
            continue
        anchor = text[town.start:state.end]
        added.append(town._replace(end=state.end, anchor=anchor, name=anchor, title=None,
                                   refers_to=None, acting=False, strong=True))
    if not added:
        return named
    return sorted(named + added, key=lambda m: (m.start, -m.end))


def _split_bylines(named: list[Mention]) -> list[Mention]:
    """A wire dateline the model read as one name ("Beijing XINHUA", "Moscow ITAR-TASS",
    "Bangkok BANGKOK POST"): a city or country, then a source written in capitals, are a
    place and an organisation."""
    out = []
    for mention in named:
        split = _byline(mention) if mention.title is None and not mention.nominal else None
        out.extend(split or [mention])
    return out


#: A monitoring service's reference code before a source line ("OW1102132994", "947N0051B").
#: (The first look-ahead, implied by the rest, passes over most places at once.)
REFERENCE_CODE: re.Pattern[str] = re.compile(
    r"(?=[A-Z0-9]{8})(?=(?:[A-Z]*\d){6})(?=\d*[A-Z])[A-Z0-9]{8,12}")
_WORD = re.compile(r"[^\s]+")


def _with_source_lines(doc: Doc, named: list[Mention]) -> list[Mention]:
    """A wire-monitoring source line as the place and the source it names.

    "OW1102132994 Beijing XINHUA in English 1313 GMT 11 Feb 94", "LD0506194194 Paris Radio
    France International in French": after the reference code, a city or country of the
    gazetteer, then the source's name up to the language ("in French") or the date. The two
    replace whatever names the model read over the code, the place and the source ("LD1005194694
    Berlin N-TV" as one person). See :func:`kg.relations.dateline_relations`.
    """
    text = text_of(doc)
    added: list[Mention] = []
    covered: list[tuple[int, int]] = []
    for code in REFERENCE_CODE.finditer(text):
        if (code.start() > 0 and not text[code.start() - 1].isspace()) or (
                code.end() < len(text) and not text[code.end()].isspace()):
            continue
        line_end = text.find("\n", code.end())
        words = list(_WORD.finditer(text, code.end(), len(text) if line_end < 0 else line_end))
        stop = len(words)
        for n, word in enumerate(words):
            if any(ch.isdigit() for ch in word.group()) or word.group() in ("(", "--") or (
                    word.group() == "in" and n + 1 < len(words)
                    and words[n + 1].group()[:1].isupper() and words[n + 1].group().isalpha()
                    and not words[n + 1].group().isupper()):
                stop = n
                break
        words = words[:stop]
        place = next((n for n in (3, 2, 1) if n < len(words) and _is_place(
            text[words[0].start():words[n - 1].end()])), None)
        if place is None or not words[place].group()[:1].isupper():
            continue
        spans = ((words[0].start(), words[place - 1].end()),
                 (words[place].start(), words[-1].end()))
        tokens = doc.char_span(spans[0][0], spans[1][1], alignment_mode="expand")
        if tokens is None:
            continue
        sentence = sentence_of(tokens)
        (a, b), (c, d) = spans
        cls: ActorClass = "Country" if gazetteer.country(text[a:b]) else "Location"
        added += [
            Mention(a, b, text[a:b], cls, sentence, "GPE", name=text[a:b], strong=True),
            Mention(c, d, text[c:d], "Organization", sentence, "ORG", name=text[c:d],
                    strong=True),
        ]
        covered.append((code.start(), d))
    if not added:
        return named
    kept = [m for m in named if not any(m.start < end and start < m.end for start, end in covered)]
    return sorted(kept + added, key=lambda m: (m.start, -m.end))


def _is_place(name: str) -> bool:
    return bool(gazetteer.city(name) or gazetteer.country(name))


def _byline(mention: Mention) -> list[Mention] | None:
    """The place and source mentions of a dateline read as one name, or None."""
    words = list(re.finditer(r"\S+", mention.anchor))
    for n in range(1, min(4, len(words))):
        place = mention.anchor[: words[n - 1].end()]
        source = words[n:]
        if not all(w.group().isupper() and sum(ch.isalpha() for ch in w.group()) >= 2
                   for w in source):
            continue
        if place.isupper() or not place[:1].isupper() or place.lower() in _ARTICLES \
                or not (gazetteer.city(place) or gazetteer.country(place)):
            continue
        cut, rest = mention.start + len(place), mention.start + source[0].start()
        cls: ActorClass = "Country" if gazetteer.country(place) else "Location"
        return [
            mention._replace(end=cut, anchor=place, name=place, cls=cls, label="GPE",
                             strong=True, acting=False),
            mention._replace(start=rest, anchor=mention.anchor[source[0].start():],
                             name=mention.anchor[source[0].start():], cls="Organization",
                             label="ORG", strong=True),
        ]
    return None


_EXPANSION = re.compile(
    r"(?:['\u2019]s)?[ \t]*\([ \t]*(?P<name>[A-Z][\w'\-]*(?:[ \t]+[\w'\-]+){0,9}?)[ \t]*\)")
_GLOSS_SMALL_WORDS = frozenset({"of", "the", "and", "for", "on", "in", "de", "la", "del"})


def _expansion_after(text: str, end: int, name: str) -> tuple[int, int] | None:
    """The span of the full name an acronym is glossed with in brackets ("the PTA
    (Preferential Trade Area)", "the RP (Welfare Party)"): capitalised words, or words the
    acronym abbreviates."""
    if not (name.isupper() and 2 <= len(name) <= 8):
        return None
    match = _EXPANSION.match(text, end)
    if match is None:
        return None
    gloss = match.group("name")
    words = gloss.split()
    if len(words) < 2 or not (abbreviates(name, gloss) or all(
            w[:1].isupper() or w.lower() in _GLOSS_SMALL_WORDS for w in words)):
        return None
    return match.start("name"), match.end("name")


def _crosses_lines(mention: Mention) -> bool:
    return "\n" in mention.anchor or "\r" in mention.anchor


def _named_mentions(doc: Doc) -> Iterator[Mention]:
    ents = [ent for ent in doc.ents if ent.label_ in LABEL_CLASSES]
    names = {ent: _person_extent(ent, _name_tokens(ent)) for ent in ents}
    table = columns(doc)
    acronyms = {text for text, upper, alpha in zip(table.texts, table.uppers, table.alphas)
                if upper and alpha and 2 < len(text) <= 8}
    for ent in ents:
        bounds = names[ent]
        if ent.label_ == "ORG" and bounds is not None:
            names[ent] = _abbreviated_extent(doc, bounds, acronyms)
    swallowed = [b for e in ents if (b := names[e]) is not None and b[1] > e.end]
    ents = [e for e in ents if not any(a < e.start and e.end <= b for a, b in swallowed)]
    titles = {
        ent: _title_before(doc, bounds[0])
        for ent, bounds in names.items()
        if bounds is not None and ent.label_ == "PERSON"
    }
    inside_titles = [title for title in titles.values() if title is not None]
    idxs, texts = table.idxs, table.texts
    for ent in ents:
        name = names[ent]
        if _title_entity(ent):
            continue  # "the Minister of Foreign Affairs": a person described, not named
        if _compass_part(ent):
            continue  # "the South of France": a direction within a place, named by "of"
        if name is None or any(a <= ent.start and ent.end <= b for a, b in inside_titles):
            continue  # "Information" in "Information Minister Neth Pheaktra" names no one
        first, last = name
        cls, strong = _classify(ent, doc[first:last])
        title = titles.get(ent)
        if title is not None:
            cls, strong = "Person", True
        # offsets from the Doc's columns (Token.idx, Token.text), without a Token of each
        start_tok = title[0] if title is not None else first
        start = idxs[start_tok]
        end = idxs[last - 1] + len(texts[last - 1])
        name_start, name_end = _strip_possessive(text_of(doc), idxs[first], end)
        acting = _acting(doc[first:last])
        if title is None:
            start, end = name_start, name_end
            # an organisation's name takes its article ("the Coalition"), as does a country
            # that acts as its government ("the United States said")
            if _takes_article(cls, acting) and first > 0:
                article = first - 1  # in the sentence of ent (ent.sent.start)
                if table.lowers[article] == "the" and article >= table.sent_start[ent.start]:
                    start = idxs[article]
        else:
            end = name_end
        yield Mention(
            start=start,
            end=end,
            anchor=text_of(doc)[start:end],
            cls=cls,
            sentence=sentence_of(ent),
            label=ent.label_,
            name=text_of(doc)[name_start:name_end],
            title=doc[title[0] : title[1]].text if title is not None else None,
            strong=strong,
            acting=acting,
        )


def _abbreviated_extent(doc: Doc, bounds: tuple[int, int], acronyms: set[str]) -> tuple[int, int]:
    """An organisation's name the model cut at "and": "Islamic State of Iraq" + "and the
    Levant" is one name when the document abbreviates the whole of it ("ISIL")."""
    first, last = bounds
    i = last
    if i < len(doc) and doc[i].lower_ == "and":
        i += 1
        if i < len(doc) and doc[i].lower_ == "the":
            i += 1
        end = i
        while end < len(doc) and doc[end].text[:1].isupper() and doc[end].is_alpha:
            end += 1
        if end > i:
            words = [t.text for t in doc[first:end] if t.text[:1].isupper()]
            if "".join(w[0] for w in words) in acronyms:
                return first, end
    return bounds


def _person_extent(ent: Span, bounds: tuple[int, int] | None) -> tuple[int, int] | None:
    """A person's name the model cut short: capitalised proper nouns in no entity, right
    before or after it on its line, belong to it ("Dr. Ahmed Kamil" + "Murad")."""
    if bounds is None or ent.label_ != "PERSON":
        return bounds
    doc = ent.doc
    first, last = bounds
    # the bounds of ent.sent, read off the Doc's columns (Span.sent walks the Doc for each)
    table = columns(doc)
    sent_start, sent_end = table.sent_start[ent.start], table.sent_end[ent.start]

    def part(token: Token) -> bool:
        return (
            token.pos_ == "PROPN"
            and token.text[:1].isupper()
            and token.is_alpha
            and not token.ent_type_
            and token.lower_ not in TITLE_WORDS
            and table.sent_start[token.i] == sent_start  # token.sent == ent.sent
            and "\n" not in token.whitespace_
        )

    while last < sent_end and part(doc[last]) and "\n" not in doc[last - 1].whitespace_:
        last += 1
    while first > sent_start and part(doc[first - 1]):
        first -= 1
    return first, last


def _compass_part(ent: Span) -> bool:
    """The model's place is a point of the compass followed by "of" ("the South of France",
    "north of Baghdad"): a part of the place named after it, not a place of its own."""
    words = [t for t in ent if t.lower_ not in _ARTICLES]
    after = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    return (ent.label_ in ("LOC", "GPE") and len(words) == 1
            and words[0].lower_ in _COMPASS and after is not None and after.lower_ == "of")


def _title_entity(ent: Span) -> bool:
    """The model's organisation is a title ("the Minister of Foreign Affairs of X", "the EU
    Special Representative"): its head is a person's title word."""
    root = lemma(ent.root)
    return ent.label_ == "ORG" and root in TITLE_HEADS and noun_class(root) == "Person"


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
    if name.start > ent.start and (
        doc[name.start - 1].pos_ == "ADP" or doc[name.start - 1].lower_ in _PLACE_PREPOSITIONS
    ):
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
    head = name.root.head
    if (
        ent.label_ in ("GPE", "LOC", "FAC")
        and name.root.dep_ in ("compound", "nmod")
        and head.i >= name.end
        and head.pos_ == "NOUN"
        and "Organization" in (noun_class(lemma(head)), noun_class(head.lower_))
        and gazetteer.city(name.text) is None
    ):
        return "Organization"  # "ISIL fighters", "Daesh terrorists": a body, not a place
    if ent.label_ in ("GPE", "LOC", "FAC") and _fought_or_fighting(name.root) \
            and gazetteer.city(name.text) is None:
        return "Organization"  # "the fight against Daesh", "ISIL claimed": a side, not a place
    for child in name.root.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN" and child.is_lower:
            cls = noun_class(lemma(child))
            if cls is not None:
                return _as_actor_class(cls, name.text)
    return None


#: Verbs whose object is a side in a conflict ("defeat Daesh"), and whose subject acts as
#: one ("ISIL claimed responsibility", "Daesh targeted families").
_DEFEAT_VERBS = frozenset((
    "defeat", "degrade", "destroy", "counter", "combat", "fight", "confront", "dismantle",
    "eliminate", "eradicate",
))
_SIDE_VERBS = frozenset((
    "claim", "attack", "target", "kill", "seize", "execute", "behead", "kidnap", "abduct",
    "recruit", "threaten",
))


def _fought_or_fighting(root: Token) -> bool:
    """The name is the object of a fight ("against X", "defeat X") or the agent of an attack
    or a claim ("X claimed", "claimed by X")."""
    head = root.head
    if root.dep_ == "pobj" and head.lower_ == "against":
        return True
    if root.dep_ == "dobj" and lemma(head) in _DEFEAT_VERBS:
        return True
    if root.dep_ == "nsubj" and lemma(head) in _SIDE_VERBS:
        return True
    return root.dep_ == "pobj" and head.dep_ == "agent" and lemma(head.head) in _SIDE_VERBS


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
    table = columns(doc)
    lowers, poses, texts = table.lowers, table.poses, table.texts
    while start < end and (
        lowers[start] in _ARTICLES or poses[start] == "ADP" or lowers[start] in _PLACE_PREPOSITIONS
    ):
        start += 1
    bracket = next((i for i in range(start + 1, end) if texts[i] in _OPENING_BRACKETS), None)
    if bracket is not None:
        end = bracket  # "the PRD (Party of the Democratic Revolution": a name and its gloss
    while end > start and (table.puncts[end - 1] or table.spaces[end - 1]):
        end -= 1
    while end - start > 1 and _title_of_next_person(doc[end - 1]):
        end -= 1  # "Coast Guard Lt. Steve Hardy": the title is the person's
    if end > start and lowers[end - 1] in ("'s", "\u2019s", "'"):
        end -= 1
    if start >= end or not any(ch.isalnum() for text in texts[start:end] for ch in text):
        return None
    if any(_lowercase_word(table, i) for i in range(start, end)):
        return None  # "Les Bleus played European": a name holds no lower-case content word
    return start, end


_OPENING_BRACKETS = frozenset({"(", "["})


def _title_of_next_person(token: Token) -> bool:
    """A capitalised title word the model put at the end of an organisation's name that a
    person's name follows ("Fire Department Capt. Ed Reed")."""
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    if following is not None and following.text == "." and token.i + 2 < len(token.doc):
        following = token.nbor(2)
    return (
        token.ent_type_ == "ORG"
        and token.text[:1].isupper()
        and token.lower_.rstrip(".") in TITLE_HEADS
        and following is not None
        and following.ent_type_ == "PERSON"
    )


_PARTICLES = frozenset({"al", "el", "bin", "ibn", "de", "du", "da", "der", "van", "von", "la", "le"})


def _lowercase_word(table: Columns, i: int) -> bool:
    """Token ``i`` is a lower-case content word (by the Doc's columns)."""
    return (
        table.alphas[i]
        and table.lowercase[i]
        and not table.stops[i]
        and table.lowers[i] not in _PARTICLES
        and table.poses[i] in ("VERB", "NOUN", "ADJ", "ADV")
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
    sent_start = columns(doc).sent_start[first]  # doc[first].sent.start
    while i >= sent_start:
        token = doc[i]
        if token.ent_type_ == "PERSON":
            break  # another person's name: "Kerry and U.S. Secretary of Defense Ash Carter"
        if (
            token.lower_ in TITLE_WORDS
            or token.lower_ in TITLE_MODIFIERS
            or token.text[:1].isupper() and token.dep_ in ("compound", "amod", "pobj", "nmod")
        ):
            i -= 1
        elif token.text == "." and i > sent_start and doc[i - 1].lower_ + "." in TITLE_WORDS:
            i -= 1  # "Lt. Gen.": the tokenizer split the abbreviation's full stop off
        else:
            break
    start = i + 1
    # a title is capitalised ("Prime Minister"); "spokesman Jonathan Lifa" is a descriptor
    while start < first and (doc[start].lower_ not in TITLE_WORDS or doc[start].is_lower):
        start += 1
    if start >= first or not any(doc[k].lower_ in TITLE_HEADS for k in range(start, first)):
        return None
    return start, first


def _nominal_mentions(doc: Doc, named: list[Mention]) -> Iterator[Mention]:
    covered = [(m.start, m.end) for m in named]
    places = [(m.start, m.end) for m in named if m.cls in ("Location", "Country")]
    people = [(m.start, m.end) for m in named if m.cls == "Person"]
    actors = [(m.start, m.end) for m in named if m.cls in ("Person", "Organization")]
    table = columns(doc)
    for chunk in _actor_chunks(doc):
        root = chunk.root
        r = root.i  # its facts from the Doc's columns: most chunks stop at the first tests
        if table.poses[r] in _PRONOUNS or table.ent_types[r] and not _title_token(root):
            continue
        cls = head_class(table.lowers[r], table.lemma(r))
        if cls is None:
            continue
        if cls == "Person" and root.tag_ in ("NNS", "NNPS"):
            continue  # "presidents" is no one actor
        span = _trim_chunk(chunk)
        if span is None:
            continue
        start, end = span
        if cls == "Person":
            end = _title_extent(root, end, actors=actors)
        elif cls == "Organization" and root.tag_ in ("NN", "NNP"):
            # "the government of Iraq"
            end = _title_extent(root, end, frozenset({"of"}), actors=actors)
        refers = _equated(doc, root, covered)
        if refers is None and cls == "Person" and root.tag_ not in ("NNS", "NNPS"):
            refers = _beside(text_of(doc), start, end, people)
        if cls == "Location" and refers is None:
            refers, end = _place_of(root, places, end)
        yield Mention(
            start=start,
            end=end,
            anchor=text_of(doc)[start:end],
            cls=cls,  # type: ignore[arg-type]
            sentence=sentence_of(chunk),
            label=NOMINAL,
            name=_nominal_name(doc, chunk) if end <= chunk.end_char else _without_article(text_of(doc)[start:end]),
            strong=True,
            nominal=True,
            refers_to=refers,
        )


def _actor_chunks(doc: Doc) -> Iterator[Span]:
    """The noun chunks of ``doc``, and a title noun the parser left out of them ("Minister"
    in "Minister for the Middle East, Tobias Ellwood said") with its modifiers."""
    in_chunk: set[int] = set()
    for chunk in doc.noun_chunks:
        in_chunk.update(range(chunk.start, chunk.end))
        yield chunk
    table = columns(doc)
    poses, texts = table.poses, table.texts
    for i in range(len(doc)):
        # the first tests on the Doc's columns, without a Token made for every word
        if i in in_chunk or poses[i] not in ("NOUN", "PROPN") or not texts[i][:1].isupper():
            continue
        token = doc[i]
        if lemma(token) in TITLE_HEADS and noun_class(lemma(token)) == "Person":
            first = token.i
            while first > table.sent_start[i] and doc[first - 1].dep_ in _TITLE_MODIFIER_DEPS \
                    and doc[first - 1].head.i >= token.i and doc[first - 1].i not in in_chunk:
                first -= 1
            yield doc[first : token.i + 1]


def _title_token(token: Token) -> bool:
    """A title word the model took for (part of) an organisation's name."""
    if token.ent_type_ != "ORG":
        return False
    doc, start, end = token.doc, token.i, token.i + 1
    while start > 0 and doc[start].ent_iob_ == "I":  # the entity around the token, found
        start -= 1                                       # without reading doc.ents (per token)
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return _title_entity(Span(doc, start, end, label="ORG"))


_TITLE_MODIFIER_DEPS = frozenset({"det", "compound", "amod", "poss", "nmod"})
_TITLE_PREPOSITIONS = frozenset({"of", "for", "to"})


def _title_extent(
    root: Token,
    end: int,
    prepositions: frozenset[str] = _TITLE_PREPOSITIONS,
    *,
    actors: Sequence[tuple[int, int]] = (),
) -> int:
    """The end of a description with the place or thing it is "of", "for" or "to" ("Minister
    for the Middle East", "the government of Iraq"), on its line; not over the name of a
    person or organisation ("a spokesman for the FAA"): that name is an actor of its own, to
    which relations attach (``kg.frames.MentionIndex`` gives a token to its longest mention).
    """
    doc = root.doc
    for child in root.children:
        if child.dep_ == "prep" and child.lower_ in prepositions and child.i > root.i:
            last = child.right_edge
            comma = next((t for t in doc[child.i : last.i + 1] if t.text in (",", ";", "(")), None)
            if comma is not None:  # "Minister for the Region, Ana Duarte,": not the name
                last = doc[comma.i - 1]
            while last.i > child.i and (last.is_punct or last.is_space):
                last = doc[last.i - 1]
            stop = last.idx + len(last.text)
            if "\n" not in text_of(doc)[end:stop] and not any(
                end <= a < stop for a, _ in actors
            ):
                end = max(end, stop)
    return end


_BESIDE = re.compile(r"[ \t]*,?[ \t]*")
_AFTER_COMMA = re.compile(r"[ \t]*,[ \t]*")


def _beside(text: str, start: int, end: int, people: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The named person a description stands beside: "TITLE, NAME" or "TITLE NAME" before
    it, "NAME, TITLE" after it ("Gareth Bayley, the UK Special Representative for Syria")."""
    for a, b in people:
        if a >= end and _BESIDE.fullmatch(text, end, a):
            return a, b
        if b <= start and _AFTER_COMMA.fullmatch(text, b, start):
            return a, b
    return None


def _capitalised_bodies(doc: Doc, covered: list[tuple[int, int]]) -> Iterator[Mention]:
    """A capitalised organisation noun used as a name ("Coalition aircraft", "the Army's"),
    not the chunk's head and in no named entity: "Coalition" is a mention of its own."""
    table = columns(doc)
    deps, texts, starts, ent_types = table.deps, table.texts, table.starts, table.ent_types
    for i in range(len(doc)):
        # the first tests on the Doc's columns, without a Token made for every word
        if (deps[i] not in ("compound", "amod", "nmod", "poss") or not texts[i][:1].isupper()
                or starts[i] or ent_types[i]):
            continue
        token = doc[i]
        if lemma(token) in ORG_NOUNS and not any(a <= token.idx < b for a, b in covered):
            start, end = token.idx, token.idx + len(token.text)
            yield Mention(
                start=start,
                end=end,
                anchor=token.text,
                cls="Organization",
                sentence=sentence_of(doc[token.i : token.i + 1]),
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
        tokens[0].like_num or tokens[0].dep_ in ("nummod", "quantmod") or tokens[0].is_punct or
        tokens[0].lower_ in ("at", "least", "more", "than", "about", "some", "over", "nearly")
    ):
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].lower_ in ("'s", "'")):
        tokens.pop()
    if not tokens:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _without_article(text: str) -> str:
    first, _, rest = text.partition(" ")
    return rest if first.lower() in _ARTICLES and rest else text


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



"""Pronoun mentions and the actors they stand for: a small, rule-based coreference.

Which pronouns are mentions follows how news annotation (re3d) treats them: the personal
pronouns of speakers and of actors ("I", "we", "he", "they") name an actor; possessives
("its", "their", "our") and "it" mostly do not, and "it" is often pleonastic ("it is
important that..."), so those are left alone.

Resolution, by pronoun (Lappin and Leass 1994 and Hobbs 1978 in a much reduced form: the
nearest preceding compatible antecedent within a window, with one syntactic preference, the
subject of a verb of saying for the pronoun subject of the clause it governs):

- "I", "me", "my" inside a quotation: the quotation's speaker when the speaker is a person
  (see :func:`kg.quotes.quotations`); elsewhere the writer or speaker of the text, one
  unnamed person of the document.
- "we" inside a quotation: the speaker when the speaker is an organisation or a country;
  the side a person speaks for when the speaker is a person (one unnamed organisation per
  person and document); elsewhere the organisation speaking, one unnamed organisation of
  the document.
- "he", "him", "she" and "her" (as an object, not the possessive): the subject of the verb
  of saying whose clause the pronoun is the subject of ("Aksyonov said he had signed"), else
  the nearest preceding person mention in the same or the ``window`` previous sentences,
  passing over mentions inside a quotation the pronoun is not in; unresolved, not a mention.
- "they", "them": the same, with an organisation mention ("the rebels", "the SDF"); not
  "most of them" (part of a set) nor "they were churlish actions" (a predicate noun: said
  of things as often as of actors).

A pronoun mention is ``nominal`` with label :data:`PRONOUN`, its class that of its antecedent
(Person for "I", Organization for "we" with no antecedent), its ``name`` the pronoun and its
``refers_to`` the antecedent's ``(start, end)``; :func:`kg.resolve.resolve` gives it the
antecedent's entity.

Names have coreferent aliases too: :func:`alias_after` reads the other name a text gives right
after a name ("Daesh (also known as ISIL)", "State Board of Antiquities and Heritage (SBAH)",
"USS Hopper (DDG 70)"); :mod:`kg.mentions` makes it a mention and :mod:`kg.resolve` one
entity with the name.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache
from typing import Literal

from spacy.tokens import Doc, Token

from kg.frames import columns
from kg.quotes import quotations, quote_spans
from kg.spans import sentence_of, text_of
from kg.types import ActorClass, Mention

__all__ = ["ALIAS", "PRONOUN", "SIDE_OF", "SPEAKER", "SPEAKING_BODY", "abbreviates", "alias_after",
           "pronoun_mentions"]

#: The label of pronoun mentions.
PRONOUN = "PRON"
#: The label of a name's alias the text gives right after it ("Q-West", "DDG 70").
ALIAS = "ALIAS"
#: Names of the unnamed entities that unresolved "I" and "we" stand for, and of the side a
#: person says "we" for (``SIDE_OF.format(person)``).
SPEAKER = "speaker"
SPEAKING_BODY = "speaking organisation"
SIDE_OF = "organisation of {}"

_FIRST_SINGULAR = frozenset({"i", "me", "my"})
_FIRST_PLURAL = frozenset({"we"})
_THIRD_PERSON = frozenset({"he", "him", "she", "her"})
_THIRD_PLURAL = frozenset({"they", "them"})
_ALL = _FIRST_SINGULAR | _FIRST_PLURAL | _THIRD_PERSON | _THIRD_PLURAL


def pronoun_mentions(
    doc: Doc, mentions: Sequence[Mention], *, window: int = 2
) -> Iterator[Mention]:
    """Yield the pronoun mentions of ``doc`` in text order, each pointing to its antecedent.

    Parameters
    ----------
    doc
        The parsed document.
    mentions
        Its named and nominal mentions (antecedents are chosen among them).
    window
        How many sentences before the pronoun's own an antecedent may be in.

    Returns
    -------
    iterator of Mention
        Label :data:`PRONOUN`; ``refers_to`` is the antecedent's ``(start, end)``, or None for
        "I"/"we" that stand for the unnamed speaker of the text.

    Examples
    --------
    >>> from kg.nlp import load_pipeline
    >>> from kg.mentions import mentions
    >>> doc = load_pipeline()("Hun Manet arrived in Paris. He met the press.")
    >>> [(m.anchor, doc.text[slice(*m.refers_to)]) for m in mentions(doc) if m.label == "PRON"]
    [('He', 'Hun Manet')]
    """
    candidates = [t for t in _pronoun_words(doc) if _is_pronoun(t)]
    if not candidates:
        return
    mentions = sorted(mentions, key=lambda m: m.start)
    quotes = [(q.start, q.end) for q in quote_spans(text_of(doc))]
    speakers = _quote_speakers(doc, mentions, quotes)
    sents = list(doc.sents)
    starts = [sent.start for sent in sents]
    sent_of = {t.i: bisect_right(starts, t.i) - 1 for t in candidates}
    taken = [(m.start, m.end) for m in mentions]
    for token in candidates:
        start, end = token.idx, token.idx + len(token.text)
        if any(a < end and start < b for a, b in taken):
            continue
        word = token.lower_
        quote = next(((a, b) for a, b in quotes if a <= start < b), None)
        antecedent: Mention | None
        if word in _FIRST_SINGULAR:
            antecedent = _fitting(speakers.get(quote), ("Person",))
            cls: ActorClass | None = antecedent.cls if antecedent else "Person"
        elif word in _FIRST_PLURAL:
            # a person speaking says "we" for their side: the antecedent is the person, the
            # class an organisation's (see kg.resolve: "organisation of <person>")
            antecedent = _fitting(speakers.get(quote), ("Organization", "Country", "Person"))
            cls = "Organization" if antecedent is None or antecedent.cls == "Person" \
                else antecedent.cls
        else:
            first = sents[max(0, sent_of[token.i] - window)].start_char
            fits: tuple[ActorClass, ...] = (
                ("Person",) if word in _THIRD_PERSON else ("Organization",))
            reporter = _reporter(token, mentions, fits)
            antecedent = _nearest(mentions, first, start, fits, quote, quotes) \
                if reporter is False else reporter
            cls = antecedent.cls if antecedent else None
        if cls is None:
            continue
        sent = sents[sent_of[token.i]]
        yield Mention(
            start=start,
            end=end,
            anchor=token.text,
            cls=cls,
            sentence=sentence_of(sent),
            label=PRONOUN,
            name=token.text,
            strong=True,
            nominal=True,
            refers_to=(antecedent.start, antecedent.end) if antecedent else None,
            acting=token.dep_ in ("nsubj", "nsubjpass"),
        )


def _pronoun_words(doc: Doc) -> list[Token]:
    """The tokens whose lower-case form is one of the pronouns read (:data:`_ALL`), found in
    the Doc's columns (:func:`kg.frames.columns`) rather than by making a ``Token`` of every
    word."""
    return [doc[i] for i, word in enumerate(columns(doc).lowers) if word in _ALL]


def _is_pronoun(token: Token) -> bool:
    word = token.lower_
    if word not in _ALL or token.pos_ != "PRON":
        return False
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ in ("ADJ", "NUM", "DET", "PRON"):
        return False  # "most of them": part of a set, whatever the set is
    if token.dep_ == "nsubj" and head.lemma_ == "be" and any(c.dep_ == "attr" for c in head.children):
        return False  # "they were churlish actions": said of things as often as of actors
    if word == "i":
        return token.text == "I"
    if word == "her":
        return token.tag_ == "PRP"  # "her" as object, not the possessive "her"
    return True


def _reporter(
    pronoun: Token, mentions: Sequence[Mention], classes: tuple[ActorClass, ...]
) -> Mention | None | Literal[False]:
    """ "Aksyonov said he had signed", "the authorities said they were": the subject of a
    clause of saying stands for the pronoun subject of the clause it governs.

    Returns the subject's mention; None when that subject is no mention of a fitting class
    (the pronoun is then left unresolved); False when the pronoun is in no such clause."""
    verb = pronoun.head
    if pronoun.dep_ not in ("nsubj", "nsubjpass") or verb.dep_ != "ccomp":
        return False
    for child in verb.head.children:
        if child.dep_ == "nsubj":
            for mention in mentions:
                if mention.start <= child.idx < mention.end and mention.cls in classes:
                    return mention
            return None
    return False


def _fitting(mention: Mention | None, classes: tuple[ActorClass, ...]) -> Mention | None:
    return mention if mention is not None and mention.cls in classes else None


def _nearest(
    mentions: Sequence[Mention],
    first: int,
    before: int,
    classes: tuple[ActorClass, ...],
    quote: tuple[int, int] | None,
    quotes: Sequence[tuple[int, int]],
) -> Mention | None:
    """The last mention of one of ``classes`` between ``first`` and ``before``; a mention in a
    quotation counts only for a pronoun in the same quotation."""
    for mention in reversed(mentions):
        if mention.end > before:
            continue
        if mention.start < first:
            return None
        inside = next(((a, b) for a, b in quotes if a <= mention.start < b), None)
        if mention.cls in classes and (inside is None or inside == quote):
            return mention
    return None


def _quote_speakers(
    doc: Doc, mentions: Sequence[Mention], quotes: Sequence[tuple[int, int]]
) -> dict[tuple[int, int] | None, Mention]:
    """Each quotation (by its span) -> the mention of its speaker, where one is found."""
    speakers: dict[tuple[int, int] | None, Mention] = {}
    if not quotes:
        return speakers
    text = text_of(doc)
    for event in quotations(doc, mentions):
        if not event.agents or not event.quote:
            continue
        for start, end in quotes:
            words = text[start:end].strip()
            if words and words in event.quote:
                speakers.setdefault((start, end), event.agents[0])
    return speakers


# --- aliases -------------------------------------------------------------------------------

_ALIAS = re.compile(
    r"""(?:['\u2019]s)?[ \t]*(?:\([ \t]*|,?[ \t]*\(?[ \t]*(?P<aka>(?:also|otherwise|formerly)[ \t]+"""
    r"""(?:called|named|known(?:[ \t]+by[ \t]+[\w \t]{0,40}?)?[ \t]+as))[ \t]+["\u201c'\u2018]?)"""
    r"""(?P<alias>[A-Z][\w\u2019'\-]*(?:\.[\w]+)*(?:[ \t]\d{1,4})?)"""
)
_CODE = re.compile(r"[A-Z]{1,4} \d{1,4}")


def alias_after(text: str, end: int, name: str) -> tuple[int, int] | None:
    """The span of another name for ``name`` that the text gives right after it, at ``end``.

    Three patterns: a phrase saying so ("Daesh (also known as ISIL)", "ISIL, also known by
    its Arabic acronym as DAESH", "Qayyarah Airfield West, also called \u201cQ-West\u201d"); an
    abbreviation in brackets (see :func:`abbreviates`: "State Board of Antiquities and
    Heritage (SBAH)", "Naval Forces Central Command's (NAVCENT)"); a code in brackets
    ("USS Hopper (DDG 70)").

    Parameters
    ----------
    text
        The document's text.
    end
        Where the name ends.
    name
        The name (no article, no possessive).

    Returns
    -------
    (start, end) or None

    Examples
    --------
    >>> text = "the Islamic State (IS) and Daesh (also known as ISIL) and the UN (AFP)"
    >>> ends = {n: text.index(n) + len(n) for n in ("Islamic State", "Daesh", "UN")}
    >>> [text[slice(*alias_after(text, ends[n], n))] for n in ("Islamic State", "Daesh")]
    ['IS', 'ISIL']
    >>> alias_after(text, ends["UN"], "UN") is None
    True
    """
    match = _ALIAS.match(text, end)
    if match is None:
        return None
    alias = match.group("alias")
    span = (match.start("alias"), match.start("alias") + len(alias))
    if match.group("aka"):
        return span
    if not re.match(r"[ \t]*\)", text[span[1] :]):
        return None
    if _CODE.fullmatch(alias) or abbreviates(alias, name):
        return span
    return None


def abbreviates(alias: str, name: str) -> bool:
    """Whether ``alias`` is an abbreviation of ``name``: its letters are the initials of the
    name's capitalised words in any order ("CRS" for "Republican Security Corps"), or appear
    in the name in order with at least two of them initials of its words ("NAVCENT" for
    "U.S. Naval Forces Central Command", "Q-West" for "Qayyarah Airfield West").

    >>> abbreviates("SBAH", "State Board of Antiquities and Heritage"), abbreviates("UN", "United States")
    (True, False)
    """
    letters = "".join(ch for ch in alias.upper() if ch.isalnum())
    words = [w for w in re.split(r"[\s\-]+", name) if w[:1].isupper()]
    initials = "".join(w[0] for w in words).upper()
    if len(letters) < 2:
        return False
    if sorted(letters) == sorted(initials):
        return True
    chars = "".join(ch for ch in name.upper() if ch.isalnum() or ch.isspace() or ch == "-")
    return _initials_matched(letters, chars) >= 2


@lru_cache(maxsize=1024)
def _initials_matched(letters: str, chars: str) -> int:
    """The most word initials an in-order match of ``letters`` in ``chars`` can use; -1 if
    there is none. The first letter must be a word initial."""

    @cache
    def best(i: int, j: int) -> int:
        if i == len(letters):
            return 0
        found = -1
        for k in range(j, len(chars)):
            if chars[k] != letters[i]:
                continue
            initial = k == 0 or not chars[k - 1].isalnum()
            if i == 0 and not initial:
                continue
            rest = best(i + 1, k + 1)
            if rest >= 0:
                found = max(found, rest + initial)
        return found

    return best(0, 0)

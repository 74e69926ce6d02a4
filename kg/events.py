"""spaCy Doc + mentions -> :class:`~kg.types.Event` records: arrests, orders, payments...

An event is read from a trigger word, a verb or a noun of :data:`kg.lexicon.EVENT_VERBS` /
:data:`kg.lexicon.EVENT_NOUNS` ("arrested", "the arrest of", "an investigation into"), and
its frame (:mod:`kg.frames`): the agent mentions, the target mentions, the places
(``in``/``at``/``near`` a place, "the province of Kratie"), the date (a DATE entity on the
trigger, resolved by :mod:`kg.dates`), the count (the number on the target: "270
Indonesians", "more than 1,000 suspects") and the amount of money ("€30k", "$2 million").

A trigger with nothing of this is not an event worth a node, and is skipped.
:func:`implied_relations` turns events into the relations they imply (an attack:
``fightsAgainst``; a meeting: ``communicatedWith``; an accusation, sanction or lawsuit:
``opposes``; a killing: ``killed``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import lru_cache

from spacy.tokens import Doc, Token

from kg.dates import parse_base, resolve_date
from kg.frames import (
    Frame,
    MentionIndex,
    columns,
    conjuncts,
    is_usable,
    noun_frame,
    units,
    verb_frame,
)
from kg.lexicon import EVENT_NOUNS, EVENT_VERBS, lemma
from kg.relations import MAX_SENTENCE_TOKENS, fits
from kg.spans import sentence_of
from kg.types import Event, Mention, Relation, Section

__all__ = ["EVENT_KINDS", "IMPLIED", "events", "find_amount", "implied_relations", "parse_count"]

#: Every ``akg:Event`` subclass this stage writes (declared in ``ontology/actorkg.ttl``).
EVENT_KINDS = (
    "Arrest", "Order", "Investigation", "Payment", "Statement", "Attack", "Killing", "Sanction",
    "Publication", "LegalAction", "Meeting", "Accusation",
)
#: The relation an event implies between each agent and each target.
IMPLIED: dict[str, str] = {
    "Attack": "fightsAgainst",
    "Meeting": "communicatedWith",
    "Accusation": "opposes",
    "Sanction": "opposes",
    "LegalAction": "opposes",
    "Killing": "killed",
}

#: Event nouns whose nationality or country pre-modifier is the agent.
_MODIFIER_AGENTS = frozenset(("Attack", "Investigation", "Sanction", "Killing"))
_PLACE_PREPS = ("in", "at", "near", "across", "outside", "inside", "throughout", "around")
_DATE_PREPS = ("on", "in", "at", "during", "since", "between", "from", "by", "until", "last")
#: Verbs whose subject receives: "a fifth agent receiving €60.3k".
_RECEIVING = frozenset(("receive", "get", "accept"))
#: Nouns for a number of people: "nationals of Thailand", "people from Vietnam".
_PEOPLE = frozenset(("people", "nationals", "citizens", "residents", "suspects", "workers",
                     "members", "men", "women", "children", "civilians", "migrants",
                     "foreigners", "agents", "officers", "soldiers", "troops", "fighters",
                     "employees", "victims"))
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "hundred": 100, "hundreds": 100, "thousand": 1000,
    "thousands": 1000, "dozens": 12,
}
_SCALE = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "mn": 1_000_000,
          "million": 1_000_000, "bn": 1_000_000_000, "billion": 1_000_000_000}
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+(\.\d+)?$")
#: Money as written: a currency sign or code and a number, or a number and a currency word.
AMOUNT = re.compile(
    r"(?:(?:US|A|C|HK|NZ|S)?[$€£¥₹₩]|\b(?:USD|EUR|GBP|JPY|CNY|RMB|KHR)\s?)\s?\d[\d,.]*"
    r"(?:\s?(?:k|m|mn|bn|million|billion|thousand|trillion)\b)?"
    r"|\b\d[\d,.]*\s?(?:k|m|million|billion|thousand)?\s?"
    r"(?:dollars|euros|pounds|yuan|riels?|rupees|roubles|rubles)\b",
    re.IGNORECASE,
)


def events(
    doc: Doc,
    mentions: Sequence[Mention],
    *,
    date: str | None = None,
    sections: Sequence[Section] = (),
    max_tokens: int = MAX_SENTENCE_TOKENS,
    index: MentionIndex | None = None,
) -> Iterator[Event]:
    """Yield the events of ``doc``, in document order.

    Parameters
    ----------
    doc
        The parsed document.
    mentions
        Its mentions; participants are chosen among them.
    date
        The article's date (``Document.date``), for resolving "on Wednesday".
    sections
        The stories of the page; a story's own date, when it has one, is the base for the
        events read inside it.
    max_tokens
        Sentences longer than this, lists and verbless lines are not read.
    index
        The :class:`~kg.frames.MentionIndex` of ``doc`` and ``mentions``, when the caller
        has made one (it is shared with the other rules); made here otherwise.

    Examples
    --------
    >>> from kg.nlp import load_pipeline
    >>> from kg.mentions import mentions
    >>> doc = load_pipeline()("Police arrested 270 Indonesians in Poipet on Wednesday.")
    >>> [event] = events(doc, list(mentions(doc)), date="2025-07-18")
    >>> event.kind, [m.anchor for m in event.targets], event.count, event.date
    ('Arrest', ['Indonesians'], 270, '2025-07-16')
    """
    index = index if index is not None else MentionIndex(doc, mentions)
    page_base = parse_base(date)
    table = columns(doc)
    poses = table.poses
    for sent in units(doc):
        if not is_usable(sent, max_tokens=max_tokens):
            continue
        base = next((parse_base(s.date) for s in sections
                     if s.start <= sent.start_char < s.end and parse_base(s.date)), page_base)
        for i in range(sent.start, sent.end):
            # only a verb or noun of an event kind can be a trigger (see _event): the others
            # are passed over in the Doc's columns, without a Token made for each
            pos = poses[i]
            if pos == "VERB":
                word = table.lemma(i)
                if word not in _RECEIVING and word not in EVENT_VERBS:
                    continue
            elif pos != "NOUN" or table.lemma(i) not in EVENT_NOUNS:
                continue
            event = _event(doc[i], index, base)
            if event is not None:
                yield event


def _event(token: Token, index: MentionIndex, base: date | None) -> Event | None:
    receiving = False
    amount_frame = None
    if token.pos_ == "VERB" and lemma(token) in _RECEIVING:
        frame = verb_frame(token)
        if not any(_is_money(t) or any(_is_money(c) for c in t.children)
                   for t in frame.patients):
            return None
        # "a fifth agent receiving a total of €60.3k": a payment to the subject
        kind, receiving, confidence = "Payment", True, 0.6
        amount_frame = frame
        frame = frame._replace(agents=frame.obliques.get("from", ()), patients=frame.agents
                               + tuple(t for t in frame.patients if not _is_money(t)))
    elif token.pos_ == "VERB":
        verb_kind = EVENT_VERBS.get(lemma(token))
        if verb_kind is None or (lemma(token) == "round" and not _has_particle(token, "up")):
            return None
        kind, frame, confidence = verb_kind, verb_frame(token), 0.7
    elif token.pos_ == "NOUN":
        noun_kind = EVENT_NOUNS.get(lemma(token))
        if noun_kind is None:
            return None
        kind = noun_kind
        frame = noun_frame(token)
        confidence = 0.6
    else:
        return None
    if frame.negated or any(c.lower_ in ("may", "might", "could", "would", "should")
                            for c in token.children if c.dep_ == "aux"):
        return None
    agents = [m for m in index.of(frame.agents) if m.cls != "Location"]
    if not agents and kind in _MODIFIER_AGENTS:  # "Ukrainian drone attacks", "US sanctions"
        agents = [m for m in index.of(frame.modifiers)
                  if m.cls in ("NationalityGroup", "Country", "Organization")]
    target_tokens = list(frame.patients)
    if kind == "Payment" and not receiving:
        target_tokens = _payees(frame)
    elif kind == "Meeting":
        target_tokens += frame.obliques.get("with", ())
    elif kind == "Investigation":
        target_tokens += frame.obliques.get("into", ())
    if kind == "Payment" and not receiving:
        agents += [m for m in index.of(frame.obliques.get("from", ())) if m not in agents]
    elif kind == "Attack":
        target_tokens += frame.obliques.get("against", ())
    targets = _targets(target_tokens, index)
    targets = [m for m in targets if m not in agents]
    places = _places(frame, [*frame.agents, *target_tokens], index, exclude=agents + targets)
    count = next((n for n in map(_count_of, [token, *target_tokens]) if n is not None), None)
    if kind == "Arrest" and count is None and token.pos_ == "NOUN":
        count = _count_of(token)
    amount = _amount(amount_frame or frame, token)
    if not (agents or targets or places or count is not None or amount):
        return None
    when = _date(token, base)  # dateparser is slow: only for the events kept
    return Event(
        kind=kind,
        trigger=(token.idx, token.idx + len(token.text)),
        sentence=sentence_of(token),
        agents=tuple(agents),
        targets=tuple(targets),
        places=tuple(places),
        date=when,
        count=count,
        amount=amount,
        confidence=confidence,
    )


def _has_particle(verb: Token, word: str) -> bool:
    return any(c.dep_ == "prt" and c.lower_ == word for c in verb.children)


def _payees(frame: Frame) -> list[Token]:
    """Who is paid: "paid X", "paid $5 to X", "payments ... to X" (on the verb that holds
    the payment noun)."""
    tokens = [t for t in frame.patients if not _is_money(t)] if frame.trigger.pos_ == "VERB" \
        else []
    tokens += frame.obliques.get("to", ())
    trigger = frame.trigger
    if trigger.pos_ == "NOUN" and trigger.dep_ in ("dobj", "nsubjpass", "pobj"):
        head = trigger.head if trigger.dep_ != "pobj" else trigger.head.head
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ == "to":
                tokens += [c for c in child.children if c.dep_ == "pobj"]
    return tokens


def _targets(tokens: Iterable[Token], index: MentionIndex) -> list[Mention]:
    """Mentions naming ``tokens``, or the places their people are from ("nationals of
    Thailand", "people from Vietnam, China and Myanmar", "four CRS agents")."""
    out: list[Mention] = []
    for token in tokens:
        mention = index.named(token)
        found = [mention] if mention is not None else []
        if not found and token.lower_ in _PEOPLE:
            for child in token.children:
                if child.dep_ == "compound" and index.at(child) is not None:
                    found.append(index.at(child))  # type: ignore[arg-type]
                if child.dep_ == "prep" and child.lower_ in ("of", "from"):
                    for obj in [c for c in child.children if c.dep_ == "pobj"]:
                        found += index.of(conjuncts(obj))
        for mention in found:
            if mention is not None and mention not in out:
                out.append(mention)
    return out


def _places(frame: Frame, participants: Sequence[Token], index: MentionIndex, *,
            exclude: list[Mention]) -> list[Mention]:
    """Places of the event: its own in/at/near phrases, then those of its participants
    ("arrested 270 Indonesians in Poipet", "police in Kratie arrested ...")."""
    out: list[Mention] = []
    tokens = [t for prep in _PLACE_PREPS for t in frame.obliques.get(prep, ())]
    if not tokens:
        tokens = [obj for p in participants for c in p.children
                  if c.dep_ == "prep" and c.lower_ in _PLACE_PREPS
                  for obj in c.children if obj.dep_ == "pobj"]
    for token in tokens:
        mention = index.at(token) or _of_place(token, index)
        if mention is not None and mention.cls in ("Location", "Country") \
                and mention not in exclude and mention not in out:
            out.append(mention)
    return out


def _of_place(noun: Token, index: MentionIndex) -> Mention | None:
    from kg.relations import _of_place as of_place

    return of_place(noun, index)


def parse_count(words: Sequence[str]) -> int | None:
    """The integer a number phrase gives: "1,000", "270", "five", "2.5 million".

    >>> parse_count(["1,000"]), parse_count(["five"]), parse_count(["2.5", "million"])
    (1000, 5, 2500000)
    """
    value: float | None = None
    for word in words:
        low = word.lower().replace("\u202f", "")
        if _NUMBER.match(low):
            value = float(low.replace(",", ""))
        elif low in _SCALE and value is not None:
            value *= _SCALE[low]
        elif low in _NUMBER_WORDS and value is None:
            value = _NUMBER_WORDS[low]
    return int(value) if value is not None and value == int(value) else None


def _count_of(token: Token) -> int | None:
    """The number on a noun: "270 Indonesians", "more than 1,000 suspects"."""
    for child in token.children:
        if child.dep_ == "nummod" and not _is_money(child):
            words = [t.text for t in child.subtree if t.like_num or t.lower_ in _SCALE]
            count = parse_count(words)
            if count is not None and not _is_year(child):
                return count
    return None


def _is_year(token: Token) -> bool:
    return token.ent_type_ == "DATE" or (token.text.isdigit() and len(token.text) == 4
                                         and token.text.startswith(("19", "20")))


def _is_money(token: Token) -> bool:
    return token.ent_type_ == "MONEY" or bool(AMOUNT.search(token.text))


def find_amount(text: str) -> str | None:
    """The first sum of money written in ``text``.

    >>> find_amount("payments of €30k to four agents"), find_amount("$2 million in aid")
    ('€30k', '$2 million')
    """
    match = AMOUNT.search(text)
    return match.group(0).strip() if match else None


def _amount(frame: Frame, trigger: Token) -> str | None:
    """Money on the trigger: its object or an of/for/worth phrase ("payments of €30k")."""
    tokens: list[Token] = list(frame.patients)
    for prep in ("of", "for", "worth", "totalling", "totaling", "amounting"):
        tokens += frame.obliques.get(prep, ())
    if trigger.pos_ == "NOUN":
        tokens += [c for c in trigger.children if c.dep_ in ("nmod", "compound", "nummod")]
    for token in tokens:
        if not _is_money(token) and not any(_is_money(t) for t in token.children):
            continue
        span = token.doc[token.left_edge.i: token.right_edge.i + 1]
        amount = find_amount(span.text)
        if amount:
            return amount
    return None


def _date(trigger: Token, base: date | None) -> str | None:
    """A DATE entity attached to the trigger: "arrested Wednesday", "on Friday",
    "last month"."""
    candidates: list[Token] = []
    for child in trigger.children:
        if child.dep_ in ("npadvmod", "tmod", "obl", "nmod") and child.ent_type_ == "DATE":
            candidates.append(child)
        elif child.dep_ == "prep" and child.lower_ in _DATE_PREPS:
            candidates += [c for c in child.children
                           if c.dep_ == "pobj" and c.ent_type_ == "DATE"]
    for token in candidates:
        ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
        if ent is None:
            continue
        resolved = _resolved(ent.text, base)
        if resolved != ent.text or _datelike(ent.text):
            return resolved
    return None


@lru_cache(maxsize=4096)
def _resolved(text: str, base: date | None) -> str:
    """:func:`kg.dates.resolve_date`, remembered: dateparser takes milliseconds a call, and a
    corpus writes the same few expressions ("Wednesday", "last month") over and over."""
    return resolve_date(text, base=base)


_DATELIKE = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
    r"april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|"
    r"jul|aug|sep|sept|oct|nov|dec|yesterday|today|tonight|ago|last|\d{4})\b",
    re.IGNORECASE,
)


def _datelike(text: str) -> bool:
    return bool(_DATELIKE.search(text))


def implied_relations(found: Iterable[Event]) -> Iterator[Relation]:
    """The relation each event implies between each agent and each target (see
    :data:`IMPLIED`), a little less sure than the event.

    >>> from kg.types import Sentence
    >>> s = Sentence(0, 30)
    >>> x = Mention(0, 6, "Russia", "Country", s, "GPE")
    >>> y = Mention(16, 23, "Ukraine", "Country", s, "GPE")
    >>> [r.predicate for r in implied_relations([Event("Attack", (7, 15), s, (x,), (y,))])]
    ['fightsAgainst']
    """
    for event in found:
        predicate = IMPLIED.get(event.kind)
        if predicate is None:
            continue
        for agent in event.agents:
            for target in event.targets:
                if fits(agent, predicate, target):
                    yield Relation(agent, predicate, target, event.sentence,
                                   round(event.confidence * 0.9, 2))

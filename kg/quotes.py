"""Who said what: quotations and reported speech -> ``Statement`` :class:`~kg.types.Event`\\ s.

- :func:`quote_spans` finds quotations by their marks (straight, curly and angle quotes),
  across sentences and line breaks; a quotation whose closing mark never comes ends with
  its paragraph, one whose opening mark is missing starts with it (double quotes only: a
  lone ``'`` is too often an apostrophe).
- :func:`quotations` attributes each quotation to a verb of saying next to it (in the
  sentence holding its closing or its opening mark, outside the quote: "'...,' Aksyonov
  said", "He said: '...'") and the verb's subject to a mention: the subject itself, the
  name on a statement-like noun ("Hun Manet's statement said"), or for "he", "she", "it"
  the nearest preceding mention of a fitting class. A quotation with no verb of its own
  right after another one continues it ("'...,' Hsiao told reporters. 'But we ...'").
- Reported speech without marks ("Cambodia said that an order ... had resulted ...",
  "..., according to statements from X") is a Statement whose quote is the reported clause.

The speaker is the event's agent, the words its ``quote``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from spacy.tokens import Doc, Span, Token

from kg.dates import parse_base
from kg.frames import MentionIndex, columns, is_usable, kept, unit_bounds, units, verb_frame
from kg.lexicon import SPEECH_VERBS, lemma
from kg.spans import sentence_of, text_of
from kg.types import ActorClass, Event, Mention, Section

__all__ = ["MIN_QUOTE_WORDS", "Quote", "quotations", "quote_spans"]

#: Quoted text shorter than this is a term in scare quotes ("the 'donations'"), not speech.
MIN_QUOTE_WORDS = 4
_OPEN = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019", "\u00ab": "\u00bb",
         "\u201e": "\u201c"}
_CLOSE_ANY = frozenset(('"', "\u201d", "'", "\u2019", "\u00bb", "\u201c"))
#: The characters :func:`_quote_spans` acts on: the opening marks and the closing ones it
#: reads without an opening
_MARKS = re.compile("[" + re.escape("".join(sorted({*_OPEN, '"', "\u201d"}))) + "]")
#: Nouns standing for their author: "Hun Manet's statement said", "a Kremlin spokesman said".
_VOICE_NOUNS = frozenset(("statement", "spokesman", "spokeswoman", "spokesperson", "office",
                          "report", "communique", "release", "post", "letter", "tweet",
                          "announcement", "representative", "statements"))
_PRONOUNS: dict[str, frozenset[ActorClass]] = {
    "he": frozenset(("Person",)), "she": frozenset(("Person",)),
    "it": frozenset(("Organization", "Country")),
    "they": frozenset(("Organization", "NationalityGroup")),
}


class Quote(NamedTuple):
    """A quotation's words by character offsets (quote marks excluded)."""

    start: int
    end: int


def quote_spans(text: str) -> list[Quote]:
    """The quotations of ``text``, in order.

    >>> text = "He said: 'we will win the war.' Then 'a lot' and \\"it ends here\\nNext"
    >>> [text[q.start:q.end] for q in quote_spans(text)]
    ['we will win the war.', 'a lot', 'it ends here']
    """
    return list(_quote_spans(text))


@lru_cache(maxsize=2)
def _quote_spans(text: str) -> tuple[Quote, ...]:
    """:func:`quote_spans`, remembered for the document at hand: the pronoun, quotation and
    statement rules each read its quotations."""
    spans: list[Quote] = []
    i, n = 0, len(text)
    while i < n:
        mark = _MARKS.search(text, i)  # nothing happens at other characters: skip them
        if mark is None:
            break
        i = mark.start()
        ch = text[i]
        if ch in _OPEN and _opens(text, i):
            close = _closing(text, i + 1, _OPEN[ch])
            if close is None:  # unbalanced: the quote runs to the end of its paragraph
                end = text.find("\n", i + 1)
                end = n if end < 0 else end
                spans.append(Quote(i + 1, _rstrip(text, i + 1, end)))
                i = end
                continue
            spans.append(Quote(i + 1, close))
            i = close + 1
            continue
        if ch in ('"', "\u201d") and _closes(text, i) and not _quoted(spans, i):
            # a closing mark with no opening: the quote began with the paragraph
            begin = text.rfind("\n", 0, i) + 1
            if spans and spans[-1].end >= begin:
                begin = spans[-1].end + 1
            while begin < i and text[begin].isspace():
                begin += 1
            if begin < i:
                spans.append(Quote(begin, i))
        i += 1
    return tuple(q for q in spans if q.end > q.start)


def _quoted(spans: list[Quote], i: int) -> bool:
    return bool(spans) and spans[-1].end >= i


def _opens(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{\u2014-:") and not after.isspace()


def _closes(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and not after.isalnum()


def _closing(text: str, start: int, mark: str) -> int | None:
    """Where the quote opened before ``start`` closes, within its paragraph."""
    marks = {mark} | ({"'", "\u2019"} if mark in ("'", "\u2019") else {'"', "\u201d"}
                      if mark in ('"', "\u201d") else set())
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\n" and (text[i + 1: i + 2] == "\n" or i + 1 >= len(text)):
            return None  # a blank line ends a paragraph
        if ch in marks and ch in _CLOSE_ANY and _closes(text, i):
            return i
        i += 1
    return None


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def quotations(
    doc: Doc,
    mentions: Sequence[Mention],
    *,
    date: str | None = None,
    sections: Sequence[Section] = (),
    max_tokens: int = 80,
    index: MentionIndex | None = None,
) -> Iterator[Event]:
    """Yield a ``Statement`` event for each attributed quotation or reported statement.

    Parameters
    ----------
    doc
        The parsed document.
    mentions
        Its mentions; speakers are chosen among them.
    date, sections
        The article's date and stories, for resolving the statement's date
        (see :func:`kg.events.events`).
    max_tokens
        Reported speech is read only from usable sentences (:func:`kg.frames.is_usable`)
        of at most this many tokens; quotations are attributed from any sentence.
    index
        The :class:`~kg.frames.MentionIndex` of ``doc`` and ``mentions``, when the caller
        has made one; made here otherwise.

    Examples
    --------
    >>> from kg.nlp import load_pipeline
    >>> from kg.mentions import mentions
    >>> doc = load_pipeline()("'We will not allow it to happen again,' Hun Manet said.")
    >>> [(e.agents[0].anchor, e.quote) for e in quotations(doc, list(mentions(doc)))]
    [('Hun Manet', 'We will not allow it to happen again,')]
    """
    from kg.events import _date  # the date rules are the events'

    index = index if index is not None else MentionIndex(doc, mentions)
    page_base = parse_base(date)
    text = text_of(doc)
    quoted = [(q.start, q.end) for q in quote_spans(text)]
    statements: dict[int, Event] = {}  # by the trigger's token index
    previous: int | None = None  # the statement the last quotation went to
    previous_end = -1
    for quote in quote_spans(text):
        if len(text[quote.start:quote.end].split()) < MIN_QUOTE_WORDS:
            continue
        words = text[quote.start:quote.end].strip()
        verb = _attribution(doc, quote)
        speaker = _speaker(verb, index, quoted) if verb is not None else None
        if verb is None or speaker is None:
            if previous is not None and _continues(text, previous_end, quote.start):
                event = statements[previous]
                statements[previous] = event._replace(quote=f"{event.quote} {words}")
                previous_end = quote.end
            else:
                previous = None
            continue
        said = statements.get(verb.i)
        if said is not None and said.quote:  # "'...,' he said. '...'" around one verb
            statements[verb.i] = said._replace(quote=f"{said.quote} {words}")
        else:
            base = _base(sections, quote.start, page_base)
            statements[verb.i] = _statement(verb, (speaker,), index, words, _date(verb, base))
        previous, previous_end = verb.i, max(quote.end, verb.idx + len(verb.text))
    for sent in units(doc):
        if not is_usable(sent, max_tokens=max_tokens):
            continue
        base = _base(sections, sent.start_char, page_base)
        for token, speakers, clause in _reported(sent, index, quoted):
            if token.i in statements or any(s <= token.idx < e for s, e in quoted):
                continue
            statements[token.i] = _statement(token, speakers, index, clause, _date(token, base))
    yield from sorted(statements.values(), key=lambda e: e.trigger)


def _base(sections: Sequence[Section], at: int, page: date | None) -> date | None:
    return next((parse_base(s.date) for s in sections
                 if s.start <= at < s.end and parse_base(s.date)), page)


def _continues(text: str, end: int, start: int) -> bool:
    """Whether a quote starting at ``start`` follows the one that ended at ``end`` with only
    the attribution and at most one paragraph break between."""
    between = text[end:start]
    return 0 <= end <= start and between.count("\n") <= 2 and len(between) < 200


def _statement(verb: Token, speakers: tuple[Mention, ...], index: MentionIndex, words: str,
               when: str | None) -> Event:
    frame = verb_frame(verb)
    places = [m for m in index.of([t for p in ("in", "at") for t in frame.obliques.get(p, ())])
              if m.cls in ("Location", "Country") and m not in speakers]
    targets = [m for m in index.of([c for c in verb.children if c.dep_ in ("dobj", "dative")])
               if m.cls != "Location" and m not in speakers]
    event = Event(
        kind="Statement",
        trigger=(verb.idx, verb.idx + len(verb.text)),
        sentence=sentence_of(verb),
        agents=speakers,
        targets=tuple(targets),
        places=tuple(places),
        date=when,
        quote=words,
        confidence=0.7,
    )
    return event


def _attribution(doc: Doc, quote: Quote) -> Token | None:
    """The verb of saying outside the quote, after it in its closing sentence or before it
    in its opening sentence, or in the sentence just before when that ends with a colon
    ("Minister Ellwood said:", a blank line, the quote)."""
    table = columns(doc)
    idxs, poses, texts = table.idxs, table.poses, table.texts
    start, end = _unit_at(doc, quote.end)
    tail = [i for i in range(start, end) if idxs[i] >= quote.end + 1]
    mark = max(quote.start - 1, 0)  # the opening mark
    window = text_of(doc)[max(mark - 100, 0):mark]
    before = window.rstrip()
    opening = mark - (len(window) - len(before)) - 1 if before.endswith(":") else mark
    start, end = _unit_at(doc, opening)
    head = [i for i in range(start, end) if idxs[i] < quote.start - 1]
    for tokens in (tail, list(reversed(head))):
        for i in tokens:
            if poses[i] == "VERB" and table.lemma(i) in SPEECH_VERBS:
                return doc[i]
            if texts[i] in _CLOSE_ANY or texts[i] in _OPEN:
                break  # another quote begins: the verb would be its own
    return None


def _unit_chars(doc: Doc) -> tuple[list[int], list[tuple[int, int, int, int]]]:
    """The units' first characters, and each unit's ``(first char, end char, start token,
    end token)``: one pass over the units per Doc."""
    table = columns(doc)
    idxs, texts = table.idxs, table.texts
    bounds = [(idxs[start], idxs[end - 1] + len(texts[end - 1]), start, end)
              for start, end in unit_bounds(doc)]
    return [b[0] for b in bounds], bounds


def _unit_at(doc: Doc, char: int) -> tuple[int, int]:
    """The token bounds of the unit (see :func:`kg.frames.units`) holding character ``char``,
    else of the last token."""
    starts, bounds = kept(doc, "quote-units", lambda: _unit_chars(doc))
    at = bisect_right(starts, char) - 1
    if at >= 0 and bounds[at][0] <= char < bounds[at][1]:
        return bounds[at][2], bounds[at][3]
    return max(len(doc) - 1, 0), len(doc)




def _speaker(verb: Token, index: MentionIndex, quoted: Sequence[tuple[int, int]] = (),
             ) -> Mention | None:
    frame = verb_frame(verb)
    for agent in frame.agents:
        mention = index.named(agent)
        if mention is not None:
            return mention
        if agent.lower_ in _VOICE_NOUNS or lemma(agent) in _VOICE_NOUNS:
            for child in agent.children:
                if child.dep_ in ("poss", "compound") and index.at(child) is not None:
                    return index.at(child)
            for prep in agent.children:
                if prep.dep_ == "prep" and prep.lower_ in ("from", "of", "by"):
                    named = index.of([c for c in prep.children if c.dep_ == "pobj"])
                    if named:
                        return named[0]
        if agent.lower_ in _PRONOUNS:
            return _antecedent(agent, index, _PRONOUNS[agent.lower_], quoted)
    return None


def _antecedent(pronoun: Token, index: MentionIndex, classes: frozenset[ActorClass],
                quoted: Sequence[tuple[int, int]] = ()) -> Mention | None:
    """The nearest mention of a fitting class before ``pronoun``, within two sentences and
    outside quotations (a name inside a quote is not the speaker)."""
    doc = pronoun.doc
    sents = list(doc.sents)
    here = next(i for i, s in enumerate(sents) if s.start <= pronoun.i < s.end)
    first = sents[max(0, here - 2)].start
    for i in range(pronoun.i - 1, first - 1, -1):
        mention = index.at(doc[i])
        if mention is not None and mention.cls in classes \
                and not any(s <= mention.start < e for s, e in quoted):
            return mention
    return None


def _reported(sent: Span, index: MentionIndex, quoted: Sequence[tuple[int, int]],
              ) -> Iterator[tuple[Token, tuple[Mention, ...], str]]:
    """Reported speech: "X said that ...", "..., according to X"."""
    doc = sent.doc
    table = columns(doc)
    poses, lowers = table.poses, table.lowers
    for i in range(sent.start, sent.end):
        # the words read below, found in the Doc's columns without a Token made for each
        if not ((poses[i] == "VERB" and table.lemma(i) in SPEECH_VERBS)
                or lowers[i] == "according"):
            continue
        token = doc[i]
        if token.pos_ == "VERB" and lemma(token) in SPEECH_VERBS:
            clauses = [c for c in token.children if c.dep_ == "ccomp"]
            if not clauses:
                continue
            speaker = _speaker(token, index, quoted)
            if speaker is None or any(c.dep_ == "neg" for c in token.children):
                continue
            clause = clauses[0]
            span = sent.doc[clause.left_edge.i: clause.right_edge.i + 1]
            words = span.text.strip()
            if len(words.split()) >= MIN_QUOTE_WORDS:
                yield token, (speaker,), words
        elif token.lower_ == "according" and token.i + 1 < len(token.doc) \
                and token.nbor(1).lower_ == "to":
            to = token.nbor(1)
            objs = [c for c in to.children if c.dep_ == "pobj"] or \
                   [c for c in token.children if c.dep_ == "pobj"]
            speakers: list[Mention] = []
            for obj in objs:
                named = index.named(obj)
                if named is None and obj.lower_ in _VOICE_NOUNS:
                    for prep in obj.children:
                        if prep.dep_ == "prep" and prep.lower_ in ("from", "of", "by"):
                            for pobj in [c for c in prep.children if c.dep_ == "pobj"]:
                                speakers += index.of([pobj, *pobj.conjuncts])
                elif named is not None:
                    speakers.append(named)
            if speakers:
                main = [t for t in sent if t.i < token.i and t.text not in (",",)]
                words = sent.doc[main[0].i: main[-1].i + 1].text.strip() if main else ""
                if len(words.split()) >= MIN_QUOTE_WORDS:
                    yield token, tuple(dict.fromkeys(speakers)), words

"""Who did what to whom, read off the dependency parse of one verb or event noun.

A :class:`Frame` gathers the syntactic arguments of a trigger word: its agents (the active
subject, the ``by`` phrase of a passive), its patients (the direct object, the passive
subject) and its prepositional objects by preposition, each list expanded over
conjunctions ("Vietnam, China and Myanmar"). Relative clauses, participles and
controlled infinitives take their missing subject from the noun or verb they hang on.
The relation and event rules (:mod:`kg.relations`, :mod:`kg.events`) decide what the
arguments mean; this module only reads structure (Universal/ClearNLP labels of spaCy's
English models).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from spacy.tokens import Doc, Span, Token

from kg.lexicon import LIGHT_VERBS, lemma
from kg.types import Mention

__all__ = ["Frame", "MentionIndex", "conjuncts", "is_usable", "noun_frame", "units", "verb_frame"]

_SUBJECTS = frozenset(("nsubj", "csubj"))
_PASSIVE_SUBJECTS = frozenset(("nsubjpass", "csubjpass"))
_RELATIVE = frozenset(("who", "which", "that", "whom"))


class Frame(NamedTuple):
    """The arguments of one trigger word."""

    trigger: Token
    agents: tuple[Token, ...]
    patients: tuple[Token, ...]
    obliques: dict[str, tuple[Token, ...]]
    negated: bool
    #: pre-modifiers of an event noun ("Ukrainian drone attacks", "US sanctions")
    modifiers: tuple[Token, ...] = ()


def conjuncts(token: Token) -> tuple[Token, ...]:
    """``token`` and the words conjoined with it ("Vietnam, China and Myanmar")."""
    return (token, *token.conjuncts)


def _pobjs(prep: Token) -> tuple[Token, ...]:
    out: list[Token] = []
    for child in prep.children:
        if child.dep_ in ("pobj", "pcomp"):
            out.extend(conjuncts(child))
        elif child.dep_ == "prep":  # "out of", "because of": the second word carries it
            out.extend(_pobjs(child))
    return tuple(out)


def _is_passive(verb: Token) -> bool:
    if any(c.dep_ in _PASSIVE_SUBJECTS or c.dep_ == "auxpass" for c in verb.children):
        return True
    return verb.tag_ == "VBN" and verb.dep_ in ("acl", "relcl") and not any(
        c.dep_ in _SUBJECTS or c.dep_ == "aux" for c in verb.children
    )


def _inherited_subject(verb: Token) -> tuple[Token, ...]:
    """The subject a verb without one takes from the verb it hangs on."""
    seen = 0
    current = verb
    while current.dep_ in ("xcomp", "conj", "advcl") and seen < 4:
        if current.dep_ == "advcl" and current.tag_ not in ("VBG", "TO", "VB"):
            return ()
        head = current.head
        subjects = [c for c in head.children if c.dep_ in _SUBJECTS]
        if subjects:
            return conjuncts(subjects[0])
        current, seen = head, seen + 1
    return ()


def verb_frame(verb: Token) -> Frame:
    """The frame of a verb: active and passive subjects, objects, prepositional objects."""
    agents: list[Token] = []
    patients: list[Token] = []
    obliques: dict[str, list[Token]] = {}
    passive = _is_passive(verb)
    for child in verb.children:
        dep = child.dep_
        if dep in _SUBJECTS:
            if child.lower_ in _RELATIVE and verb.dep_ == "relcl":
                # "Cambodia, which the group said ...": a second subject is the real one
                if not any(c.dep_ in _SUBJECTS and c.lower_ not in _RELATIVE
                           for c in verb.children):
                    agents.extend(conjuncts(verb.head))
            else:
                agents.extend(conjuncts(child))
        elif dep in _PASSIVE_SUBJECTS:
            if child.lower_ in _RELATIVE and verb.dep_ == "relcl":
                patients.extend(conjuncts(verb.head))
            else:
                patients.extend(conjuncts(child))
        elif dep == "dative" and child.pos_ == "ADP":  # "paid $2 million to X"
            obliques.setdefault(child.lower_, []).extend(_pobjs(child))
        elif dep in ("dobj", "dative"):
            patients.extend(conjuncts(child))
        elif dep == "agent":
            agents.extend(_pobjs(child))
        elif dep == "prep":
            obliques.setdefault(child.lower_, []).extend(_pobjs(child))
    if not agents and not passive:
        if verb.dep_ == "acl" and verb.tag_ == "VBG":  # "police arresting suspects"
            agents.extend(conjuncts(verb.head))
        else:
            agents.extend(_inherited_subject(verb))
    if passive and not patients and verb.dep_ in ("acl", "relcl"):  # "a decree signed by X"
        patients.extend(conjuncts(verb.head))
    negated = any(c.dep_ == "neg" for c in verb.children)
    return Frame(verb, tuple(agents), tuple(patients),
                 {k: tuple(v) for k, v in obliques.items()}, negated)


def noun_frame(noun: Token) -> Frame:
    """The frame of an event noun.

    Agents: a possessive ("France's investigation"), a ``by`` phrase, or the subject of a
    light verb taking the noun as object ("police opened an investigation"). Patients: the
    ``of``/``on``/``against``/``into`` phrase ("the arrest of 270 people").
    """
    agents: list[Token] = []
    patients: list[Token] = []
    obliques: dict[str, list[Token]] = {}
    modifiers: list[Token] = []
    # "payments made from X to Y", "an investigation that has been launched into Y"
    clauses = [c for c in noun.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB"]
    for child in [*noun.children, *(g for c in clauses for g in c.children)]:
        if child.dep_ == "poss" and child.lower_ not in ("its", "their", "his", "her", "our"):
            agents.extend(conjuncts(child))
        elif child.dep_ in ("amod", "compound") and child.head == noun and child.i < noun.i:
            modifiers.append(child)
        elif child.dep_ == "agent":
            agents.extend(_pobjs(child))
        elif child.dep_ == "prep":
            objs = _pobjs(child)
            if child.lower_ == "by":
                agents.extend(objs)
            else:
                obliques.setdefault(child.lower_, []).extend(objs)
    for prep in ("of", "on", "against", "into"):
        patients.extend(obliques.pop(prep, ()))
    head = noun.head
    if (not agents and noun.dep_ in ("dobj", "nsubjpass") and head.pos_ in ("VERB", "AUX")
            and lemma(head) in LIGHT_VERBS):
        frame = verb_frame(head)
        agents.extend(frame.agents)
        for prep, objs in frame.obliques.items():
            obliques.setdefault(prep, []).extend(objs)
    negated = any(c.dep_ == "neg" for c in noun.children)
    modifiers += [t for m in list(modifiers) for t in m.lefts if t.dep_ in ("amod", "compound")]
    return Frame(noun, tuple(agents), tuple(patients),
                 {k: tuple(v) for k, v in obliques.items()}, negated, tuple(modifiers))


class MentionIndex:
    """The mentions of one document by token: which mention covers a token.

    Parameters
    ----------
    doc
        The parsed document.
    mentions
        Its mentions (character offsets into ``doc.text``).
    """

    def __init__(self, doc: Doc, mentions: Sequence[Mention]) -> None:
        self.doc = doc
        self.by_token: dict[int, Mention] = {}
        self.spans: dict[Mention, Span] = {}
        # longer mentions first, so a name inside a longer name keeps the longer one
        for mention in sorted(mentions, key=lambda m: (m.start - m.end, m.start)):
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is None or not len(span):
                continue
            self.spans[mention] = span
            for i in range(span.start, span.end):
                self.by_token.setdefault(i, mention)
        # (first token, rank, mention) by first token: in_span looks up a sentence's mentions
        # without scanning the document's (a scan per sentence is quadratic in its length)
        self._by_start = sorted(
            ((span.start, rank, mention) for rank, (mention, span) in enumerate(self.spans.items())),
            key=lambda item: item[:2])
        self._starts = [item[0] for item in self._by_start]

    def at(self, token: Token) -> Mention | None:
        """The mention covering ``token``, if any."""
        return self.by_token.get(token.i)

    def named(self, token: Token) -> Mention | None:
        """The mention covering ``token``, or naming it in apposition ("the Iraqi Foreign
        Minister, Ibrahim al-Jaafari")."""
        mention = self.at(token)
        if mention is None and token.lower_ in ("he", "she") and token.dep_ == "nsubj":
            return self._reporter(token)
        if mention is None and token.pos_ in ("NOUN", "PROPN"):
            for child in token.children:
                if child.dep_ == "appos" and self.at(child) is not None:
                    return self.at(child)
        return mention

    def _reporter(self, pronoun: Token) -> Mention | None:
        """ "Aksyonov said he had signed a decree": "he" is the person who says so."""
        verb = pronoun.head
        if verb.dep_ != "ccomp":
            return None
        for child in verb.head.children:
            mention = self.at(child) if child.dep_ == "nsubj" else None
            if mention is not None and mention.cls == "Person":
                return mention
        return None

    def of(self, tokens: Sequence[Token]) -> list[Mention]:
        """The distinct mentions naming ``tokens`` (see :meth:`named`), in order."""
        out: list[Mention] = []
        for token in tokens:
            mention = self.named(token)
            if mention is not None and mention not in out:
                out.append(mention)
        return out

    def in_span(self, start: int, end: int) -> Iterator[Mention]:
        """Mentions whose tokens lie within token indices ``start``..``end``, longest first."""
        first = bisect_left(self._starts, start)
        last = bisect_left(self._starts, end, lo=first)
        inside = [(rank, mention) for _, rank, mention in self._by_start[first:last]
                  if self.spans[mention].end <= end]
        for _, mention in sorted(inside, key=lambda item: item[0]):
            yield mention

    def root(self, mention: Mention) -> Token:
        """The syntactic head of a mention."""
        return self.spans[mention].root


def units(doc: Doc) -> Iterator[Span]:
    """The sentences of ``doc``, each cut at its line breaks: a headline or a list item the
    parser ran into the next line is read on its own.

    The bounds are found once per Doc and kept in ``doc.user_data`` (as token offsets): the
    relation, event, quotation and classifier rules all read them.
    """
    bounds = doc.user_data.get(_UNITS_KEY)
    if bounds is None:
        bounds = doc.user_data[_UNITS_KEY] = tuple(_unit_bounds(doc))
    for start, end in bounds:
        yield doc[start:end]


def _unit_bounds(doc: Doc) -> Iterator[tuple[int, int]]:
    newlines = _columns(doc).newlines
    spaces = _columns(doc).spaces
    for sent in doc.sents:
        start = sent.start
        for i in range(sent.start, sent.end):
            if newlines[i]:
                end = i if spaces[i] else i + 1
                if end > start:
                    yield start, end
                start = i + 1
        if start < sent.end:
            yield start, sent.end


class _Columns(NamedTuple):
    """Per-token facts of a Doc that :func:`is_usable` and :func:`units` read, by token index."""

    spaces: list[bool]  # Token.is_space
    alphas: list[bool]  # Token.is_alpha
    verbs: list[bool]  # Token.pos_ is VERB or AUX
    newlines: list[int]  # line breaks in Token.text and Token.whitespace_
    separators: list[bool]  # Token.text is a list separator (see _SEPARATORS)


_UNITS_KEY = "kg.frames.units"
_COLUMNS_KEY = "kg.frames.columns"
_USABLE_KEY = "kg.frames.usable"
_SEPARATORS = (",", ";", "|", "\u2022", "\t")


def _columns(doc: Doc) -> _Columns:
    """The :class:`_Columns` of ``doc``, read in one pass and kept in ``doc.user_data``."""
    kept = doc.user_data.get(_COLUMNS_KEY)
    if kept is None:
        spaces, alphas, verbs, newlines, separators = [], [], [], [], []
        for token in doc:
            text = token.text
            spaces.append(token.is_space)
            alphas.append(token.is_alpha)
            verbs.append(token.pos_ in ("VERB", "AUX"))
            newlines.append(text.count("\n") + token.whitespace_.count("\n"))
            separators.append(text in _SEPARATORS)
        kept = doc.user_data[_COLUMNS_KEY] = (spaces, alphas, verbs, newlines, separators)
    return _Columns(*kept)


def is_usable(sent: Span, *, max_tokens: int) -> bool:
    """Whether a sentence is prose the parse rules can be trusted on.

    Not when it is longer than ``max_tokens`` (white space aside), has no verb (a headline, a caption, a table
    row), or reads as a list (several line breaks, or more commas and semicolons than a
    third of its words). The answer is kept per Doc: several rules ask about each sentence.
    """
    doc = sent.doc
    known = doc.user_data.get(_USABLE_KEY)
    if known is None:
        known = doc.user_data[_USABLE_KEY] = {}
    key = (sent.start, sent.end, max_tokens)
    usable = known.get(key)
    if usable is None:
        usable = known[key] = _is_usable(_columns(doc), sent.start, sent.end, max_tokens)
    return usable


def _is_usable(columns: _Columns, start: int, end: int, max_tokens: int) -> bool:
    tokens = [i for i in range(start, end) if not columns.spaces[i]]
    if len(tokens) > max_tokens or len(tokens) < 3:
        return False
    if not any(columns.verbs[i] for i in tokens):
        return False
    # line breaks inside the sentence: in every token from the first word up to the last
    if sum(columns.newlines[tokens[0]: tokens[-1]]) >= 2:
        return False
    words = sum(columns.alphas[start:end])
    separators = sum(columns.separators[start:end])
    return words > 0 and separators <= max(3, words // 3)

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
from collections.abc import Callable, Container, Iterator, Sequence
from typing import NamedTuple, TypeVar

import numpy
from spacy.attrs import (
    DEP,
    ENT_TYPE,
    HEAD,
    IDX,
    IS_ALPHA,
    IS_LOWER,
    IS_PUNCT,
    IS_SPACE,
    IS_STOP,
    IS_UPPER,
    LEMMA,
    LIKE_NUM,
    LOWER,
    ORTH,
    POS,
    SENT_START,
)
from spacy.tokens import Doc, Span, Token

from kg.lexicon import LIGHT_VERBS, lemma
from kg.types import Mention

__all__ = [
    "Columns",
    "Frame",
    "MentionIndex",
    "columns",
    "conjuncts",
    "forget",
    "is_usable",
    "kept",
    "noun_frame",
    "unit_bounds",
    "units",
    "verb_frame",
    "words_in",
]

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
        self._in_order: dict[tuple[int, int], list[Mention]] = {}
        self._names: dict[tuple[int, int], Mention] | None = None  # names by bounds, on first use

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

    def name_of(self, mention: Mention) -> Mention:
        """The name a description stands in apposition with ("the Iraqi Foreign Minister,
        Ibrahim al-Jaafari": al-Jaafari; its ``refers_to``), else ``mention`` itself."""
        if not mention.nominal or mention.refers_to is None:
            return mention
        if self._names is None:
            self._names = {(m.start, m.end): m for m in self.spans if not m.nominal}
        return self._names.get(mention.refers_to, mention)

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

    def in_order(self, start: int, end: int) -> list[Mention]:
        """:meth:`in_span` in text order (by first character; longest first among those
        starting together), kept per bounds: several rules read each sentence's mentions,
        so the list is shared and callers must not change it."""
        found = self._in_order.get((start, end))
        if found is None:
            found = self._in_order[start, end] = sorted(self.in_span(start, end),
                                                        key=lambda m: m.start)
        return found

    def root(self, mention: Mention) -> Token:
        """The syntactic head of a mention."""
        return self.spans[mention].root


def units(doc: Doc) -> Iterator[Span]:
    """The sentences of ``doc``, each cut at its line breaks: a headline or a list item the
    parser ran into the next line is read on its own.

    The units are found once per Doc and kept in ``doc.user_data`` (see :func:`kept`): the
    relation, event, quotation and classifier rules all read them.
    """
    return iter(kept(doc, "unit_spans", lambda: tuple(doc[start:end]
                                                      for start, end in unit_bounds(doc))))


def unit_bounds(doc: Doc) -> tuple[tuple[int, int], ...]:
    """The ``(start, end)`` token offsets of the :func:`units` of ``doc``, in document
    order, found once per Doc (see :func:`kept`)."""
    return kept(doc, "units", lambda: tuple(_unit_bounds(doc)))


def _unit_bounds(doc: Doc) -> Iterator[tuple[int, int]]:
    table = columns(doc)
    newlines, spaces = table.newlines, table.spaces
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


class Columns:
    """The per-token facts of one Doc that the rules read, by token index: one table per Doc
    (see :func:`columns`), shared by :func:`is_usable`, :func:`units`, the classifier's
    features (:mod:`kg.relclf`) and the mention finders (:mod:`kg.mentions`).

    The columns are read in one pass of ``Doc.to_array`` (a ``Token`` object made for every
    fact of every token read by every rule was a quarter of the analysis' time); they are
    spaCy's values, as the ``Token`` attribute named beside each gives them; the table is
    shared by every rule, which must not change it.

    Parameters
    ----------
    doc
        The parsed document.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        n = len(doc)
        array = doc.to_array([ORTH, LOWER, DEP, POS, ENT_TYPE, HEAD, SENT_START, IS_ALPHA,
                              IS_SPACE, IS_UPPER, LIKE_NUM, IDX, IS_LOWER, IS_PUNCT, IS_STOP,
                              LEMMA])
        signed = array.view(numpy.int64)  # HEAD is an offset, SENT_START -1, 0 or 1
        orth, lower, dep, pos, ent = array[:, :5].T.tolist()
        #: Token.text, Token.lower_, Token.dep_, Token.pos_, Token.ent_type_
        self.texts: list[str] = _strings(doc, orth)
        self.lowers: list[str] = _strings(doc, lower)
        self.deps: list[str] = _strings(doc, dep)
        self.poses: list[str] = _strings(doc, pos)
        self.ent_types: list[str] = _strings(doc, ent)
        #: Token.head.i
        self.heads: list[int] = (signed[:, 5] + numpy.arange(n, dtype=numpy.int64)).tolist()
        #: Token.is_sent_start is True
        self.starts: list[bool] = (signed[:, 6] == 1).tolist()
        #: Token.is_alpha, Token.is_space, Token.is_upper, Token.like_num
        flags = (array[:, 7:11] != 0).T.tolist()
        self.alphas: list[bool] = flags[0]
        self.spaces: list[bool] = flags[1]
        self.uppers: list[bool] = flags[2]
        self.like_nums: list[bool] = flags[3]
        #: Token.idx
        self.idxs: list[int] = array[:, 11].tolist()
        #: Token.is_lower, Token.is_punct, Token.is_stop
        flags = (array[:, 12:15] != 0).T.tolist()
        self.lowercase: list[bool] = flags[0]
        self.puncts: list[bool] = flags[1]
        self.stops: list[bool] = flags[2]
        #: Token.lemma_
        self.lemmas: list[str] = _strings(doc, array[:, 15].tolist())
        #: Token.pos_ is VERB or AUX
        self.verbs: list[bool] = [p in ("VERB", "AUX") for p in self.poses]
        #: line breaks in Token.text (Token.whitespace_ is a space or nothing)
        self.newlines: list[int] = [t.count("\n") for t in self.texts]
        #: Token.text is a list separator (see _SEPARATORS)
        self.separators: list[bool] = [t in _SEPARATORS for t in self.texts]
        # the sentence bounds Span.sent finds: back from a token to a sentence start (the
        # first token's at the latest), and forward from the token after it to the next one
        positions = numpy.arange(n, dtype=numpy.int64)
        starts = signed[:, 6] == 1
        #: Token.sent.start, Token.sent.end
        self.sent_start: list[int] = numpy.maximum.accumulate(
            numpy.where(starts, positions, 0)).tolist() if n else []
        following = numpy.append(numpy.where(starts, positions, n)[1:], n)
        self.sent_end: list[int] = numpy.minimum.accumulate(
            following[::-1])[::-1].tolist() if n else []
        self._lemmas: dict[int, str] = {}
        self._children: dict[int, list[int]] | None = None

    def lemma(self, i: int) -> str:
        """:func:`kg.lexicon.lemma` of token ``i`` (read on first use, then kept)."""
        found = self._lemmas.get(i)
        if found is None:
            # lemma() reads the token's lower-case form and spaCy's lemma: one answer per pair
            key = (self.lowers[i], self.lemmas[i])
            found = _LEMMAS.get(key)
            if found is None:
                if len(_LEMMAS) > _MAX_NAMES:
                    _LEMMAS.clear()
                found = _LEMMAS[key] = lemma(self.doc[i])
            self._lemmas[i] = found
        return found

    def children(self, i: int) -> list[int]:
        """The indices of token ``i``'s children (``Token.children``), in order; not to be
        changed."""
        if self._children is None:
            self._children = {}
            for child, head in enumerate(self.heads):
                if head != child:
                    self._children.setdefault(head, []).append(child)
        return self._children.get(i, _NO_CHILDREN)


_NO_CHILDREN: list[int] = []
#: The strings of hashes the tables have read, kept while there are not too many of them
_NAMES: dict[int, str] = {}
_MAX_NAMES = 50_000
#: kg.lexicon.lemma by (Token.lower_, Token.lemma_), kept likewise
_LEMMAS: dict[tuple[str, str], str] = {}


def _strings(doc: Doc, hashes: list[int]) -> list[str]:
    """The strings of a column of hashes (``Doc.to_array``)."""
    try:
        return list(map(_NAMES.__getitem__, hashes))
    except KeyError:
        if len(_NAMES) > _MAX_NAMES:
            _NAMES.clear()
        strings = doc.vocab.strings
        _NAMES.update({h: strings[h] for h in set(hashes).difference(_NAMES)})  # the new ones
        return list(map(_NAMES.__getitem__, hashes))


#: The prefix of the keys of ``Doc.user_data`` under which the rules keep what they read
#: once per Doc (token columns, sentence units, usable sentences...); see :func:`kept`.
FACTS = "kg.facts."
_SEPARATORS = (",", ";", "|", "\u2022", "\t")
T = TypeVar("T")


def kept(doc: Doc, name: str, make: Callable[[], T]) -> T:
    """What ``make()`` returns, made once per Doc and kept in its ``user_data`` (under
    :data:`FACTS` + ``name``) until :func:`forget`: several rules read each of these facts."""
    key = FACTS + name
    value = doc.user_data.get(key)
    if value is None:
        value = doc.user_data[key] = make()
    return value  # type: ignore[no-any-return]


def forget(doc: Doc) -> None:
    """Drop what the rules kept in ``doc.user_data`` (see :func:`kept`).

    Those facts hold the Doc (the token table does), so a Doc keeping them is freed only
    when Python's cycle collector next runs, which a long build may put off for many
    documents: the analysis forgets them once it is done with a Doc.
    """
    for key in [k for k in doc.user_data if isinstance(k, str) and k.startswith(FACTS)]:
        del doc.user_data[key]


def columns(doc: Doc) -> Columns:
    """The :class:`Columns` of ``doc``: the same table on every call for one Doc (see
    :func:`kept`)."""
    return kept(doc, "columns", lambda: Columns(doc))


def words_in(sent: Span, poses: Container[str], lemmas: Container[str]
             ) -> Iterator[tuple[Token, str]]:
    """The words of ``sent`` whose part of speech is in ``poses`` and whose lemma
    (:func:`kg.lexicon.lemma`) is in ``lemmas``, with that lemma, in order.

    Read off the Doc's :func:`columns`: a ``Token`` is made only for the words found, where
    a rule that tests every word of every sentence would make one for each.

    >>> from kg.nlp import load_pipeline
    >>> doc = load_pipeline()("ISIL seized Mosul and held talks with Baghdad.")
    >>> [(token.text, word) for token, word in words_in(doc[:], ("VERB",), {"seize", "hold"})]
    [('seized', 'seize'), ('held', 'hold')]
    """
    doc = sent.doc
    table = columns(doc)
    tags = table.poses
    for i in range(sent.start, sent.end):
        if tags[i] in poses:
            word = table.lemma(i)
            if word in lemmas:
                yield doc[i], word


def is_usable(sent: Span, *, max_tokens: int) -> bool:
    """Whether a sentence is prose the parse rules can be trusted on.

    Not when it is longer than ``max_tokens`` (white space aside), has no verb (a headline, a caption, a table
    row), or reads as a list (several line breaks, or more commas and semicolons than a
    third of its words). The answer is kept per Doc: several rules ask about each sentence.
    """
    doc = sent.doc
    known: dict[tuple[int, int, int], bool] = kept(doc, "usable", dict)
    key = (sent.start, sent.end, max_tokens)
    usable = known.get(key)
    if usable is None:
        usable = known[key] = _is_usable(columns(doc), sent.start, sent.end, max_tokens)
    return usable


def _is_usable(table: Columns, start: int, end: int, max_tokens: int) -> bool:
    tokens = [i for i in range(start, end) if not table.spaces[i]]
    if len(tokens) > max_tokens or len(tokens) < 3:
        return False
    if not any(table.verbs[i] for i in tokens):
        return False
    # line breaks inside the sentence: in every token from the first word up to the last
    if sum(table.newlines[tokens[0]: tokens[-1]]) >= 2:
        return False
    words = sum(table.alphas[start:end])
    separators = sum(table.separators[start:end])
    return words > 0 and separators <= max(3, words // 3)

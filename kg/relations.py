"""spaCy Doc + mentions -> :class:`~kg.types.Relation` records: who is related to whom, and how.

Rules over the dependency parse, one function per pattern, each yielding
``(subject, predicate, object, confidence)`` between two mentions of one sentence:

- :func:`verb_relations`: a verb of a relation class with its subject and object, active or
  passive, direct or through a preposition ("X met Y", "Y was attacked by X", "X works for
  Y", "X is based in Y"); a verb of including with the members of its subject ("Coalition
  nations include Australia and Canada"); a verb of meeting or travel with the place its
  subject is in ("X met Y in Baghdad", "X arrived in Paris");
- :func:`listed_members`: the members a group lists after "including" ("the international
  community, including Russia and Iran"); :func:`included_members`: a verb of including in
  a sentence its member list makes read as a list ("Coalition nations ... include
  Australia, Bahrain, Canada, Denmark, France, ...");
- :func:`control_relations`: who takes or holds a place leads it ("ISIL has had control of
  Mosul", "Mosul was taken by ISIL", "to liberate Mosul from ISIL");
- :func:`fighting_together`: the subjects of one verb of fighting are allies ("Kurdish
  forces and the Iraqi army fought ISIS");
- :func:`provided_support`: who gives support to whom ("the United States will provide $100
  million in assistance to the Syrian opposition"); backing by an armed body ("the
  coalition supports the SDF", here or by a verb) is ``alliedWith``: acting on its side;
- :func:`title_relations`: a person's title and the organisation or place it is of, as a
  pre-modifier, a possessive, an apposition, an ``of`` phrase or a copula ("Amnesty
  International's Secretary General Agnes Callamard", "Sergei Aksyonov, the head of Crimea",
  "Federal Aviation Administration spokesman John Leyden", "Tedros Adhanom, the World Health
  Organization chief", "President Robert Mugabe of Zimbabwe", "X is a member of Y", "Gen.
  Joseph Votel, commander, U.S. Central Command"); a
  national office and its country, named by a nationality adjective ("Cambodian Prime
  Minister Hun Manet": the document's Cambodia) or by the one country acting in the sentence
  ("Cambodia said that an order by Prime Minister Hun Manet ...");
- :func:`nationality_relations`: a nationality adjective on an actor ("Taiwanese Vice
  President Hsiao Bi-khim", "Chinese criminal gangs");
- :func:`place_relations`: a place in a larger place ("Albuquerque, N.M.", "Kosovo, Serbia"),
  an organisation in a place ("the police in Kratie", "the fight against ISIL in Iraq") or at
  an address ("Fire Island National Seashore, Patchogue, N.Y.");
- :func:`dateline_relations`: a news agency in the city of its source line ("Moscow
  ITAR-TASS", "Beijing XINHUA Domestic Service in Chinese").

A relation read on a description that a name stands in apposition with is read on the name
(:func:`named_arguments`: "met the Iraqi Foreign Minister, Ibrahim al-Jaafari").

Precision comes first: a sentence that is too long, a list or has no verb
(:func:`kg.frames.is_usable`) only gets the local patterns (titles, nationalities, a place
and its region, source lines; a list, a verb of including), every
relation has argument classes that fit its predicate, and negated verbs say nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import pairwise

from spacy.tokens import Doc, Span, Token

from kg import gazetteer
from kg.frames import (
    Frame,
    MentionIndex,
    columns,
    conjuncts,
    is_usable,
    noun_frame,
    units,
    verb_frame,
    words_in,
)
from kg.lexicon import (
    LEADER_TITLES,
    MEMBER_TITLES,
    MEMBERSHIP_VERBS,
    NATIONAL_OFFICES,
    PLACE_LEADER_TITLES,
    PRESENCE_VERBS,
    RELATION_VERBS,
    SUBUNIT_NOUNS,
    lemma,
)
from kg.mentions import REFERENCE_CODE as _REFERENCE_CODE
from kg.nouns import ARMED_NOUNS
from kg.types import ActorClass, Mention, Relation

__all__ = [
    "MAX_SENTENCE_TOKENS",
    "PREDICATES",
    "SYMMETRIC",
    "control_relations",
    "dateline_relations",
    "fighting_together",
    "fits",
    "included_members",
    "listed_members",
    "meeting_relations",
    "member_phrases",
    "named_arguments",
    "nationality_relations",
    "place_relations",
    "provided_support",
    "relations",
    "title_relations",
    "verb_relations",
]

#: Sentences longer than this are not read for relations (a parse that long is unreliable).
MAX_SENTENCE_TOKENS = 100

#: The contract's relation properties (local names in the ``akg:`` namespace).
PREDICATES = (
    "memberOf", "leads", "locatedIn", "livesIn", "hasNationality", "fightsAgainst",
    "alliedWith", "communicatedWith", "opposes", "supports", "killed",
)
#: Relations that hold both ways (owl:SymmetricProperty in the ontology).
SYMMETRIC = frozenset(("fightsAgainst", "alliedWith", "communicatedWith"))

_ACTOR: frozenset[ActorClass] = frozenset(("Person", "Organization", "NationalityGroup",
                                           "Country"))
_PLACE: frozenset[ActorClass] = frozenset(("Location", "Country"))
_ANY: frozenset[ActorClass] = _ACTOR | _PLACE
#: predicate -> (classes its subject may have, classes its object may have)
_SIGNATURES: dict[str, tuple[frozenset[ActorClass], frozenset[ActorClass]]] = {
    "memberOf": (frozenset(("Person", "Organization", "Country")),
                 frozenset(("Organization", "Country"))),
    "leads": (frozenset(("Person", "Organization")), frozenset(("Organization", "Location",
                                                               "Country"))),
    "locatedIn": (frozenset(("Person", "Organization", "Location")), _PLACE),
    "livesIn": (frozenset(("Person", "NationalityGroup")), _PLACE),
    "hasNationality": (frozenset(("Person", "Organization")),
                       frozenset(("NationalityGroup", "Country"))),
    # armed conflict is between groups: a person shooting a person is not "fighting"
    "fightsAgainst": (_ACTOR, _ACTOR - {"Person"}),
    "alliedWith": (_ACTOR, _ACTOR),
    "communicatedWith": (_ACTOR, _ACTOR),
    "opposes": (_ACTOR, _ACTOR),
    "supports": (_ACTOR, _ACTOR),
    "killed": (_ACTOR, frozenset(("Person", "NationalityGroup"))),
}

#: A reading ``(subject, predicate, object, confidence)``. Each rule (``*_relations``,
#: ``fighting_together``, ``provided_support``, ``member_phrases``, ...) takes one sentence
#: of the parsed document and the document's mentions by token, and yields readings;
#: :func:`relations` keeps those whose classes fit the predicate (:func:`fits`).
Found = tuple[Mention, str, Mention, float]


def fits(subject: Mention, predicate: str, obj: Mention) -> bool:
    """Whether the classes of two mentions fit a predicate, and they are not one name.

    >>> from kg.types import Sentence
    >>> s = Sentence(0, 20)
    >>> fits(Mention(0, 4, "Hun", "Person", s, "PERSON"), "leads",
    ...      Mention(8, 16, "Cambodia", "Country", s, "GPE"))
    True
    >>> fits(Mention(0, 4, "Hun", "Person", s, "PERSON"), "killed",
    ...      Mention(8, 16, "Cambodia", "Country", s, "GPE"))
    False
    >>> fits(Mention(0, 5, "Paris", "Location", s, "GPE"), "locatedIn",
    ...      Mention(9, 20, "Stade de France", "Location", s, "FAC"))
    False
    """
    subjects, objects = _SIGNATURES[predicate]
    if subject.cls not in subjects or obj.cls not in objects:
        return False
    if predicate == "locatedIn" and subject.label == "GPE" and obj.label == "FAC":
        return False  # a city or region lies in no building, stadium or airport
    if subject.refers_to == (obj.start, obj.end) or obj.refers_to == (subject.start, subject.end):
        return False  # "Poipet, a town": one place, described twice
    return subject.anchor.casefold() != obj.anchor.casefold() and subject != obj


def relations(
    doc: Doc, mentions: Sequence[Mention], *, max_tokens: int = MAX_SENTENCE_TOKENS,
    index: MentionIndex | None = None,
) -> Iterator[Relation]:
    """Yield the relations read from ``doc`` between its ``mentions``, in document order.

    Parameters
    ----------
    doc
        The parsed document.
    mentions
        Its mentions (as :func:`kg.mentions.mentions` gives them).
    max_tokens
        Sentences longer than this get only the local (noun phrase) patterns.
    index
        The :class:`~kg.frames.MentionIndex` of ``doc`` and ``mentions``, when the caller
        has made one (it is shared with the other rules); made here otherwise.

    Returns
    -------
    Iterator[Relation]
        One relation per pair of mentions and predicate; when two patterns find the same,
        the more confident one.

    Examples
    --------
    >>> from kg.nlp import load_pipeline
    >>> from kg.mentions import mentions
    >>> doc = load_pipeline()("Sergei Aksyonov, the head of Crimea, spoke.")
    >>> [(r.subject.anchor, r.predicate, r.object.anchor) for r in relations(doc, list(mentions(doc)))]
    [('Sergei Aksyonov', 'leads', 'Crimea')]
    """
    index = index if index is not None else MentionIndex(doc, mentions)
    covered = index.by_token
    spaces = columns(doc).spaces
    for sent in units(doc):
        if not any(i in covered for i in range(sent.start, sent.end)):
            continue
        found: list[Found] = []
        found += title_relations(sent, index)
        found += nationality_relations(sent, index)
        found += dateline_relations(sent, index)
        if is_usable(sent, max_tokens=max_tokens):
            found += verb_relations(sent, index)
            found += control_relations(sent, index)
            found += fighting_together(sent, index)
            found += provided_support(sent, index)
            found += listed_members(sent, index)
            found += member_phrases(sent, index)
            found += meeting_relations(sent, index)
            found += place_relations(sent, index)
        else:
            found += place_relations(sent, index, prepositions=False)
            if sent.end - sent.start - sum(spaces[sent.start:sent.end]) <= max_tokens:
                # a list is what a verb of including takes: "Coalition nations include A, B, ..."
                found += included_members(sent, index)
        yield from _best(named_arguments(found, index))


def named_arguments(found: Iterable[Found], index: MentionIndex) -> list[Found]:
    """Each relation with a description that a name stands in apposition with read on the
    name instead ("met the Iraqi Foreign Minister, Ibrahim al-Jaafari": al-Jaafari; "Raqqa,
    a self-proclaimed ISIL capital in Syria": Raqqa): one entity, and the name is its
    mention. A relation between the name and its own description is none.

    Parameters
    ----------
    found
        ``(subject, predicate, object, confidence)`` readings.
    index
        The mentions of the document by token (the names are looked up in it).

    Returns
    -------
    list of Found
        The readings, each argument that is such a description replaced by its name
        (:meth:`kg.frames.MentionIndex.name_of`).
    """
    out = []
    for subject, predicate, obj, confidence in found:
        subject, obj = index.name_of(subject), index.name_of(obj)
        if subject != obj:
            out.append((subject, predicate, obj, confidence))
    return out


def _best(found: Iterable[Found]) -> Iterator[Relation]:
    best: dict[tuple[Mention, str, Mention], float] = {}
    for subject, predicate, obj, confidence in found:
        if not fits(subject, predicate, obj):
            continue
        key = (subject, predicate, obj)
        if predicate in SYMMETRIC and (obj, predicate, subject) in best:
            key = (obj, predicate, subject)
        best[key] = max(best.get(key, 0.0), confidence)
    for (subject, predicate, obj), confidence in sorted(
        best.items(), key=lambda item: (min(item[0][0].start, item[0][2].start), item[0][1])
    ):
        yield Relation(subject, predicate, obj, subject.sentence, round(confidence, 2))


# ---------------------------------------------------------------- verbs


def verb_relations(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """Subject-verb-object relations for verbs of :data:`kg.lexicon.RELATION_VERBS`.

    Passives swap the roles ("Y was attacked by X"); prepositional objects count only with
    the verb's prepositions ("fought against", "works for"); a verb of meeting with two
    conjoined subjects and no object relates them ("X and Y met").
    """
    doc = sent.doc
    table = columns(doc)
    poses = table.poses
    for i in range(sent.start, sent.end):
        # the verbs of RELATION_VERBS, found in the Doc's columns without a Token of each word
        if poses[i] not in ("VERB", "AUX"):
            continue
        word = table.lemma(i)
        entry = RELATION_VERBS.get(word)
        members = MEMBERSHIP_VERBS.get(word)
        presence = PRESENCE_VERBS.get(word)
        if entry is None and members is None and presence is None:
            continue
        token = doc[i]
        frame = verb_frame(token)
        if frame.negated or _hedged(token):
            continue
        if presence is not None:
            yield from _presence(frame, presence, index)
        if entry is None:
            if members is not None:
                yield from _members(frame, members, index)
            continue
        predicate, preps = entry
        agents = index.of(_counted(frame.agents, index))
        objects: list[Mention] = []
        if None in preps:
            objects += index.of(_counted(frame.patients, index))
            if predicate in ("supports", "opposes") and not objects:
                # "France welcomed Germany's decision": the decision's owner
                objects += index.of([c for t in frame.patients for c in t.children
                                     if c.dep_ in ("poss", "compound")])
        for prep in preps:
            if prep is not None:
                objects += index.of(frame.obliques.get(prep, ()))
        if predicate in ("locatedIn", "livesIn"):
            # "X is based in Y", "X, based in Y": the place is the object, the passive
            # subject (or the noun the participle hangs on) the subject
            agents = agents or index.of(frame.patients)
            objects = [m for m in objects if m not in agents]
        confidence = 0.75 if frame.agents and agents and agents[0] == index.at(frame.agents[0]) else 0.6
        for subject in agents:
            for obj in objects:
                yield subject, _backing(predicate, subject), obj, confidence
        if predicate in SYMMETRIC and not objects and len(agents) > 1:
            for i, first in enumerate(agents):
                for second in agents[i + 1:]:
                    yield first, predicate, second, 0.65


#: Nouns that count what their ``of`` phrase names: "a number of ministers", "dozens of
#: rebels", "hundreds of soldiers".
_COUNT_NOUNS = frozenset(("number", "dozen", "dozens", "score", "scores", "hundred", "hundreds",
                          "thousand", "thousands", "handful", "couple"))


def _counted(tokens: Sequence[Token], index: MentionIndex) -> list[Token]:
    """``tokens`` with a count noun that is no mention replaced by what it counts: "met a
    number of ministers and senior officials" (the ministers and the officials)."""
    out: list[Token] = []
    for token in tokens:
        if lemma(token) in _COUNT_NOUNS and index.at(token) is None:
            counted = [obj for prep in token.children if prep.dep_ == "prep" and prep.lower_ == "of"
                       for pobj in prep.children if pobj.dep_ == "pobj" for obj in conjuncts(pobj)]
            if counted:
                out += counted
                continue
        out.append(token)
    return out


#: Verbs of taking or holding a place: their subject leads (is in charge of) the place they
#: take ("ISIL seized Mosul", "the largest city controlled by Daesh", "Mosul was taken by
#: ISIL", "after seizing the area, the ISF ...").
_TAKING_VERBS = frozenset(("control", "seize", "capture", "take", "occupy", "retake",
                           "recapture", "hold"))
#: Verbs of taking a place from someone: the one it is taken "from" held it ("to liberate
#: Mosul from ISIL", "retook Palmyra from ISIL"), said even of an aim.
_TAKING_FROM_VERBS = frozenset(("liberate", "free", "retake", "recapture", "seize", "take",
                                "capture", "wrest", "reclaim"))
#: Verbs whose object "control of X" is held by their subject ("ISIL has control of Mosul",
#: "the army claims full control of Aleppo").
_CONTROL_HOLDING = frozenset(("have", "claim", "gain", "take", "seize", "regain", "assume",
                              "retain", "keep", "establish", "exercise", "wrest", "hold"))

#: Every verb :func:`control_relations` reads ("fall": "Mosul fell to ISIL").
_CONTROL_VERBS = _TAKING_VERBS | _TAKING_FROM_VERBS | {"fall"}


def control_relations(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """Who is in charge of a place by holding it (``leads``; :func:`fits` keeps a person or
    organisation and a place):

    - a verb of taking or holding with a place as object, active or passive ("ISIL seized
      Mosul", "the city controlled by Daesh", "Mosul was taken by ISIL"), not an aim ("an
      attempt to seize the town"), nor negated or hedged;
    - the one a place is taken "from" ("to liberate Mosul from ISIL terrorists");
    - "control of" a place held by the subject of its verb ("ISIL has had control of
      Mosul", "the army claims full control of Aleppo") or by its possessor ("ISIL's
      control of Mosul");
    - the one a place "fell to" ("the fall of Mosul to ISIL", "Mosul fell to ISIL").
    """
    # "control" and "fall" as nouns are in _CONTROL_VERBS too
    for token, word in words_in(sent, ("VERB", "AUX", "NOUN"), _CONTROL_VERBS):
        if token.pos_ in ("VERB", "AUX"):
            frame = verb_frame(token)
            if frame.negated or _hedged(token):
                continue
            places = _places(index.of(frame.patients))
            if word in _TAKING_FROM_VERBS:
                for holder in index.of(frame.obliques.get("from", ())):
                    for place in places:
                        yield holder, "leads", place, 0.6
            if word == "fall":
                for holder in index.of(frame.obliques.get("to", ())):
                    for place in _places(index.of(frame.agents)):
                        yield holder, "leads", place, 0.6
            elif word in _TAKING_VERBS and not _aim(token):
                for taker in index.of(frame.agents or _clause_subject(token)):
                    for place in places:
                        yield taker, "leads", place, 0.6
        elif word in ("control", "fall"):  # a noun
            frame = noun_frame(token)
            if frame.negated:
                continue
            places = _places(index.of(frame.patients))
            holders = list(frame.agents) if word == "control" else list(
                frame.obliques.get("to", ()))
            head = token.head
            if word == "control" and token.dep_ == "dobj" and lemma(head) in _CONTROL_HOLDING \
                    and not _aim(head):
                holding = verb_frame(head)
                if not holding.negated:
                    holders += holding.agents
            for holder in index.of(holders):
                for place in places:
                    yield holder, "leads", place, 0.6


def fighting_together(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """The subjects of one verb of fighting are on one side (``alliedWith``): "Kurdish forces
    and the Iraqi army fought ISIS", "The UK, the Coalition and the Government of Iraq are
    committed to defeating these terrorists" (the subject of the clause the verb's
    prepositional phrase completes).
    """
    for token, word in words_in(sent, ("VERB", "AUX"), RELATION_VERBS):
        if RELATION_VERBS[word][0] != "fightsAgainst":
            continue
        frame = verb_frame(token)
        if frame.negated or _hedged(token):
            continue
        subjects = list(frame.agents) or _clause_subject(token)
        sides = list(dict.fromkeys(index.of(
            [t for s in subjects for a in (s, *(c for c in s.children if c.dep_ == "appos"))
             for t in conjuncts(a)])))
        for n, first in enumerate(sides):
            for second in sides[n + 1:]:
                yield first, "alliedWith", second, 0.6


#: Verbs of giving whose object is support ("provide assistance to X").
_GIVING_VERBS = frozenset(("provide", "give", "offer", "deliver", "extend", "pledge", "send"))
#: Nouns of support given to someone.
_SUPPORT_NOUNS = frozenset(("support", "aid", "assistance", "help", "backing", "funding"))


def provided_support(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """Who gives support to whom (``supports``; ``alliedWith`` for an armed body, see
    :func:`_backing`): "the United States will provide $100 million in new assistance to the
    Syrian opposition", "the UK provides the government of Iraq with military support",
    "Coalition forces provided air support for local forces".
    """
    for token, _ in words_in(sent, ("VERB",), _GIVING_VERBS):
        frame = verb_frame(token)
        if frame.negated or _hedged(token):
            continue
        given = [t for p in frame.patients for t in p.subtree]
        with_ = [t for p in frame.obliques.get("with", ()) for t in p.subtree]
        nouns = [t for t in given + with_ if t.pos_ == "NOUN" and lemma(t) in _SUPPORT_NOUNS]
        if not nouns:
            continue
        receivers = [*frame.obliques.get("to", ()), *frame.obliques.get("for", ())]
        receivers += [o for n in nouns for prep in n.children
                      if prep.dep_ == "prep" and prep.lower_ in ("to", "for")
                      for o in conjuncts(next((c for c in prep.children if c.dep_ == "pobj"),
                                              prep))]
        if with_:
            receivers += frame.patients
        givers = index.of(list(frame.agents) or _clause_subject(token))
        for giver in givers:
            for receiver in index.of(receivers):
                if receiver != giver:
                    yield giver, _backing("supports", giver), receiver, 0.6


def _clause_subject(verb: Token) -> list[Token]:
    """The subject, with its conjuncts, of the clause a verb without one completes, through a
    prepositional phrase or an open complement, up to two steps up: "After seizing the area,
    the ISF fought ..." (the ISF), "X and Y are committed to defeating Z" (X and Y)."""
    current = verb
    for _ in range(2):
        if current.dep_ not in ("pcomp", "xcomp") or current.head is current:
            return []
        current = current.head.head if current.dep_ == "pcomp" else current.head
        subjects = [c for c in current.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            return [t for c in subjects for t in conjuncts(c)]
    return []


def _places(mentions: Iterable[Mention]) -> list[Mention]:
    return [m for m in mentions if m.cls in _PLACE]


def _aim(verb: Token) -> bool:
    """A verb in the infinitive ("to seize the town"): an aim, not a deed."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _backing(predicate: str, subject: Mention) -> str:
    """``alliedWith`` for the ``supports`` of an armed body ("the coalition is supporting
    the SDF", "U.S. forces are assisting Iraqi troops"): military support is acting on the
    other's side; any other predicate, or backing by anyone else, as read."""
    if predicate != "supports" or subject.cls != "Organization":
        return predicate
    words = subject.anchor.replace("-", " ").lower().split()
    return "alliedWith" if any(w in ARMED_NOUNS for w in words) else predicate


def listed_members(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """The members a group's mention lists after "including": "the international community,
    including Russia and Iran" (each is a member of the group; groups are organisations)."""
    for group in _mentions_in(sent, index):
        if group.cls != "Organization":
            continue
        for prep in index.root(group).children:
            if prep.dep_ == "prep" and prep.lower_ == "including":
                for obj in [c for c in prep.children if c.dep_ == "pobj"]:
                    for member in index.of(conjuncts(obj)):
                        if member != group:
                            yield member, "memberOf", group, 0.65


#: Nouns of a conversation held "with" someone ("held talks with", "in a call with").
_MEETING_NOUNS = frozenset(("meeting", "talk", "talks", "call", "negotiation", "conversation",
                            "discussion", "consultation"))


def meeting_relations(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """Who holds a meeting, talks or a call ``with`` whom: "the minister held meetings with
    Kenyan officials", "Dunn raised the issue in a call with Foreign Minister Ortiz" (the
    subject of the verb the noun is the object of, or is in, communicated with the ``with``
    phrase's mentions).

    Yields ``(speaker, "communicatedWith", partner, confidence)``; no relation under a
    negated or hedged verb ("did not hold talks with", "may hold talks with").
    """
    for noun, _ in words_in(sent, ("NOUN",), _MEETING_NOUNS):
        partners = [m for prep in noun.children if prep.dep_ == "prep" and prep.lower_ == "with"
                    for obj in prep.children if obj.dep_ == "pobj"
                    for m in index.of(conjuncts(obj))]
        if not partners:
            continue
        verb = noun.head
        if noun.dep_ == "pobj" and verb.dep_ == "prep" and verb.lower_ in ("in", "during"):
            verb = verb.head
        elif noun.dep_ != "dobj":
            continue
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        frame = verb_frame(verb)
        if frame.negated or _hedged(verb):
            continue
        for speaker in index.of(frame.agents):
            for partner in partners:
                if partner != speaker:
                    yield speaker, "communicatedWith", partner, 0.65


#: Prepositions after a group of people that name the body its people belong to: "members
#: of the Nordic Resistance Movement", "engineers from the Red Cross".
_MEMBER_PREPOSITIONS = frozenset(("of", "from"))

#: Singular nouns naming a body of people sent from an organisation ("a team from the Red
#: Cross"); "the office of X" is X's, no member of it.
_PEOPLE_GROUPS = frozenset(("team", "delegation", "squad", "unit", "contingent", "detachment"))


def member_phrases(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """A group of people and the organisation an ``of`` or ``from`` phrase says they are of:
    "twenty members of the Nordic Resistance Movement", "soldiers visiting from the 2nd
    Infantry Regiment", "a team from the Red Cross" (the group is a member of the
    organisation).

    Yields ``(group, "memberOf", organisation, confidence)``: only a description (no name)
    whose head is a plural or a noun of :data:`_PEOPLE_GROUPS`, and only an organisation
    named, headed by a proper noun ("the 2nd Infantry Regiment") or by a noun of
    :data:`_BODY_NOUNS` (no place: "the people of Mosul" live there, a
    :func:`place_relations` reading).
    """
    for group in _mentions_in(sent, index):
        if not group.nominal or group.cls not in ("Organization", "Person"):
            continue
        root = index.root(group)
        if root.tag_ not in ("NNS", "NNPS") and root.lower_ not in _PEOPLE_GROUPS:
            continue
        heads = [root, *(c for c in root.children if c.dep_ == "acl" and c.tag_ == "VBG")]
        for head in heads:
            for prep in head.children:
                if prep.dep_ != "prep" or prep.lower_ not in _MEMBER_PREPOSITIONS:
                    continue
                for obj in [c for c in prep.children if c.dep_ == "pobj"]:
                    for owner in index.of(conjuncts(obj)):
                        top = index.root(owner)
                        if owner != group and owner.cls == "Organization" and (
                                not owner.nominal or top.pos_ == "PROPN"
                                or top.lower_ in _BODY_NOUNS):
                            yield group, "memberOf", owner, 0.6


def included_members(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """The members a verb of :data:`kg.lexicon.MEMBERSHIP_VERBS` lists of its subject (see
    :func:`_members`), for a sentence the other verb rules do not read: one that reads as a
    list ("Coalition nations which have conducted strikes include Australia, Bahrain,
    Canada, Denmark, France, ..."), which is what such a verb takes.
    """
    for token, word in words_in(sent, ("VERB", "AUX"), MEMBERSHIP_VERBS):
        preps = MEMBERSHIP_VERBS[word]
        frame = verb_frame(token)
        if not frame.negated and not _hedged(token):
            yield from _members(frame, preps, index)


def _members(frame: Frame, preps: frozenset[str | None], index: MentionIndex) -> Iterator[Found]:
    """The members a verb of :data:`kg.lexicon.MEMBERSHIP_VERBS` lists of its subject: "Coalition
    nations which have conducted strikes include Australia, Belgium and Canada" (each is a
    member of the group; :func:`fits` keeps groups that are organisations or countries)."""
    members = _arguments(frame, preps, index)
    for group in index.of(frame.agents):
        for member in members:
            if member != group:
                yield member, "memberOf", group, 0.7


def _presence(frame: Frame, preps: frozenset[str | None], index: MentionIndex) -> Iterator[Found]:
    """The place a verb of :data:`kg.lexicon.PRESENCE_VERBS` puts its subject in: "Carter met
    Abadi in Baghdad" (Carter is in Baghdad; the meeting itself is :func:`verb_relations`'s)."""
    places = [p for p in _arguments(frame, preps, index) if p.cls in _PLACE and not p.nominal]
    for subject in index.of(frame.agents):
        for place in places:
            yield subject, "locatedIn", place, 0.6


def _arguments(frame: Frame, preps: frozenset[str | None], index: MentionIndex) -> list[Mention]:
    """The mentions a verb takes through ``preps``: its direct objects (None) and the objects
    of those prepositions."""
    found = index.of(frame.patients) if None in preps else []
    for prep in preps:
        if prep is not None:
            found += index.of(frame.obliques.get(prep, ()))
    return found


def _hedged(verb: Token) -> bool:
    """A verb under a modal of doubt or a question ("may have met", "did X meet Y?")."""
    table = columns(verb.doc)  # the sentence's last word, without making its Span
    return any(c.lower_ in ("may", "might", "could", "would") and c.dep_ == "aux"
               for c in verb.children) or table.texts[table.sent_end[verb.i] - 1] == "?"


# ---------------------------------------------------------------- titles


def _title_kind(words: Sequence[Token | str], obj: Mention) -> str | None:
    """``leads`` or ``memberOf`` for a title ("Secretary General", "spokesman") of ``obj``."""
    lemmas = [lemma(w) for w in words
              if (w.is_alpha if isinstance(w, Token) else w.replace("-", "").isalpha())]
    if not lemmas:
        return None
    text = " ".join(lemmas)
    if any(word in ("vice", "deputy", "assistant", "former", "ex") for word in lemmas):
        return "memberOf"
    if any(lemma(w) in SUBUNIT_NOUNS for w in words[:-1]
           if (w.text if isinstance(w, Token) else w).islower()):
        return "memberOf"  # "an ISIL gang leader": he leads a gang of ISIL, a member of it
    place = obj.cls in _PLACE
    leaders = PLACE_LEADER_TITLES if place else LEADER_TITLES
    if any(office in text for office in ("secretary general", "secretary-general",
                                         "prime minister", "chief executive")):
        return "leads"
    head = lemmas[-1]
    if head in leaders:
        return "leads"
    if head in MEMBER_TITLES or head in LEADER_TITLES:
        return "memberOf"
    return None


def _premodifiers(root: Token, index: MentionIndex, own: Mention) -> list[Token]:
    """Words before ``root`` in its noun phrase, outside the mention ``own``."""
    out: list[Token] = []
    stack = [c for c in root.lefts if c.dep_ in ("compound", "amod", "poss", "nmod", "npadvmod")]
    while stack:
        token = stack.pop()
        if index.at(token) != own:
            out.append(token)
        stack.extend(c for c in token.lefts if c.dep_ in ("compound", "amod", "poss", "nmod"))
    return sorted(out, key=lambda t: t.i)


def title_relations(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """A person's title and whose it is.

    - pre-modifiers: "Amnesty International's Secretary General Agnes Callamard",
      "Federal Aviation Administration spokesman John Leyden" (the organisation before
      the title, the title before the name);
    - an ``of`` phrase on a titled name: "President Robert Mugabe of Zimbabwe";
    - a nationality adjective before the title: "Cambodian Prime Minister Hun Manet" holds
      his office in Cambodia, the sentence's mention of it or else the document's first
      (no relation when the document never names the country);
    - apposition both ways and copula: "Sergei Aksyonov, the head of Crimea",
      "the head of Crimea, Sergei Aksyonov", "Tedros Adhanom, the World Health Organization
      chief", "X is a member of Y";
    - a national office with no owner, in a sentence whose one country acts
      (:func:`_office_of_country`): "Cambodia said that an order by Prime Minister Hun
      Manet ...";
    - a possessive without a title: "the department's Al Comproni" (memberOf, less sure).
    """
    for mention in _mentions_in(sent, index):
        if mention.cls != "Person":
            continue
        root = index.root(mention)
        words = _premodifiers(root, index, mention)
        title: list[Token | str] = [
            w for w in words if index.at(w) is None and w.pos_ in ("NOUN", "PROPN", "ADJ")
        ]
        if mention.title:  # the mention spans its title: "Secretary General Agnes Callamard"
            title += mention.title.split()
        owners = [m for m in index.of(words) if m != mention]
        if title:  # "President Robert Mugabe of Zimbabwe"
            owners += [m for m in index.of(_of_objects(root)) if m not in owners]
        owned = False
        for named in owners:
            # "Cambodian Prime Minister Hun Manet": the office is the country's
            owner = named if named.cls != "NationalityGroup" else (
                _country_named(named, sent, index) if title else None)
            if owner is None:
                continue
            kind = _title_kind(title, owner)
            if kind is not None:
                owned = True
                yield mention, kind, owner, 0.8 if owner.sentence == mention.sentence else 0.7
            elif not title and _is_possessor(index, owner, root) and owner.cls == "Organization":
                yield mention, "memberOf", owner, 0.55
        for noun in _descriptions(root):
            yield from _described(mention, noun, index)
        if not owned and title:
            yield from _office_of_country(mention, title, sent, index)


def _of_objects(root: Token) -> list[Token]:
    """The objects of an ``of`` phrase on a person's name: "President Robert Mugabe of
    Zimbabwe" (Zimbabwe), "Foreign Minister Ali Hassan of Sudan and Egypt" (both)."""
    return [obj for prep in root.rights if prep.dep_ == "prep" and prep.lower_ == "of"
            for pobj in prep.children if pobj.dep_ == "pobj" for obj in conjuncts(pobj)]


def _country_named(group: Mention, sent: Span, index: MentionIndex) -> Mention | None:
    """The mention of the country a nationality adjective names ("Cambodian" -> Cambodia):
    one in ``sent`` if there is one, else the document's first; None when the document does
    not name that country."""
    if not _is_nationality(group):
        return None
    country = gazetteer.demonym(group.name or group.anchor)
    if country is None:
        return None
    doc = sent.doc
    named = [m for m in index.in_order(0, len(doc))
             if (place := _country_of(m)) is not None and place.iso == country.iso]
    inside = [m for m in named if sent.start <= index.spans[m].start < sent.end]
    return next(iter(inside or named), None)


def _country_of(mention: Mention) -> gazetteer.Place | None:
    """The country a named country mention names ("Cambodia"), from the gazetteer."""
    if mention.cls != "Country" or mention.nominal:
        return None
    return gazetteer.country(mention.name or mention.anchor)


def _office_of_country(person: Mention, title: Sequence[Token | str], sent: Span,
                       index: MentionIndex) -> Iterator[Found]:
    """A national office whose country the sentence says by acting: "Cambodia said that an
    order by Prime Minister Hun Manet ...": the sentence names one country and no
    nationality, the country is the subject or possessor of its clause (or opens the
    sentence: a parse run across a headline may miss that), and the titled person has no
    other owner. A country named otherwise ("will travel to Iraq", "the crisis in Syria") is
    too often another's."""
    lemmas = [lemma(w) for w in title if (w.is_alpha if isinstance(w, Token) else w.isalpha())]
    if not lemmas or "general" in lemmas or lemmas[-1] not in NATIONAL_OFFICES:
        return
    inside = _mentions_in(sent, index)
    countries: dict[str, list[Mention]] = {}
    for mention in inside:
        place = _country_of(mention)
        if place is not None:
            countries.setdefault(place.iso, []).append(mention)
        elif mention.cls == "NationalityGroup" and _is_nationality(mention):
            return  # "the Iraqi ...": another country may be the office's
    if len(countries) != 1:
        return
    opening = next((t for t in sent if not t.is_space), None)
    for country in next(iter(countries.values())):
        span = index.spans[country]
        after = span.doc[span.end] if span.end < len(span.doc) else None
        opens = opening is not None and opening.i == span.start and (
            after is None or after.text not in (",", "and", "or"))
        kind = _title_kind(title, country)
        if (country.acting or opens) and kind is not None:
            yield person, kind, country, 0.6
            return


def _is_possessor(index: MentionIndex, owner: Mention, root: Token) -> bool:
    return any(t.dep_ == "poss" and t.head == root for t in index.spans[owner])


def _descriptions(root: Token) -> Iterator[Token]:
    """Nouns that describe a person: appositions either way, copula attributes."""
    for child in root.children:
        if child.dep_ == "appos" and child.pos_ in ("NOUN", "PROPN"):
            yield child
    if root.dep_ == "appos" and root.head.pos_ in ("NOUN", "PROPN"):
        yield root.head
    if root.dep_ == "nsubj" and lemma(root.head) in ("be", "is", "was", "become", "remain"):
        for child in root.head.children:
            if child.dep_ == "attr" and child.pos_ == "NOUN":
                yield child


def _described(person: Mention, noun: Token, index: MentionIndex) -> Iterator[Found]:
    """ "the head of Crimea", "a spokesman for the ministry", "the Kremlin's spokesman"."""
    described = index.at(noun)
    if described is not None and not described.nominal:
        return  # a name, not a description
    # the description's own words ("the Secretary-General", "chief executive") make its
    # title; a name inside it ("the World Health Organization chief") is an owner
    modifiers = [c for c in noun.lefts if c.dep_ in ("compound", "poss", "nmod", "amod")]
    title = [noun] + [c for c in modifiers if _named_at(c, index) is None and c.pos_ != "DET"]
    title.sort(key=lambda t: t.i)
    owners: list[tuple[Mention, list[Token]]] = []
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in ("of", "for", "at", "with"):
            for pobj in [c for c in child.children if c.dep_ == "pobj"]:
                for obj in conjuncts(pobj):
                    mention = index.at(obj) or _group_of(obj, index)
                    if mention is not None:
                        owners.append((mention, title))
    for child in modifiers:
        mention = _named_at(child, index)
        if mention is not None and mention != person:
            owners.append((mention, title))
    listed = _listed_owner(noun, index)
    if listed is not None and listed != person:
        owners.append((listed, title))
    for owner, words in owners:
        if owner.cls == "NationalityGroup":
            if _is_nationality(owner):
                yield person, "hasNationality", owner, 0.7
            continue
        kind = _title_kind(words, owner)
        if kind is not None:
            yield person, kind, owner, 0.8


def _listed_owner(noun: Token, index: MentionIndex) -> Mention | None:
    """The name a bare title is followed by, in a list of apposition: "Gen. Joseph Votel,
    commander, U.S. Central Command" (a title of no article and no words of its own, a
    comma, then a name in apposition that is no person)."""
    doc = noun.doc
    if noun.i + 2 >= len(doc) or doc[noun.i + 1].text != "," or any(
            c.dep_ not in ("punct", "appos") or c.i < noun.i for c in noun.children):
        return None
    for token in (*noun.children, *noun.head.children):
        if token.dep_ == "appos" and token.left_edge.i == noun.i + 2:
            mention = index.at(token)
            if mention is not None and not mention.nominal and mention.cls != "Person":
                return mention
    return None


def _named_at(token: Token, index: MentionIndex) -> Mention | None:
    """The name covering ``token``: inside a description ("Microsoft's chief executive"), the
    name in it ("Microsoft"), not the description; None when only a description covers it."""
    mention = index.at(token)
    if mention is None or not mention.nominal:
        return mention
    span = index.spans[mention]
    for inner in index.in_span(span.start, span.end):
        bounds = index.spans[inner]
        if not inner.nominal and bounds.start <= token.i < bounds.end:
            return inner
    return None


#: Nouns naming a body of people, whose named pre-modifier is the organisation ("the
#: Montgomery County House delegation"); not :data:`kg.nouns.GROUP_NOUNS`, the plurals that
#: make a phrase a group.
_BODY_NOUNS = frozenset(
    ("delegation", "team", "department", "committee", "party", "government", "ministry",
     "office", "council", "agency", "force", "forces", "army", "police", "unit", "group",
     "company", "bank", "board", "administration", "campaign", "club", "squad", "staff",
     "cabinet", "faction", "wing", "branch", "division", "bureau", "service")
)


def _group_of(noun: Token, index: MentionIndex) -> Mention | None:
    if noun.pos_ != "NOUN" or noun.lower_ not in _BODY_NOUNS:
        return None
    for child in noun.lefts:
        mention = index.at(child)
        if child.dep_ == "compound" and mention is not None and mention.cls == "Organization":
            return mention
    return None


# ---------------------------------------------------------------- nationality


def nationality_relations(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """A nationality word directly on an actor: "Taiwanese Vice President Hsiao Bi-khim",
    "French police", "Chinese criminal gangs" (when those are mentions)."""
    for mention in _mentions_in(sent, index):
        if mention.cls not in ("Person", "Organization"):
            continue
        root = index.root(mention)
        for token in _premodifiers(root, index, mention):
            other = index.at(token)
            if other is not None and other != mention and _is_nationality(other):
                yield mention, "hasNationality", other, 0.75


def _is_nationality(mention: Mention) -> bool:
    """A nationality group named by a demonym ("Taiwanese", "Russians"), not a party or a
    faith ("Democrat", "Republican"), which spaCy labels NORP too."""
    return mention.cls == "NationalityGroup" and gazetteer.demonym(mention.name or
                                                                   mention.anchor) is not None


# ---------------------------------------------------------------- places


def place_relations(sent: Span, index: MentionIndex, *,
                    prepositions: bool = True) -> Iterator[Found]:
    """Places in places and organisations in places.

    - "Albuquerque, N.M.", "Anbar province, Iraq": a place, a comma and a country or
      region, not part of a list;
    - "Fire Island National Seashore, Patchogue, N.Y.": an organisation, a comma and a town
      with its state (an address): the organisation is in the town;
    - "the police in Kratie", "the Cambodian embassy in Bangkok": an organisation with
      an ``in`` phrase naming a place (directly or as "the province of X"), or an
      organisation's name right before "in" or "at" and a named place, wherever the parser
      hung that phrase ("the fight against ISIL in Iraq"); only with ``prepositions`` (a
      parse of prose).
    """
    mentions = list(_mentions_in(sent, index))
    for first, second in pairwise(mentions):
        if first.cls == "Organization" and second.cls == "Location" and not first.nominal:
            # an address: the town of a "Town, State" mention (which holds the town)
            towns = [m for m in mentions if m.start == second.start and m.end < second.end
                     and m.cls == "Location"]
            if not towns:
                continue
            second = towns[0]
        elif first.cls not in _PLACE or second.cls not in _PLACE or first.cls == "Country":
            continue
        if second.nominal:  # "Poipet, a town on the border": a description, not a place
            continue
        a, b = index.spans[first], index.spans[second]
        doc = a.doc
        between = doc[a.end:b.start]
        if len(between) != 1 or between[0].text != ",":
            continue
        if b.root.dep_ in ("nsubj", "nsubjpass", "dobj"):  # "near Morgan City, Lifa said"
            continue
        if _listed(a) or _listed(b):
            continue
        after = doc[b.end] if b.end < len(doc) else None
        if after is not None and after.lower_ in ("and", "or"):
            continue
        yield first, "locatedIn", second, 0.65
    if not prepositions:
        return
    for mention in mentions:
        if mention.cls not in ("Organization", "Location"):
            continue
        root = index.root(mention)
        for child in root.children:
            if child.dep_ != "prep" or child.lower_ not in ("in", "at"):
                continue
            for obj in [c for c in child.children if c.dep_ == "pobj"]:
                place = index.at(obj) or _of_place(obj, index)
                if place is not None and place.cls in _PLACE:
                    yield mention, "locatedIn", place, 0.6
        if mention.cls == "Organization":
            place = _place_right_after(index.spans[mention], index)
            if place is not None:
                yield mention, "locatedIn", place, 0.55


def _place_right_after(span: Span, index: MentionIndex) -> Mention | None:
    """The named place of an ``in`` or ``at`` phrase right after an organisation's name,
    wherever the parser hung the phrase: "the fight against ISIL in Iraq" (ISIL is in Iraq;
    the parser often hangs "in Iraq" on "fight")."""
    doc = span.doc
    i = span.end
    if i >= len(doc) or doc[i].lower_ not in ("in", "at"):
        return None
    j = i + 1
    if j < len(doc) and doc[j].lower_ == "the":
        j += 1
    if j >= len(doc):
        return None
    place = index.at(doc[j])
    if place is None or place.cls not in _PLACE or place.nominal or index.spans[place].start != j:
        return None
    return place


def dateline_relations(sent: Span, index: MentionIndex) -> Iterator[Found]:
    """A news agency based in the city its source line opens with.

    A place named right before an organisation, in a line without a verb ("Moscow ITAR-TASS",
    "Cairo AL-AHALI") or right after a monitoring service's reference code, which may follow
    the story's headline ("Qian Qichen Leaves Beijing for South Asian Tour OW2102114194
    Beijing XINHUA in English 1127 GMT"; see :func:`kg.mentions.mentions`). A story's dateline
    with the agency in brackets ("NEW ORLEANS (AP)") names where the story was filed, not where
    the agency is, and says nothing.
    """
    mentions = _mentions_in(sent, index)
    doc = sent.doc
    for place, agency in pairwise(mentions):
        if place.cls not in _PLACE or place.nominal or agency.cls != "Organization" \
                or agency.nominal:
            continue
        a, b = index.spans[place], index.spans[agency]
        if b.start != a.end:
            continue
        before = [t for t in doc[sent.start:a.start] if not t.is_space]
        if before and _REFERENCE_CODE.fullmatch(before[-1].text) or not any(t.is_alpha for t in before) and not any(
                t.pos_ in ("VERB", "AUX") for t in sent):
            yield agency, "locatedIn", place, 0.7
        return


def _of_place(noun: Token, index: MentionIndex) -> Mention | None:
    """ "the province of Kratie", "the city of Mosul": the named place."""
    if noun.pos_ != "NOUN":
        return None
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            for obj in prep.children:
                mention = index.at(obj)
                if obj.dep_ == "pobj" and mention is not None and mention.cls in _PLACE:
                    return mention
    return None


def _listed(span: Span) -> bool:
    root = span.root
    return root.dep_ == "conj" or any(c.dep_ == "conj" for c in root.children)


def _mentions_in(sent: Span, index: MentionIndex) -> list[Mention]:
    return index.in_order(sent.start, sent.end)

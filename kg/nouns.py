"""Common nouns that tell what kind of actor a name or noun phrase is.

These are English word classes, by lemma (lower case), not names of anyone: "the intelligence
agency Tracfin" is an organisation because *agency* is; "the northeastern province of Kratie"
a place because *province* is; "Prime Minister Hun Manet" a person with a title because
*minister* is a title word. The same classes make nominal mentions ("police", "the regime",
"the Foreign Secretary").
"""

from __future__ import annotations

__all__ = [
    "ARMED_NOUNS",
    "GROUP_NOUNS",
    "ORG_NOUNS",
    "PEOPLE_NOUNS",
    "PERSON_NOUNS",
    "PLACE_NOUNS",
    "TITLE_HEADS",
    "TITLE_MODIFIERS",
    "TITLE_WORDS",
    "head_class",
    "noun_class",
]

#: Nouns naming one person by role; a name after them is a person's ("superstar X").
PERSON_NOUNS = frozenset(
    """
    actor activist adviser advisor ambassador analyst artist athlete author captain ceo chairman
    chairwoman chief coach commander commissioner correspondent councillor defender diplomat
    director editor envoy executive footballer founder governor journalist judge lawmaker lawyer
    leader legislator manager mayor member militant minister monarch negotiator officer official
    photographer player politician premier president prince princess prosecutor queen king
    rapper reporter researcher ruler senator singer sheikh soldier spokesman spokeswoman
    spokesperson representative star striker suspect superstar teacher tycoon vice-president victim warlord
    writer businessman businesswoman billionaire entrepreneur economist scientist professor
    secretary general colonel major lieutenant sergeant admiral brigadier marshal emir
    """.split()
)

#: Words that make a title before a person's name ("Prime Minister", "Lt. Gen.", "Mr").
TITLE_WORDS = frozenset(
    """
    president vice minister secretary general chancellor premier governor mayor senator
    ambassador envoy commander chief director chairman chairwoman spokesman spokeswoman
    spokesperson king queen prince princess emir sheikh pope cardinal bishop judge justice
    prosecutor captain colonel major lieutenant sergeant admiral brigadier marshal gen gen.
    lt lt. col col. maj maj. capt capt. sgt sgt. adm adm. mr mr. mrs mrs. ms ms. dr dr. sir dame
    brig brig. cmdr cmdr. cdr cdr. spc spc. pfc pfc. commodore
    lord lady deputy foreign defence defense interior justice finance home prime information
    state assistant undersecretary under-secretary attorney representative
    """.split()
)

#: Title words that qualify a title rather than make one ("Foreign", "Prime", "Deputy").
_TITLE_QUALIFIERS = frozenset(
    """
    vice deputy foreign defence defense interior finance home prime information state assistant
    attorney under
    """.split()
)
#: Title words that make a title on their own ("Minister", "President", "Gen.").
TITLE_HEADS = TITLE_WORDS - _TITLE_QUALIFIERS

#: Words that may stand inside a title without being title words ("Foreign Office Minister").
TITLE_MODIFIERS = frozenset({"office", "affairs", "of", "for", "the", "-"})

#: Nouns naming an organisation; a name after or before them is an organisation's.
ORG_NOUNS = frozenset(
    """
    agency army authority authorities bank board bureau cabinet cartel channel church club
    coalition commission committee company conglomerate corporation council court department
    directorate embassy federation firm force forces gang government group guard guards
    institute league magazine management militia ministry movement navy network newspaper
    office opposition organisation organization outlet parliament party police publisher
    regime service services station syndicate team tribunal union university watchdog
    airline broadcaster brand business charity consortium contractor faction fleet
    manufacturer mission nonprofit ngo operator platform regiment battalion brigade division
    unit units agencies gangs groups parties companies militias community
    """.split()
)

#: Plural nouns naming people acting as a body ("rebels", "troops"): organisation mentions.
GROUP_NOUNS = frozenset(
    """
    rebels troops militants fighters insurgents terrorists soldiers forces police officials
    authorities jihadists extremists separatists protesters demonstrators gangs smugglers
    traffickers scammers investigators prosecutors lawmakers allies partners leaders nations
    refugees journalists
    """.split()
)

#: Plural nouns naming people by what they are, where they live or what they do
#: ("civilians", "60 civilians", "residents", "members of the tribe"): a group of them acts
#: or is acted on as one, and re3d annotates it as an organisation. Plural forms only: one
#: "civilian" is a person, and a generic person is no actor.
PEOPLE_NOUNS = frozenset(
    """
    civilians people residents villagers inhabitants locals citizens nationals workers
    employees staff personnel members children women men families relatives victims
    mourners worshippers pilgrims students teachers doctors nurses patients detainees
    prisoners hostages captives migrants immigrants asylum-seekers evacuees survivors
    volunteers supporters backers followers reporters experts ministers diplomats delegates
    airmen sailors marines servicemen veterans recruits
    """.split()
)

#: Words naming an armed body ("the coalition", "Coalition military forces", "U.S. troops"):
#: its backing of a side is military support, acting on that side (see
#: :func:`kg.relations.verb_relations`).
ARMED_NOUNS = frozenset(
    """
    coalition force forces troops army armies military militia militias fighters rebels
    insurgents brigade brigades battalion battalions regiment navy fleet squadron
    """.split()
)

#: Nouns naming a place; a name after them ("the city of X", "province X") is a place's.
PLACE_NOUNS = frozenset(
    """
    airport area base border camp capital city coast compound compounds continent country county
    district enclave island islands municipality neighbourhood neighborhood peninsula port
    province region republic state territory town township village valley zone prefecture
    oblast governorate canton
    """.split()
)


def noun_class(lemma: str) -> str | None:
    """The actor class a noun's lemma points to: "Person", "Organization", "Location" or None.

    >>> noun_class("agency"), noun_class("province"), noun_class("superstar"), noun_class("tree")
    ('Organization', 'Location', 'Person', None)
    """
    lemma = lemma.lower()
    if lemma in ORG_NOUNS or lemma in GROUP_NOUNS:
        return "Organization"
    if lemma in PLACE_NOUNS:
        return "Location"
    if lemma in PERSON_NOUNS:
        return "Person"
    return None


def head_class(word: str, lemma: str) -> str | None:
    """The actor class the head noun of a noun phrase gives it, by its ``word`` as written and
    its ``lemma``: a plural naming people together (:data:`GROUP_NOUNS`, "rebels";
    :data:`PEOPLE_NOUNS`, "civilians") is a body of them, an organisation; any other noun
    the class of its lemma (:func:`noun_class`).

    >>> head_class("civilians", "civilian"), head_class("civilian", "civilian")
    ('Organization', None)
    >>> head_class("agencies", "agency"), head_class("ministers", "minister")
    ('Organization', 'Organization')
    """
    word = word.lower()
    if word in GROUP_NOUNS or word in PEOPLE_NOUNS:
        return "Organization"
    return noun_class(lemma)

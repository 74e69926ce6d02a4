"""Word classes for the relation and event rules, by lemma, and a lemmatiser that needs no model.

:func:`lemma` maps inflected verb and noun forms back to the base forms
listed here: regular English inflection ("arrested", "arrests", "arresting", "seized", "banned",
"carries") plus the irregular forms of the verbs we list; other words get spaCy's lemma where the pipeline
has a lemmatizer (the default one has), else come back lower-cased.

The classes are data: a verb or noun joins a class by being added to one of the tables.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Token

#: Verbs that take an event noun as object and make their subject its agent
#: ("police opened an investigation", "Aksyonov signed a decree").
LIGHT_VERBS: frozenset[str] = frozenset(
    ("launch", "open", "conduct", "carry", "issue", "make", "sign", "announce", "begin",
     "start", "order", "file", "lodge", "bring", "impose", "hold", "stage", "mount", "publish",
     "adopt", "introduce", "pass", "have", "do", "undertake", "initiate", "level")
)

__all__ = [
    "EVENT_NOUNS",
    "EVENT_VERBS",
    "LEADER_TITLES",
    "LIGHT_VERBS",
    "MEMBERSHIP_VERBS",
    "MEMBER_TITLES",
    "NATIONAL_OFFICES",
    "PLACE_LEADER_TITLES",
    "PRESENCE_VERBS",
    "RELATION_VERBS",
    "SPEECH_VERBS",
    "SUBUNIT_NOUNS",
    "lemma",
]

#: Verbs announcing an event, by lemma -> the ``akg:Event`` subclass.
EVENT_VERBS: dict[str, str] = {
    **dict.fromkeys(("arrest", "detain", "apprehend", "capture", "seize", "nab", "round"),
                    "Arrest"),
    **dict.fromkeys(("order", "decree", "authorise", "authorize", "instruct", "command"),
                    "Order"),
    **dict.fromkeys(("investigate", "probe", "examine", "inspect", "audit"), "Investigation"),
    **dict.fromkeys(("pay", "donate", "fund", "transfer", "bribe", "finance"), "Payment"),
    **dict.fromkeys(("attack", "strike", "bomb", "shell", "raid", "ambush", "invade", "assault",
                     "shoot", "fire"), "Attack"),
    **dict.fromkeys(("kill", "murder", "assassinate", "execute", "slay"), "Killing"),
    **dict.fromkeys(("sanction", "ban", "blacklist", "embargo", "prohibit"), "Sanction"),
    **dict.fromkeys(("publish", "release", "report", "broadcast"), "Publication"),
    **dict.fromkeys(("sue", "indict", "prosecute", "convict"), "LegalAction"),
    **dict.fromkeys(("meet", "talk", "negotiate", "visit", "host", "phone", "call"), "Meeting"),
    **dict.fromkeys(("accuse", "condemn", "criticise", "criticize", "denounce", "blame"),
                    "Accusation"),
}

#: Nouns announcing an event ("the arrest of", "an investigation into", "payments of").
EVENT_NOUNS: dict[str, str] = {
    **dict.fromkeys(("arrest", "detention", "seizure", "capture", "raid", "crackdown"), "Arrest"),
    **dict.fromkeys(("order", "decree", "directive", "instruction"), "Order"),
    **dict.fromkeys(("investigation", "probe", "inquiry", "enquiry", "audit"), "Investigation"),
    **dict.fromkeys(("payment", "donation", "transfer", "bribe"), "Payment"),
    **dict.fromkeys(("attack", "strike", "airstrike", "bombing", "shelling", "assault",
                     "offensive", "ambush", "invasion", "skirmish", "clash"), "Attack"),
    **dict.fromkeys(("killing", "murder", "assassination", "execution"), "Killing"),
    **dict.fromkeys(("sanction", "ban", "embargo", "blacklist"), "Sanction"),
    **dict.fromkeys(("publication",), "Publication"),
    **dict.fromkeys(("lawsuit", "indictment", "prosecution", "trial"),
                    "LegalAction"),
    **dict.fromkeys(("meeting", "talks", "summit", "visit", "call", "negotiation"), "Meeting"),
    **dict.fromkeys(("accusation", "condemnation", "criticism"), "Accusation"),
}

#: Verbs of saying: the subject is the speaker of a quotation or report.
SPEECH_VERBS: frozenset[str] = frozenset(
    ("say", "tell", "state", "add", "declare", "announce", "claim", "write", "insist", "warn",
     "explain", "note", "stress", "argue", "confirm", "deny", "reply", "respond", "tweet",
     "post", "comment")
)

#: Verbs whose subject and object stand in a contract relation, by lemma, with the
#: prepositions that introduce the object when it is not a direct object (``None``: any
#: direct object). Each entry: lemma -> (predicate, prepositions).
RELATION_VERBS: dict[str, tuple[str, frozenset[str | None]]] = {
    **dict.fromkeys(("meet",), ("communicatedWith", frozenset((None, "with")))),
    **dict.fromkeys(("discuss",), ("communicatedWith", frozenset(("with",)))),
    **dict.fromkeys(("talk", "speak", "negotiate", "confer", "consult", "correspond"),
                    ("communicatedWith", frozenset(("with", "to")))),
    **dict.fromkeys(("phone", "call", "telephone", "brief", "host", "tell", "inform", "urge",
                     "notify", "assure"),
                    ("communicatedWith", frozenset((None,)))),
    **dict.fromkeys(("attack", "bomb", "shell", "raid", "ambush", "invade", "fight", "battle",
                     "target", "strike", "engage", "assault", "defeat", "destroy", "degrade",
                     "combat", "counter"),
                    ("fightsAgainst", frozenset((None, "against")))),
    **dict.fromkeys(("clash",), ("fightsAgainst", frozenset(("with",)))),
    **dict.fromkeys(("kill", "murder", "assassinate", "slay", "behead", "shoot", "execute"),
                    ("killed", frozenset((None,)))),
    **dict.fromkeys(("condemn", "criticise", "criticize", "denounce", "accuse", "blame",
                     "sanction", "sue", "oppose", "reject", "protest"),
                    ("opposes", frozenset((None, "against")))),
    **dict.fromkeys(("support", "back", "praise", "welcome", "endorse", "fund", "commend",
                     "applaud", "thank", "congratulate", "aid", "assist", "help"),
                    ("supports", frozenset((None,)))),
    **dict.fromkeys(("ally",), ("alliedWith", frozenset(("with",)))),
    **dict.fromkeys(("join",), ("memberOf", frozenset((None,)))),
    **dict.fromkeys(("work",), ("memberOf", frozenset(("for",)))),
    **dict.fromkeys(("serve",), ("memberOf", frozenset(("in", "with", "on")))),
    **dict.fromkeys(("play",), ("memberOf", frozenset(("for",)))),
    **dict.fromkeys(("lead", "head", "command", "govern", "rule", "chair", "run", "direct"),
                    ("leads", frozenset((None,)))),
    **dict.fromkeys(("live", "reside"), ("livesIn", frozenset(("in",)))),
    **dict.fromkeys(("base", "headquarter", "locate", "station", "deploy"),
                    ("locatedIn", frozenset(("in", "at")))),
}

#: Verbs whose subject is a group and whose objects are its members ("Coalition nations
#: include Australia, Belgium and Canada", "the delegation comprised X and Y"), by lemma,
#: with the prepositions that introduce the members when they are not direct objects.
MEMBERSHIP_VERBS: dict[str, frozenset[str | None]] = {
    "include": frozenset((None,)), "comprise": frozenset((None,)),
    "consist": frozenset(("of",)),
}

#: Verbs of being or arriving somewhere: their subject is in the place of an ``in`` or ``at``
#: phrase ("Carter met Abadi in Baghdad", "the minister arrived in Paris"), and, for "visit",
#: in the place it takes as direct object ("Carter visited Baghdad").
PRESENCE_VERBS: dict[str, frozenset[str | None]] = {
    **dict.fromkeys(("meet", "arrive", "travel", "fly", "return", "gather", "stay", "land"),
                    frozenset(("in", "at"))),
    "visit": frozenset((None, "in", "at")),
}

#: Titles of people in charge of an organisation: "X, head of Y", "Y's Secretary General X"
#: -> X leads Y. A title with "vice" or "deputy" is a member's.
LEADER_TITLES: frozenset[str] = frozenset(
    ("head", "chief", "leader", "president", "chairman", "chairwoman", "chair", "director",
     "commander", "secretary-general", "ceo", "founder", "governor", "mayor", "king", "queen",
     "premier", "chancellor", "boss", "owner", "emir", "principal", "dean", "chairperson",
     "administrator", "superintendent", "commissioner", "minister", "ruler", "dictator",
     "monarch", "sultan", "prime", "secretary general")
)
#: Titles of public offices: a description headed by one ("the Foreign Minister", "the
#: Minister of Foreign Affairs of Iraq") names whoever holds that office, which the nearest
#: person named before it often does not ("X met the Iraqi Foreign Minister"), so such a
#: description is linked to a person only when the text gives that person the title.
OFFICE_TITLES: frozenset[str] = frozenset(
    ("minister", "secretary", "president", "premier", "chancellor", "governor", "mayor",
     "king", "queen", "emir", "sultan", "monarch", "ambassador", "envoy", "senator",
     "commissioner", "secretary-general", "attorney-general", "prosecutor", "speaker")
)
#: Nouns naming a part of an organisation: whoever leads one ("an ISIL gang leader", "the
#: Red Cross disaster team chief") is a member of the organisation, not its head.
SUBUNIT_NOUNS: frozenset[str] = frozenset(
    ("gang", "cell", "unit", "team", "squad", "brigade", "battalion", "platoon", "division",
     "branch", "wing", "faction", "section", "desk", "bureau", "delegation", "committee",
     "chapter", "group")
)
#: Last words of the titles of a national office, held in one country's government ("Prime
#: Minister", "Information Minister", "President"), not in any organisation's ("Secretary
#: General").
NATIONAL_OFFICES: frozenset[str] = frozenset(
    ("president", "premier", "chancellor", "king", "queen", "emir", "minister")
)
#: Titles of people in charge of a country or place ("President of France", "Iraqi Prime
#: Minister", "the head of Crimea"); other leader titles with a place are memberOf it.
PLACE_LEADER_TITLES: frozenset[str] = frozenset(
    ("head", "leader", "president", "king", "queen", "premier", "chancellor", "emir",
     "governor", "mayor", "ruler", "dictator", "monarch", "sultan", "prime", "prime minister")
)
#: Titles of members: "X, a spokesman for Y", "Y official X" -> X memberOf Y.
MEMBER_TITLES: frozenset[str] = frozenset(
    ("spokesman", "spokeswoman", "spokesperson", "official", "member", "agent", "officer",
     "soldier", "employee", "staff", "worker", "player", "striker", "defender", "midfielder",
     "goalkeeper", "analyst", "adviser", "advisor", "aide", "correspondent", "reporter",
     "writer", "economist", "researcher", "lawyer", "attorney", "representative", "envoy",
     "ambassador", "diplomat", "deputy", "assistant", "secretary", "vice", "senator",
     "lawmaker", "legislator", "negotiator", "investigator", "fighter", "militant", "commando",
     "trooper", "sergeant", "lieutenant", "colonel", "major", "private", "admiral", "marshal",
     "executive", "partner", "professor", "scientist", "engineer", "consultant", "editor",
     "columnist", "journalist", "photographer", "producer", "manager", "treasurer", "clerk",
     "delegate", "delegation", "activist", "volunteer", "general", "captain", "coach",
     "manager", "editor", "chairman")
) - LEADER_TITLES

_IRREGULAR: dict[str, str] = {
    "met": "meet", "told": "tell", "said": "say", "says": "say", "paid": "pay", "fought": "fight",
    "led": "lead", "ran": "run", "struck": "strike", "stricken": "strike", "spoke": "speak",
    "spoken": "speak", "shot": "shoot", "sought": "seek", "wrote": "write", "written": "write",
    "slew": "slay", "slain": "slay", "held": "hold", "brought": "bring", "took": "take",
    "taken": "take", "gave": "give", "given": "give", "made": "make", "began": "begin",
    "begun": "begin", "withdrew": "withdraw", "withdrawn": "withdraw", "ruled": "rule",
    "talks": "talks", "bought": "buy", "sent": "send", "lives": "live", "saw": "see",
    "seen": "see", "went": "go", "gone": "go", "came": "come", "won": "win", "lost": "lose",
    "meant": "mean", "sold": "sell", "arose": "arise", "fled": "flee", "overthrew": "overthrow",
    "overthrown": "overthrow", "undertook": "undertake", "undertaken": "undertake",
    "forbade": "forbid", "forbidden": "forbid", "left": "leave", "kept": "keep",
}


@lru_cache(maxsize=1)
def _forms() -> dict[str, str]:
    """Every inflected form of the listed verbs and nouns -> its lemma."""
    bases = set(EVENT_VERBS) | set(EVENT_NOUNS) | set(RELATION_VERBS) | set(SPEECH_VERBS)
    bases |= set(MEMBERSHIP_VERBS) | set(PRESENCE_VERBS)
    bases |= LEADER_TITLES | MEMBER_TITLES | LIGHT_VERBS
    forms: dict[str, str] = {}
    for base in sorted(bases):
        for form in _inflections(base):
            forms.setdefault(form, base)
    for form, base in _IRREGULAR.items():
        forms[form] = base
    for base in bases:  # a base form is always itself ("order" is not "ord" + "er")
        forms[base] = base
    return forms


def _inflections(base: str) -> set[str]:
    out = {base}
    if base.endswith("e"):
        out |= {base + "s", base + "d", base[:-1] + "ing"}
    elif base.endswith("y") and base[-2:-1] not in set("aeiou"):
        out |= {base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    elif base.endswith(("s", "sh", "ch", "x", "z")):
        out |= {base + "es", base + "ed", base + "ing"}
    else:
        out |= {base + "s", base + "ed", base + "ing"}
        # a short verb ending consonant-vowel-consonant doubles it: ban -> banned, plan
        if (len(base) <= 4 and base[-1] not in "wxy" and base[-1] not in "aeiou"
                and base[-2] in "aeiou" and base[-3:-2] not in set("aeiou")):
            out |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    return out


def lemma(token: Token | str) -> str:
    """The base form of a verb or noun of our word classes; other words lower-cased.

    The tables of this module decide for the words they list; other words get spaCy's lemma
    when the pipeline has a lemmatizer.

    >>> lemma("arrested"), lemma("Seized"), lemma("banned"), lemma("met"), lemma("payments")
    ('arrest', 'seize', 'ban', 'meet', 'payment')
    """
    if isinstance(token, Token):
        text = token.lower_
        # the tables first, for the words they list; else spaCy's lemma (empty without one)
        return _forms().get(text) or token.lemma_.lower() or text
    text = token.lower()
    return _forms().get(text, text)

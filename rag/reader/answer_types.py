"""What kind of answer a question wants, and whether a sentence has one.

Classic question-answering typing: "when" wants a date, "how much money" an
amount with a currency, "how many" a number, "who" a name, "why" a reason. A
sentence without the wanted kind of answer is a poor answer, and when no retrieved sentence has
it the article most likely does not say (it never gives the price, the age or
the revenue that was asked for). The word lists are general English, not taken
from any article.
"""

import re
from collections.abc import Callable

from rag.reader.credits import CREDIT_KINDS, credit_asked, gives_credit
from rag.reader.people import PERSONAL_PRONOUN, entity_names, new_to, person_names
from rag.reader.titles import JOB_TITLES
from rag.terms import MONTHS, STOP_WORDS, stem

(
    DATE,
    MONEY,
    COUNT,
    ORDINAL,
    PERCENT,
    AGE,
    PERSON,
    DURATION,
    REASON,
    STAKE,
    NAMES,
) = (
    "date",
    "money",
    "count",
    "ordinal",
    "percent",
    "age",
    "person",
    "duration",
    "reason",
    "stake",
    "names",
)
# Kinds that favour a sentence but never rule one out: a name or a reason can be given
# in words no pattern recognises ("he", "the aim is ...").
SOFT_KINDS = frozenset({PERSON, REASON, NAMES, *CREDIT_KINDS})

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    "|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    "|eighty|ninety|hundred|thousand|million|billion|trillion|dozen|half|single|dual|double"
    "|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
)

# "Which companies is he CEO of?", "Which three firms ...?": several names, a list.
_ASKS_COMPANIES = re.compile(
    r"^(and |so |but )?((of|in|for|from|with|at|by|to|into|among) )?(which|what)\s+"
    r"((?!of\b)\w+\s+){0,2}(companies|firms|organi[sz]ations|units|businesses"
    r"|subsidiaries|rivals|competitors|brands|platforms)\b"
)
# A list names at least this many things the question does not.
MIN_LISTED = 2

_ASKS_COMPANY = re.compile(
    r"^(and |so |but )?(which|what) (company|companies|firm|firms|rivals?)\b"
)

# Question patterns, checked in order; the first match decides.
_QUESTION_TYPES = [
    (REASON, re.compile(r"^(and |so |but )?(why|for what reason|what (is|was) the reason)\b")),
    (NAMES, _ASKS_COMPANIES),
    # "Which company's market value overtook Alibaba's?" asks for a name, not an amount.
    (PERSON, _ASKS_COMPANY),
    (AGE, re.compile(r"\bhow old\b|\bwhat age\b|\b(his|her|their)\s+age\b")),
    (DURATION, re.compile(r"\bhow long\b")),
    (PERCENT, re.compile(r"\bpercent|\bpercentage\b|%")),
    # "How fast is revenue growing?" asks for a rate ("3.5 times", "15 percent a month"),
    # not an amount of money, whatever it measures.
    (None, re.compile(r"\bhow (fast|quickly|rapidly)\b")),
    # "How many days after it passed Alibaba's market value ...": a count, whatever the topic.
    (COUNT, re.compile(r"\bhow many\b")),
    (
        MONEY,
        re.compile(
            r"\bhow much (\w+ )?(money|cash|capital|funding)\b"
            # Every tense of the verb: "How much is OpenAI paying?" asks for money too.
            r"|\bhow much\b.*\b(lose|lost|losing|earn|earned|earning|make|made|making|raise"
            r"|raised|raising|pay|paid|paying|spend|spent|spending|invest|invested|investing"
            r"|cost|costs|costing|worth|sell for|sold for|selling for|fetch|fetching|receive"
            r"|received|receiving|gain|gained|gaining|generate|generated|generating|collect"
            r"|collected|collecting|pocket|pocketed|pocketing|bring in|brought in|bringing in)\b"
            r"|\b(price|prices|revenue|revenues|salary|salaries|compensation|income|profit"
            r"|profits|proceeds|valuation|market cap|market capitali[sz]ation|market value"
            r"|turnover|earnings figure"
            r"|net loss|net losses)\b"
        ),
    ),
    # "What (which) number CEO is he?" asks for a place in a sequence, "what number of" a
    # count.
    (
        ORDINAL,
        re.compile(
            r"\b(what|which) number (?!(of|did|does|do|is|was|are|were|has|have|had|will|would|can"
            r"|could)\b)|\bwhich (generation|place|rank)\b"
        ),
    ),
    (COUNT, re.compile(r"\bhow much\b|\b(what|which) number\b|\bthe number of\b")),
    # "How big a stake ...?", "What size is its holding?": a percentage or a number of shares.
    (
        STAKE,
        re.compile(
            r"\b(how big|how large|what size|the size of)\b.*\b(stake|stakes|holding|holdings"
            r"|position)\b"
        ),
    ),
    (
        DATE,
        re.compile(
            r"^(and |so |but )?when\b"
            r"|\b(what|which|in what|on what)\s+(date|day|month|year|quarter|time)\b"
            # "month by month", "a timeline of": a sequence of dates.
            r"|\b(day|week|month|quarter|year) by (day|week|month|quarter|year)\b|\btimeline\b"
            r"|\bchronolog"
        ),
    ),
    # (A question opening with "who" is a person's before these patterns: see _WHO.)
    (PERSON, re.compile(r"\bwhich (executive|person|people|official|manager|leader|man|woman)\b")),
]

_ANSWER_PATTERNS = {
    MONEY: re.compile(
        r"[$¥€£]|\b(yuan|rmb|dollars?|usd|hkd|euros?|pounds?|yen|won|rupees?)\b", re.I
    ),
    COUNT: re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.I),
    PERCENT: re.compile(r"\d\s*(%|per ?cent)", re.I),
    STAKE: re.compile(
        r"\d\s*(%|per ?cent)|\d[\d.,]*\s*(thousand|million|billion)?\s+shares\b", re.I
    ),
    ORDINAL: re.compile(
        r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,3}(st|nd|rd|th))\b",
        re.I,
    ),
    AGE: re.compile(r"\b\d{1,3}[- ]years?[- ]old\b|\baged? \d{1,3}\b", re.I),
    DURATION: re.compile(
        # "three years" or, before a noun, "a three-year deal", "this 45-minute interview".
        rf"\b(\d+|{_NUMBER_WORDS}|a|an|several|few)[\s-]+(days?|weeks?|months?|years?|decades?"
        r"|hours?|minutes?)\b|\bhalf (a|an) (day|week|month|year)\b",
        re.I,
    ),
    DATE: re.compile(
        rf"\b({MONTHS})\b|\b(1[89]|20)\d\d\b|\b\d{{1,2}}(st|nd|rd|th)\b"
        r"|\b(yesterday|today|tomorrow|recently|earlier|ago|since)\b"
        r"|\b(last|this|next|past) (week|month|year|quarter|decade)\b"
        r"|\b(first|second|third|fourth) (quarter|half)\b",
        re.I,
    ),
    REASON: re.compile(
        r"\b(because|since|due to|owing to|the reasons?|reason why|in order to|so that|aim"
        r"|purpose|as a result|therefore|thus)\b",
        re.I,
    ),
}
_AFTER_MONTH = re.compile(rf"\b({MONTHS})\s+$", re.I)


# A yes/no question ("Did the transfer change how many ...?") wants no particular kind.
_YES_NO = re.compile(
    r"^(did|does|do|is|are|was|were|can|could|will|would|has|have|had|should|must)\b"
)


_WHO = re.compile(r"^(and |so |but )?(who|whom|who's|who’s)\b")
# A short opening phrase before the question proper: "In the March shake-up, who came
# back?", "According to the employee, why ...?" ask as if it were not there.
OPENING = re.compile(
    r"^(in|on|at|after|before|during|since|following|according to|as of|under|besides"
    r"|apart from)\b[^,?]{0,60},\s*",
    re.I,
)


def expected_type(question: str) -> str | None:
    """The kind of answer ``question`` wants, e.g. "How old is he?" -> "age"."""
    text = OPENING.sub("", " ".join(question.lower().split()))
    credit = credit_asked(question)
    if credit is not None:
        return credit  # "Who wrote this piece?" is answered by its credit line
    if _YES_NO.match(text):
        return None
    if _WHO.match(text):
        return PERSON  # before the patterns below: "Who overtook it in market value?"
    for kind, pattern in _QUESTION_TYPES:
        if pattern.search(text):
            return kind
    return None


_COUNTED = re.compile(r"\bhow many ((?:[\w-]+ ?){1,3})")
_NUMBER = re.compile(rf"\b(\d[\d.,]*|{_NUMBER_WORDS})\b", re.I)
_WORD = re.compile(r"[\w-]+")
# Words after a number that may still name what it counts ("25 million shares").
COUNT_WINDOW = 4


def counted_noun(question: str) -> str | None:
    """What a "how many" question counts, e.g. "How many AI teams did ..." -> "teams"."""
    match = _COUNTED.search(question.lower())
    if not match:
        return None
    nouns = []
    for word in match.group(1).split():
        if word in STOP_WORDS:
            break
        nouns.append(word)
    # The first plural names what is counted ("how many Taotian teams inside ...").
    plural = [w for w in nouns if w.endswith("s") and not w.endswith("ss")]
    return (plural or nouns or [None])[0]


def counts(
    sentence: str, noun: str, similar: Callable[[list[str], str], bool] | None = None
) -> bool:
    """Whether a number in ``sentence`` counts ``noun`` (a word right after it names it).

    >>> counts("It sold 25 million shares.", "shares")
    True
    """
    target = stem(noun)
    after = [
        [word.lower() for word in _WORD.findall(sentence[number.end() :])[:COUNT_WINDOW]]
        for number in _NUMBER.finditer(sentence)
    ]
    if any(stem(word) == target for words in after for word in words):
        return True
    # By meaning, only the words up to the counted plural: in "20 teams working on AI",
    # "working" is near "jobs" but the number counts teams.
    heads = [
        word for words in after for word in _up_to_plural(words) if not _compound(word, target)
    ]
    return similar is not None and bool(heads) and similar(heads, noun)


def _compound(word: str, target: str) -> bool:
    """Whether one of the two stems extends the other into another word: "shares" are
    not "shareholders", "investments" are not "investors" (however close in meaning)."""
    other = stem(word)
    return other != target and (target.startswith(other) or other.startswith(target))


def _up_to_plural(words: list[str]) -> list[str]:
    """``words`` up to and including the first plural, e.g. ["listed", "firms", "in"] ->
    ["listed", "firms"]."""
    for i, word in enumerate(words):
        if word.endswith("s") and not word.endswith("ss"):
            return words[: i + 1]
    return words


def has_type(
    sentence: str,
    kind: str | None,
    *,
    counted: str | None = None,
    similar: Callable[[list[str], str], bool] | None = None,
    asked: str = "",
) -> bool:
    """Whether ``sentence`` holds an answer of ``kind`` (always true for no kind).

    A "who" question wants a name the question ``asked`` does not already give.

    For a count with a ``counted`` noun, the number must count that noun (or
    one of the words after it must be ``similar`` to it).
    """
    if kind is None:
        return True
    if kind == ORDINAL:
        # "December 20th" is a date, not a place in a sequence.
        return any(
            not _AFTER_MONTH.search(sentence[: found.start()])
            for found in _ANSWER_PATTERNS[ORDINAL].finditer(sentence)
        )
    if kind in CREDIT_KINDS:
        return gives_credit(sentence, kind)
    if kind == NAMES:
        return len(new_to(entity_names(sentence), asked)) >= MIN_LISTED
    if kind == PERSON:
        # "he"/"she" stands for someone the sentence before names (the answer brings it).
        return bool(new_names(sentence, asked) or PERSONAL_PRONOUN.search(sentence))
    if not _ANSWER_PATTERNS[kind].search(sentence):
        return False
    return kind != COUNT or counted is None or counts(sentence, counted, similar)


# A "who" question about a role wants a person; "Who overtook Alibaba?" may want a company.
_ROLE = re.compile(
    r"\b(chairs?|chaired|chairing|leads?|led|leading|heads?|headed|heading|runs?|ran|running"
    r"|manages?|managed|managing|oversees?|oversaw|predecessor|successor|wrote|written"
    r"|edited|founded|nicknamed|people|person)\b",
    re.I,
)


def wants_person(question: str) -> bool:
    """Whether a "who" question asks for a person, e.g. "Who chairs the board?" -> True."""
    if _ASKS_COMPANY.match(question.lower()):
        return False  # "Which companies is he CEO of?" asks for companies
    return bool(_ROLE.search(question) or JOB_TITLES.search(question))


def new_names(sentence: str, asked: str) -> list[str]:
    """Names in ``sentence`` that share no word with the question ``asked``: of people when
    it asks about a role, of anyone (people, companies, places) otherwise.

    >>> new_names("In June, Joe Tsai and Daniel Zhang met.", "Who met Zhang?")
    ['Joe Tsai']
    """
    return new_to(person_names(sentence) if wants_person(asked) else entity_names(sentence), asked)

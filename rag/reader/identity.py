"""What a named person or thing is: "Who is Dai Shan?" and the sentences that say.

"Who is X?" and "What is X?" ask what X is, not for a name. The sentences that
answer define X: an apposition ("Dai Shan, the CEO of Taotianyuan, ..."), a copula
("X is the ..."), a title in front ("Alibaba Chairman Joe Tsai"), a nickname
("nicknamed "Mother Zhang"") or an opening "As the CEO of ..., X ...". A sentence
that only mentions X ("Mother Zhang should be better than Shan Dai.") does not.
"""

import re
from functools import lru_cache

from rag.reader.people import person_names
from rag.reader.titles import JOB_TITLES

# "Who is Wu Yongming?", "What is Taotian?": a question word, a copula, then only
# capitalised words (a name), at the end of the text (a follow-up has the earlier
# question in front).
_ASKS_WHAT_NAME_IS = re.compile(
    r"(?:^|[?.]\s+)(?:[Aa]nd\s+|[Ss]o\s+)?(?:[Ww]ho|[Ww]hat)(?:\s+is|\s+was|\s+are|['’]s)\s+"
    r"(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)\s*\??\s*$"
)
# "What does "Mother Zhang" refer to?", "What is meant by Taotian?": the same question.
# A person's bare name is not: "What did Jack Ma mean?" asks what he said.
# One way only to split a name into words: a word never ends where another could start,
# so a long run of capitals cannot make the match backtrack exponentially.
_WORD = r"[A-Z][\w.-]*(?:['’]\w+)*"
_NAME = rf"(?:[Tt]he\s+)?{_WORD}(?:\s+{_WORD})*"
_QUOTED = rf"[\"“'‘](?P<name>{_NAME})\s*[\"”'’]"
_BARE = rf"(?P<name>{_NAME})"
_MEANS = r"\s*(?:mean|refer to|stand for|denote)"
_ASKS_WHAT_NAME_MEANS = [
    (re.compile(rf"(?:^|[?.]\s+)(?:[Aa]nd\s+|[Ss]o\s+)?{asks}\s*\??\s*$"), bare)
    for asks, bare in (
        (rf"(?:[Ww]ho|[Ww]hat)\s+(?:does|did)\s+{_QUOTED}{_MEANS}", False),
        (rf"(?:[Ww]ho|[Ww]hat)\s+does\s+{_BARE}{_MEANS}", True),
        (rf"[Ww]hat\s+is\s+meant\s+by\s+{_QUOTED}", False),
        (rf"[Ww]hat\s+is\s+meant\s+by\s+{_BARE}", True),
    )
]


def defined_name(question: str) -> str | None:
    """The name whose meaning the question asks, e.g. "Who is Dai Shan?" -> "Dai Shan".

    >>> defined_name("What does 'Mother Zhang' refer to?")
    'Mother Zhang'
    >>> defined_name("What does Jack Ma mean?") is None  # what he said, not who he is
    True

    A title is not a name: "Who is Alibaba CFO?" asks for a person (None).
    """
    text = question.strip()
    match = _ASKS_WHAT_NAME_IS.search(text)
    for pattern, bare in _ASKS_WHAT_NAME_MEANS:
        if match is None and (found := pattern.search(text)):
            if not (bare and person_names(found.group("name"))):
                match = found
    if match is None or JOB_TITLES.search(match.group("name")):
        return None
    return match.group("name").strip()


@lru_cache(maxsize=256)
def _definitions(name: str) -> re.Pattern[str]:
    # A two-word name may come in either order ("Shan Dai", "Dai Shan"): translated news
    # writes Chinese names both ways, even in one article.
    words = name.split()
    orders = [name, " ".join(reversed(words))] if len(words) == 2 else [name]
    n = "(?:" + "|".join(re.escape(o) for o in orders) + ")"
    return re.compile(
        rf"\b{n}['’]?s?,\s+(?:the|a|an|who|nicknamed|known|dubbed|called|also)\b"
        rf"|\b{n}\s+(?:is|was|has been|serves as|served as|became)\s+(?:the|a|an|one)\b"
        rf"|\b(?:nicknamed|known as|called|dubbed)\s+[\"“]?{n}\b"
        rf"|{JOB_TITLES.pattern}\s+{n}\b"
        rf"|^[\"“]?As\s+(?:the|a|an)\b[^,]{{0,80}},\s+{n}\b",
        re.I,
    )


def defines(sentence: str, name: str) -> bool:
    """Whether ``sentence`` says what ``name`` is.

    >>> defines("In addition, Dai Shan, the CEO of Taotianyuan, will move.", "Shan Dai")
    True
    >>> defines('"Mother Zhang should be better than Shan Dai.', "Shan Dai")
    False
    """
    return bool(_definitions(name).search(sentence))

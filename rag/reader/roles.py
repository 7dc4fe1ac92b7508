"""Who holds a role at an organisation: "Who is the chairman of Alibaba?"

A sentence answers when it states that role for that organisation: "Alibaba
Chairman Joe Tsai", "CEO of Alibaba, Taotian Group, and ...". "Chairman and CEO
of Alibaba Cloud" states it for another organisation, whose name only begins with
the one asked about, though it shares every word of the question.
"""

import re
from functools import lru_cache

from rag.reader.titles import TITLE_ALTERNATION as _TITLE

_ORG = r"[A-Z][\w&.-]*(?: [A-Z][\w&.-]*)*"
_ASKS = [
    re.compile(
        rf"(?i:\bwho(?:\s+is|\s+was|['’]s))\s+(?:(?i:the|its|their)\s+)?"
        rf"(?:(?i:new|current|former)\s+)?(?P<title>(?i:{_TITLE}))\s+(?i:of)\s+"
        rf"(?:(?i:the)\s+)?(?P<org>{_ORG})"
    ),
    re.compile(
        rf"(?i:\bwho(?:\s+is|\s+was|['’]s))\s+(?P<org>{_ORG})['’]s\s+"
        rf"(?:(?i:new|current|former)\s+)?(?P<title>(?i:{_TITLE}))\b"
    ),
]


def role_asked(question: str) -> tuple[str, str] | None:
    """The (title, organisation) a "who" question asks the holder of.

    >>> role_asked("Who is the chairman of Alibaba?"), role_asked("Who is Alibaba's CEO?")
    (('chairman', 'Alibaba'), ('CEO', 'Alibaba'))
    """
    for pattern in _ASKS:
        match = pattern.search(question)
        if match:
            # "Alibaba Group's chairman" is Alibaba's, however the article says it.
            return match.group("title"), match.group("org").removesuffix(" Group")
    return None


@lru_cache(maxsize=256)
def _statements(title: str, org: str) -> re.Pattern[str]:
    t, o = re.escape(title), re.escape(org)
    return re.compile(
        # "Alibaba Chairman", "Alibaba's chairman", "Alibaba Group CEO"
        rf"\b{o}(?:['’]s)?(?: Group)? (?i:{t})\b"
        # "chairman of Alibaba", "Chairman and CEO of Alibaba (Group)"
        # (not "of Alibaba Cloud", nor "of Alibaba's cloud unit")
        rf"|(?i:\b{t})(?: (?i:and) (?i:{_TITLE}))? (?i:of) (?:(?i:the) )?{o}"
        r"(?: Group)?\b(?!['’]s\b)(?! [A-Z])"
    )


def states_role(sentence: str, title: str, org: str) -> bool:
    """Whether ``sentence`` says who holds ``title`` at ``org`` itself.

    >>> states_role("In the letter, Alibaba Chairman Joe Tsai stated ...", "chairman", "Alibaba")
    True
    >>> states_role("He took over as Chairman and CEO of Alibaba Cloud.", "chairman", "Alibaba")
    False
    >>> states_role("He will be chairman of Alibaba's cloud unit.", "chairman", "Alibaba")
    False
    """
    return bool(_statements(title, org).search(sentence))

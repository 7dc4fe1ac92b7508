"""When the article was published: its dateline ("December 11, 2025").

"When was this published?" asks about the article itself, like "Who wrote this?",
and is answered by a line of its opening that holds a date and nothing else (or
"Published: ..."), however far its words are from the question's: a bare date
shares no word with it, and its embedding is no closer. A question about a date
in the news ("When was the deal signed?") is answered like any other.
"""

import re

from rag.terms import MONTHS

# How many lines of an article's start may hold its dateline (headline, subtitle,
# credit lines, the dateline, then the story).
DATELINE_LINES = 6

# The article as an object: "this", "this release", "the Acme article" (a name may say which).
_ARTICLE = (
    r"(?:it|this|(?:this|the) (?:release|announcement)"
    r"|(?:this|the) (?:[\w'’&.-]+ ){0,3}?(?:article|piece|story|post|report))"
)
_ASKS = re.compile(
    r"^(?:and |so |but )?(?:"
    rf"when (?:was|is) {_ARTICLE} (?:published|written|posted|dated|issued|released|announced"
    r"|put out|out)"
    rf"|when did {_ARTICLE} (?:come out|appear|run)"
    rf"|what(?:'s|’s| is) the (?:date|publication date) (?:of|on) {_ARTICLE}"
    rf"|what date (?:is|was) (?:on )?{_ARTICLE}(?: from| dated)?"
    r")\s*[?.!]*$",
    re.I,
)
_DATE = (
    rf"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    rf"(?:(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\.?,?\s+\d{{4}}"
    # ISO 8601, a time and zone allowed: front matter writes "2024-03-01T10:00:00Z".
    r"|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)"
)
# The date alone, or after a label; a time or a place may follow ("10:00 AM ET").
_DATELINE = re.compile(
    rf"^\s*(?:(?:published|posted|updated|date|dated)\s*:?\s*)?{_DATE}[\s\d:.,apmAPMETUCGS/-]*$",
    re.I,
)


def asks_date(question: str) -> bool:
    """Whether ``question`` asks when the article itself appeared.

    >>> asks_date("When was this article published?"), asks_date("When was the deal signed?")
    (True, False)
    """
    return bool(_ASKS.match(" ".join(question.split())))


def is_dateline(line: str) -> bool:
    """Whether ``line`` is a dateline: a date and nothing else, or after "Published:".

    >>> is_dateline("December 11, 2025"), is_dateline("Published: 3 March 2024, 10:00 GMT")
    (True, True)
    >>> is_dateline("2024-03-01T10:00:00Z"), is_dateline("2024-03-01T10:00+08:00")
    (True, True)
    >>> is_dateline("On December 11, 2025, Disney said it would invest.")
    False
    """
    return bool(_DATELINE.match(line))

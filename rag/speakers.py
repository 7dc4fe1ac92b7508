"""What someone said: "What did Jack Ma say?" and the sentences where they speak.

Such a question is answered where the named speaker is the one talking ("Jack Ma
said that Alibaba will change."), not where they are only mentioned ("... one of
the earliest partners to follow Jack Ma.").
"""

import re
from functools import lru_cache

from rag.people import entity_names

# "What did Jack Ma say?", "What has Joe Tsai said about ...", "What does Alibaba claim?"
_ASKS_WHAT_SAID = re.compile(
    r"\bwhat (?:did|does|do|has|have|had) (?P<speaker>.+?) (?:say|said|state|stated|tell|told"
    r"|claim|claimed|announce|announced|reveal|revealed|write|wrote|argue|argued|think)\b",
    re.I,
)
_SPEECH = (
    r"(?:said|says|stated|states|told|tells|claimed|claims|announced|announces|revealed"
    r"|reveals|noted|notes|added|adds|wrote|writes|argued|argues|believes|explained)"
)


def speaker(question: str) -> str | None:
    """Who the question asks the words of, e.g. "What did Jack Ma say?" -> "Jack Ma"."""
    match = _ASKS_WHAT_SAID.search(question)
    if match is None:
        return None
    # Only a name: "the Alibaba employee who spoke to the WSJ" is not Alibaba speaking.
    phrase = match.group("speaker").strip()
    return phrase if entity_names(phrase) == [phrase] else None


@lru_cache(maxsize=256)
def _speaking(name: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(name)}\b[^.;:\"“]{{0,40}}\b{_SPEECH}\b", re.I)


def speaks(sentence: str, name: str) -> bool:
    """Whether ``name`` is the one speaking in ``sentence``.

    >>> speaks("Facing competition, Jack Ma said that Alibaba will change.", "Jack Ma")
    True
    >>> speaks("He is one of the earliest partners to follow Jack Ma.", "Jack Ma")
    False
    """
    return bool(_speaking(name).search(sentence))

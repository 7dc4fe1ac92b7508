"""What someone said: "What did Jack Ma say?" and the sentences where they speak.

Such a question is answered where the named speaker is the one talking ("Jack Ma
said that Alibaba will change."), not where they are only mentioned ("... one of
the earliest partners to follow Jack Ma.").
"""

import re
from functools import lru_cache

from rag.reader.people import entity_names, new_to

# "What did Jack Ma say?", "What has Joe Tsai said about ...", "What does Alibaba claim?",
# "How did Turnbull describe his chances?"
_ASKS_WHAT_SAID = re.compile(
    r"\bwhat (?:did|does|do|has|have|had) (?P<speaker>.+?) (?:say|said|state|stated|tell|told"
    r"|claim|claimed|announce|announced|reveal|revealed|write|wrote|argue|argued|think)\b"
    # "How did Turnbull describe his chances?": his words too.
    r"|\bhow (?:did|does|do|has|have|had) (?P<describer>.+?) (?:describe|described|sum|summed"
    r"|characteri[sz]e|characteri[sz]ed|explain|explained)\b",
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
    phrase = (match.group("speaker") or match.group("describer")).strip()
    return phrase if entity_names(phrase) == [phrase] else None


# "Who is quoted?", "Who said that?", "Who speaks for OpenAI?": the speaker is asked for.
_ASKS_WHO_SPOKE = re.compile(
    r"^(?:and |so |but )?who\b.*\b(?:quoted|quotes|said|says|say|speaks|spoke|speaking"
    r"|commented|comments|told|stated)\b",
    re.I,
)


def asks_speaker(question: str) -> bool:
    """Whether ``question`` asks who said something, e.g. "Who is quoted?" -> True."""
    return bool(_ASKS_WHO_SPOKE.search(question))


@lru_cache(maxsize=256)
def _speaking(name: str) -> re.Pattern[str]:
    # "Jack Ma said ..." or, after the quotation, "... ," said Jack Ma, CEO of ...".
    name = re.escape(name)
    return re.compile(
        rf"\b{name}\b[^.;:\"“]{{0,40}}\b{_SPEECH}\b"
        # A first name or an initial may stand before it: "said Robert A. Iger".
        rf"|\b{_SPEECH}\s+(?:by\s+)?(?:(?-i:[A-Z])[\w.]*\s+){{0,3}}{name}\b",
        re.I,
    )


def speaker_named(sentence: str, asked: str) -> bool:
    """Whether someone the question ``asked`` does not name speaks in ``sentence``.

    >>> speaker_named('"We are proud," said Robert A. Iger, CEO of Disney.', "Who is quoted?")
    True
    """
    names = new_to(entity_names(sentence), asked)
    return any(speaks(sentence, name.split()[-1]) for name in names)


def speaks(sentence: str, name: str) -> bool:
    """Whether ``name`` is the one speaking in ``sentence``.

    >>> speaks("Facing competition, Jack Ma said that Alibaba will change.", "Jack Ma")
    True
    >>> speaks("He is one of the earliest partners to follow Jack Ma.", "Jack Ma")
    False
    >>> speaks('"We will grow," said Jack Ma, its founder.', "Jack Ma")
    True
    """
    return bool(_speaking(name).search(sentence))

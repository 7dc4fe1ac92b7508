"""The attribute a question asks about: "Who is Alibaba's chief financial officer?"

A question of the form "who/what is X's ATTRIBUTE" or "what is the ATTRIBUTE
of X" is answered only by evidence that names that attribute. When the
evidence never mentions it (no "chief financial officer", no "name"), the
article does not say, however close the rest of the sentence is. Generic
attributes of people ("title", "role", "position") are met by any job title.
"""

import re
from collections.abc import Callable

from rag.reader.people import entity_names, new_to
from rag.reader.titles import JOB_TITLES
from rag.terms import content_terms, stem, words

_POSSESSIVE = re.compile(
    # The owner is a short name, not a clause or a phrase with a preposition ("the entity
    # that took over Alibaba's stakes", "the priorities for Alibaba's next ten years").
    r"^(?:who|what)\s+(?:is|was|are|were)\s+(?:the\s+)?"
    r"(?:(?!(?:that|which|who|whom|whose|for|of|in|on|at|to|with|from|by|about)\b)[\w.&-]+\s+)"
    r"{0,4}[\w.&-]+?['’]s\s+(?P<focus>[\w\s-]+?)"
    r"(?:\s+(?:according|in|at|of|for|as|now|right|today|currently|after|before|since|going"
    r"|from|to|with|by|during|over|under|this|next|last|then|overall|exactly|again)\b"
    r"|[?.,]|$)",
    re.I,
)
_OF = re.compile(
    r"^(?:what|who)\s+(?:is|was|are|were)\s+the\s+"
    r"(?P<focus>(?:(?!(?:that|which|who|whom|whose)\b)[\w-]+\s+){0,3}[\w-]+?)\s+of\s+",
    re.I,
)
# "What position does A hold?", "Which role did A play?"
_HELD = re.compile(
    r"^(?:what|which)\s+(?P<focus>title|role|position|job|post)s?\s+(?:does|did|do|will)\b",
    re.I,
)
# "How much revenue ...", "What price ...": the amount asked about must be the one named.
_AMOUNT = re.compile(
    r"\b(?:how much|what|which)\s+(?:\w+\s+)?(?P<focus>revenues?|profits?|prices?|salary"
    r"|salaries|compensation|income|proceeds|valuation|turnover|sales|earnings|cash|money)\b",
    re.I,
)
# A query typed as keywords ("kuaidi dache loss?") asks for its last word, when that
# is an attribute: no question word, and nothing after it.
_KEYWORDS = re.compile(
    r"^(?!(?:who|whom|whose|what|which|how|when|where|why|did|does|do|is|are|was|were|can"
    r"|could|will|would|has|have|had|should|tell|list|give|show|explain|describe)\b)"
    r"[\w\s.&'’-]*?\b(?P<focus>revenues?|profits?|loss|losses|prices?|salary|salaries"
    r"|compensation|income|proceeds|valuation|turnover|sales|earnings|title|role|position)"
    r"\s*\??$",
    re.I,
)
# Money in general, or what a thing is worth, is named by any currency amount.
_ANY_MONEY = frozenset({"cash", "money", "worth", "value"})
_CURRENCY = re.compile(r"[$¥€£]|\b(yuan|rmb|dollars?|usd|hkd|euros?|pounds?|yen)\b", re.I)
_PERSON_ATTRIBUTES = frozenset({"title", "role", "position", "job", "post"})


def focus_word(question: str) -> str | None:
    """The head word of the asked-for attribute, e.g. "Who is A's chief officer?" -> "officer"."""
    text = re.sub(r"\b(what|who)['’]s\b", r"\1 is", " ".join(question.split()), flags=re.I)
    match = (
        _POSSESSIVE.match(text)
        or _OF.match(text)
        or _HELD.match(text)
        or _AMOUNT.search(text)
        or _KEYWORDS.match(text)
    )
    if not match:
        return None
    words = [w for w in match.group("focus").split() if content_terms(w) and not w.isdigit()]
    return words[-1].lower() if words else None


def mentions(
    sentence: str, word: str, similar: Callable[[list[str], str], bool], asked: str = ""
) -> bool:
    """Whether ``sentence`` names the attribute ``word``: its stem, a close word or a job
    title; a "name" is given by a name the question ``asked`` does not hold ("What is the
    name of the new entity?" -> "... the newly established entity, Hangzhou Haoyue")."""
    if word in _PERSON_ATTRIBUTES and JOB_TITLES.search(sentence):
        return True
    if word == "name" and new_to(entity_names(sentence), asked):
        return True
    if word in _ANY_MONEY and _CURRENCY.search(sentence):
        return True
    target = stem(word)
    found = [w.lower() for w in words(sentence)]
    return any(stem(w) == target for w in found) or similar(found, word)

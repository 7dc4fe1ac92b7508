"""Who wrote or edited the article: its credit lines ("Author: ...", "Editor: ...").

A question about the article itself ("Who wrote this piece?") is answered by the
article's credit line, however far its words are from the question's: "Author:
Liu Baodan" shares no word with "Who wrote this article about the reshuffle?",
and its embedding is no closer. "Who wrote the letter?" is about something the
article reports, not about the article, and is left to the other rules.
"""

import re

AUTHOR, EDITOR = "author", "editor"

_ASKS_WHO = re.compile(
    r"^(and |so |but )?(who|whom|who's|who’s|by whom)\b|\bwho (is|was) the\b", re.I
)
# The article itself ("the author"), not a letter or a report it mentions.
_THE_ARTICLE = re.compile(
    r"\b(article|piece|story|column|this|it)\b|\bthe (author|writer|editor)\b", re.I
)
_ROLES = (
    (EDITOR, re.compile(r"\b(edit|edits|edited|editor|editors)\b", re.I)),
    (
        AUTHOR,
        re.compile(r"\b(wrote|write|writes|written|writer|author|authors|authored|penned)\b", re.I),
    ),
)
_CREDIT_LINES = {
    AUTHOR: re.compile(r"^\s*(author|authors|by|written by|writer|text)\s*[:：]", re.I),
    EDITOR: re.compile(r"^\s*(editor|editors|edited by)\s*[:：]", re.I),
}


def credit_asked(question: str) -> str | None:
    """The credit a question asks for, e.g. "Who edited this piece?" -> "editor"."""
    if not (_ASKS_WHO.search(question) and _THE_ARTICLE.search(question)):
        return None
    return next((role for role, asks in _ROLES if asks.search(question)), None)


def gives_credit(sentence: str, role: str) -> bool:
    """Whether ``sentence`` is the article's credit line for ``role``.

    >>> gives_credit("Editor: Zhang Xiaoling", "editor")
    True
    """
    return bool(_CREDIT_LINES[role].match(sentence))

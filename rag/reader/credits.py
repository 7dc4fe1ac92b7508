"""Who wrote or edited the article: its credit lines ("Author: ...", "Editor: ...").

A question about the article itself ("Who wrote this piece?") is answered by the
article's credit line, however far its words are from the question's: "Author:
Liu Baodan" shares no word with "Who wrote this article about the reshuffle?",
and its embedding is no closer. Only a question whose object is the article
itself counts: "Who wrote this letter?", "Who is the editor of Caixin?" and
"Who wrote the internal letter about it?" are about the news it reports.
"""

import re

# The answer kinds these questions want: one credit, or both ("Who wrote it and who
# edited it?").
AUTHOR, EDITOR, CREDITS = "author", "editor", "credits"
CREDIT_KINDS = frozenset({AUTHOR, EDITOR, CREDITS})

# How each credit is asked for: "who wrote ...", "who is the author", "by whom was ... written".
_WORDS = {
    AUTHOR: (r"wrote|authored|penned", r"author|writer", r"written|authored"),
    EDITOR: (r"edited", r"editor", r"edited"),
}
# The article as an object: "it", "this", "this piece", "the article" (and no other noun).
_ARTICLE = r"(?:it|this|(?:this|the) (?:article|piece|story|column))"
_END = r"\s*(?:[?.!,]|$|\b(?:and|about|on|for)\b)"
_ASKS = {
    role: re.compile(
        rf"(?:^|\band )(?:so |but )?(?:who (?:{verb}) {_ARTICLE}{_END}"
        rf"|who(?:'s|’s| is| was) the (?:{noun})(?: of {_ARTICLE})?{_END}"
        rf"|by whom (?:was|is) {_ARTICLE} (?:{participle})\b)",
        re.I,
    )
    for role, (verb, noun, participle) in _WORDS.items()
}
_CREDIT_LINES = {
    AUTHOR: re.compile(r"^\s*(?:author|authors|by|written by|writer|text)\s*[:：]", re.I),
    EDITOR: re.compile(r"^\s*(?:editor|editors|edited by)\s*[:：]", re.I),
}
# A byline with no colon is a line of just a name: "By Jane Doe" (not "By December, ...").
_BYLINE = re.compile(r"^\s*(?:By|Written by) [A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}\s*$")


def credit_asked(question: str) -> str | None:
    """The credit (or both) a question about the article asks for.

    >>> credit_asked("Who wrote this article about the reshuffle?")
    'author'
    >>> credit_asked("Who wrote this piece and who edited it?")
    'credits'
    >>> credit_asked("Who wrote this letter?") is None
    True
    """
    text = " ".join(question.split())
    roles = [role for role, asks in _ASKS.items() if asks.search(text)]
    return CREDITS if len(roles) > 1 else next(iter(roles), None)


def gives_credit(sentence: str, role: str) -> bool:
    """Whether ``sentence`` is the article's credit line for ``role`` (either, for
    ``CREDITS``).

    >>> gives_credit("Editor: Zhang Xiaoling", "editor")
    True
    >>> gives_credit("By Jane Doe", "author"), gives_credit("By December, it had sold.", "author")
    (True, False)
    """
    if role == CREDITS:
        return gives_credit(sentence, AUTHOR) or gives_credit(sentence, EDITOR)
    return bool(_CREDIT_LINES[role].match(sentence) or role == AUTHOR and _BYLINE.match(sentence))

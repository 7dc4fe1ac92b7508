"""What the article is about: its headline and its lead.

"What is this article about?" and "Summarize it" name nothing but the article, so
no sentence is close to them (the extractive answerer refused both). A news
article says what it is about first: the headline, then the lead, which is why
the first sentences (Lead-3) are the standard extractive summary of news. The
answer is those sentences, cited, without the credit lines ("Author: ...").

Only a question that names nothing but the article asks for it: "Summarize what
Jack Ma said" and "What is the main point of the letter?" are about the news, and
are answered like any other question.
"""

import re
from collections.abc import Iterable
from typing import TypeVar

from rag.credits import CREDITS, gives_credit
from rag.terms import content_terms

# The headline, a subtitle if any, and the lead's first sentences.
OPENING_SENTENCES = 4

Key = TypeVar("Key")

_ARTICLE = r"(?:article|piece|story|text|document|report|post|news)"
_CUES = re.compile(
    r"\bwhat(?:'s|’s| is| was)? (?:this|that|it|the \w+|this \w+)(?: is| was)? about\b"
    rf"|\bwhat does (?:it|this|the {_ARTICLE}|this {_ARTICLE}) say\s*[?.!]*$"
    r"|\bsummar(?:y|ies|ize|ise|ized|ised)\b|\bsum (?:it |this |that )?up\b|\btl;? ?dr\b"
    r"|\bgist\b|\boverview\b|\bin (?:a nutshell|brief|short)\b"
    r"|\bmain (?:point|idea|message|takeaway|topic|story)s?\b|\bkey (?:points?|takeaways?)\b",
    re.I,
)
# "Summarize the article about Alibaba's reshuffle": what follows says which article.
_WHICH_ARTICLE = re.compile(rf"\b{_ARTICLE}\s+(?:about|on)\b.*$", re.I | re.S)
# Words that ask for an overview, or name the article, and nothing else.
_OVERVIEW_TERMS = frozenset(
    content_terms(
        "summarize summarise summary summaries sum up tl dr gist overview brief briefly short"
        " nutshell"
        " main key point points idea ideas message takeaway takeaways topic topics"
        " article piece story text document report post news give tell me please"
    )
)


def asks_overview(question: str) -> bool:
    """Whether ``question`` asks what the article as a whole says.

    >>> asks_overview("What is this article about?"), asks_overview("Summarize it, please")
    (True, True)
    >>> asks_overview("Summarize what Jack Ma said about AI")
    False
    """
    if not _CUES.search(question):
        return False
    return set(content_terms(_WHICH_ARTICLE.sub("", question))) <= _OVERVIEW_TERMS


def names_the_article(question: str) -> bool:
    """Whether ``question`` says "the article" (or piece, story ...) outright, so it is
    not about something earlier in the conversation ("Summarize it" may be).

    >>> names_the_article("Summarize this piece"), names_the_article("Summarize it")
    (True, False)
    """
    return bool(re.search(rf"\b{_ARTICLE}\b", question, re.I))


def opening(sentences: Iterable[tuple[Key, str]], count: int = OPENING_SENTENCES) -> list[Key]:
    """The first ``count`` sentences of a document, in reading order, that are not
    its credit lines; ``sentences`` are (key, text) from the document's start.

    >>> opening([(1, "Title"), (2, "Author: A"), (3, "First."), (4, "Second.")], count=2)
    [1, 3]
    """
    chosen = []
    for key, text in sentences:
        if len(chosen) == count:
            break
        if not gives_credit(text, CREDITS):
            chosen.append(key)
    return chosen

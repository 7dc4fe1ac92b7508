"""Acronyms a reader types for names the article spells out: "WSJ", "SEC".

"What did the WSJ source say?" shares no word with "An Alibaba employee told Wall
Street Journal ...", and MiniLM does not know the two are one. A question's word
that the article never uses and that spells the initials of one of the article's
capitalised names ("Securities and Exchange Commission" -> SEC) is read as that name.
"""

import re

from rag.reader.people import without_openers
from rag.terms import words

# Small words a name's initials skip: "Securities and Exchange Commission" is SEC.
_SKIPPED = frozenset({"and", "of", "the", "for", "&"})
# Capitalised words joined by single spaces (not across lines or sentences).
_NAME = re.compile(r"\b[A-Z][\w'’-]*(?: (?:(?:and|of|the|for|&) )?[A-Z][\w'’-]*)+")
# Typed in capitals ("WSJ"), or in lower case when three letters or more ("wsj").
_ACRONYM = re.compile(r"^(?:[A-Z]{2,6}|[A-Za-z]{3,6})$")


def acronym_table(texts: list[str]) -> dict[str, str]:
    """Initials (upper case) -> the name they abbreviate, for names of two or more words.

    >>> acronym_table(["He told Wall Street Journal so."])["WSJ"]
    'Wall Street Journal'
    """
    table: dict[str, str] = {}
    for text in texts:
        for match in _NAME.finditer(text):
            parts = without_openers(match.group(0).split())
            name = " ".join(p.removesuffix("'s").removesuffix("’s") for p in parts)
            words_of = name.split()
            # "US Securities and Exchange Commission" is also the SEC.
            for first in range(len(words_of)):
                if words_of[first].lower() in _SKIPPED:
                    continue
                tail = [w for w in words_of[first:] if w.lower() not in _SKIPPED]
                if len(tail) >= 2:
                    table.setdefault(
                        "".join(w[0] for w in tail).upper(), " ".join(words_of[first:])
                    )
    return table


def expand_acronyms(question: str, table: dict[str, str], known: set[str]) -> str:
    """``question`` with each word the article never uses (``known``: its words, lower
    case) that is the initials of one of its names replaced by that name.

    >>> expand_acronyms("What did the WSJ say?", {"WSJ": "Wall Street Journal"}, set())
    'What did the Wall Street Journal say?'
    """

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if not _ACRONYM.match(word) or word.lower() in known:
            return word
        return table.get(word.upper(), word)

    return re.sub(r"\b[A-Za-z]+\b", replace, question)


def vocabulary(texts: list[str]) -> set[str]:
    """Every word of ``texts``, lower case."""
    return {w.lower() for text in texts for w in words(text)}

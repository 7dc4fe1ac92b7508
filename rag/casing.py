"""Names typed in lower case, read as the article writes them.

Users type "who is joe tsai". The rules that find names go by capital letters (a
person is two or more capitalised words), so "joe tsai" was no name, and the
question was not a "Who is X?". A word the article only ever writes with a
capital, and writes so inside a sentence at least once (not just where a sentence
opens, as "Since" or "Last"), is a name there; the question's all-lower-case
spelling of it takes the article's. The embedding is uncased and BM25 lower-cases,
so only the rules see the difference.
"""

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# What may come just before a sentence's first word: nothing, a line break, an end
# mark, or an opening quotation mark.
_OPENS = re.compile(r"(?:^|\n|[.!?:;]['\"”’)]*|['\"“‘(])[ \t]*$")


def name_casing(texts: list[str]) -> dict[str, str]:
    """Each name's spelling by its lower case: the words ``texts`` always capitalise,
    at least once inside a sentence.

    >>> name_casing(["Since then, Joe Tsai has led. He said since.", "Tsai may go."])
    {'joe': 'Joe', 'tsai': 'Tsai'}
    """
    lower: set[str] = set()
    inside: dict[str, str] = {}
    for text in texts:
        for match in _WORD.finditer(text):
            word = match.group(0)
            if word[0].islower():
                lower.add(word.lower())
            elif not _OPENS.search(text, 0, match.start()):
                inside.setdefault(word.lower(), word)
    return {key: word for key, word in inside.items() if key not in lower}


def truecase(question: str, casing: dict[str, str]) -> str:
    """``question`` with each all-lower-case word that the article spells as a name
    spelled so; words the user capitalised are left as typed.

    >>> truecase("who is joe tsai, and Is he CEO?", {"joe": "Joe", "tsai": "Tsai"})
    'who is Joe Tsai, and Is he CEO?'
    """

    def spelled(match: re.Match[str]) -> str:
        word = match.group(0)
        return casing.get(word, word) if word.islower() else word

    return _WORD.sub(spelled, question)

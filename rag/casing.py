"""Names typed in lower case, read as the article writes them.

Users type "who is joe tsai". The rules that find names go by capital letters (a
person is two or more capitalised words), so "joe tsai" was no name, and the
question was not a "Who is X?". A word the article only ever writes with a
capital, and writes so inside a sentence at least once (not just where a sentence
opens, as "Since" or "Last"), is a name there, and so is a run of capitalised words;
the question's all-lower-case spelling of it takes the article's. The embedding is
uncased and BM25 lower-cases, so only the rules see the difference.
"""

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# What may come just before a sentence's first word: nothing, a line break, an end
# mark, or an opening quotation mark.
_OPENS = re.compile(r"(?:^|\n|[.!?:;]['\"”’)]*|['\"“‘(])[ \t]*$")
# Two or more capitalised words in a row: "Alibaba Asset Management Company".
_RUN = re.compile(r"[A-Z][A-Za-z0-9]*(?: [A-Z][A-Za-z0-9]*)+")


class NameCasing:
    """The articles' spelling of their names, to read a lower-case question by.

    A word counts when the articles always capitalise it, at least once inside a
    sentence; a run of capitalised words ("Alibaba Asset Management Company") counts
    whole, though some of its words ("management") are also written in lower case.
    """

    def __init__(self, texts: list[str]) -> None:
        lower: set[str] = set()
        inside: dict[str, str] = {}
        for text in texts:
            for match in _WORD.finditer(text):
                word = match.group(0)
                if word[0].islower():
                    lower.add(word.lower())
                elif not _OPENS.search(text, 0, match.start()):
                    inside.setdefault(word.lower(), word)
        self.words = {key: word for key, word in inside.items() if key not in lower}
        phrases: dict[str, str] = {}
        for text in texts:
            for match in _RUN.finditer(text):
                words = match.group(0).split()
                if _OPENS.search(text, 0, match.start()) and words[0].lower() in lower:
                    words = words[1:]  # "Since Alibaba Cloud": "since" opens the sentence
                if len(words) > 1:
                    phrase = " ".join(words)
                    phrases.setdefault(phrase.lower(), phrase)
        self.phrases = phrases
        longest_first = sorted(phrases, key=len, reverse=True)
        self._phrase = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b")
            if phrases
            else None
        )

    def apply(self, question: str) -> str:
        """``question`` with each all-lower-case name spelled as the articles spell it;
        words the user capitalised are left as typed.

        >>> casing = NameCasing(["Joe Tsai and Alibaba Asset Management set up a team."])
        >>> casing.apply("who is joe tsai at alibaba asset management? Is he CEO?")
        'who is Joe Tsai at Alibaba Asset Management? Is he CEO?'
        """
        if self._phrase is not None:
            question = self._phrase.sub(lambda m: self.phrases[m.group(0)], question)

        def spelled(match: re.Match[str]) -> str:
            word = match.group(0)
            return self.words.get(word, word) if word.islower() else word

        return _WORD.sub(spelled, question)

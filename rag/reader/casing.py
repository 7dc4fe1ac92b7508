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

from rag.terms import STOP_WORDS

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# What may come just before a sentence's first word: nothing, an end mark, or an
# opening quotation mark. Only the few characters before a word are looked at.
_OPENS = re.compile(r"(?:^|[.!?:;]['\"”’)]*|['\"“‘(])[ \t]*$")
_LOOKBACK = 8
# Two or more capitalised words in a row: "Alibaba Asset Management Company".
_RUN = re.compile(r"[A-Z][A-Za-z0-9]*(?: [A-Z][A-Za-z0-9]*)+")
# A line of prose ends with an end mark; a headline or heading ("Acme Posts Record
# Profit As Express Unit Grows") capitalises ordinary words, and says nothing of names.
_PROSE = re.compile(r"[.!?:;,'\"”’)\]]\s*$")


def _lines(texts: list[str]) -> list[str]:
    return [line for text in texts for line in text.splitlines() if line.strip()]


def _opens(line: str, start: int) -> bool:
    return bool(_OPENS.search(line, max(0, start - _LOOKBACK), start))


class NameCasing:
    """The articles' spelling of their names, to read a lower-case question by.

    A word counts when the articles always capitalise it, at least once inside a
    sentence of prose (not a stop word or a single letter); a run of capitalised
    words ("Alibaba Asset Management Company") counts whole, though some of its words
    ("management") are also written in lower case.
    """

    def __init__(self, texts: list[str]) -> None:
        lines = _lines(texts)
        prose = [line for line in lines if _PROSE.search(line)]
        lower = {w.lower() for line in lines for w in _WORD.findall(line) if w[0].islower()}
        inside: dict[str, str] = {}
        phrases: dict[str, str] = {}
        for line in prose:
            for match in _WORD.finditer(line):
                word = match.group(0)
                if word[0].isupper() and not _opens(line, match.start()):
                    inside.setdefault(word.lower(), word)
            for match in _RUN.finditer(line):
                words = match.group(0).split()
                if _opens(line, match.start()) and words[0].lower() in lower:
                    words = words[1:]  # "Since Alibaba Cloud": "since" opens the sentence
                if len(words) > 1:
                    phrases.setdefault(" ".join(words).lower(), " ".join(words))
        self.words = {
            key: word
            for key, word in inside.items()
            if key not in lower and key not in STOP_WORDS and len(key) > 1
        }
        self.phrases = phrases
        longest_first = sorted(phrases, key=len, reverse=True)
        self._phrase = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b", re.I)
            if phrases
            else None
        )

    def apply(self, question: str) -> str:
        """``question`` with each all-lower-case name, or all-lower-case word of a name,
        spelled as the articles spell it; words the user capitalised are left as typed.

        >>> casing = NameCasing(["Joe Tsai and Alibaba Asset Management set up a team."])
        >>> casing.apply("who is joe tsai at Alibaba asset management? Is he CEO?")
        'who is Joe Tsai at Alibaba Asset Management? Is he CEO?'
        """

        def phrase(match: re.Match[str]) -> str:
            typed = match.group(0).split(" ")
            spelled = self.phrases[match.group(0).lower()].split(" ")
            return " ".join(s if t.islower() else t for t, s in zip(typed, spelled, strict=True))

        def word(match: re.Match[str]) -> str:
            typed = match.group(0)
            return self.words.get(typed, typed) if typed.islower() else typed

        if self._phrase is not None:
            question = self._phrase.sub(phrase, question)
        return _WORD.sub(word, question)

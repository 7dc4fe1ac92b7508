"""Content terms of a text: lower-cased, stop words dropped, Snowball-stemmed.

Used for lexical overlap when choosing sentences and for the abstention check
("are the question's key terms in the evidence at all?").
"""

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'’-][A-Za-z0-9]+)*")
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves according article say says said tell told give gives given much many
    did does do get got make made way ways kind sort exactly currently now also really
    besides apart rather per happen happens happened happening occur occurs occurred""".split()
)

MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)


@lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - PyStemmer has no type hints
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem of a lower-case word, e.g. "losses" -> "loss"."""
    return _stemmer().stemWord(word)


def words(text: str) -> list[str]:
    """Word tokens in order, e.g. "Alibaba's JD.com" -> ["Alibaba's", "JD.com"]."""
    return _WORD.findall(text)


def comparable(word: str) -> bool:
    """Whether a lower-case word is compared by meaning ("deals" ~ "transactions"): a
    word of letters longer than two, e.g. "deals" yes, "of" and "jd.com" no."""
    return word.isalpha() and len(word) > 2


def comparable_words(texts: Iterable[str]) -> list[str]:
    """Every word of ``texts`` the scorer may compare by meaning, lower case, sorted.

    >>> comparable_words(["Deals of JD.com", "deals"])
    ['deals']
    """
    return sorted({w for text in texts for w in map(str.lower, words(text)) if comparable(w)})


def _term(lower: str) -> str | None:
    if lower in STOP_WORDS or len(lower) < 2 and not lower.isdigit():
        return None
    return stem(lower)


def content_terms(text: str) -> list[str]:
    """Stemmed, lower-cased words of ``text`` without stop words (order kept, repeats kept).

    A hyphenated word also gives its parts, so "spinning it off" meets "spin-off":

    >>> content_terms("a complete spin-off")
    ['complet', 'spin-off', 'spin']
    """
    out = []
    for word in words(text):
        lower = word.lower().replace("’", "'")
        if lower.endswith("'s"):
            lower = lower[:-2]
        parts = [lower, *lower.split("-")] if "-" in lower else [lower]
        out.extend(term for term in map(_term, parts) if term is not None)
    return out


class TermWeights:
    """Inverse document frequency of terms over a set of passages."""

    def __init__(self, passages: Iterable[str]) -> None:
        frequency: Counter[str] = Counter()
        count = 0
        for passage in passages:
            count += 1
            frequency.update(set(content_terms(passage)))
        self._frequency = frequency
        self._count = max(count, 1)

    def known(self, term: str) -> bool:
        """Whether ``term`` occurs anywhere in the passages."""
        return term in self._frequency

    def idf(self, term: str) -> float:
        """Smoothed IDF; unseen terms get the highest weight."""
        return math.log((self._count + 1) / (self._frequency.get(term, 0) + 0.5))

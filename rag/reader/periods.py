"""Reporting periods: a figure asked for one quarter is not answered by another's.

Financial news gives figures per period ("a loss of 643 million yuan in the
first half of the year, and ... 3.89 billion yuan in the third quarter"). A
question about a period the article does not cover ("the third quarter" of a
company whose first half alone is given) must not be answered with the
neighbouring clause's figure. Quarters, halves and years are compared; a
clause that names no period is taken to fit any.
"""

import re

_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4"}
_ORDINALS.update({"1st": "1", "2nd": "2", "3rd": "3", "4th": "4"})
_QUARTER = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter\b|\bq([1-4])\b")
_HALF = re.compile(r"\b(first|second|1st|2nd)[\s-]+half\b|\bh([12])\b")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
# Where a sentence joins two statements, each with its own figures.
_CLAUSE_BREAK = re.compile(r",\s*(?:and|while|whereas|but)\s+|;\s*", re.I)
_NAME_WORD = re.compile(r"(?<!^)\b[A-Z][A-Za-z]+")


def periods(text: str) -> set[str]:
    """The periods ``text`` names, e.g. "in the third quarter of 2023" -> {"q3", "2023"}."""
    lower = text.lower()
    found = {f"q{_ORDINALS.get(a, b)}" for a, b in _QUARTER.findall(lower)}
    found |= {f"h{_ORDINALS.get(a, b)}" for a, b in _HALF.findall(lower)}
    return found | set(_YEAR.findall(lower))


def clauses(sentence: str) -> list[str]:
    """The statements a sentence joins with ", and", ", while", ";" ..."""
    return [part for part in _CLAUSE_BREAK.split(sentence) if part.strip()]


def fits_period(sentence: str, question: str, holds: re.Pattern[str]) -> bool:
    """Whether ``sentence`` has a clause that ``holds`` the wanted answer for the period
    ``question`` asks about (always, when it asks about none).

    When a clause names one of the question's names ("Kuaidog"), only such clauses
    count: the figure next to another company's name is that company's.

    >>> loss = re.compile(r"\\d+ million")
    >>> s = "Kuaidog lost 643 million in the first half, and Xpeng lost 389 million in Q3."
    >>> fits_period(s, "How much did Kuaidog lose in the third quarter?", loss)
    False
    >>> fits_period(s, "How much did Xpeng lose in the third quarter?", loss)
    True
    """
    asked = periods(question)
    if not asked:
        return True
    names = {word.lower() for word in _NAME_WORD.findall(question.strip())}
    parts = clauses(sentence)
    about = [p for p in parts if names & {w.lower() for w in re.findall(r"[A-Za-z]+", p)}]
    return any(
        holds.search(part) and (not periods(part) or periods(part) & asked)
        for part in (about or parts)
    )

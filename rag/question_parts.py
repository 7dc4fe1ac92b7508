"""Split a question that asks two things into its parts.

"How many shares will it sell, and how big was its loss?" asks two things whose
answers may sit paragraphs apart; the whole question's embedding lands between
them and finds one. Each part is answered on its own and the answers joined. A
statement before the questions ("It plans a sale: how many shares ...") is
context every part keeps.
"""

import re

from rag.answer_types import OPENING
from rag.terms import content_terms

_ASKS = (
    r"(?:what|who|whom|whose|how|where|when|why|which|did|does|do|is|are|was|were|could|can"
    r"|will|would|has|have|had)\b"
)
# Where a new question starts: after "?", ";", ":" or ", and"/" and" before a question word.
_BOUNDARY = re.compile(rf"(?:\?\s+|;\s*|:\s*|,?\s+(?:and|but|or)\s+)(?={_ASKS})", re.I)
_QUESTION = re.compile(rf"^(?:and |but |so |also )?{_ASKS}", re.I)
# A part with fewer content terms than this is too vague to search for ("and why?").
MIN_PART_TERMS = 2
# A part this short is a question word and maybe a verb whose rest is in the other part:
# "When and why did it sell?", "Who wrote and who edited this piece?".
MAX_ELLIPTIC_WORDS = 2


def question_parts(question: str) -> list[str]:
    """The separate questions in ``question`` specific enough to search for on
    their own, or [] when it asks one thing.

    >>> question_parts("How many shares will it sell, and how big was its loss?")
    ['How many shares will it sell', 'how big was its loss?']
    """
    pieces = [p.strip(" ,;:") for p in _BOUNDARY.split(question) if p.strip(" ,;:")]
    context = ""
    opening = OPENING.match(pieces[0]) if pieces else None
    if opening and _QUESTION.match(pieces[0][opening.end() :]):
        # "In the employee's view, what did it lose, and why ...?": the opening phrase
        # frames every part.
        pieces = [pieces[0], *(opening.group(0) + p for p in pieces[1:])]
    elif pieces and not _QUESTION.match(pieces[0]):
        context, pieces = pieces[0], pieces[1:]
    if len(pieces) < 2:
        return []
    pieces = [_completed(p, pieces) for p in pieces]
    parts = [f"{context}: {p}" if context else p for p in pieces]
    return [p for p in parts if len(content_terms(p)) >= MIN_PART_TERMS]


def _completed(piece: str, pieces: list[str]) -> str:
    """``piece`` with the words it leaves to its neighbour: "When" before "why did it
    sell?" is "When did it sell?", "Who wrote" before "who edited this piece?" is
    "Who wrote this piece?", and "when" after "What did it sell" is "when did it sell".

    >>> _completed("Who wrote", ["Who wrote", "who edited this piece?"])
    'Who wrote this piece?'
    """
    size = len(piece.split())
    if size > MAX_ELLIPTIC_WORDS or len(content_terms(piece)) >= MIN_PART_TERMS:
        return piece
    here = pieces.index(piece)
    for other in [*pieces[here + 1 :], *reversed(pieces[:here])]:
        whole = " ".join([piece.rstrip("?"), *other.split()[size:]])
        if len(content_terms(whole)) >= MIN_PART_TERMS:
            return whole
    return piece

"""Split a question that asks two things into its parts.

"How many shares will it sell, and how big was its loss?" asks two things whose
answers may sit paragraphs apart; the whole question's embedding lands between
them and finds one. Each part is answered on its own and the answers joined. A
statement before the questions ("It plans a sale: how many shares ...") is
context every part keeps.
"""

import re

from rag.reader.answer_types import OPENING
from rag.terms import content_terms

_ASKS = (
    r"(?:what|who|whom|whose|how|where|when|why|which|did|does|do|is|are|was|were|could|can"
    r"|will|would|has|have|had)\b"
)
# Where a new question starts: after "?", ";", ":" or ", and"/" and" before a question word.
_BOUNDARY = re.compile(rf"(?:\?\s+|;\s*|:\s*|,?\s+(?:and|but|or)\s+)(?={_ASKS})", re.I)
# A connective a question may open with ("and why ...?").
_LEAD = r"^(?:and |but |so |also )?"
_QUESTION = re.compile(rf"{_LEAD}{_ASKS}", re.I)
# A part with fewer content terms than this is too vague to search for ("and why?").
MIN_PART_TERMS = 2
_WH = r"(?:what|who|whom|whose|how|where|when|why|which)"
_AUXILIARY = r"(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should)"
# A part that leaves its rest to its neighbour: a question word alone ("When and why did
# it sell?") or with its verb ("Who wrote and who edited this piece?") ...
_BARE = re.compile(rf"{_LEAD}{_WH}\??$", re.I)
_WITH_VERB = re.compile(rf"{_LEAD}{_WH} (?!{_AUXILIARY}\b)[a-z]+\??$", re.I)
# ... and the neighbour of the same shape, whose rest it takes.
_REST_AFTER_AUXILIARY = re.compile(rf"{_LEAD}{_WH} ({_AUXILIARY} .+)$", re.I)
_REST_AFTER_VERB = re.compile(rf"{_LEAD}{_WH} (?!{_AUXILIARY}\b)[a-z]+ (.+)$", re.I)


def question_parts(question: str) -> list[str]:
    """The separate questions in ``question`` specific enough to search for on
    their own, or [] when it asks one thing.

    >>> question_parts("How many shares will it sell, and how big was its loss?")
    ['How many shares will it sell', 'how big was its loss?']
    """
    pieces = [p.strip(" ,;:") for p in _BOUNDARY.split(question) if p.strip(" ,;:")]
    context = frame = ""
    opening = OPENING.match(pieces[0]) if pieces else None
    if opening and _QUESTION.match(pieces[0][opening.end() :]):
        # "In the employee's view, what did it lose, and why ...?": the opening phrase
        # frames every part.
        frame, pieces[0] = opening.group(0), pieces[0][opening.end() :]
    elif pieces and not _QUESTION.match(pieces[0]):
        context, pieces = pieces[0], pieces[1:]
    if len(pieces) < 2:
        return []
    pieces = [frame + _completed(i, pieces) for i in range(len(pieces))]
    parts = [f"{context}: {p}" if context else p for p in pieces]
    return [p for p in parts if len(content_terms(p)) >= MIN_PART_TERMS]


def _completed(index: int, pieces: list[str]) -> str:
    """The piece at ``index`` with the words it leaves to a neighbour of its shape:
    "When" before "why did it sell?" is "When did it sell?", "Who wrote" before "who
    edited this piece?" is "Who wrote this piece?". "Who left" before "why did he
    quit?" is left as it is: they share no rest.

    >>> _completed(1, ["What did Alibaba sell", "when"])
    'when did Alibaba sell'
    """
    piece = pieces[index]
    if _BARE.match(piece):
        shape = _REST_AFTER_AUXILIARY
    elif _WITH_VERB.match(piece):
        shape = _REST_AFTER_VERB
    else:
        return piece
    for other in [*pieces[index + 1 :], *reversed(pieces[:index])]:
        match = shape.match(other)
        if match:
            return f"{piece.rstrip('?')} {match.group(1)}"
    return piece

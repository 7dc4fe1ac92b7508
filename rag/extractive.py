"""The offline answerer: the article's own best sentences, each cited.

The best-scoring sentence answers. A runner-up close behind joins only when it
covers a real share of the question the answer does not cover yet (a list that
runs over two sentences, a two-part question). A sentence that opens with a
pronoun ("She will assist ...") brings the sentence before it, so the answer
says who "she" is. When the question wants a particular kind of answer (a
date, an amount, a number), only sentences that hold one may answer it.
Sentences are quoted verbatim, so every citation is exact by construction, and
nothing is paraphrased: an extractive answer cannot invent.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.answer_types import PERSON
from rag.scoring import Candidate, Question, weighted_share
from rag.terms import TermWeights

# A runner-up may join the answer when it scores within this margin of the best...
JOIN_MARGIN = 0.1
# ... and covers at least this IDF-weighted share of the question not yet covered.
MIN_NEW_COVERAGE = 0.05
MAX_SENTENCES = 3
# A sentence with the wanted answer kind may answer when this close to the best.
TYPE_MARGIN = 0.2
# A pronoun subject, possibly after a short opening phrase ("In June, he took ...").
_LEANS_BACK = re.compile(
    r"^[\"“]?([^,.;]{0,30},\s*)?(he|she|it|they|this|these|that|those|his|her|its|their|both"
    r"|such)\b",
    re.I,
)
# How far back the answer may reach to say who a pronoun is.
MAX_LOOKBACK = 2


@dataclass(frozen=True)
class Selection:
    """The chosen sentences, in reading order, or why there are none."""

    sentences: tuple[Candidate, ...]
    reason: str = ""


def leans_back(sentence: str) -> bool:
    """Whether a sentence needs the one before it, e.g. "She will assist ..." -> True."""
    return bool(_LEANS_BACK.match(sentence))


def choose_sentences(
    question: Question,
    candidates: list[Candidate],
    weights: TermWeights,
    previous: Callable[[Candidate], Candidate | None] = lambda c: None,
) -> Selection:
    """Pick the answer sentences from scored candidates."""
    if not candidates:
        return Selection((), "nothing was retrieved")
    ranked = sorted(candidates, key=lambda c: -c.score)
    best = ranked[0]
    if question.kind is not None and question.kind != PERSON:
        typed = [c for c in ranked if c.typed]
        if not typed or typed[0].score < best.score - TYPE_MARGIN:
            return Selection((), f"no passage gives a {question.kind}")
        best = typed[0]
    chosen = [best]
    wanted = set(question.terms)
    covered = set(best.terms)
    for candidate in ranked:
        if len(chosen) == MAX_SENTENCES or candidate.score < best.score - JOIN_MARGIN:
            break
        if candidate in chosen:
            continue
        gain = weighted_share(wanted, (candidate.terms & wanted) - covered, weights)
        if gain >= MIN_NEW_COVERAGE:
            chosen.append(candidate)
            covered |= candidate.terms
    for candidate in list(chosen):
        current = candidate
        for _ in range(MAX_LOOKBACK):
            before = previous(current) if leans_back(current.text) else None
            if before is None or before in chosen:
                break
            chosen.append(before)
            current = before
    return Selection(tuple(sorted(chosen, key=lambda c: (c.source, c.start))))

"""The offline answerer: the sentences the reader's model reads as answering, each cited.

The model (``rag.encoders.reader``) has read the retrieved sentences with the
question; the one it reads as answering best is the answer. A runner-up it reads
nearly as well joins it (a list that runs over two sentences, a two-part
question). A sentence that opens with a pronoun ("She will assist ...") or whose
subject points back ("The common point between them ...") brings the sentence
before it, so the answer says who "she" or "they" are; when the next sentence
carries on the best one ("However, ...", "She will ..."), it comes too: a
statement that runs over two sentences is answered whole. Sentences are quoted
verbatim, so every citation is exact by construction, and nothing is
paraphrased: an extractive answer cannot invent.

What the model replaced (measured in docs/reader.md): rules that let only a
sentence holding the wanted kind of answer answer, that preferred a close
sentence naming the asked role, speaker or attribute, and that split two-part
questions. The article's credit line still answers "Who wrote this?": that is
about the article, not in its text, and no question the model was trained on
asks it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.reader.credits import CREDIT_KINDS
from rag.reader.scoring import Candidate, Question, weighted_share
from rag.terms import TermWeights

MAX_SENTENCES = 3
# An article's credit lines: its author's and its editor's.
MAX_CREDITS = 2
# A pronoun subject, possibly after a short opening phrase ("In June, he took ...").
_LEANS_BACK = re.compile(
    r"^[\"“]?([^,.;]{0,30},\s*)?(he|she|it|they|this|these|that|those|his|her|its|their|both"
    r"|such)\b",
    re.I,
)
# A subject that points back: "The common point between them is ...", "The reasons for
# this are ...".
_POINTS_BACK = re.compile(
    r"^[\"“]?(\w+\s+){1,4}(between|of|among|for|to|with|from)\s+(them|it|him|her|this|that|these"
    r"|those)\b",
    re.I,
)
# How far back the answer may reach to say who a pronoun is.
MAX_LOOKBACK = 2
# How many sentences that carry on a chosen one may follow it ...
MAX_LOOKAHEAD = 2
# ... and how many more of a quotation it opens.
MAX_QUOTE_SENTENCES = 5
# Openings that carry on the sentence before: a pronoun (above) or a connective.
_CONNECTIVE = re.compile(
    r"^[\"“]?(however|moreover|furthermore|besides|also|but|yet|still|therefore|thus|hence"
    r"|in addition|as a result|meanwhile|instead|otherwise)\b",
    re.I,
)


@dataclass(frozen=True)
class Selection:
    """The chosen sentences, in reading order, or why there are none."""

    sentences: tuple[Candidate, ...]
    reason: str = ""


def leans_back(sentence: str) -> bool:
    """Whether a sentence needs the one before it, e.g. "She will assist ..." -> True."""
    return bool(_LEANS_BACK.match(sentence) or _POINTS_BACK.match(sentence))


def leaning_pronoun(sentence: str) -> tuple[int, int] | None:
    """Where the personal pronoun a sentence leans back with is, if it leans with one.

    >>> leaning_pronoun("In June, he left.")
    (9, 11)
    """
    match = _LEANS_BACK.match(sentence)
    if match is None or match.group(2).lower() not in ("he", "she", "his", "her"):
        return None
    return match.span(2)


def continues(sentence: str) -> bool:
    """Whether a sentence carries on the one before, e.g. "However, it may sell." -> True.

    A sentence that opens a quotation counts too: in news text it gives the
    words of the speaker the sentence before introduced.
    """
    return leans_back(sentence) or bool(_CONNECTIVE.match(sentence)) or sentence[:1] in ('"', "“")


def opens_quote(sentence: str) -> bool:
    """Whether a quotation opened in ``sentence`` is still open at its end.

    >>> opens_quote('He said: "We will sell.')
    True
    """
    curly = sentence.count("“") > sentence.count("”")
    return curly or sentence.count('"') % 2 == 1


# A runner-up the model reads as answering this close to the best joins it when it
# covers this IDF-weighted share of the question the answer has not covered yet (suite,
# bench/reader_sweep.py: margin 0.2 alone 172 correct of 228 at citation precision
# 0.733; with the coverage rule 169 at 0.800; docs/reader.md).
READING_MARGIN = 0.3
JOIN_COVERAGE = 0.07


def choose_sentences(
    question: Question,
    candidates: list[Candidate],
    weights: TermWeights,
    previous: Callable[[Candidate], Candidate | None] = lambda c: None,
    following: Callable[[Candidate], Candidate | None] = lambda c: None,
) -> Selection:
    """Pick the answer sentences from the read candidates.

    ``previous`` and ``following`` give a sentence's neighbours in its paragraph."""
    if question.kind in CREDIT_KINDS:
        # The credit line answers however far it is: it is about the article itself.
        # Without one, the question is answered like any other "who".
        credits = sorted((c for c in candidates if c.typed), key=lambda c: -c.score)
        if credits:
            chosen = credits[:MAX_CREDITS]
            return Selection(tuple(sorted(chosen, key=lambda c: (c.source, c.start))))
    read = [c for c in candidates if c.reading is not None]
    if not read:
        return Selection((), "nothing was retrieved")
    ranked = sorted(read, key=lambda c: (-_wanted(c), -c.score))
    best = ranked[0]
    chosen = [best]
    floor = _wanted(best) - READING_MARGIN
    wanted, covered = set(question.terms), set(best.terms)
    for candidate in ranked[1:]:
        if len(chosen) == MAX_SENTENCES or _wanted(candidate) < floor:
            break
        if candidate.repeat_penalty:
            continue  # a follow-up's previous answer is not given again
        # A runner-up must also bring some of the question the answer has not covered.
        gain = weighted_share(wanted, (candidate.terms & wanted) - covered, weights)
        if gain >= JOIN_COVERAGE:
            chosen.append(candidate)
            covered |= candidate.terms
    # Only the best sentence's: a runner-up joined for one more term rarely needs its
    # next sentence (measured: citation precision +0.008/+0.011, facts unchanged).
    _carry_on(chosen, best, following)
    _extend(
        chosen,
        previous,
        # A known "he" is said in brackets ("he [Joe Tsai]"), not by quoting who he is.
        lambda current, before: leans_back(current.text) and current.antecedent is None,
        MAX_LOOKBACK,
    )
    unique = {c.key: c for c in reversed(chosen)}
    return Selection(tuple(sorted(unique.values(), key=lambda c: (c.source, c.start))))


def _wanted(candidate: Candidate) -> float:
    """How likely the sentence answers, less a follow-up's penalty for repeating the
    previous answer ("and what about Michigan?" after Nevada's figure)."""
    return (candidate.reading or 0.0) - candidate.repeat_penalty


def _carry_on(
    chosen: list[Candidate],
    best: Candidate,
    following: Callable[[Candidate], Candidate | None],
) -> None:
    """Add the sentences after ``best`` that carry its statement on: those that open
    with a pronoun or a connective (up to MAX_LOOKAHEAD), and the rest of a quotation
    it opens (up to MAX_QUOTE_SENTENCES: a speaker's words are answered whole)."""
    current, quoted, added = best, opens_quote(best.text), 0
    while (after := following(current)) is not None and after.key != current.key:
        if after not in chosen:
            limit = MAX_QUOTE_SENTENCES if quoted else MAX_LOOKAHEAD
            if added >= limit or not (quoted or continues(after.text)):
                return
            chosen.append(after)
            added += 1
        quoted = quoted != opens_quote(after.text)  # a quotation mark opens or closes
        current = after


def _extend(
    chosen: list[Candidate],
    step: Callable[[Candidate], Candidate | None],
    belongs: Callable[[Candidate, Candidate], bool],
    limit: int,
) -> None:
    """From each chosen sentence, follow ``step`` up to ``limit`` times while the
    neighbour ``belongs`` with the current one; neighbours join ``chosen``."""
    for candidate in list(chosen):
        current = candidate
        for _ in range(limit):
            neighbour = step(current)
            if neighbour is None or neighbour in chosen or not belongs(current, neighbour):
                break
            chosen.append(neighbour)
            current = neighbour

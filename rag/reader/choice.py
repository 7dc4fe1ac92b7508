"""The offline answerer: the article's own best sentences, each cited.

The best-scoring sentence answers. A runner-up close behind joins only when it
covers a real share of the question the answer does not cover yet (a list that
runs over two sentences, a two-part question). A sentence that opens with a
pronoun ("She will assist ...") or whose subject points back ("The common
point between them ...") brings the sentence before it, so the answer says
who "she" or "they" are. When the question wants a particular kind of answer (a
date, an amount, a number), only sentences that hold one may answer it (and
join it), and when the question names its subject in the article's words
("Alibaba Asset Management Company"), only those that name it too. When
the next sentence carries on the best one ("However, ...", "She will ..."), it
comes too: a statement that runs over two sentences is answered whole
(measured: +0.07 fact accuracy on both gold sets, citation precision unchanged,
whatever the continuation's own score). Sentences are quoted verbatim, so every
citation is exact by construction, and nothing is paraphrased: an extractive
answer cannot invent.
"""

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.reader.answer_types import DATE, IDENTITY, PERSON, SOFT_KINDS
from rag.reader.credits import CREDIT_KINDS
from rag.reader.discourse import states, statements
from rag.reader.people import entity_names
from rag.reader.roles import states_role
from rag.reader.scoring import Candidate, Question, weighted_share
from rag.reader.speakers import asks_speaker, speaker_named
from rag.terms import MONTHS, TermWeights

# A runner-up may join the answer when it scores within this margin of the best...
JOIN_MARGIN = 0.1
# ... and covers at least this IDF-weighted share of the question not yet covered
# (bench/sweep.py, gold: 0.05 / 0.07 / 0.08 / 0.10 -> citation precision 0.894 / 0.907 /
# 0.907 / 0.913, fact accuracy 0.889 / 0.889 / 0.889 / 0.875; held-out and probe unchanged).
MIN_NEW_COVERAGE = 0.07
MAX_SENTENCES = 3
# A sentence with the wanted answer kind may answer when this close to the best.
TYPE_MARGIN = 0.2
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
# An opening phrase that dates what follows: "In December,", "Last month,".
_TIME_WORDS = re.compile(
    rf"\b({MONTHS}|\d{{4}}|day|week|month|quarter|year|today|yesterday|recently|earlier|later"
    r"|afterwards)\b",
    re.I,
)
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


def choose_sentences(
    question: Question,
    candidates: list[Candidate],
    weights: TermWeights,
    previous: Callable[[Candidate], Candidate | None] = lambda c: None,
    following: Callable[[Candidate], Candidate | None] = lambda c: None,
    below: Callable[[Candidate], Candidate | None] = lambda c: None,
) -> Selection:
    """Pick the answer sentences from scored candidates.

    ``previous`` and ``following`` give a sentence's neighbours in its paragraph,
    ``below`` the next sentence in the article (across line breaks)."""
    if not candidates:
        return Selection((), "nothing was retrieved")
    ranked = sorted(candidates, key=lambda c: -c.score)
    best = ranked[0]
    if question.kind in CREDIT_KINDS:
        # The credit line answers however far it is: it is about the article itself.
        # Without one, the question is answered like any other "who".
        credits = [c for c in ranked if c.typed][:MAX_CREDITS]
        if credits:
            return Selection(tuple(sorted(credits, key=lambda c: (c.source, c.start))))
    if MODEL_CHOICE:
        return choose_by_reading(candidates, previous, following)
    if question.kind not in CREDIT_KINDS:
        # A heading or a question line is answered by the line under it (discourse.py).
        ranked = sorted(statements(candidates, below), key=lambda c: -c.score)
        if not ranked:
            return Selection((), "no retrieved line states anything")
        best = ranked[0]
    if question.kind is not None and question.kind not in SOFT_KINDS:
        subjects = _subjects(question, ranked)
        typed = [c for c in ranked if c.typed and _names_any(subjects, c, previous)]
        if not typed or typed[0].score < best.score - TYPE_MARGIN:
            return Selection((), f"no passage gives a {question.kind}")
        best = typed[0]
    if question.kind == PERSON and not best.typed:
        # "Who started it?": a close sentence nearer in meaning that names someone new
        # answers, not one that scored higher on the question's words and names nobody new.
        best = _close_one(best, ranked, lambda c: c.typed and c.similarity > best.similarity)
    role = question.role if question.kind == PERSON else None
    if role is not None and not states_role(best.text, *role):
        # "Who is the chairman of Alibaba?": a close sentence that says so for Alibaba
        # answers, not "Chairman and CEO of Alibaba Cloud".
        best = _close_one(best, ranked, lambda c: states_role(c.text, *role))
    if question.kind == PERSON and asks_speaker(question.text):
        # "Who is quoted from Disney?": a close sentence that says who speaks answers.
        best = _close_one(best, ranked, lambda c: speaker_named(c.text, question.text))
    if question.kind == IDENTITY and not best.typed:
        # "Who is X?": a close sentence that says what X is answers, not a closer one
        # that only names X (a quotation opening with X's nickname).
        best = _close_one(best, ranked, lambda c: c.typed)
    if question.focus is not None and not best.named:
        # "What is A's title?": a close sentence that names a title answers, not the best
        # one about A that names none (the abstention check refuses when none does).
        fits = question.kind is None or question.kind in SOFT_KINDS
        best = _close_one(best, ranked, lambda c: c.named and (fits or c.typed))
    chosen = [best]
    # A question that wants a date or a figure is answered by sentences that give one.
    hard = question.kind is not None and question.kind not in SOFT_KINDS
    wanted = set(question.terms)
    covered = set(best.terms)
    for candidate in ranked:
        if len(chosen) == MAX_SENTENCES or candidate.score < best.score - JOIN_MARGIN:
            break
        # A runner-up must give what the best had to: the wanted kind, the asked attribute.
        if candidate in chosen or (hard and not candidate.typed) or not candidate.named:
            continue
        gain = weighted_share(wanted, (candidate.terms & wanted) - covered, weights)
        if gain >= MIN_NEW_COVERAGE:
            chosen.append(candidate)
            covered |= candidate.terms
    # Only the best sentence's: a runner-up joined for one more term rarely needs its
    # next sentence (measured: citation precision +0.008/+0.011, facts unchanged).
    _carry_on(chosen, best, following, dated=question.kind == DATE)
    _extend(
        chosen,
        previous,
        # A known "he" is said in brackets ("he [Joe Tsai]"), not by quoting who he is.
        lambda current, before: leans_back(current.text) and current.antecedent is None,
        MAX_LOOKBACK,
    )
    # A line under a heading is chosen with its lifted score and may be reached again
    # as a neighbour with its own: one of each sentence.
    unique = {c.key: c for c in reversed(chosen)}
    return Selection(tuple(sorted(unique.values(), key=lambda c: (c.source, c.start))))


# The model chooses alone (sweep: bench/reader_sweep.py), the rules above left out.
MODEL_CHOICE = False
# A runner-up the model reads as answering, this close to the best and at least this
# likely to answer, joins it.
READING_MARGIN = 0.2
JOIN_READING = 0.0
# Only lines that state something answer (a heading or a question line is context).
STATING_ONLY = False


def choose_by_reading(
    candidates: list[Candidate],
    previous: Callable[[Candidate], Candidate | None] = lambda c: None,
    following: Callable[[Candidate], Candidate | None] = lambda c: None,
) -> Selection:
    """The sentence the model reads as answering best, with the runners-up it reads
    nearly as well (up to MAX_SENTENCES), the sentence a pronoun leans on, and the
    sentences that carry the best one on."""
    read = [
        c for c in candidates if c.reading is not None and (states(c.text) or not STATING_ONLY)
    ]
    if not read:
        return Selection((), "nothing was retrieved")
    ranked = sorted(read, key=lambda c: (-(c.reading or 0.0), -c.score))
    best = ranked[0]
    chosen = [best]
    floor = max((best.reading or 0.0) - READING_MARGIN, JOIN_READING)
    for candidate in ranked[1:MAX_SENTENCES]:
        if (candidate.reading or 0.0) >= floor:
            chosen.append(candidate)
    _carry_on(chosen, best, following)
    _extend(
        chosen,
        previous,
        lambda current, before: leans_back(current.text) and current.antecedent is None,
        MAX_LOOKBACK,
    )
    unique = {c.key: c for c in reversed(chosen)}
    return Selection(tuple(sorted(unique.values(), key=lambda c: (c.source, c.start))))


def _close_one(
    best: Candidate, ranked: list[Candidate], fits: Callable[[Candidate], bool]
) -> Candidate:
    """The best-scored candidate that ``fits``, when within TYPE_MARGIN of ``best``;
    otherwise ``best``."""
    # ``ranked`` is best first, so nothing past the margin is asked whether it fits
    # (a check may embed words: every candidate was checked before a refusal).
    close = itertools.takewhile(lambda c: c.score >= best.score - TYPE_MARGIN, ranked)
    return next((c for c in close if fits(c)), best)


def _carry_on(
    chosen: list[Candidate],
    best: Candidate,
    following: Callable[[Candidate], Candidate | None],
    dated: bool = False,
) -> None:
    """Add the sentences after ``best`` that carry its statement on: those that open
    with a pronoun or a connective (up to MAX_LOOKAHEAD), and the rest of a quotation
    it opens (up to MAX_QUOTE_SENTENCES: a speaker's words are answered whole).

    "In December, he took on ..." after "In September, he took over ..." is the next
    event, not more of the same statement: it carries on only a question that wants
    dates (a timeline)."""
    current, quoted, added = best, opens_quote(best.text), 0
    while (after := following(current)) is not None and after.key != current.key:
        if after not in chosen:
            limit = MAX_QUOTE_SENTENCES if quoted else MAX_LOOKAHEAD
            if added >= limit or not (quoted or continues(after.text)):
                return
            if not quoted and not dated and _new_event(after.text):
                return
            chosen.append(after)
            added += 1
        quoted = quoted != opens_quote(after.text)  # a quotation mark opens or closes
        current = after


def _new_event(sentence: str) -> bool:
    """Whether a sentence opens with its own time before its pronoun ("In December, he")."""
    match = _LEANS_BACK.match(sentence)
    return bool(match and match.group(1) and _TIME_WORDS.search(match.group(1)))


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


def _subjects(question: Question, ranked: list[Candidate]) -> list[str]:
    """The question's names of two or more words that the retrieved sentences use
    ("Alibaba Asset Management Company"), lower-cased."""
    names = [n.lower() for n in entity_names(question.text) if " " in n]
    return [n for n in names if any(n in c.text.lower() for c in ranked)]


def _names_any(
    subjects: list[str],
    candidate: Candidate,
    previous: Callable[[Candidate], Candidate | None],
) -> bool:
    """Whether ``candidate`` (or the sentence it leans on) names one of ``subjects``, if
    there are any: a date or a figure elsewhere in the article is another thing's."""
    if not subjects:
        return True
    text = candidate.text
    before = previous(candidate)
    if before is not None and leans_back(text):
        text = before.text + " " + text
    return any(n in text.lower() for n in subjects)

"""Decide whether the chosen evidence answers the question at all.

First the reader's model: the probability it gives the best chosen sentence of
answering the question must reach ``MIN_READING``. Similarity alone cannot tell
(on news text an unanswerable question about the right people and companies is
as close to the article as an answerable one); the model, trained on questions
whose words were swapped so the sentence no longer answers, reads whether the
asked thing is there.

Three hand checks still earn their place on top of it (suite, leave one article
out: 172 correct of 228 with them, 168 without; docs/reader.md): a "who"
question is answered only when the evidence names someone the question does not
("Who chairs the committee?" next to a sentence that only says the committee was
set up); a question about an attribute ("X's title") only when the evidence
names one; and the evidence must be close in meaning or hold every question term.
"""

from dataclasses import dataclass

from rag.reader.answer_types import PERSON, new_names
from rag.reader.credits import CREDIT_KINDS
from rag.reader.people import PERSONAL_PRONOUN, person_names, resolve_pronouns, resolved
from rag.reader.scoring import Candidate, Question, weighted_share
from rag.terms import TermWeights

MIN_SIMILARITY = 0.3
# The reader's probability, for the best chosen sentence, below which the article is
# taken not to say (chosen leave-one-article-out on the suite: bench/reader_sweep.py).
MIN_READING = 0.15
MIN_COVERAGE = 0.0
# Evidence holding every term of the question is about it however far its embedding
# ("What happened on December 20th?" is at cosine 0.14 from "On December 20th, ...").
FULL_COVERAGE = 0.999


@dataclass(frozen=True)
class Verdict:
    """Whether to answer, with the measured coverage and the missing terms."""

    answer: bool
    coverage: float
    similarity: float
    missing: tuple[str, ...]
    # The reader's best probability among the chosen (None: not read, or a credit line).
    reading: float | None = None


def judge(
    question: Question,
    chosen: tuple[Candidate, ...],
    weights: TermWeights,
) -> Verdict:
    """Answer only when the chosen sentences are close, cover the question's terms
    and name the attribute it asks about."""
    present = set().union(*(c.terms for c in chosen)) if chosen else set()
    wanted = set(question.terms)
    coverage = weighted_share(wanted, present, weights)
    similarity = max((c.similarity for c in chosen), default=0.0)
    missing = tuple(t for t in dict.fromkeys(question.terms) if t not in present)
    # Each candidate was checked for the asked attribute when it was scored.
    named = question.focus is None or any(c.named for c in chosen)
    # The article's credit line ("Author: ...") answers "Who wrote this?" in no shared words.
    credited = question.kind in CREDIT_KINDS and any(c.typed for c in chosen)
    if question.kind == PERSON or question.kind in CREDIT_KINDS:
        # "Who chairs X?": evidence that names nobody but the question's own people
        # does not say who; a "him" in the question is whom the evidence's "he" means.
        known = question.text + " " + " ".join(_antecedents(question.text, chosen))
        # A sentence is read saying who its known "he" is, as the scorer typed it.
        named = named and any(new_names(resolved(c.text, c.antecedent), known) for c in chosen)
    # A credit line answers "Who wrote this?" about the article, not in its text: the
    # model, trained on questions about the text, is not asked.
    readings = [c.reading for c in chosen if c.reading is not None and not credited]
    reading = max(readings) if readings else None
    read = reading is None or reading >= MIN_READING
    return Verdict(
        answer=bool(chosen)
        and read
        and named
        and (similarity >= MIN_SIMILARITY or coverage >= FULL_COVERAGE or credited)
        and coverage >= MIN_COVERAGE,
        coverage=coverage,
        similarity=similarity,
        missing=missing,
        reading=reading,
    )


def _antecedents(asked: str, chosen: tuple[Candidate, ...]) -> list[str]:
    """Whom the chosen sentences' "he"/"she" stand for, when the question too says "he"
    or "him" ("Who ran Alibaba Cloud before he took it over?"): not a new name."""
    if not PERSONAL_PRONOUN.search(asked):
        return []
    texts = [c.text for c in sorted(chosen, key=lambda c: (c.source, c.start))]
    found = [c.antecedent.name for c in chosen if c.antecedent is not None]
    for text, reading in zip(texts, resolve_pronouns(texts), strict=True):
        if reading != text:
            own = person_names(text)
            found += [name for name in person_names(reading) if name not in own]
    return found

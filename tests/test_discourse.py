"""Headings, labels and question lines are context for the line under them, not answers."""

from dataclasses import replace

import numpy as np

from rag.reader.choice import choose_sentences
from rag.reader.discourse import answering_line, statements, states
from rag.reader.scoring import Candidate, Question
from rag.terms import TermWeights, content_terms


def _line(text: str, start: int, similarity: float) -> Candidate:
    terms = frozenset(content_terms(text))
    return Candidate("a.txt", start, start + len(text), text, "", similarity, 0.0, False, terms)


ASKED = _line("Why did you move to Lisbon?", 0, 0.9)
LABEL = _line("Answer", 30, 0.2)
REPLY = _line("The rent was half of what I paid before.", 40, 0.4)
OTHER = _line("Lisbon has many hills.", 90, 0.6)
_UNDER = {ASKED.key: LABEL, LABEL.key: REPLY, REPLY.key: OTHER}


def _below(candidate: Candidate) -> Candidate | None:
    return _UNDER.get(candidate.key)


def test_only_statements_answer() -> None:
    assert [states(c.text) for c in (ASKED, LABEL, REPLY)] == [False, False, True]
    assert states("'We will appeal,' the company said.'")
    assert not states("Key findings:")
    assert answering_line(ASKED, _below) is REPLY
    assert answering_line(OTHER, _below) is None


def test_the_line_under_a_question_answers_with_its_similarity() -> None:
    lifted = statements([ASKED, LABEL, REPLY, OTHER], _below)
    assert [c.text for c in lifted] == [REPLY.text, OTHER.text]
    assert lifted[0].similarity == ASKED.similarity and lifted[0].overlap == REPLY.overlap

    question = Question("Why did he move to Lisbon?", ("move", "lisbon"), np.zeros(3), None)
    weights = TermWeights([c.text for c in (ASKED, REPLY, OTHER)])
    chosen = choose_sentences(question, [ASKED, LABEL, REPLY, OTHER], weights, below=_below)
    assert [c.text for c in chosen.sentences] == [REPLY.text]


def test_a_heading_lends_its_meaning_not_its_word_matches() -> None:
    # The heading holds the question's words; the second line under it states them.
    heading = replace(_line("Fortune 500 deployments", 0, 0.7), overlap=0.9)
    first = _line("The company has made inroads into large organizations.", 30, 0.4)
    second = replace(_line("It says 31 percent of the Fortune 500 use it.", 90, 0.45), overlap=0.9)
    under = {heading.key: first, first.key: second}
    lifted = {c.key: c for c in statements([heading, first, second], lambda c: under.get(c.key))}
    assert lifted[first.key].similarity == heading.similarity
    assert lifted[first.key].overlap == first.overlap
    assert lifted[second.key].score > lifted[first.key].score

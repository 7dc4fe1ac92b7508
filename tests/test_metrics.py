"""The evaluation metrics on hand-made cases."""

import pytest

from rag.answer import Answer, Citation, Passage
from rag.errors import RagError
from rag.evaluation.gold import GoldQuestion
from rag.evaluation.metrics import (
    facts_correct,
    has_fact,
    passage_supports,
    token_f1,
)
from rag.evaluation.report import check_floors, parse_floors
from rag.evaluation.runner import aggregate, score

TEXT = "Ann founded Acme in 1999. Bob joined later. Acme lost 5 million yuan."
SOURCES = {"a.txt": TEXT}


def test_fact_matching_is_case_and_space_insensitive() -> None:
    assert has_fact("Daniel   ZHANG leads", ["Wu Yongming", "daniel zhang"])
    assert not has_fact("Dan Zhang", ["Daniel Zhang"])
    assert facts_correct("In June and September.", [["June"], ["September"]])
    assert not facts_correct("In June.", [["June"], ["September"]])


def test_token_f1_squad_style() -> None:
    assert token_f1("The cat sat [1]", "cat sat") == 1.0
    assert token_f1("a cat", "the dog") == 0.0
    assert token_f1("cat dog bird", "cat") == pytest.approx(0.5)


def test_passage_support_tolerates_chunk_boundaries() -> None:
    spans = [("a.txt", 0, 24)]  # "Ann founded Acme in 1999"
    assert passage_supports("a.txt", 0, 30, spans)
    assert passage_supports("a.txt", 10, 40, spans)  # 14 of 24 characters
    assert not passage_supports("a.txt", 20, 60, spans)  # 4 of 24
    assert not passage_supports("b.txt", 0, 30, spans)


def _answer(text: str, quote_span: tuple[int, int] | None, refused: bool = False) -> Answer:
    citations = ()
    if quote_span:
        s, e = quote_span
        citations = (Citation(1, "a.txt", TEXT[s:e], s, e, 0.9),)
    passages = (Passage("a.txt#0-44", "a.txt", 0, 44, TEXT[:44], "", 0.1),)
    return Answer("q", text, citations, refused=refused, passages=passages)


def test_scoring_and_aggregation() -> None:
    found = GoldQuestion("q1", "Who founded Acme?", "Ann", (("Ann",),), ("Ann founded Acme",), True)
    missing = GoldQuestion("q2", "Who is the CFO?", "n/a", (), (), False)
    loss = GoldQuestion(
        "q3",
        "How much did Acme lose?",
        "5 million yuan",
        (("5 million",),),
        ("Acme lost 5 million yuan",),
        True,
    )
    rows = [
        score(found, _answer("Ann founded Acme in 1999. [1]", (0, 25)), SOURCES, 10.0),
        score(missing, _answer("The article does not say.", None, refused=True), SOURCES, 20.0),
        score(loss, _answer("Bob joined later. [1]", (26, 43)), SOURCES, 30.0),
    ]
    assert [r.correct for r in rows] == [True, True, False]
    assert rows[0].hit_rank == 1 and rows[2].hit_rank is None
    metrics = aggregate(rows, k=5)
    assert metrics["hit@k"] == 0.5 and metrics["mrr"] == 0.5
    assert metrics["fact_accuracy"] == 0.5
    assert metrics["noans_accuracy"] == 1.0 and metrics["false_refusal_rate"] == 0.0
    # The Bob quote lies in a passage that holds the Ann evidence only for q1, not q3.
    assert metrics["citation_precision"] == 0.5 and metrics["quote_precision"] == 0.5
    assert metrics["citation_recall"] == 1.0
    assert metrics["latency_p50_ms"] == 20.0


def test_floors_parse_and_check() -> None:
    floors = parse_floors("fact_accuracy=0.8, false_refusal_rate=0.05")
    assert floors == {"fact_accuracy": 0.8, "false_refusal_rate": 0.05}
    assert check_floors({"fact_accuracy": 0.9, "false_refusal_rate": 0.01}, floors) == []
    misses = check_floors({"fact_accuracy": 0.7, "false_refusal_rate": 0.2}, floors)
    assert misses == ["fact_accuracy 0.700 < 0.8", "false_refusal_rate 0.200 > 0.05"]
    with pytest.raises(RagError, match="bad --fail-under item 'speed=1'"):
        parse_floors("speed=1")
    with pytest.raises(RagError, match="not a number"):
        parse_floors("mrr=high")

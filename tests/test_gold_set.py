"""The gold question sets shipped in seeds/ are well-formed and their evidence is verbatim."""

from pathlib import Path

import pytest

from rag.evaluation.gold import load_gold
from rag.evaluation.metrics import has_fact

from conftest import ARTICLE, ROOT


@pytest.mark.parametrize(
    ("name", "minimum", "unanswerable", "follow_ups"),
    [
        ("gold", 60, 10, True),
        ("heldout", 40, 10, True),
        ("followups", 50, 5, True),
        ("chatstyle", 50, 10, False),  # single questions as typed in a chat box
    ],
)
def test_gold_sets_are_valid(name: str, minimum: int, unanswerable: int, follow_ups: bool) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    questions = load_gold(ROOT / "seeds" / f"{name}.jsonl", {ARTICLE.name: text})
    assert len(questions) >= minimum
    assert sum(not q.answerable for q in questions) >= unanswerable
    assert any(q.context for q in questions) == follow_ups, "follow-up questions are covered"
    for q in questions:
        for quote in q.evidence:
            assert quote in text, (q.id, quote)
        for alternatives in q.facts:
            # Every fact can be stated in the article's own words.
            assert has_fact(text, alternatives), (q.id, alternatives)


def test_gold_set_covers_the_name_traps() -> None:
    rows = (Path(ROOT / "seeds" / "gold.jsonl")).read_text(encoding="utf-8")
    for spelling in ("Wu Yongming", "Daniel Zhang", "Kuaidi Dache", "Kuaidog"):
        assert spelling in rows

"""The answering rules on text the gold sets never saw: synthetic company briefs.

Each brief plants one fact (an engineer count, a CTO's name, a funding amount,
a store-opening date) among sentences that reuse the same vocabulary; the
question for it must be answered with it, not refused. This caught a rule that
knew "Joe Tsai" as a person but not "Mary K. O'Neil".
"""

import importlib.util

import pytest

from rag import Assistant, Settings

from conftest import ROOT


def _synthetic():  # noqa: ANN202 - a module loaded from bench/
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def briefs(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """24 synthetic briefs, their planted facts, and an assistant over them."""
    root = tmp_path_factory.mktemp("briefs")
    facts = _synthetic().write_fact_corpus(root / "seeds", 24)
    settings = Settings(seeds_dir=root / "seeds", index_dir=root / "index", llm="extractive")
    return facts, Assistant(settings), root / "seeds"


def test_planted_facts_are_found_in_unseen_briefs(briefs) -> None:  # noqa: ANN001
    facts, assistant, _ = briefs
    missed = [
        (fact.question, answer.text)
        for fact in facts
        if fact.answer not in (answer := assistant.ask(fact.question)).text
    ]
    assert not missed


def test_a_summary_of_one_of_several_articles_is_its_own_opening(briefs) -> None:  # noqa: ANN001
    facts, assistant, seeds = briefs
    for fact in facts[:6]:
        title = (seeds / fact.source).read_text("utf-8").splitlines()[0]  # "Acme in the news"
        company = title.removesuffix(" in the news")
        answer = assistant.ask(f"Summarize the article about {company}")
        # The title and the first three sentences (each brief has at least three).
        assert answer.text.startswith(f"{title} [1]") and len(answer.citations) == 4
        assert {c.source for c in answer.citations} == {fact.source}

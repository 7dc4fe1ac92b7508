"""The answering rules on text the gold sets never saw: synthetic company briefs.

Each brief plants one fact (an engineer count, a CTO's name, a funding amount,
a store-opening date) among sentences that reuse the same vocabulary; the
question for it must be answered with it, not refused. This caught a rule that
knew "Joe Tsai" as a person but not "Mary K. O'Neil".
"""

import importlib.util
from pathlib import Path

from rag import Assistant, Settings

from conftest import ROOT


def _synthetic():  # noqa: ANN202 - a module loaded from bench/
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_planted_facts_are_found_in_unseen_briefs(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    facts = _synthetic().write_fact_corpus(seeds, 24)
    assistant = Assistant(Settings(seeds_dir=seeds, index_dir=tmp_path / "index", llm="extractive"))
    missed = [
        (fact.question, answer.text)
        for fact in facts
        if fact.answer not in (answer := assistant.ask(fact.question)).text
    ]
    assert not missed

"""Malformed gold files fail with an error naming the line."""

import json
from pathlib import Path

import pytest

from rag import GoldSetError
from rag.evaluation.gold import load_gold

from conftest import run_rag

GOOD = {
    "id": "q1",
    "question": "Who?",
    "answer": "Ann",
    "facts": [["Ann"]],
    "evidence": ["Ann wrote it"],
    "answerable": True,
}
SOURCES = {"a.txt": "Ann wrote it. Bob read it."}


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _row(**changes: object) -> str:
    return json.dumps({**GOOD, **changes})


def test_a_good_file_loads(tmp_path: Path) -> None:
    unanswerable = _row(id="q2", facts=[], evidence=[], answerable=False)
    follow_up = _row(id="q3", context="q1")
    questions = load_gold(_write(tmp_path, _row(), "", unanswerable, follow_up), SOURCES)
    assert [q.id for q in questions] == ["q1", "q2", "q3"]
    assert questions[2].context == "q1" and questions[2].line == 4


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "q1", ', "line 2: invalid JSON"),
        ("[1, 2]", "line 2: expected a JSON object, got list"),
        (
            json.dumps({k: v for k, v in GOOD.items() if k != "facts"}),
            "line 2: missing field 'facts'",
        ),
        (_row(extra=1), "line 2: unknown field 'extra'"),
        (_row(question=" "), "line 2: 'question' must be a non-empty string"),
        (_row(answerable="yes"), "line 2: 'answerable' must be true or false"),
        (_row(facts=["Ann"]), "line 2: 'facts' must be a list of non-empty lists"),
        (_row(facts=[]), "line 2: an answerable question needs 'facts' and 'evidence'"),
        (_row(answerable=False), "line 2: an unanswerable question has empty"),
        (_row(evidence=["Carol wrote it"]), "line 2: evidence not found in any source"),
        (_row(id="q0"), "line 2: duplicate id"),
        (_row(id="q9", context="q7"), "line 2: context 'q7' is not an earlier id"),
    ],
)
def test_bad_rows_name_their_line(tmp_path: Path, line: str, message: str) -> None:
    first = _row(id="q0")
    with pytest.raises(GoldSetError, match=message.replace("(", r"\(")):
        load_gold(_write(tmp_path, first, line), SOURCES)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(GoldSetError, match="no gold file at"):
        load_gold(tmp_path / "nope.jsonl")
    with pytest.raises(GoldSetError, match="holds no questions"):
        load_gold(_write(tmp_path, ""))


def test_cli_reports_a_bad_gold_file_in_one_line(tmp_path: Path, seeds: Path) -> None:
    bad = _write(tmp_path, _row(id="q1", evidence=["not in the article at all"]))
    result = run_rag("eval", str(bad))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: line 1: evidence not found in any source: 'not in the article at all'"
    )
    assert "Traceback" not in result.stderr

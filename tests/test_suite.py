"""`rag eval --suite DIR` end to end: a folder of tiny articles written here, the real
CLI in a subprocess, real indexes in a temp cache."""

import json
from pathlib import Path

import pytest

from conftest import run_rag

BAKERY = """Harbor Street Bakery opens a second shop

By Ana Lima

Harbor Street Bakery opened its second shop in Porto on 3 March 2024.
The owner, Marta Silva, founded the bakery in 2011 after ten years as a pastry chef.
The new shop employs twelve bakers and sells sourdough bread from six in the morning.
Silva said the first shop could no longer keep up with orders from local cafes.
"""

FERRY = """Island ferry service resumes after storm

The ferry between Ilha Verde and the mainland resumed service on Tuesday.
Storm damage to the pier had halted the crossings for nine days.
The operator, Atlantic Lines, said repairs cost 1.2 million euros.
Its chief executive, Jonas Berg, thanked the harbour crews for working through the night.
"""


def _row(id_: str, question: str, answer: str, facts: list, evidence: list) -> dict:
    return {
        "id": id_,
        "question": question,
        "answer": answer,
        "facts": facts,
        "evidence": evidence,
        "answerable": bool(facts),
    }


BAKERY_GOLD = [
    _row(
        "b1",
        "Who founded Harbor Street Bakery?",
        "Marta Silva",
        [["Marta Silva"]],
        ["The owner, Marta Silva, founded the bakery in 2011"],
    ),
    _row(
        "b2",
        "How many bakers does the new shop employ?",
        "twelve",
        [["twelve"]],
        ["The new shop employs twelve bakers"],
    ),
    _row("b3", "How much does a loaf of sourdough cost?", "not said", [], []),
]
FERRY_GOLD = [
    _row(
        "f1",
        "How much did the pier repairs cost?",
        "1.2 million euros",
        [["1.2 million euros"]],
        ["repairs cost 1.2 million euros"],
    ),
    _row(
        "f2",
        "Who is the chief executive of Atlantic Lines?",
        "Jonas Berg",
        [["Jonas Berg"]],
        ["Its chief executive, Jonas Berg"],
    ),
]


def _write_suite(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bakery.txt").write_text(BAKERY, encoding="utf-8")
    (folder / "ferry.md").write_text(FERRY, encoding="utf-8")
    for slug, rows in (("bakery", BAKERY_GOLD), ("ferry", FERRY_GOLD)):
        text = "".join(json.dumps(r) + "\n" for r in rows)
        (folder / f"{slug}.jsonl").write_text(text, encoding="utf-8")
    (folder / "README.md").write_text("Notes on this folder, not an article.\n")
    return folder


def test_suite_json_pools_every_question_and_reuses_the_cache(tmp_path: Path) -> None:
    suite = _write_suite(tmp_path / "suite")
    cache = tmp_path / "cache"
    out = tmp_path / "suite.json"
    first = run_rag(
        "eval", "--suite", str(suite), "--cache-dir", str(cache), "--json", "--out", str(out)
    )
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert json.loads(out.read_text(encoding="utf-8")) == data
    assert list(data["articles"]) == ["bakery", "ferry"]
    assert data["articles"]["bakery"]["questions"] == 3
    assert data["articles"]["ferry"]["answerable"] == 2
    assert all(a["indexed"] for a in data["articles"].values())
    assert [(r["article"], r["id"]) for r in data["rows"]] == [
        ("bakery", "b1"),
        ("bakery", "b2"),
        ("bakery", "b3"),
        ("ferry", "f1"),
        ("ferry", "f2"),
    ]
    # Each article is indexed alone: every citation quotes that article's own file.
    for row in data["rows"]:
        own = "bakery.txt" if row["article"] == "bakery" else "ferry.md"
        assert {c["source"] for c in row["citations"]} <= {own}
    # Pooled is micro-averaged over the questions, not a mean of the articles' figures.
    answerable = [r for r in data["rows"] if r["answerable"]]
    assert data["metrics"]["fact_accuracy"] == pytest.approx(
        sum(r["correct"] for r in answerable) / len(answerable)
    )
    assert data["metrics"]["noans_accuracy"] == float(data["rows"][2]["refused"])
    assert "Articles" in first.stderr  # the progress bar over articles

    again = run_rag("eval", "--suite", str(suite), "--cache-dir", str(cache), "--json")
    assert again.returncode == 0, again.stderr
    rerun = json.loads(again.stdout)
    assert not any(a["indexed"] for a in rerun["articles"].values())  # only re-asked
    assert [r["answer"] for r in rerun["rows"]] == [r["answer"] for r in data["rows"]]
    # One cache folder per article, named by its slug and content hash.
    assert sorted(p.name.rsplit("-", 1)[0] for p in cache.iterdir()) == ["bakery", "ferry"]


def test_suite_table_baseline_and_pooled_floor(tmp_path: Path) -> None:
    suite = _write_suite(tmp_path / "suite")
    result = run_rag(
        "eval",
        "--suite",
        str(suite),
        "--cache-dir",
        str(tmp_path / "cache"),
        "--baseline",
        "--no-failures",
        "--fail-under",
        "hit@k=1.01",
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"2 articles, 5 questions (4 answerable, 1 not) from {suite}"
    head = lines[2].split()
    assert head[:3] == ["article", "questions", "fact_accuracy"]
    assert head[-2:] == ["baseline", "fact_accuracy"]
    assert [line.split()[0] for line in lines[3:6]] == ["bakery", "ferry", "pooled"]
    assert [line.split()[1] for line in lines[3:6]] == ["3", "2", "5"]
    assert lines[7].split() == ["metric", "pooled", "baseline"]
    assert (
        result.stderr.strip().splitlines()[-1].startswith("Error: pooled below the floor: hit@k ")
    )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "Error: no suite folder at "),
        ("empty", "Error: no articles in "),
        ("no-gold", "has no gold set - add "),
        ("no-article", "has no article - add "),
    ],
)
def test_suite_bad_input_is_one_error_line(tmp_path: Path, setup: str, message: str) -> None:
    folder = tmp_path / "suite"
    if setup != "missing":
        folder.mkdir()
    if setup == "no-gold":
        (folder / "bakery.txt").write_text(BAKERY, encoding="utf-8")
    if setup == "no-article":
        _write_suite(folder)
        (folder / "orphan.jsonl").write_text(json.dumps(FERRY_GOLD[0]) + "\n")
    result = run_rag("eval", "--suite", str(folder), "--cache-dir", str(tmp_path / "cache"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("Error: ") and message in result.stderr


def test_suite_or_gold_not_both(tmp_path: Path) -> None:
    result = run_rag("eval", "seeds/gold.jsonl", "--suite", str(tmp_path))
    assert result.returncode == 2
    assert "give a GOLD.jsonl file or --suite DIR" in result.stderr

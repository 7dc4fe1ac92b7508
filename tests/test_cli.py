"""The real CLI in a subprocess: output, JSON shape and exit codes."""

import json
from pathlib import Path

import pytest

from conftest import make_seeds, run_rag


def test_index_then_noop_then_ask_json(tmp_path: Path, article_text: str) -> None:
    make_seeds(tmp_path / "seeds")
    first = run_rag("index")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Indexed ") and "chunks from 1 article(s)" in first.stdout
    again = run_rag("index", "--json")
    assert again.returncode == 0
    status = json.loads(again.stdout)
    assert status["built"] is False and status["articles"] == ["alibaba-executive-reshuffle.txt"]

    result = run_rag("ask", "Who was named CEO of Taotian Group?", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == [
        "question",
        "answer",
        "short_answer",
        "refused",
        "citations",
        "timings",
        "answerer",
        "unsupported",
        "fallback",
    ]
    assert "Daniel Zhang" in data["answer"] and data["refused"] is False
    assert data["citations"]
    for c in data["citations"]:
        assert article_text[c["start"] : c["end"]] == c["quote"]


def test_ask_builds_a_missing_index_and_prints_citations(tmp_path: Path) -> None:
    make_seeds(tmp_path / "seeds")
    result = run_rag("ask", "Who is the author of the article?")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # The short answer the reader marked, then the cited answer and its source.
    assert lines[0] == "Answer: Liu Baodan"
    assert lines[2] == "Author: Liu Baodan [1]"
    assert lines[4].startswith("[1] alibaba-executive-reshuffle.txt:")
    assert lines[5] == '    "Author: Liu Baodan"'
    assert (tmp_path / "index" / "chroma.sqlite3").exists()


def test_chat_answers_a_follow_up_as_ask_answers_a_question(tmp_path: Path) -> None:
    """`rag chat` with typed lines: each offline answer as `rag ask` prints it (the short
    answer first), the follow-up read with the question before it; an empty line quits."""
    import os
    import subprocess
    import sys

    make_seeds(tmp_path / "seeds")
    typed = "Who is the author of the article?\nAnd who edited it?\n\n"
    result = subprocess.run(
        [sys.executable, "-m", "rag", "chat"],
        input=typed,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    turns = result.stdout.split("rag> ")[1:]
    assert turns[0].startswith("Answer: Liu Baodan\n\nAuthor: Liu Baodan [1]")
    assert turns[1].startswith("Answer: Zhang Xiaoling\n\nEditor: Zhang Xiaoling [1]")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", ""], "Error: the question is empty - ask something about the article"),
        (["ask", "   "], "Error: the question is empty - ask something about the article"),
        (["ask", "q" * 2001], "Error: the question is 2,001 characters long; the limit is 2,000"),
    ],
)
def test_bad_questions_exit_1(args: list[str], message: str) -> None:
    result = run_rag(*args)
    assert (result.returncode, result.stderr.strip(), result.stdout) == (1, message, "")


def test_usage_errors_exit_2() -> None:
    assert run_rag("ask").returncode == 2
    assert run_rag("ask", "q", "--bogus").returncode == 2


def test_source_problems_are_one_error_line(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    result = run_rag("index")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"Error: no seeds folder at {seeds} - create it and put an article in it"
    )
    seeds.mkdir()
    result = run_rag("ask", "Who?")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error: no articles in {seeds} - add one (.txt, .md, .html, .pdf or .docx),"
        " then run `rag index`"
    )
    (seeds / "scan.pdf").write_bytes(b"%PDF-1.7 cut short")
    result = run_rag("index")
    assert (result.returncode, result.stderr.count("\n")) == (1, 1)
    assert result.stderr.startswith("Error: no readable article: scan.pdf: cannot read this PDF")
    assert "Traceback" not in result.stderr


def test_index_dir_that_is_not_a_store(tmp_path: Path) -> None:
    make_seeds(tmp_path / "seeds")
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "chroma.sqlite3").write_text("garbage")
    result = run_rag("ask", "Who?")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert (tmp_path / "index" / "chroma.sqlite3").read_text() == "garbage"


def test_invalid_setting_is_an_error_line() -> None:
    result = run_rag("index", env={"RAG_TOP_K": "many"})
    assert result.returncode == 1
    assert result.stderr.startswith("Error: invalid setting - RAG_TOP_K:")


def test_help_and_version() -> None:
    result = run_rag("--help")
    assert result.returncode == 0
    for command in ("ask", "index", "ui"):
        assert command in result.stdout
    assert run_rag("--version").stdout.strip() == "rag, version 0.1.0"

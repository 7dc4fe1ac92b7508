"""`rag eval` end to end: table, JSON, --out, --compare and --fail-under."""

import json
from pathlib import Path

from conftest import ROOT, make_seeds, run_rag


def _subset(tmp_path: Path) -> Path:
    """Six gold questions (answerable, unanswerable and a follow-up pair)."""
    wanted = {"q01", "q15", "q20", "q53", "q54", "q86"}
    rows = [
        line
        for line in (ROOT / "seeds" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
        if json.loads(line)["id"] in wanted
    ]
    path = tmp_path / "subset.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_eval_json_out_compare_and_floors(tmp_path: Path) -> None:
    make_seeds(tmp_path / "seeds")
    gold = _subset(tmp_path)
    out = tmp_path / "run.json"
    result = run_rag("eval", str(gold), "--json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert json.loads(out.read_text()) == data
    assert set(data["metrics"]) >= {
        "hit@k",
        "mrr",
        "fact_accuracy",
        "token_f1",
        "citation_precision",
        "citation_recall",
        "noans_accuracy",
        "false_refusal_rate",
        "latency_p50_ms",
        "latency_p95_ms",
    }
    assert [r["id"] for r in data["rows"]] == ["q01", "q15", "q20", "q53", "q54", "q86"]
    row = data["rows"][0]
    assert set(row) >= {
        "id",
        "answer",
        "refused",
        "citations",
        "correct",
        "retrieved",
        "latency_ms",
    }
    # Who answered, and whether the extractive answerer stood in for a model.
    assert (row["answerer"], row["fallback"]) == ("extractive", None)
    assert data["rows"][1]["refused"] is True  # "How old is Daniel Zhang?"

    table = run_rag("eval", str(gold), "--compare", str(out), "--fail-under", "hit@k=1.01")
    assert table.returncode == 1
    assert "metric" in table.stdout and "fact_accuracy" in table.stdout
    assert "delta" in table.stdout
    assert (
        table.stderr.strip()
        .splitlines()[-1]
        .startswith("Error: below the floor: hit@k 1.000 < 1.01")
    )

    bad = run_rag("eval", str(gold), "--compare", str(gold))
    assert bad.returncode == 1
    assert "is not the JSON of an earlier `rag eval --out`" in bad.stderr

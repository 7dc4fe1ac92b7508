"""Sweep the answerer's constants over gold sets, in one process.

    .venv/bin/python bench/sweep.py rag.reader.choice.MAX_LOOKAHEAD=1 \\
        rag.reader.choice.MAX_LOOKAHEAD=3
    .venv/bin/python bench/sweep.py --llm local --replay /tmp/replay.json \\
        rag.citations.MIN_SUPPORT=0.65,rag.citations.RELEVANCE_MARGIN=0.1

Each argument is one setting (comma-separated ``module.CONSTANT=value`` pairs,
applied on top of the previous ones); every gold set is evaluated after each,
and one line of metrics printed. With ``--replay``, a model's answers are
cached by prompt (temperature 0 makes them repeatable), so sweeping what
happens *after* the model (citation verification) costs one model run.

Values are chosen on gold.jsonl; heldout.jsonl is printed as the check.
``--sets`` takes set names under seeds/ or paths to other gold files; a last
"pooled" figure counts over all of them, since on sets of 45-90 questions one
answer moves a metric by 0.01-0.02 and a change must win on the pooled counts:

    .venv/bin/python bench/sweep.py --sets gold,heldout,/tmp/more.jsonl \
        rag.reader.scoring.TYPE_WEIGHT=0.2
"""

import argparse
import hashlib
import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag import Assistant, Settings
from rag.evaluation.gold import load_gold
from rag.evaluation.runner import EvalRow, evaluate

ROOT = Path(__file__).resolve().parent.parent
SHOWN = ("fact_accuracy", "citation_precision", "citation_recall", "noans_accuracy", "mrr")


def _apply(setting: str) -> None:
    for pair in filter(None, setting.split(",")):
        name, value = pair.split("=", 1)
        module, constant = name.rsplit(".", 1)
        target = importlib.import_module(module)
        setattr(target, constant, type(getattr(target, constant))(value))


def _replaying(assistant: Assistant, cache_file: Path) -> None:
    """Answer each distinct prompt with the model once; later runs read the cache."""
    cache: dict[str, str] = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    model = assistant.model
    assert model is not None, "--replay needs --llm openai or local"
    real = model.stream

    def stream(messages: list[dict[str, Any]]) -> Iterator[str]:
        key = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
        if key not in cache:
            cache[key] = "".join(real(messages))
            cache_file.write_text(json.dumps(cache))
        yield cache[key]

    model.stream = stream  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("settings", nargs="*", default=[""])
    parser.add_argument("--llm", default="extractive")
    parser.add_argument("--replay", type=Path, help="cache of the model's answers")
    parser.add_argument(
        "--sets",
        default="gold,heldout",
        help="comma-separated set names under seeds/ or paths to gold files",
    )
    args = parser.parse_args()
    assistant = Assistant(
        Settings(seeds_dir=ROOT / "seeds", index_dir=ROOT / "index", llm=args.llm)
    )
    if args.replay:
        _replaying(assistant, args.replay)
    sources = {d.name: d.text for d in assistant.index.documents}
    sets = {name: load_gold(_gold_file(name), sources) for name in args.sets.split(",")}
    for setting in args.settings or [""]:
        _apply(setting)
        figures, rows = [], []
        for name, questions in sets.items():
            report = evaluate(assistant, questions, sources, k=assistant.settings.top_k)
            cited = sum(len(r.citations) for r in report.rows if not r.refused)
            shown = " ".join(f"{m}={report.metrics[m]:.3f}" for m in SHOWN)
            figures.append(f"{Path(name).stem}: {shown} citations={cited}")
            rows += report.rows
        figures.append(f"pooled: {_pooled(rows)}")
        print(setting or "(as is)", "|", " | ".join(figures), flush=True)


def _gold_file(name: str) -> Path:
    """A set name under seeds/ ("gold") or a path to a gold file."""
    return Path(name) if name.endswith(".jsonl") else ROOT / "seeds" / f"{name}.jsonl"


def _pooled(rows: list[EvalRow]) -> str:
    """Counts over every set's questions: right answers, supported citations, refusals."""
    answerable = [r for r in rows if r.answerable]
    unanswerable = [r for r in rows if not r.answerable]
    answered = [r for r in rows if not r.refused]
    cited = sum(len(r.citations) for r in answered)
    supported = sum(r.supporting_citations for r in answered)
    return (
        f"facts {sum(r.correct for r in answerable)}/{len(answerable)}"
        f" supported citations {supported}/{cited}"
        f" refused unanswerable {sum(r.refused for r in unanswerable)}/{len(unanswerable)}"
        f" refused answerable {sum(r.refused for r in answerable)}"
    )


if __name__ == "__main__":
    main()

"""Choose the reader's settings and abstention threshold leave-one-article-out.

    .venv/bin/python bench/reader_sweep.py [--suite ../shared/articles] [SETTING ...]

Each SETTING is comma-separated ``module.CONSTANT=value`` pairs (as in
``bench/sweep.py``, but each on the product's defaults, not on the previous one); none
means the product as it is. Each setting runs the whole
suite once with the model's gate off (``MIN_READING`` 0), recording for every
question the reader's best probability among the chosen sentences; a threshold
only adds refusals, so every threshold is then scored from that one run.

Leave one article out: for each article, the (setting, threshold) with the most
correct answers on the other articles (answered with every fact, or refused when
the article does not say) is applied to it; the table pools those held-out rows.
"""

import argparse
import importlib
import os
from pathlib import Path
from typing import Any

from rag import Assistant, Settings
from rag.evaluation.suite import default_cache_dir, find_articles, run_suite

THRESHOLDS = [round(0.05 * i, 2) for i in range(20)]


_DEFAULTS: dict[tuple[Any, str], Any] = {}


def _apply(setting: str) -> None:
    """Each setting on the product's defaults: the previous setting's values undone."""
    for (target, constant), value in _DEFAULTS.items():
        setattr(target, constant, value)
    for pair in filter(None, setting.split(",")):
        name, value = pair.split("=", 1)
        module, constant = name.rsplit(".", 1)
        target = importlib.import_module(module)
        default = _DEFAULTS.setdefault((target, constant), getattr(target, constant))
        kind = type(default)
        setattr(target, constant, value == "True" if kind is bool else kind(value))


def run(folder: Path, cache: Path) -> list[dict[str, Any]]:
    """One row per question: article, answerable, refused, correct, reading, citations."""
    return run_report(folder, cache)[0]


def run_report(folder: Path, cache: Path) -> tuple[list[dict[str, Any]], Any]:
    """``run``'s rows, and the suite's report (its pooled metrics: hit@k, mrr ...)."""
    import rag.assistant
    import rag.reader.abstention as abstention

    abstention.MIN_READING = 0.0
    seen: list[Any] = []
    judge = abstention.judge

    def recording(*args: Any, **kwargs: Any) -> Any:
        verdict = judge(*args, **kwargs)
        seen.append(verdict)
        return verdict

    def make(seeds: Path, index: Path) -> Any:
        assistant = Assistant(Settings(seeds_dir=seeds, index_dir=index, chroma_url=None))
        chat = assistant.chat

        def recorded_chat(message: str, history: Any = ()) -> Any:
            seen.clear()
            answer = chat(message, history)
            readings.append(seen[-1].reading if seen else None)
            return answer

        assistant.chat = recorded_chat
        return assistant

    readings: list[float | None] = []
    rag.assistant.judge = recording
    try:
        report = run_suite(find_articles(folder), cache_dir=cache, make_assistant=make)
    finally:
        rag.assistant.judge = judge
    rows = [
        {
            "article": slug,
            "id": row.id,
            "answerable": row.answerable,
            "refused": row.refused,
            "correct": row.correct,
            "reading": reading,
            "cited": len(row.citations),
            "supporting": row.supporting_citations,
            "f1": row.token_f1,
        }
        for (slug, row), reading in zip(report.rows, readings, strict=True)
    ]
    return rows, report


def outcome(rows: list[dict[str, Any]], threshold: float | None = None) -> dict[str, float]:
    """The suite's headline metrics with the model's gate at ``threshold`` (None: each
    row's own ``threshold``, as a fold chose it)."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]

    def refused(r: dict[str, Any]) -> bool:
        gate = r["threshold"] if threshold is None else threshold
        return r["refused"] or (r["reading"] is not None and r["reading"] < gate)

    answered = [r for r in answerable if not refused(r)]
    facts = sum(r["correct"] for r in answered)
    refusals = sum(refused(r) for r in unanswerable)
    cited = sum(r["cited"] for r in answered)
    return {
        "correct": facts + refusals,
        "fact_accuracy": facts / max(len(answerable), 1),
        "citation_precision": sum(r["supporting"] for r in answered) / max(cited, 1),
        "noans_accuracy": refusals / max(len(unanswerable), 1),
        "false_refusal_rate": 1 - len(answered) / max(len(answerable), 1),
        "token_f1": sum(r["f1"] for r in answered) / max(len(answerable), 1),
    }


def leave_one_out(runs: dict[str, list[dict[str, Any]]]) -> tuple[list[Any], dict[str, float]]:
    """Per article, the choice made on the others; and the pooled held-out metrics."""
    articles = sorted({r["article"] for rows in runs.values() for r in rows})
    picks, held = [], []
    for article in articles:

        def others(choice: tuple[str, float], article: str = article) -> int:
            setting, threshold = choice
            rows = [r for r in runs[setting] if r["article"] != article]
            return outcome(rows, threshold)["correct"]

        setting, threshold = max(((s, t) for s in runs for t in THRESHOLDS), key=others)
        rows = [r for r in runs[setting] if r["article"] == article]
        picks.append((article, setting, threshold, outcome(rows, threshold)))
        held += [dict(r, threshold=threshold) for r in rows]
    return picks, outcome(held)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=Path("../shared/articles"))
    parser.add_argument("--cache", type=Path, default=default_cache_dir(os.environ))
    parser.add_argument("settings", nargs="*", default=[""])
    args = parser.parse_args()
    runs = {}
    for setting in args.settings:
        _apply(setting)
        runs[setting or "as is"] = run(args.suite, args.cache)
        rows = runs[setting or "as is"]
        print(f"\n{setting or 'as is'}")
        print("threshold  correct  fact   cit.prec  noans  false_ref  token_f1")
        for t in THRESHOLDS:
            o = outcome(rows, t)
            print(
                f"{t:9.2f}  {o['correct']:7d}  {o['fact_accuracy']:.3f}  "
                f"{o['citation_precision']:.3f}     {o['noans_accuracy']:.3f}  "
                f"{o['false_refusal_rate']:.3f}      {o['token_f1']:.3f}"
            )
    picks, pooled = leave_one_out(runs)
    print("\nleave one article out: article, setting, threshold -> fact / noans / false ref.")
    for article, setting, threshold, o in picks:
        print(
            f"  {article:34s} {setting:30s} {threshold:.2f} -> {o['fact_accuracy']:.3f} / "
            f"{o['noans_accuracy']:.3f} / {o['false_refusal_rate']:.3f}"
        )
    print("  pooled held-out: " + ", ".join(f"{k} {v:.3f}" for k, v in pooled.items()))


if __name__ == "__main__":
    main()

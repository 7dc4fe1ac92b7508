"""What ``rag eval`` does, kept out of cli.py so the CLI stays a thin shell."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from rag.errors import RagError
from rag.evaluation.gold import load_gold
from rag.evaluation.report import (
    check_floors,
    compare_table,
    failures_text,
    metrics_table,
    parse_floors,
    suite_table,
)
from rag.evaluation.runner import EvalReport, evaluate


def _load_previous(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {k: float(v) for k, v in data["metrics"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise RagError(f"{path} is not the JSON of an earlier `rag eval --out`") from None


def run_eval(
    gold: Path,
    *,
    as_json: bool,
    out: Path | None,
    compare: Path | None,
    fail_under: str,
    baseline: bool,
    failures: bool,
    progress_bar: Callable[[str], Any],
    assistant_factory: Callable[..., Any],
) -> int:
    """Run the evaluation and print it; the exit status (1 when a floor is missed)."""
    floors = parse_floors(fail_under)
    previous = _load_previous(compare) if compare else None
    with progress_bar("Embedding") as progress:
        assistant = assistant_factory(progress)
    sources = {d.name: d.text for d in assistant.index.documents}
    questions = load_gold(gold, sources)
    k = assistant.settings.top_k
    with progress_bar("Evaluating") as progress:
        report = evaluate(assistant, questions, sources, k=k, progress=progress)
    reports: dict[str, EvalReport] = {"rag": report}
    if baseline:
        from rag.baseline import BaselineAssistant

        plain = BaselineAssistant(assistant.index.documents)
        with progress_bar("Baseline") as progress:
            reports["baseline"] = evaluate(plain, questions, sources, k=k, progress=progress)
    data = report.to_dict()
    if baseline:
        data["baseline"] = reports["baseline"].metrics
    if out:
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        answerable = sum(q.answerable for q in questions)
        click.echo(
            f"{len(questions)} questions ({answerable} answerable, "
            f"{len(questions) - answerable} not) from {gold}\n"
        )
        click.echo(metrics_table({name: r.metrics for name, r in reports.items()}, k))
        if previous is not None:
            click.echo("\n" + compare_table(report.metrics, previous))
        listed = failures_text(report.rows)
        if failures and listed:
            click.echo(f"\nFailed ({sum(not r.correct for r in report.rows)}):\n{listed}")
    misses = check_floors(report.metrics, floors)
    if misses:
        click.echo("Error: below the floor: " + "; ".join(misses), err=True)
        return 1
    return 0


def run_suite_eval(
    folder: Path,
    *,
    cache_dir: Path,
    as_json: bool,
    out: Path | None,
    compare: Path | None,
    fail_under: str,
    baseline: bool,
    failures: bool,
    progress_bar: Callable[[str], Any],
    assistant_factory: Callable[[Path, Path], Any],
) -> int:
    """Run ``rag eval --suite``: each article alone, then the pooled row; the exit status."""
    from rag.evaluation.suite import find_articles, run_suite

    floors = parse_floors(fail_under)
    previous = _load_previous(compare) if compare else None
    items = find_articles(folder)
    with progress_bar("Articles") as progress:
        report = run_suite(
            items,
            cache_dir=cache_dir,
            make_assistant=assistant_factory,
            baseline=baseline,
            progress=progress,
        )
    data = report.to_dict()
    if out:
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        questions = [q for a in report.articles for q in a.questions]
        answerable = sum(q.answerable for q in questions)
        click.echo(
            f"{len(items)} articles, {len(questions)} questions ({answerable} answerable, "
            f"{len(questions) - answerable} not) from {folder}\n"
        )
        lines = [
            (
                a.slug,
                len(a.questions),
                a.report.metrics,
                a.baseline.metrics if a.baseline else None,
            )
            for a in report.articles
        ]
        lines.append(("pooled", len(questions), report.metrics, report.baseline))
        click.echo(suite_table(lines, report.k))
        columns = {"pooled": report.metrics}
        if report.baseline is not None:
            columns["baseline"] = report.baseline
        click.echo("\n" + metrics_table(columns, report.k))
        if previous is not None:
            click.echo("\n" + compare_table(report.metrics, previous))
        for a in report.articles if failures else ():
            listed = failures_text(a.report.rows)
            if listed:
                wrong = sum(not r.correct for r in a.report.rows)
                click.echo(f"\nFailed in {a.slug} ({wrong}):\n{listed}")
    misses = check_floors(report.metrics, floors)
    if misses:
        click.echo("Error: pooled below the floor: " + "; ".join(misses), err=True)
        return 1
    return 0

"""Printing evaluation results: metric tables, deltas, failures and floors."""

from collections.abc import Sequence
from typing import Any

from rag.errors import RagError
from rag.evaluation.metrics import LOWER_IS_BETTER, METRIC_NAMES


def _fmt(name: str, value: float) -> str:
    if name == "errors":
        return f"{value:.0f}"
    return f"{value:.1f}" if name.endswith("_ms") else f"{value:.3f}"


def metrics_table(columns: dict[str, dict[str, float]], k: int) -> str:
    """A plain-text table: one row per metric, one column per run."""
    heads = list(columns)
    width = max(len(n) for n in METRIC_NAMES) + 8
    lines = ["metric".ljust(width) + "".join(h.rjust(14) for h in heads)]
    for name in METRIC_NAMES:
        label = f"{name} (k={k})" if name == "hit@k" else name
        cells = "".join(_fmt(name, columns[h].get(name, 0.0)).rjust(14) for h in heads)
        lines.append(label.ljust(width) + cells)
    return "\n".join(lines)


def compare_table(new: dict[str, float], old: dict[str, float]) -> str:
    """Each metric now, before and the change, marked better/worse."""
    lines = ["metric".ljust(26) + "now".rjust(10) + "before".rjust(10) + "delta".rjust(10)]
    for name in METRIC_NAMES:
        if name not in old:
            continue
        delta = new[name] - old[name]
        better = delta < 0 if name in LOWER_IS_BETTER else delta > 0
        mark = "" if abs(delta) < 1e-9 else ("  better" if better else "  worse")
        lines.append(
            name.ljust(26)
            + _fmt(name, new[name]).rjust(10)
            + _fmt(name, old[name]).rjust(10)
            + f"{delta:+.3f}".rjust(10)
            + mark
        )
    return "\n".join(lines)


def failures_text(rows: Sequence[Any]) -> str:
    """The questions answered wrongly, with what was expected and what came back."""
    lines = []
    for row in rows:
        if row.correct:
            continue
        if row.answerable:
            expected = " + ".join(" / ".join(alts) for alts in row.facts)
            lines.append(f"{row.id} {row.question}\n  expected: {expected}")
        else:
            lines.append(f"{row.id} {row.question}\n  expected: an abstention")
        lines.append(f"  got: {row.answer[:300]}")
    return "\n".join(lines)


def parse_floors(spec: str) -> dict[str, float]:
    """Parse ``"fact_accuracy=0.8,mrr=0.9"`` into floors (ceilings for lower-is-better)."""
    floors = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in METRIC_NAMES:
            raise RagError(
                f"bad --fail-under item {item!r}: use NAME=VALUE with NAME one of "
                + ", ".join(METRIC_NAMES)
            )
        try:
            floors[name] = float(value)
        except ValueError:
            raise RagError(f"bad --fail-under value in {item!r}: not a number") from None
    return floors


def check_floors(metrics: dict[str, float], floors: dict[str, float]) -> list[str]:
    """The metrics that miss their floor (or exceed their ceiling)."""
    misses = []
    for name, limit in floors.items():
        value = metrics[name]
        if name in LOWER_IS_BETTER and value > limit:
            misses.append(f"{name} {_fmt(name, value)} > {limit}")
        elif name not in LOWER_IS_BETTER and value < limit:
            misses.append(f"{name} {_fmt(name, value)} < {limit}")
    return misses


# The per-article table's columns: the targets, in the metric table's names.
SUITE_COLUMNS = (
    "fact_accuracy",
    "citation_precision",
    "noans_accuracy",
    "false_refusal_rate",
    "hit@k",
    "mrr",
)


def suite_table(
    rows: Sequence[tuple[str, int, dict[str, float], dict[str, float] | None]], k: int
) -> str:
    """One line per article (slug, questions, metrics, baseline metrics or None), the
    pooled line last; with a baseline, its fact_accuracy in a last column."""
    with_baseline = any(base is not None for *_, base in rows)
    heads = ["questions", *(f"hit@{k}" if n == "hit@k" else n for n in SUITE_COLUMNS)]
    if with_baseline:
        heads.append("baseline fact_accuracy")
    width = max(len("article"), *(len(slug) for slug, *_ in rows)) + 2
    sizes = [max(len(h), 5) + 2 for h in heads]  # a figure is 5 characters: 0.833
    lines = [
        "article".ljust(width) + "".join(h.rjust(n) for h, n in zip(heads, sizes, strict=True))
    ]
    for slug, count, metrics, base in rows:
        cells = [str(count), *(_fmt(n, metrics.get(n, 0.0)) for n in SUITE_COLUMNS)]
        if with_baseline:
            cells.append(_fmt("fact_accuracy", base["fact_accuracy"]) if base else "-")
        padded = (c.rjust(n) for c, n in zip(cells, sizes, strict=True))
        lines.append(slug.ljust(width) + "".join(padded))
    return "\n".join(lines)

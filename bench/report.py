"""Result rows and the printed table.

Every row carries the product's figure, the plain llama-index pipeline's figure
from the same run, and their ratio expressed as an *advantage*: how many times
better the product is (plain/rag for times and memory, rag/plain for
throughputs and accuracy), so above 1.00x always means the product wins.
"""

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Better = Literal["lower", "higher"]


@dataclass
class Target:
    """A goal a figure is judged against, and whether it was met."""

    label: str
    met: bool


@dataclass
class Row:
    """One figure of one section."""

    section: str
    metric: str
    unit: str
    rag: float | None
    plain: float | None = None
    better: Better = "lower"
    targets: list[Target] = field(default_factory=list)
    note: str = ""

    @property
    def advantage(self) -> float | None:
        """How many times better rag is than plain (>1: rag better), or None."""
        if self.rag is None or self.plain is None or 0 in (self.rag, self.plain):
            return None
        ratio = self.plain / self.rag if self.better == "lower" else self.rag / self.plain
        return round(ratio, 3)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "advantage": self.advantage}


def at_most(limit: float, value: float | None, label: str) -> Target:
    return Target(label, value is not None and value <= limit)


def at_least(limit: float, value: float | None, label: str) -> Target:
    return Target(label, value is not None and value >= limit)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if abs(value) >= 0.1 or value == 0 else f"{value:.3f}"


def _targets(row: Row) -> str:
    return "  ".join(f"{t.label}:{'ok' if t.met else 'MISS'}" for t in row.targets)


COLUMNS = ("section", "metric", "unit", "rag", "plain", "advantage", "targets")


def table(rows: list[Row]) -> str:
    """The rows as a fixed-width text table, one section after another."""
    cells = [COLUMNS]
    for row in rows:
        advantage = row.advantage
        metric = f"{row.metric} ({row.note})" if row.note else row.metric
        cells.append(
            (
                row.section,
                metric,
                row.unit,
                _number(row.rag),
                _number(row.plain),
                "-" if advantage is None else f"{advantage:.2f}x",
                _targets(row),
            )
        )
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    right = {3, 4, 5}  # numbers line up on the right
    lines = []
    for number, line in enumerate(cells):
        parts = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ]
        lines.append("  ".join(parts).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def error_rows(errors: dict[str, str]) -> list[Row]:
    """A row per section that failed, so the table shows the failure instead of hiding it."""
    return [
        Row(section, f"FAILED: {message[:90]}", "", None) for section, message in errors.items()
    ]

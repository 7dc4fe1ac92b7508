"""Read and check a gold question set (JSON Lines, one question a line).

Each line: ``{"id", "question", "answer", "facts", "evidence", "answerable"}``
and optionally ``"context"``: the id of the earlier question a follow-up needs.
Every problem is reported with its line number.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import GoldSetError
from rag.evaluation.metrics import quote_pattern

REQUIRED = ("id", "question", "answer", "facts", "evidence", "answerable")
OPTIONAL = ("context",)


@dataclass(frozen=True)
class GoldQuestion:
    """One gold question with what a correct answer must contain."""

    id: str
    question: str
    answer: str
    facts: tuple[tuple[str, ...], ...]
    evidence: tuple[str, ...]
    answerable: bool
    context: str | None = None
    line: int = 0


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def parse_line(raw: str, line: int) -> GoldQuestion:
    """One gold row, or a GoldSetError naming ``line`` and the problem."""
    where = f"line {line}"
    try:
        row = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise GoldSetError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(row, dict):
        raise GoldSetError(f"{where}: expected a JSON object, got {type(row).__name__}")
    missing = [k for k in REQUIRED if k not in row]
    if missing:
        raise GoldSetError(f"{where}: missing field {', '.join(repr(k) for k in missing)}")
    unknown = sorted(set(row) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise GoldSetError(f"{where}: unknown field {', '.join(repr(k) for k in unknown)}")
    for key in ("id", "question", "answer"):
        if not isinstance(row[key], str) or not row[key].strip():
            raise GoldSetError(f"{where}: {key!r} must be a non-empty string")
    if not isinstance(row["answerable"], bool):
        raise GoldSetError(f"{where}: 'answerable' must be true or false")
    facts = row["facts"]
    if not isinstance(facts, list) or not all(_is_str_list(f) and f for f in facts):
        raise GoldSetError(f"{where}: 'facts' must be a list of non-empty lists of strings")
    if not _is_str_list(row["evidence"]):
        raise GoldSetError(f"{where}: 'evidence' must be a list of strings")
    if row["answerable"] and not (facts and row["evidence"]):
        raise GoldSetError(f"{where}: an answerable question needs 'facts' and 'evidence'")
    if not row["answerable"] and (facts or row["evidence"]):
        raise GoldSetError(f"{where}: an unanswerable question has empty 'facts' and 'evidence'")
    context = row.get("context")
    if context is not None and (not isinstance(context, str) or not context):
        raise GoldSetError(f"{where}: 'context' must be the id of an earlier question")
    return GoldQuestion(
        id=row["id"],
        question=row["question"],
        answer=row["answer"],
        facts=tuple(tuple(f) for f in facts),
        evidence=tuple(row["evidence"]),
        answerable=row["answerable"],
        context=context,
        line=line,
    )


def load_gold(path: Path, sources: dict[str, str] | None = None) -> list[GoldQuestion]:
    """Every question in ``path``; with ``sources``, evidence must be verbatim in one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GoldSetError(f"no gold file at {path}") from None
    except UnicodeDecodeError:
        raise GoldSetError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise GoldSetError(f"cannot read {path}: {exc.strerror}") from None
    questions: list[GoldQuestion] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        question = parse_line(raw, number)
        if question.id in seen:
            raise GoldSetError(f"line {number}: duplicate id {question.id!r}")
        if question.context is not None and question.context not in seen:
            raise GoldSetError(f"line {number}: context {question.context!r} is not an earlier id")
        seen.add(question.id)
        for quote in question.evidence if sources is not None else ():
            if not any(quote_pattern(quote).search(source) for source in sources.values()):
                raise GoldSetError(
                    f"line {number}: evidence not found in any source: {quote[:60]!r}"
                )
        questions.append(question)
    if not questions:
        raise GoldSetError(f"{path} holds no questions")
    return questions

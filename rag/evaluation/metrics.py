"""Scoring one answer against one gold question, and the set-level metrics.

Names follow DESIGN.md: ``hit@k``, ``mrr``, ``fact_accuracy``, ``token_f1``,
``citation_precision``, ``citation_recall``, ``noans_accuracy``,
``false_refusal_rate``, ``latency_p50_ms``, ``latency_p95_ms``.
"""

import re
import string
from collections import Counter
from collections.abc import Sequence

import numpy as np

METRIC_NAMES = (
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
    "quote_precision",
    "errors",
)
# Where lower is better (for --fail-under and --compare).
LOWER_IS_BETTER = frozenset({"false_refusal_rate", "latency_p50_ms", "latency_p95_ms", "errors"})
_MARKER = re.compile(r"\s*\[\d+\]")
# An evidence quote cut by a chunk boundary still counts when most of it is in the passage.
MIN_EVIDENCE_OVERLAP = 0.5


def normalize(text: str) -> str:
    """Lower-case, whitespace collapsed, e.g. " Daniel   ZHANG " -> "daniel zhang"."""
    return " ".join(text.lower().split())


def has_fact(answer: str, alternatives: Sequence[str]) -> bool:
    """Whether ``answer`` contains any of the alternatives (case/space-insensitive)."""
    text = normalize(answer)
    return any(normalize(a) in text for a in alternatives)


def facts_correct(answer: str, facts: Sequence[Sequence[str]]) -> bool:
    """All required facts present."""
    return all(has_fact(answer, alternatives) for alternatives in facts)


def _squad_tokens(text: str) -> list[str]:
    text = _MARKER.sub(" ", text.lower())
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return text.split()


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD token F1 (citation markers removed), e.g. ("the cat sat", "cat") -> 0.67."""
    pred, ref = _squad_tokens(prediction), _squad_tokens(reference)
    common = Counter(pred) & Counter(ref)
    overlap = sum(common.values())
    if not pred or not ref or overlap == 0:
        return float(pred == ref)
    precision, recall = overlap / len(pred), overlap / len(ref)
    return 2 * precision * recall / (precision + recall)


def quote_pattern(quote: str) -> re.Pattern[str]:
    """``quote`` as it may stand in an article: a space may be any white space (a wrapped
    line's break) and blanked Markdown markup may sit between a word and its punctuation.

    >>> bool(quote_pattern("named Daniel Zhang, CEO").search("named  Daniel\\nZhang  , CEO"))
    True
    """
    tokens = re.findall(r"\s+|\w+|[^\w\s]", quote.strip())
    parts = []
    for token in tokens:
        if token.isspace():
            parts.append(r"\s+")
        else:
            if parts and parts[-1] != r"\s+":
                # After a hyphen, a line break too: "most-\\ndiscussed" wrapped at the hyphen.
                parts.append(r"\s*" if parts[-1] == "\\-" else r"[ \t]*")
            parts.append(re.escape(token))
    return re.compile("".join(parts))


def evidence_spans(evidence: Sequence[str], sources: dict[str, str]) -> list[tuple[str, int, int]]:
    """Every occurrence of every evidence quote as (source, start, end)."""
    spans = []
    for quote in evidence:
        pattern = quote_pattern(quote)
        for name, text in sources.items():
            spans += [(name, m.start(), m.end()) for m in pattern.finditer(text)]
    return spans


def span_supports(
    source: str, start: int, end: int, spans: Sequence[tuple[str, int, int]], minimum: float
) -> bool:
    """Whether ``[start, end)`` covers at least ``minimum`` of some evidence span."""
    for name, a, b in spans:
        if name == source and b > a:
            shared = min(end, b) - max(start, a)
            if shared > 0 and shared / (b - a) >= minimum - 1e-9:
                return True
    return False


def passage_supports(
    source: str, start: int, end: int, spans: Sequence[tuple[str, int, int]]
) -> bool:
    """A retrieved passage supports when it holds most of an evidence quote."""
    return span_supports(source, start, end, spans, MIN_EVIDENCE_OVERLAP)


def quote_supports(
    source: str,
    start: int,
    end: int,
    quote: str,
    spans: Sequence[tuple[str, int, int]],
    facts: Sequence[Sequence[str]],
) -> bool:
    """A quote supports when it overlaps an evidence quote or states a required fact."""
    if span_supports(source, start, end, spans, minimum=1e-9):
        return True
    return any(has_fact(quote, alternatives) for alternatives in facts)


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0

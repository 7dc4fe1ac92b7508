"""Where the sentence holding the answer sits in the reader's order, on the eval suite.

    .venv/bin/python bench/answer_ranks.py [--suite ../shared/articles] [--cache DIR]

Tells whether a miss is the reader's or the retriever's. For every answerable
question (the model's gate off, as in ``bench/reader_sweep.py``), the sentences
the model read are put in its order, and the first one holding every fact is
looked for:

- **read first**: the model put it first (the answer is right unless a gate refuses);
- **read lower**: it was read but ranked below another sentence: the reader's miss;
- **not read**: a retrieved passage holds it but it was not among the sentences read;
- **no one sentence**: no retrieved sentence holds every fact on its own.

"If ranked right" is the share of answerable questions whose fact sentence was read
at all: the fact accuracy a perfect ranking of the same sentences would reach.
"""

import argparse
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reader_sweep  # noqa: E402

import rag.assistant as assistant  # noqa: E402
import rag.reader.evidence as evidence  # noqa: E402
from rag.evaluation.metrics import facts_correct  # noqa: E402
from rag.evaluation.suite import default_cache_dir  # noqa: E402

KINDS = ("read first", "read lower", "not read", "no one sentence")


def placed(read: list[str], pool: list[str], facts: list[list[str]]) -> str:
    """Which of ``KINDS`` a question's fact sentence falls in; ``read`` in the model's order.

    >>> placed(["Ann won.", "Bo won."], ["Ann won.", "Bo won."], [["Bo"]])
    'read lower'
    """
    found = [i for i, text in enumerate(read) if facts_correct(text, facts)]
    if found:
        return KINDS[0] if found[0] == 0 else KINDS[1]
    return KINDS[2] if any(facts_correct(text, facts) for text in pool) else KINDS[3]


def run(folder: Path, cache: Path) -> list[tuple[str, str]]:
    """(article, kind) for every answerable question with facts."""
    # Per question asked: the sentences read, in the model's order, and all those scored.
    asked: list[tuple[list[str], list[str]]] = []
    last: list[tuple[list[str], list[str]]] = []
    read, chat = evidence.ArticleReader._read, assistant.Assistant.chat

    def reading(self: Any, question: Any, scored: dict) -> dict:
        out = read(self, question, scored)
        ranked = sorted(
            (c for c in out.values() if c.reading is not None), key=lambda c: -c.reading
        )
        last[:] = [([c.text for c in ranked], [c.text for c in out.values()])]
        return out

    def asking(self: Any, *args: Any, **kwargs: Any) -> Any:
        last.clear()  # the credit line and the overview answer without reading
        answer = chat(self, *args, **kwargs)
        asked.append(last[0] if last else ([], []))
        return answer

    evidence.ArticleReader._read, assistant.Assistant.chat = reading, asking
    try:
        _, report = reader_sweep.run_report(folder, cache)
    finally:
        evidence.ArticleReader._read, assistant.Assistant.chat = read, chat
    return [
        (slug, placed(*sentences, row.facts))
        for (slug, row), sentences in zip(report.rows, asked, strict=True)
        if row.answerable and row.facts
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=Path("../shared/articles"))
    parser.add_argument("--cache", type=Path, default=default_cache_dir(os.environ))
    args = parser.parse_args()
    places = run(args.suite, args.cache)
    print(
        f"{'article':34s} {'questions':>9s} "
        + " ".join(f"{k:>15s}" for k in KINDS)
        + "  if ranked right"
    )
    for article in sorted({a for a, _ in places}) + ["pooled"]:
        kinds = Counter(k for a, k in places if article in (a, "pooled"))
        n = sum(kinds.values())
        shares = " ".join(f"{kinds[k] / n:15.3f}" for k in KINDS)
        print(f"{article:34s} {n:9d} {shares}  {(kinds[KINDS[0]] + kinds[KINDS[1]]) / n:.3f}")


if __name__ == "__main__":
    main()

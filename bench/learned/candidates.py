"""Dump what the reader scored for each gold question of a suite folder.

    python candidates.py SUITE_DIR OUT.json

Reuses the indexes `rag eval --suite SUITE_DIR` built (its cache). For each question:
whether it is answerable, whether the product answers it, the verdict's similarity and
coverage, and each scored sentence's features with whether it holds a gold fact.
"""

import json
import os
import sys
from pathlib import Path

from rag.assistant import Assistant
from rag.evaluation.gold import load_gold
from rag.evaluation.suite import article_folders, default_cache_dir, find_articles
from rag.settings import Settings


def question_row(assistant: Assistant, gold) -> dict:
    # The evidence an answer is written from (the assistant's own step before writing).
    evidence = assistant._evidence(gold.question, [])
    facts = [f.lower() for alternatives in gold.facts for f in alternatives]
    chosen = {c.key for c in evidence.selection.sentences}
    return {
        "id": gold.id,
        "answerable": gold.answerable,
        "answer": evidence.answerable,
        "kind": evidence.question.kind,
        "similarity": evidence.verdict.similarity,
        "coverage": evidence.verdict.coverage,
        "candidates": [
            {
                "similarity": c.similarity,
                "overlap": c.overlap,
                "typed": bool(c.typed),
                "score": c.score,
                "fact": any(f in c.text.lower() for f in facts),
                "chosen": c.key in chosen,
            }
            for c in evidence.candidates
        ],
    }


def main() -> None:
    folder, out = Path(sys.argv[1]), Path(sys.argv[2])
    cache = default_cache_dir(os.environ)
    rows = []
    for item in find_articles(folder):
        seeds, index = article_folders(cache, item)
        settings = Settings(seeds_dir=seeds, index_dir=index, chroma_url=None, llm="extractive")
        assistant = Assistant(settings)
        rows += [{"slug": item.slug, **question_row(assistant, g)} for g in load_gold(item.gold)]
    out.write_text(json.dumps(rows), encoding="utf-8")
    print(f"{len(rows)} questions from {folder}")


if __name__ == "__main__":
    main()

"""Fit a sentence ranker and an answerability model on the Lee dumps; test on others.

    python fit.py DUMPS_DIR EVAL_DUMP.json...

DUMPS_DIR holds pos.json, para.json and neg.json (candidates.py on the folders
cloze.py and paraphrase.py wrote). Prints:

- the ranker: a conditional logit over each question's scored sentences (similarity,
  word overlap, answer kind), trained to put a fact-bearing sentence first; its weights
  with similarity's set to 1 (the product's scorer has 1, 0.6, 0.1), and top-1 fact
  hits of both weightings on every dump;
- answerability: logistic regression on the evidence of the questions the product
  answers, answer present (pos) against answer removed (neg); on each eval dump, the
  unanswerable questions it would refuse and the answerable ones it would refuse too,
  and its AUC among the questions the product answers.
"""

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from rag.reader.scoring import LEXICAL_WEIGHT, TYPE_WEIGHT

RANKER_FEATURES = ("similarity", "overlap", "typed")
PRODUCT_WEIGHTS = np.array([1.0, LEXICAL_WEIGHT, TYPE_WEIGHT])  # the hand-set scorer's


def load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def ranked_groups(rows: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    groups = []
    for row in rows:
        if row["answerable"] and row["candidates"]:
            x = np.array([[float(c[f]) for f in RANKER_FEATURES] for c in row["candidates"]])
            groups.append((x, np.array([c["fact"] for c in row["candidates"]])))
    return groups


def fit_ranker(groups, l2: float = 1e-3, steps: int = 3000, rate: float = 0.5) -> np.ndarray:
    """Weights maximising the softmax probability of the fact-bearing sentences."""
    w = np.array([1.0, 0.0, 0.0])
    informative = [(x, y) for x, y in groups if y.any() and not y.all()]
    for _ in range(steps):
        gradient = l2 * w
        for x, y in informative:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * y / (p * y).sum()
            gradient += x.T @ (p - q) / len(informative)
        w -= rate * gradient
    return w / w[0]


def top1(groups, w: np.ndarray) -> float:
    return sum(bool(y[int(np.argmax(x @ w))]) for x, y in groups) / max(len(groups), 1)


def evidence_features(row: dict) -> list[float]:
    """What the product knows when it decides to answer: the verdict's similarity and
    coverage, the best score and its lead over the next, the chosen sentences' best
    overlap, whether an answer kind is wanted and whether a chosen sentence has it."""
    scores = sorted((c["score"] for c in row["candidates"]), reverse=True) or [0.0]
    chosen = [c for c in row["candidates"] if c["chosen"]]
    return [
        row["similarity"],
        row["coverage"],
        scores[0],
        scores[0] - (scores[1] if len(scores) > 1 else 0.0),
        max((c["overlap"] for c in chosen), default=0.0),
        float(row["kind"] is not None),
        float(any(c["typed"] for c in chosen)),
    ]


def main() -> None:
    dumps, evals = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
    pos, para, neg = (load(dumps / f"{n}.json") for n in ("pos", "para", "neg"))
    print("ranker (similarity = 1: overlap, typed)")
    named = [("pos", pos), ("para", para), *((p.stem, load(p)) for p in evals)]
    for train_name, train in (("pos", pos), ("para", para)):
        w = fit_ranker(ranked_groups(train))
        print(f"  trained on {train_name}: {np.round(w[1:], 3).tolist()}")
        for name, rows in named:
            groups = ranked_groups(rows)
            print(
                f"    {name:12} top-1 fact: product {top1(groups, PRODUCT_WEIGHTS):.3f},"
                f" learned {top1(groups, w):.3f} (n={len(groups)})"
            )
    answered_pos = [r for r in pos if r["answer"]]
    answered_neg = [r for r in neg if r["answer"]]
    x = np.array([evidence_features(r) for r in answered_pos + answered_neg])
    y = np.array([1] * len(answered_pos) + [0] * len(answered_neg))
    model = LogisticRegression(class_weight="balanced", max_iter=1000).fit(x, y)
    print(
        f"answerability: train accuracy {model.score(x, y):.3f}"
        f" ({len(answered_pos)} answered with the answer, {len(answered_neg)} without)"
    )
    for path in evals:
        report_answerability(path.stem, load(path), model)


def refused_share(rows: list[dict], odds: dict[str, float], threshold: float) -> float:
    """Share of ``rows`` refused: by the product, or by the model below ``threshold``."""
    refused = sum(not r["answer"] or odds[r["id"]] < threshold for r in rows)
    return refused / max(len(rows), 1)


def report_answerability(name: str, rows: list[dict], model: LogisticRegression) -> None:
    answered = [r for r in rows if r["answer"]]
    odds = {r["id"]: model.predict_proba([evidence_features(r)])[0, 1] for r in answered}
    labels = [r["answerable"] for r in answered]
    both = len(set(labels)) == 2  # no AUC when every answered question is answerable
    auc = f"{roc_auc_score(labels, [odds[r['id']] for r in answered]):.3f}" if both else "n/a"
    print(
        f"  {name}: AUC among answered {auc}"
        f" ({labels.count(False)} of {len(answered)} unanswerable)"
    )
    unanswerable = [r for r in rows if not r["answerable"]]
    answerable = [r for r in rows if r["answerable"]]
    for t in (0.3, 0.5):
        noans = (refused_share(unanswerable, odds, 0), refused_share(unanswerable, odds, t))
        false = (refused_share(answerable, odds, 0), refused_share(answerable, odds, t))
        print(
            f"    refuse below {t}: noans {noans[0]:.3f} -> {noans[1]:.3f},"
            f" answerable refused {false[0]:.3f} -> {false[1]:.3f}"
        )


if __name__ == "__main__":
    main()

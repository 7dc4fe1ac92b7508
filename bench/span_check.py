"""The short answer on text the model never trained on: SQuAD's own answers.

    .venv/bin/python bench/span_check.py [--weights rag/encoders/reader.safetensors]

The product's gold sets hold whole sentences, so their ``token_f1`` rewards showing
less and cannot judge the span head. SQuAD's kept-out train articles (``train.data.
kept_out``, the 10 drawn by seed 13; never trained on) have short answers: each
question is read with the sentence that holds its answer, as the product reads a
chosen sentence, and the span is scored by SQuAD's exact match and token F1, for
several caps on the span's length (``MAX_SPAN_TOKENS``).
"""

import argparse
import collections
import json
import re
import string
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import rag.encoders.reader as reader_module  # noqa: E402
from rag.embedding import bundled_model_path  # noqa: E402
from train.data import SLICE_CHECK_TITLES, answered_questions, kept_out, load_articles  # noqa: E402

CAPS = (6, 8, 12, 16, 24)


def normalised(text: str) -> list[str]:
    """SQuAD's answer normalisation: lower case, no punctuation, articles or extra spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    return re.sub(r"\b(a|an|the)\b", " ", text).split()


def f1(predicted: str, gold: str) -> float:
    p, g = normalised(predicted), normalised(gold)
    same = sum((collections.Counter(p) & collections.Counter(g)).values())
    if not p or not g or not same:
        return float(p == g)
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def rows(seed: int = 13) -> list[tuple[str, str, str]]:
    """(question, the sentence holding its answer, the answer) of the kept-out articles."""
    data = load_articles()
    held = kept_out([a["title"] for a in data], seed) - set(SLICE_CHECK_TITLES)
    out = []
    for para, qa, at in answered_questions(data, held):
        answer = qa["answers"][0]
        s, e = para.sentences[at]
        if answer["answer_start"] + len(answer["text"]) <= e:
            out.append((qa["question"].strip(), para.text[s:e], answer["text"]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=reader_module.WEIGHTS)
    parser.add_argument("--out", type=Path, default=None, help="append the figures (JSON lines)")
    args = parser.parse_args()
    questions = rows()
    model = reader_module.SentenceReader(bundled_model_path(), args.weights)
    print(f"{len(questions)} kept-out SQuAD questions, weights {args.weights}")
    print("| span cap (word pieces) | exact match | token F1 | mean words shown |")
    print("|---|---|---|---|")
    default = reader_module.MAX_SPAN_TOKENS
    for cap in CAPS:
        reader_module.MAX_SPAN_TOKENS = cap
        shown = []
        for question, sentence, _ in questions:
            (reading,) = model.read(question, [sentence])
            shown.append(sentence[reading.span[0] : reading.span[1]] if reading.span else "")
        exact = sum(
            normalised(s) == normalised(g) for s, (_, _, g) in zip(shown, questions, strict=True)
        )
        token_f1 = sum(f1(s, g) for s, (_, _, g) in zip(shown, questions, strict=True))
        words = sum(len(s.split()) for s in shown) / len(shown)
        n = len(questions)
        mark = " (shipped)" if cap == default else ""
        print(f"| {cap}{mark} | {exact / n:.3f} | {token_f1 / n:.3f} | {words:.1f} |")
        if args.out:
            with args.out.open("a") as log:
                row = {"weights": str(args.weights), "cap": cap, "questions": n}
                log.write(json.dumps(row | {"exact": exact / n, "f1": token_f1 / n}) + "\n")
    reader_module.MAX_SPAN_TOKENS = default
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

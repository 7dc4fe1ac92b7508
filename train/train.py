"""Train the reader's model on SQuAD 1.1 train, on the CPU, resumably.

    python -m train.train [--work train/work] [--max-steps N] [--stop-at N] [--articles N]

The first run prepares the pairs (``train.data``) and tokenizes them into
``WORK/pairs.pt``; each run then trains from the last checkpoint in ``WORK``
(``last.pt``, written atomically every ``--every`` steps, so an interrupted run
loses at most that much). The order of the pairs comes from the seed alone, so
a resumed run sees the same batches as an uninterrupted one. Each checkpoint
appends its loss and its figures on the kept-out articles to ``WORK/log.jsonl``.

The loss: binary cross-entropy on "does this sentence answer?", plus the span
head's cross-entropy on start and end (answering sentences only), over the
sentence's tokens.
"""

import argparse
import json
import math
import os
import random
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rag.embedding import bundled_model_path
from rag.encoders.reader import pair_tokenizer
from train.data import (
    answered_questions,
    article_pairs,
    kept_out,
    load_articles,
    squad2_checks,
)
from train.model import CrossEncoder, load_bundled

BATCH = 32
SPAN_WEIGHT = 0.5
LAYER_LR, HEAD_LR, WARMUP = 5e-5, 5e-4, 300
CHECK_QUESTIONS = 200  # kept-out questions scored at each checkpoint
# 0: train the whole schedule; a step number stops there (the learning rate still decays
# over the whole schedule, so a stopped run is the same run, cut short).
STOP_AT = 0


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    """The product's own pair tokenizer, so training cuts pairs as the product does."""
    return pair_tokenizer(bundled_model_path())


def encode_pairs(pairs: list[tuple[str, str]], spans: list[tuple[int, int] | None]) -> dict:
    """Token ids, segment ids, and the span's first and last token (-1: no span)."""
    encodings = tokenizer().encode_batch(pairs)
    ids, types, starts, ends = [], [], [], []
    for enc, span in zip(encodings, spans, strict=True):
        ids.append(np.array(enc.ids, dtype=np.int32))
        types.append(np.array(enc.type_ids, dtype=np.int8))
        s = e = -1
        if span is not None:
            first = enc.char_to_token(span[0], 1)
            last = enc.char_to_token(span[1] - 1, 1)
            if first is not None and last is not None:
                s, e = first, last
        starts.append(s)
        ends.append(e)
    return {"ids": ids, "types": types, "start": starts, "end": ends}


def prepare(work: Path, seed: int, articles: int | None) -> dict:
    """The tokenized training pairs, from the cache in ``work`` when it is there."""
    cache = work / "pairs.pt"
    if cache.exists():
        return torch.load(cache, weights_only=False)
    data = load_articles()[:articles]
    held = kept_out([a["title"] for a in data], seed)
    rng = random.Random(seed)
    pairs = [p for a in data if a["title"] not in held for p in article_pairs(a, rng)]
    rng.shuffle(pairs)
    out = encode_pairs([(p.question, p.sentence) for p in pairs], [p.span for p in pairs])
    out["label"] = [p.label for p in pairs]
    out["kind"] = [p.kind for p in pairs]
    out["kept_out"] = sorted(held)
    work.mkdir(parents=True, exist_ok=True)
    torch.save(out, work / "pairs.tmp")
    os.replace(work / "pairs.tmp", cache)
    return out


def batches(lengths: list[int], seed: int) -> list[list[int]]:
    """Batches of similar length (little padding), in an order fixed by ``seed``."""
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out = []
    pool = BATCH * 50
    for i in range(0, len(order), pool):
        group = sorted(order[i : i + pool], key=lambda j: lengths[j])
        out += [group[k : k + BATCH] for k in range(0, len(group), BATCH)]
    rng.shuffle(out)
    return out


def collate(data: dict, rows: list[int]) -> tuple[torch.Tensor, ...]:
    width = max(len(data["ids"][i]) for i in rows)
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    types = torch.zeros(len(rows), width, dtype=torch.long)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for r, i in enumerate(rows):
        n = len(data["ids"][i])
        ids[r, :n] = torch.from_numpy(data["ids"][i].astype(np.int64))
        types[r, :n] = torch.from_numpy(data["types"][i].astype(np.int64))
        mask[r, :n] = 1
    label = torch.tensor([data["label"][i] for i in rows], dtype=torch.float)
    start = torch.tensor([data["start"][i] for i in rows])
    end = torch.tensor([data["end"][i] for i in rows])
    return ids, types, mask, label, start, end


def span_positions(types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Where a span may start or end: the sentence's tokens (segment 1), not its [SEP]."""
    allowed = (types == 1) & (mask == 1)
    last = mask.sum(1) - 1
    allowed[torch.arange(len(last)), last] = False
    return allowed


def loss_of(model: CrossEncoder, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
    ids, types, mask, label, start, end = batch
    logit, start_logits, end_logits = model(ids, types, mask)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, label)
    has_span = start >= 0
    if has_span.any():
        allowed = span_positions(types, mask)[has_span]
        ce = torch.nn.functional.cross_entropy
        s = start_logits[has_span].masked_fill(~allowed, -1e4)
        e = end_logits[has_span].masked_fill(~allowed, -1e4)
        loss = loss + SPAN_WEIGHT * (ce(s, start[has_span]) + ce(e, end[has_span])) / 2
    return loss


def lr_factor(step: int, total: int) -> float:
    """Linear warm-up, then linear decay to zero at ``total``."""
    if step < WARMUP:
        return (step + 1) / WARMUP
    return max(0.0, (total - step) / max(1, total - WARMUP))


def auc(positive: list[float], negative: list[float]) -> float:
    """Probability that a positive outscores a negative (ties count half).

    >>> auc([2.0, 3.0], [1.0, 2.0])
    0.875
    """
    if not positive or not negative:
        return float("nan")
    neg = np.sort(np.array(negative))
    pos = np.array(positive)
    below = np.searchsorted(neg, pos, side="left")
    equal = np.searchsorted(neg, pos, side="right") - below
    return float((below + equal / 2).sum() / (len(pos) * len(neg)))


@torch.no_grad()
def score_pairs(model: CrossEncoder, pairs: list[tuple[str, str]]) -> list[float]:
    model.eval()
    data = encode_pairs(pairs, [None] * len(pairs))
    data["label"] = [0] * len(pairs)
    out = [0.0] * len(pairs)
    order = sorted(range(len(pairs)), key=lambda i: len(data["ids"][i]))
    for k in range(0, len(order), 64):
        rows = order[k : k + 64]
        ids, types, mask, *_ = collate(data, rows)
        logit, _, _ = model(ids, types, mask)
        for r, i in enumerate(rows):
            out[i] = float(logit[r])
    model.train()
    return out


def cosine(pairs: list[tuple[str, str]]) -> list[float]:
    """The bundled MiniLM's cosine similarity of each question and sentence (the yardstick
    the model is checked against: ``python -m train.train --cosine``)."""
    from rag.encoders.minilm import load_onnx_minilm

    embed = load_onnx_minilm()
    questions = embed.encode([q for q, _ in pairs])
    sentences = embed.encode([s for _, s in pairs])
    return [float(a @ b) for a, b in zip(questions, sentences, strict=True)]


def check(model: CrossEncoder | None, kept: list[dict], slice_rows: list[dict]) -> dict:
    """Figures on text never trained on: top-1 sentence of its paragraph on kept-out SQuAD
    1.1 questions, and answerable-vs-not on the SQuAD 2.0 slice's checking articles.
    ``model`` None: MiniLM cosine instead."""

    def score(pairs: list[tuple[str, str]]) -> list[float]:
        return cosine(pairs) if model is None else score_pairs(model, pairs)

    pairs, owners = [], []
    for q, row in enumerate(kept):
        for j, sentence in enumerate(row["sentences"]):
            pairs.append((row["question"], sentence))
            owners.append((q, j))
    scores = score(pairs)
    best: dict[int, tuple[float, int]] = {}
    for (q, j), s in zip(owners, scores, strict=True):
        if q not in best or s > best[q][0]:
            best[q] = (s, j)
    top1 = float(np.mean([best[q][1] == row["answer"] for q, row in enumerate(kept)]))
    pairs, owners = [], []
    for q, row in enumerate(slice_rows):
        for sentence in row["sentences"]:
            pairs.append((row["question"], sentence))
            owners.append(q)
    top: dict[int, float] = {}
    for q, s in zip(owners, score(pairs), strict=True):
        top[q] = max(top.get(q, -1e9), s)
    yes = [top[q] for q, r in enumerate(slice_rows) if r["answerable"]]
    no = [top[q] for q, r in enumerate(slice_rows) if not r["answerable"]]
    # Unanswerable ones refused when the threshold lets 10% of the answerable be refused.
    at10 = float(np.quantile(yes, 0.10))
    return {
        "kept_out_top1": round(top1, 3),
        "slice_auc": round(auc(yes, no), 3),
        "slice_refused_at_10pct": round(float(np.mean([s < at10 for s in no])), 3),
    }


def check_rows(data: list[dict], held: list[str], seed: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    kept = []
    for para, qa, at in answered_questions(data, held):
        if len(para.sentences) > 1:
            sentences = [para.text[s:e] for s, e in para.sentences]
            kept.append({"question": qa["question"], "sentences": sentences, "answer": at})
    rng.shuffle(kept)
    slice_rows = squad2_checks()
    answerable = [r for r in slice_rows if r["answerable"]]
    unanswerable = [r for r in slice_rows if not r["answerable"]]
    rng.shuffle(answerable)
    rng.shuffle(unanswerable)
    half = CHECK_QUESTIONS // 2
    return kept[:CHECK_QUESTIONS], answerable[:half] + unanswerable[:half]


def progress(step: int, total: int, started: float, done_before: int, loss: float) -> str:
    """One line: a bar, the step, pairs a second, the running loss and the time left."""
    rate = (step - done_before) / max(time.time() - started, 1e-9)
    left = (total - step) / rate if rate > 0 else float("inf")
    filled = int(30 * step / max(total, 1))
    eta = time.strftime("%H:%M:%S", time.gmtime(left)) if math.isfinite(left) else "?"
    return (
        f"[{'#' * filled}{'.' * (30 - filled)}] {step}/{total} "
        f"{rate * BATCH:.0f} pairs/s loss {loss:.4f} ETA {eta}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("train/work"))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--max-steps", type=int, default=0, help="0: one pass over the pairs")
    parser.add_argument(
        "--stop-at",
        type=int,
        default=STOP_AT,
        help="stop after this step; the learning rate still decays over the whole schedule",
    )
    parser.add_argument("--every", type=int, default=500, help="steps between checkpoints")
    parser.add_argument("--articles", type=int, default=None, help="only the first N (tests)")
    parser.add_argument("--no-check", action="store_true", help="skip the kept-out figures")
    parser.add_argument("--cosine", action="store_true", help="MiniLM cosine's figures, then stop")
    args = parser.parse_args(argv)
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    data = prepare(args.work, args.seed, args.articles)
    if args.cosine:
        rows = check_rows(load_articles()[: args.articles], data["kept_out"], args.seed)
        print(json.dumps(check(None, *rows)))
        return 0
    order = batches([len(x) for x in data["ids"]], args.seed)
    total = min(len(order), args.max_steps) if args.max_steps else len(order)
    model = load_bundled(bundled_model_path(), args.seed)
    trained = model.trained_parameters()
    heads = {id(p) for p in [*model.answers.parameters(), *model.span.parameters()]}
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for p in trained if id(p) not in heads], "lr": LAYER_LR},
            {"params": [p for p in trained if id(p) in heads], "lr": HEAD_LR},
        ],
        weight_decay=0.01,
    )
    base = [g["lr"] for g in optimizer.param_groups]
    for p in model.parameters():
        p.requires_grad_(False)
    for p in trained:
        p.requires_grad_(True)
    step = 0
    last = args.work / "last.pt"
    if last.exists():
        state = torch.load(last, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step = state["step"]
        print(f"resumed at step {step}", file=sys.stderr)
    checks = None
    if not args.no_check:
        checks = check_rows(load_articles()[: args.articles], data["kept_out"], args.seed)
    model.train()
    started, done_before, running = time.time(), step, None
    log = args.work / "log.jsonl"
    end = min(total, args.stop_at) if args.stop_at else total
    while step < end:
        for group, lr in zip(optimizer.param_groups, base, strict=True):
            group["lr"] = lr * lr_factor(step, total)
        loss = loss_of(model, collate(data, order[step]))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        optimizer.step()
        step += 1
        value = loss.item()
        running = value if running is None else 0.98 * running + 0.02 * value
        if step % 20 == 0 or step == end:
            print(progress(step, end, started, done_before, running), file=sys.stderr, flush=True)
        if step % args.every == 0 or step == end:
            state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}
            torch.save(state, args.work / "last.tmp")
            os.replace(args.work / "last.tmp", last)
            entry = {"step": step, "pairs": step * BATCH, "loss": round(running, 4)}
            entry["seconds"] = round(time.time() - started, 1)
            if checks:
                entry |= check(model, *checks)
            with log.open("a") as f:
                f.write(json.dumps(entry) + "\n")
            print(json.dumps(entry), file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

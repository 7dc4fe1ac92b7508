"""(a) Cold start to first answer: a fresh process, the index already built.

``rag ask QUESTION`` against ``plain_pipeline.py query``: each run is a new
process (interpreter start, imports, model load, index open, one answer), timed
from spawn to exit. One untimed run of each comes first so both are measured
with the files in the page cache; the timed runs alternate between the two so
a burst of load from another job hits both alike.

Two questions: one the article answers, and one it does not (a refusal takes
other paths: every close candidate is checked for the asked attribute, which
once embedded 446 words one at a time and took 15 s cold). The plain pipeline
is asked both too; it never refuses, so its refusal row is just its time.
"""

from typing import Any

from benchlib import RAG, Context, log, median, rag_env, run_measured
from report import Row, at_least, at_most

QUESTION = "Who was named CEO of Taotian Group?"
EXPECTED = "Daniel Zhang"  # in the one sentence that answers it
UNANSWERABLE = "Who is Alibaba's chief financial officer?"
REFUSAL = "The article does not say."
RUNS = 3
TIMEOUT_S = 300
TARGET_S = 3.0
TARGET_SPEEDUP = 3.0


def _run_rag(ctx: Context, question: str) -> Any:
    env = rag_env(ctx.seeds, ctx.index)
    return run_measured([RAG, "ask", question], env, timeout=TIMEOUT_S, cwd=ctx.work)


def _run_plain(ctx: Context, question: str) -> Any:
    cmd = ctx.plain_cmd("query", "--persist", str(ctx.plain), "--question", question)
    return run_measured(cmd, rag_env(ctx.seeds, ctx.index), timeout=TIMEOUT_S, cwd=ctx.work)


def run(ctx: Context) -> tuple[dict[str, Any], list[Row]]:
    _run_rag(ctx, QUESTION).check("rag ask (warm-up)")
    _run_plain(ctx, QUESTION).check("plain query (warm-up)")
    rag, plain, refusals, plain_refusals = [], [], [], []
    for number in range(RUNS):
        rag.append(_run_rag(ctx, QUESTION).check("rag ask"))
        plain.append(_run_plain(ctx, QUESTION).check("plain query"))
        refusals.append(_run_rag(ctx, UNANSWERABLE).check("rag ask (unanswerable)"))
        plain_refusals.append(_run_plain(ctx, UNANSWERABLE).check("plain query (unanswerable)"))
        log(
            f"  cold run {number + 1}: rag {rag[-1].wall_s:.2f} s, plain {plain[-1].wall_s:.2f} s;"
            f" refusal: rag {refusals[-1].wall_s:.2f} s, plain {plain_refusals[-1].wall_s:.2f} s"
        )
    wrong = [r.stdout[:200] for r in rag + plain if EXPECTED not in r.stdout]
    wrong += [r.stdout[:200] for r in refusals if REFUSAL not in r.stdout]
    rag_s = median(r.wall_s for r in rag)
    plain_s = median(r.wall_s for r in plain)
    refusal_s = median(r.wall_s for r in refusals)
    plain_refusal_s = median(r.wall_s for r in plain_refusals)
    raw = {
        "question": QUESTION,
        "unanswerable": UNANSWERABLE,
        "runs": RUNS,
        "rag_wall_s": [round(r.wall_s, 3) for r in rag],
        "plain_wall_s": [round(r.wall_s, 3) for r in plain],
        "rag_refusal_wall_s": [round(r.wall_s, 3) for r in refusals],
        "plain_refusal_wall_s": [round(r.wall_s, 3) for r in plain_refusals],
        "rag_median_s": rag_s,
        "plain_median_s": plain_s,
        "rag_refusal_median_s": refusal_s,
        "plain_refusal_median_s": plain_refusal_s,
        "rag_max_rss_mb": [round(r.max_rss_mb, 1) for r in rag],
        "plain_max_rss_mb": [round(r.max_rss_mb, 1) for r in plain],
        "answers_missing_expected_text": wrong,
    }
    speedup = plain_s / rag_s if rag_s and plain_s else None
    rows = [
        Row(
            "a cold start",
            f"fresh process to first answer, median of {RUNS}",
            "s",
            rag_s,
            plain_s,
            targets=[
                at_most(TARGET_S, rag_s, f"<={TARGET_S:g}s"),
                at_least(TARGET_SPEEDUP, speedup, f">={TARGET_SPEEDUP:g}x"),
            ],
        ),
        Row(
            "a cold start",
            f"fresh process to a refusal (the article does not say), median of {RUNS}",
            "s",
            refusal_s,
            plain_refusal_s,
            targets=[at_most(TARGET_S, refusal_s, f"<={TARGET_S:g}s")],
        ),
        Row(
            "a cold start",
            "peak RSS of that process, median",
            "MB",
            median(r.max_rss_mb for r in rag),
            median(r.max_rss_mb for r in plain),
        ),
    ]
    if wrong:
        rows.append(Row("a cold start", f"WRONG answers: {len(wrong)}", "", None))
    return raw, rows

"""(b) Warm query latency: one in-process Assistant, every gold question.

After one untimed pass over the gold set, each question is timed end to end
(``Assistant.chat``, follow-ups with their history) next to the *floor*: what
any vector-search pipeline over this model must spend at least, one question
embedding plus one Chroma vector search. The two are timed back to back per
question so they see the same machine load. The plain pipeline is
``rag.baseline.BaselineAssistant`` (the ``rag eval --baseline`` yardstick) over
the same documents, warmed up the same way.
"""

from typing import Any

from benchlib import Context, gold_turns, log, summary, timed_ms
from report import Row, at_most

# Issue 25's budget once the reader's model reads the retrieved sentences (it was 30 ms
# when an answer was embedding, search and hand rules only).
TARGET_P50_MS = 250.0
PLAIN_WARMUP = 3


def _rounds(ctx: Context) -> int:
    # More rounds smooth out bursts from other jobs; the quick run keeps one.
    return 1 if ctx.quick else 3


def measure_assistant(assistant: Any, turns: list[tuple[str, list]], rounds: int) -> dict:
    """Latencies (ms) of ``chat`` and of the floor, after one warm-up pass.

    Each round also times ``chat`` with NumPy's BLAS held to one thread: a
    diagnostic, not the product's default. On a busy 2-core machine a second
    BLAS thread waits on a core another process holds, which the default
    figures show as long stalls.
    """
    from threadpoolctl import threadpool_limits

    for question, history in turns:
        assistant.chat(question, history)
    answer_ms, floor_ms, one_thread_ms = [], [], []
    for _ in range(rounds):
        for question, history in turns:
            answer_ms.append(timed_ms(lambda q=question, h=history: assistant.chat(q, h))[0])
            floor_ms.append(timed_ms(lambda q=question: _floor(assistant, q))[0])
        with threadpool_limits(limits=1, user_api="blas"):
            for question, history in turns:
                one_thread_ms.append(
                    timed_ms(lambda q=question, h=history: assistant.chat(q, h))[0]
                )
    return {"answer_ms": answer_ms, "floor_ms": floor_ms, "one_blas_thread_ms": one_thread_ms}


def _floor(assistant: Any, question: str) -> list[str]:
    embedding = assistant.embed_question(question)
    return assistant.retriever.vector_ranking(embedding)


def measure_baseline(documents: list[Any], turns: list[tuple[str, list]], warmup: int) -> dict:
    """Build time and per-question latencies (ms) of the plain baseline."""
    from rag.baseline import BaselineAssistant

    build_ms, baseline = timed_ms(lambda: BaselineAssistant(documents))
    for question, history in turns[:warmup]:
        baseline.chat(question, history)
    latencies = [
        timed_ms(lambda q=question, h=history: baseline.chat(q, h))[0]
        for question, history in turns
    ]
    return {"build_ms": build_ms, "answer_ms": latencies}


def run(ctx: Context) -> tuple[dict[str, Any], list[Row]]:
    from rag import Assistant, Settings

    turns = gold_turns(ctx.gold)
    settings = Settings(seeds_dir=ctx.seeds, index_dir=ctx.index, llm="extractive")
    open_ms, assistant = timed_ms(lambda: Assistant(settings))
    rounds = _rounds(ctx)
    measured = measure_assistant(assistant, turns, rounds)
    log(f"  rag: {len(measured['answer_ms'])} timed answers")
    # The baseline embeds every retrieved sentence per question (0.5-3 s): warm it on a few,
    # and in a quick run time every third question only.
    plain_turns = turns[::3] if ctx.quick else turns
    plain = measure_baseline(assistant.index.documents, plain_turns, warmup=PLAIN_WARMUP)
    log(f"  plain: {len(plain['answer_ms'])} timed answers")
    rag_s, floor_s = summary(measured["answer_ms"]), summary(measured["floor_ms"])
    plain_s = summary(plain["answer_ms"])
    one = summary(measured["one_blas_thread_ms"])
    ratio = rag_s["p50"] / floor_s["p50"] if floor_s["p50"] else None
    raw = {
        "questions": len(turns),
        "rounds": rounds,
        "assistant_open_ms": round(open_ms, 1),
        "rag_ms": rag_s,
        "floor_ms": floor_s,
        "p50_over_floor_p50": ratio,
        "plain_ms": plain_s,
        "plain_build_ms": round(plain["build_ms"], 1),
        "plain_questions": len(plain_turns),
        "plain_warmup_questions": PLAIN_WARMUP,
        "rag_one_blas_thread_ms": summary(measured["one_blas_thread_ms"]),
    }
    section = "b warm query"
    rows = [
        Row(
            section,
            "answer latency p50",
            "ms",
            rag_s["p50"],
            plain_s["p50"],
            targets=[at_most(TARGET_P50_MS, rag_s["p50"], f"<={TARGET_P50_MS:g}ms")],
        ),
        Row(section, "answer latency p95", "ms", rag_s["p95"], plain_s["p95"]),
        Row(
            section,
            "answer p50, BLAS held to 1 thread",
            "ms",
            one["p50"],
            note=f"diagnostic, not the default; p95 {one['p95']:.1f} ms",
        ),
        Row(section, "floor p50: embed + vector search", "ms", floor_s["p50"]),
        # No target: the reader's model now reads sentences after the search.
        Row(section, "answer p50 / floor p50", "x", ratio),
    ]
    return raw, rows

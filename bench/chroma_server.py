"""(f) Query latency against a Chroma server next to the embedded store.

``chroma run`` on a free loopback port; the article is indexed into it with
``rag index`` and RAG_CHROMA_URL, then two Assistants (server and embedded)
answer every gold question, alternating per question so machine load falls on
both alike. The plain pipeline is built into the same server (its own
collection) and compared the same way against its embedded store.
"""

from typing import Any

from benchlib import (
    CHROMA,
    RAG,
    Context,
    free_port,
    gold_turns,
    log,
    proc_status_mb,
    rag_env,
    run_measured,
    start_server,
    stop_process,
    summary,
    timed_ms,
    wait_http,
)
from plain_pipeline import PlainPipeline
from report import Row

STARTUP_TIMEOUT_S = 60
PLAIN_WARMUP = 3


def _interleaved(
    first: Any, second: Any, questions: list[Any], rounds: int, warmup: int
) -> tuple[list, list]:
    """Latencies (ms) of two answer functions, alternating which goes first per question."""
    for question in questions[:warmup]:
        first(question)
        second(question)
    a, b = [], []
    for round_number in range(rounds):
        for number, question in enumerate(questions):
            if (number + round_number) % 2:
                b.append(timed_ms(lambda q=question: second(q))[0])
                a.append(timed_ms(lambda q=question: first(q))[0])
            else:
                a.append(timed_ms(lambda q=question: first(q))[0])
                b.append(timed_ms(lambda q=question: second(q))[0])
    return a, b


def _measure(ctx: Context, url: str) -> dict[str, Any]:
    from rag import Assistant, Settings

    rounds = 1 if ctx.quick else 3
    turns = gold_turns(ctx.gold)
    index = run_measured(
        [RAG, "index", "--json"],
        rag_env(ctx.seeds, ctx.work / "chroma" / "unused-index", chroma_url=url),
        timeout=600,
        cwd=ctx.work,
    ).check("rag index into the Chroma server")
    base = {"seeds_dir": ctx.seeds, "index_dir": ctx.index, "llm": "extractive"}
    server = Assistant(Settings(**base, chroma_url=url))
    embedded = Assistant(Settings(**base))
    rag_server, rag_embedded = _interleaved(
        lambda turn: server.chat(*turn),
        lambda turn: embedded.chat(*turn),
        turns,
        rounds,
        warmup=len(turns),
    )
    log(f"  rag: {len(rag_server)} timed answers on each store")
    plain_build = run_measured(
        ctx.plain_cmd("build", "--seeds", str(ctx.seeds), "--chroma-url", url),
        rag_env(ctx.seeds, ctx.index),
        timeout=600,
        cwd=ctx.work,
    ).check("plain build into the Chroma server")
    # The plain pipeline spends 0.5-3 s a question: warm it on a few, time a third in --quick.
    questions = [question for question, _ in turns][:: 3 if ctx.quick else 1]
    plain_server = PlainPipeline(ctx.model, url=url)
    plain_embedded = PlainPipeline(ctx.model, ctx.plain)
    plain_s, plain_e = _interleaved(
        plain_server.answer, plain_embedded.answer, questions, 1, warmup=PLAIN_WARMUP
    )
    log(f"  plain: {len(plain_s)} timed answers on each store")
    return {
        "rounds": rounds,
        "questions": len(turns),
        "plain_questions": len(questions),
        "rag_index_into_server_s": round(index.wall_s, 2),
        "plain_build_into_server_s": round(plain_build.wall_s, 2),
        "rag_server_ms": summary(rag_server),
        "rag_embedded_ms": summary(rag_embedded),
        "plain_server_ms": summary(plain_s),
        "plain_embedded_ms": summary(plain_e),
    }


def run(ctx: Context) -> tuple[dict[str, Any], list[Row]]:
    folder = ctx.scratch("chroma")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        CHROMA,
        "run",
        "--path",
        str(folder / "data"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    proc = start_server(cmd, rag_env(ctx.seeds, ctx.index), folder / "chroma.log")
    try:
        ready_s = wait_http(f"{url}/api/v2/heartbeat", proc, STARTUP_TIMEOUT_S)
        raw = _measure(ctx, url)
        raw["server_rss_mb_end"] = proc_status_mb(proc.pid)
    finally:
        raw_exit = stop_process(proc)
    raw.update({"ready_s": round(ready_s, 2), "server_exit_code": raw_exit})
    section = "f chroma server"
    rows = []
    for q in ("p50", "p95"):
        server, embedded = raw["rag_server_ms"][q], raw["rag_embedded_ms"][q]
        rows += [
            Row(section, f"server store: answer {q}", "ms", server, raw["plain_server_ms"][q]),
            Row(
                section, f"embedded store: answer {q}", "ms", embedded, raw["plain_embedded_ms"][q]
            ),
            Row(
                section,
                f"server / embedded {q}",
                "x",
                server / embedded if embedded else None,
                note=f"plain {raw['plain_server_ms'][q] / raw['plain_embedded_ms'][q]:.2f}x",
            ),
        ]
    rows.append(
        Row(
            section,
            "index the article into the server",
            "s",
            raw["rag_index_into_server_s"],
            raw["plain_build_into_server_s"],
        )
    )
    return raw, rows

"""(d) Under load: `rag serve` on 127.0.0.1 with 1, 4, 16 and 64 concurrent clients.

Each client is a thread with its own keep-alive ``httpx.Client`` posting gold
questions to ``/v1/chat/completions`` in a loop, for a fixed time and at most a
fixed number of requests. The same is then done against ``plain_server.py``
(the plain pipeline behind the same route). Clients and server share the
machine's two cores, so the client's own CPU use is part of what is measured;
it is the same for both servers.
"""

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from benchlib import (
    RAG,
    Context,
    free_port,
    log,
    proc_status_mb,
    rag_env,
    start_server,
    stop_process,
    summary,
    wait_http,
)
from report import Row

LEVELS = (1, 4, 16, 64)
MAX_REQUESTS_PER_CLIENT = 5_000
REQUEST_TIMEOUT_S = 60
STARTUP_TIMEOUT_S = 300
WARMUP_REQUESTS = 5


def _client(url: str, questions: list[str], first: int, deadline: float, out: list) -> None:
    """Post questions until ``deadline`` or the request cap; record (ms, status, error)."""
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        for number in range(MAX_REQUESTS_PER_CLIENT):
            if time.perf_counter() >= deadline:
                return
            question = questions[(first + number) % len(questions)]
            body = {"model": "bench", "messages": [{"role": "user", "content": question}]}
            started = time.perf_counter()
            try:
                status, error = client.post(url, json=body).status_code, None
            except httpx.HTTPError as exc:
                status, error = None, type(exc).__name__
            out.append(((time.perf_counter() - started) * 1000, status, error))


def _level(url: str, questions: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """Run ``clients`` threads for ``seconds``; throughput, latencies and errors."""
    results: list[list] = [[] for _ in range(clients)]
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_client, args=(url, questions, n * 7, deadline, results[n]), daemon=True
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # A request begun just before the deadline may run up to its own timeout.
        thread.join(timeout=seconds + REQUEST_TIMEOUT_S + 5)
    elapsed = time.perf_counter() - started
    rows = [r for per_client in results for r in per_client]
    ok = [ms for ms, status, _ in rows if status == 200]
    statuses = Counter(status for _, status, _ in rows if status not in (None, 200))
    exceptions = Counter(error for _, _, error in rows if error)
    return {
        "clients": clients,
        "elapsed_s": round(elapsed, 3),
        "requests": len(rows),
        "ok": len(ok),
        "throughput_rps": len(ok) / elapsed,
        "latency_ms": summary(ok),
        "non_200": sum(statuses.values()),
        "status_503": statuses.get(503, 0),
        "statuses": {str(k): v for k, v in statuses.items()},
        "exceptions": dict(exceptions),
        "threads_still_running": sum(t.is_alive() for t in threads),
    }


def _load_server(
    name: str,
    cmd: list[str],
    port: int,
    ctx: Context,
    questions: list[str],
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Start one server, warm it, run every level, stop it; figures per level and RSS."""
    base = f"http://127.0.0.1:{port}"
    env = {**rag_env(ctx.seeds, ctx.index), **(extra_env or {})}
    proc = start_server(cmd, env, ctx.work / "under_load" / f"{name}-server.log")
    try:
        ready_s = wait_http(f"{base}/health", proc, STARTUP_TIMEOUT_S)
        rss = {"start": proc_status_mb(proc.pid)}
        seconds = 4.0 if ctx.quick else 10.0
        url = f"{base}/v1/chat/completions"
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
            for question in questions[:WARMUP_REQUESTS]:
                client.post(url, json={"messages": [{"role": "user", "content": question}]})
        levels = []
        for clients in LEVELS:
            levels.append(_level(url, questions, clients, seconds))
            rss[f"after_{clients}"] = proc_status_mb(proc.pid)
            log(
                f"  {name} x{clients}: "
                f"{levels[-1]['throughput_rps']:.1f} req/s, p50 "
                f"{levels[-1]['latency_ms'].get('p50')} ms, errors {levels[-1]['non_200']}"
                f" + {sum(levels[-1]['exceptions'].values())}"
            )
        rss["end"] = proc_status_mb(proc.pid)
        rss["peak"] = proc_status_mb(proc.pid, "VmHWM")
        alive = proc.poll() is None
    finally:
        code = stop_process(proc)
    return {
        "seconds_per_level": seconds,
        "ready_s": round(ready_s, 2),
        "rss_mb": rss,
        "levels": levels,
        "alive_at_end": alive,
        "exit_code_after_stop": code,
    }


def _rows(rag: dict[str, Any], plain: dict[str, Any]) -> list[Row]:
    section = "d under load"
    rows = []
    for mine, theirs in zip(rag["levels"], plain["levels"], strict=True):
        n = mine["clients"]
        rows.append(
            Row(
                section,
                f"{n} clients: throughput",
                "req/s",
                mine["throughput_rps"],
                theirs["throughput_rps"],
                better="higher",
            )
        )
        for q in ("p50", "p95", "p99"):
            rows.append(
                Row(
                    section,
                    f"{n} clients: latency {q}",
                    "ms",
                    mine["latency_ms"].get(q),
                    theirs["latency_ms"].get(q),
                )
            )
        errors = mine["non_200"] + sum(mine["exceptions"].values())
        rows.append(
            Row(
                section,
                f"{n} clients: errors",
                "count",
                errors,
                theirs["non_200"] + sum(theirs["exceptions"].values()),
                note=f"rag: {mine['non_200']} non-200 ({mine['status_503']} x 503), "
                f"{sum(mine['exceptions'].values())} exceptions of {mine['requests']}",
            )
        )
    for when in ("start", "end", "peak"):
        rows.append(
            Row(
                section,
                f"server RSS at {when}",
                "MB",
                rag["rss_mb"].get(when),
                plain["rss_mb"].get(when),
            )
        )
    return rows


def run(ctx: Context) -> tuple[dict[str, Any], list[Row]]:
    ctx.scratch("under_load")  # the servers' logs
    questions = [row["question"] for row in ctx.gold if not row.get("context")]
    port = free_port()
    rag = _load_server("rag", [RAG, "serve", "--port", str(port)], port, ctx, questions)
    port = free_port()
    plain_cmd = [
        ctx.plain_cmd("query")[0],
        str(Path(__file__).with_name("plain_server.py")),
        "--model",
        str(ctx.model),
        "--persist",
        str(ctx.plain),
        "--port",
        str(port),
    ]
    plain = _load_server("plain", plain_cmd, port, ctx, questions)
    # The "before" of a speed change: rag serve again with BLAS on every core
    # (RAG_SERVER_BLAS_THREADS=0), where the default holds it to one thread.
    port = free_port()
    default_blas = _load_server(
        "rag-default-blas-threads",
        [RAG, "serve", "--port", str(port)],
        port,
        ctx,
        questions,
        {"RAG_SERVER_BLAS_THREADS": "0"},
    )
    raw = {"rag": rag, "plain": plain, "rag_default_blas_threads": default_blas, "levels": LEVELS}
    return raw, _rows(rag, plain) + _blas_rows(rag, default_blas)


def _blas_rows(rag: dict[str, Any], default_blas: dict[str, Any]) -> list[Row]:
    """rag serve with BLAS on every core, beside the default (one thread): rag vs rag."""
    rows = []
    for mine, other in zip(rag["levels"], default_blas["levels"], strict=True):
        before = other["throughput_rps"]
        gain = f"{mine['throughput_rps'] / before:.2f}x" if before else "-"
        rows.append(
            Row(
                "d under load",
                f"{other['clients']} clients: throughput with BLAS on all cores",
                "req/s",
                before,
                better="higher",
                note=f"the default 1 thread does {gain} this; all-cores p50"
                f" {other['latency_ms'].get('p50', 0):.0f} ms, {other['non_200']} non-200",
            )
        )
    return rows

"""A bounded soak of `rag serve` on loopback: a fixed number of requests, zero errors,
and memory, file handles and threads that stay flat. Prints its figures.

RAG_SOAK_REQUESTS sets the number of requests (default 400).
"""

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import RAG, ROOT, free_port, make_seeds

QUESTIONS = [
    json.loads(line)["question"]
    for line in (ROOT / "seeds" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
]


def _process_figures(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {
        "rss_kb": int(fields["VmRSS"].split()[0]),
        "threads": int(fields["Threads"]),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
    }


def _drive(url: str, count: int, workers: int) -> tuple[int, list[float]]:
    """Send ``count`` questions from ``workers`` threads; (errors, latencies)."""
    errors, latencies, lock = [0], [], threading.Lock()
    todo = iter(range(count))

    def work() -> None:
        with httpx.Client(timeout=60) as client:
            while True:
                with lock:
                    n = next(todo, None)
                if n is None:
                    return
                started = time.perf_counter()
                try:
                    response = client.post(
                        f"{url}/v1/chat/completions",
                        json={
                            "messages": [{"role": "user", "content": QUESTIONS[n % len(QUESTIONS)]}]
                        },
                    )
                    ok = response.status_code == 200 and "choices" in response.json()
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append(time.perf_counter() - started)
                    errors[0] += not ok

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return errors[0], latencies


def test_soak_serve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = make_seeds(tmp_path / "seeds")
    port = free_port()
    env = {
        **os.environ,
        "RAG_SEEDS_DIR": str(seeds),
        "RAG_INDEX_DIR": str(tmp_path / "index"),
        "RAG_LLM": "extractive",
    }
    server = subprocess.Popen(
        [*RAG, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        warm_errors, _ = _drive(url, 40, 4)
        start = _process_figures(server.pid)
        count = int(os.environ.get("RAG_SOAK_REQUESTS", "400"))
        began = time.monotonic()
        errors, latencies = _drive(url, count, 4)
        elapsed = time.monotonic() - began
        end = _process_figures(server.pid)
        latencies.sort()
        figures = (
            f"\nsoak: {count} requests in {elapsed:.1f} s ({count / elapsed:.1f}/s), "
            f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
            f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms, errors {errors}; "
            f"RSS {start['rss_kb'] // 1024} -> {end['rss_kb'] // 1024} MB, "
            f"threads {start['threads']} -> {end['threads']}, fds {start['fds']} -> {end['fds']}"
        )
        with capsys.disabled():
            print(figures)
        assert warm_errors == 0 and errors == 0
        assert len(latencies) == count
        assert end["rss_kb"] - start["rss_kb"] < 50 * 1024
        assert end["fds"] <= start["fds"] + 5
        assert end["threads"] <= start["threads"] + 5
    finally:
        server.terminate()
        server.wait(timeout=30)

"""A slow or stalled model server costs one deadline, never a hang.

Real peers on 127.0.0.1 (tests/peers.py) that misbehave on cue: silent, trickling
a token every 0.3 s forever, flooding tokens forever, or sending garbage slowly,
before the headers end or in the body. Every call must end within the deadline
plus MARGIN, close every connection it opened, and leave the process able to
answer. The bounds are hang-or-not bounds, far from the measured times, which the
tests print (`pytest -s`).
"""

import gc
import itertools
import json
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rag import Assistant, LLMError, Settings
from rag.models import OpenAICompatibleModel

from conftest import RAG, ROOT, free_port
from peers import ChatPeer

TIMEOUT = 1.0  # RAG_LLM_TIMEOUT in these tests
MARGIN = 0.5  # what a call may take past its deadline
QUESTION = "Who was named CEO of Taotian Group?"
HEALTHY = "Daniel Zhang was named CEO of Taotian Group [1]."
MESSAGES = [{"role": "user", "content": QUESTION}]
pytestmark = pytest.mark.slow


def _settings(base: Settings, url: str, **kw: object) -> Settings:
    return base.model_copy(
        update={
            "llm": "openai",
            "openai_base_url": url,
            "openai_model": "peer",
            "llm_timeout": TIMEOUT,
            **kw,
        }
    )


def _figures() -> dict[str, int]:
    return {
        "threads": threading.active_count(),  # the deadline watchdog may start: +1
        "fds": len(os.listdir("/proc/self/fd")),
    }


def _report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print(f"\n{line}")


@pytest.fixture(scope="module")
def peer() -> Iterator[ChatPeer]:
    with ChatPeer(text=HEALTHY) as running:
        yield running


@pytest.fixture(scope="module")
def over_peer(shared_settings: Settings, peer: ChatPeer) -> Assistant:
    """An Assistant whose model is the peer."""
    return Assistant(_settings(shared_settings, peer.url))


@pytest.fixture(scope="module")
def model_questions(assistant: Assistant) -> list[str]:
    """Gold questions the evidence can answer, so the model is asked (others are refused
    without it)."""
    rows = [json.loads(line) for line in (ROOT / "seeds" / "gold.jsonl").open(encoding="utf-8")]
    asked = (r["question"] for r in rows if r["answerable"] and "context" not in r)
    return list(itertools.islice((q for q in asked if not assistant.ask(q).refused), 30))


def _timed_calls(assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """How long each of the assistant's (real) model calls takes, from start to its end."""
    calls: list[float] = []
    real = assistant.model.stream

    def timed(messages: list[dict[str, str]]) -> Iterator[str]:
        started = time.monotonic()
        try:
            yield from real(messages)
        finally:
            calls.append(time.monotonic() - started)

    monkeypatch.setattr(assistant.model, "stream", timed)
    return calls


def test_a_trickling_server_costs_one_deadline_per_question(
    over_peer: Assistant,
    peer: ChatPeer,
    model_questions: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The model's part of each question is bounded by the deadline; retrieval and the
    rules before it take what they take (printed, not asserted: the machine is shared)."""
    assert len(model_questions) == 30
    peer.mode, peer.interval = "trickle", 0.3
    calls = _timed_calls(over_peer, monkeypatch)
    totals = []
    for question in model_questions:
        started = time.monotonic()
        with pytest.raises(LLMError, match="timed out after 1 s"):
            over_peer.ask(question)
        totals.append(time.monotonic() - started)
    _report(
        capsys,
        f"trickle (a token every 0.3 s, endless), deadline {TIMEOUT:g} s: 30 questions; "
        f"model call median {statistics.median(calls):.3f} s, max {max(calls):.3f} s; "
        f"whole question median {statistics.median(totals):.3f} s, max {max(totals):.3f} s",
    )
    assert len(calls) == 30 and max(calls) <= TIMEOUT + MARGIN
    assert peer.wait_idle(2), f"{peer.open} connections still open"
    peer.mode, peer.interval = "answer", 0.0
    answer = over_peer.ask(QUESTION)  # the 31st, to a healthy server
    assert answer.answerer == "openai" and not answer.refused
    assert "Daniel Zhang" in answer.text and answer.citations


@pytest.mark.parametrize("mode", ["silent", "flood", "garbage-head", "garbage-body"])
def test_any_misbehaviour_costs_one_deadline(
    over_peer: Assistant,
    peer: ChatPeer,
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    peer.mode, peer.interval = mode, 0.2
    calls = _timed_calls(over_peer, monkeypatch)
    started = time.monotonic()
    with pytest.raises(LLMError, match=f"^the model server at {peer.url} timed out after 1 s$"):
        over_peer.ask(QUESTION)
    took = time.monotonic() - started
    _report(
        capsys,
        f"{mode}: model call failed after {calls[0]:.3f} s, the question after {took:.3f} s"
        f" (deadline {TIMEOUT:g} s)",
    )
    assert calls[0] <= TIMEOUT + MARGIN
    assert peer.wait_idle(2), f"{peer.open} connections still open"


def test_fallback_answers_within_the_deadline_plus_the_extractive_time(
    over_peer: Assistant,
    assistant: Assistant,
    peer: ChatPeer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extractive = assistant.ask(QUESTION)
    peer.mode, peer.interval = "trickle", 0.3
    plain = over_peer.settings
    over_peer.settings = plain.model_copy(update={"fallback": "extractive"})
    try:
        started = time.monotonic()
        answer = over_peer.ask(QUESTION)
        took = time.monotonic() - started
    finally:
        over_peer.settings = plain
    # The extractive answer's own time: finding the evidence, before the model was asked
    # (writing it from the evidence afterwards takes well under a millisecond).
    extractive_s = answer.timings["retrieve_ms"] / 1000
    _report(
        capsys,
        f"fallback: extractive answer after {took:.3f} s "
        f"(deadline {TIMEOUT:g} s, the extractive answer's evidence {extractive_s:.3f} s)",
    )
    assert answer.answerer == "extractive" and answer.text == extractive.text
    assert answer.fallback == f"the model server at {peer.url} timed out after 1 s"
    assert took <= TIMEOUT + extractive_s + MARGIN


def test_abandoned_streams_never_deadlock(
    shared_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """One model, its streams dropped half-read in reference cycles, so the garbage
    collector finalizes them at arbitrary points, and every third call run to the end.
    Before each call had its own pool, a stream finalized inside the next request's
    pool lock hung the process for good (here after 7 completed calls)."""
    count = 200
    long_answer = " ".join(["word"] * 100)
    with ChatPeer(text=long_answer) as peer:
        model = OpenAICompatibleModel(_settings(shared_settings, peer.url, llm_timeout=10.0))
        gc.collect()
        before = _figures()
        done: list[str] = []

        def work() -> None:
            for n in range(count):
                stream = model.stream(MESSAGES)
                next(stream)
                cycle: list[object] = [stream]
                cycle.append(cycle)  # only the garbage collector can free it
                del stream, cycle
                if n % 3 == 0:
                    done.append("".join(model.stream(MESSAGES)))

        thresholds = gc.get_threshold()
        gc.set_threshold(100)  # collect often, so at arbitrary points in httpcore
        started = time.monotonic()
        try:
            worker = threading.Thread(target=work, daemon=True)
            worker.start()
            worker.join(timeout=120)
        finally:
            gc.set_threshold(*thresholds)
        took = time.monotonic() - started
        assert not worker.is_alive(), f"stuck after {len(done)} completed calls"
        gc.collect()
        assert peer.wait_idle(5), f"{peer.open} abandoned streams still open"
        after = _figures()
        settle = time.monotonic() + 5  # peer handler threads finish after their socket
        while time.monotonic() < settle and after["threads"] > before["threads"] + 1:
            time.sleep(0.05)
            after = _figures()
    _report(
        capsys,
        f"abandoned streams: {count} dropped half-read, {len(done)} completed, in "
        f"{took:.1f} s; threads {before['threads']} -> {after['threads']}, "
        f"fds {before['fds']} -> {after['fds']}",
    )
    assert done == [long_answer + " "] * len(range(0, count, 3))
    assert after["fds"] <= before["fds"] and after["threads"] <= before["threads"] + 1


def _server_figures(pid: int) -> dict[str, int]:
    """Threads, file handles other than the index's database, and database handles.

    Chroma opens one SQLite connection per thread that reads the index, and Python
    frees a connection only in a cyclic garbage collection (sqlite3's statement cache
    refers back to it), so a retired worker thread's handle stays open until the next
    one: the database handles are bounded by the threads, not by the requests."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    targets = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            targets.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except FileNotFoundError:
            pass  # closed while listed
    database = sum(target.endswith(".sqlite3") for target in targets)
    return {
        "threads": int(fields["Threads"]),
        "fds": len(targets) - database,
        "database": database,
    }


def _drop_after_first_chunk(url: str) -> None:
    body = {"messages": [{"role": "user", "content": QUESTION}], "stream": True}
    with httpx.Client(timeout=10) as client:
        with client.stream("POST", f"{url}/v1/chat/completions", json=body) as response:
            assert response.status_code == 200, response.read()
            for line in response.iter_lines():
                if line.startswith("data: "):
                    return  # leaving the block hangs up mid-answer


def test_serve_frees_the_model_when_clients_hang_up(
    assistant: Assistant,
    shared_settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`rag serve` with a model that streams forever: 100 clients hang up after the first
    chunk. Only a hang-up can end those calls (the deadline is 60 s, no one may queue),
    so each must free its model call and its admission slot at once."""
    with ChatPeer("trickle", text=HEALTHY, interval=0.05) as model:
        port = free_port()
        env = {
            **os.environ,
            "RAG_SEEDS_DIR": str(shared_settings.seeds_dir),
            "RAG_INDEX_DIR": str(shared_settings.index_dir),
            "RAG_LLM": "openai",
            "OPENAI_BASE_URL": model.url,
            "RAG_OPENAI_MODEL": "peer",
            "RAG_LLM_TIMEOUT": "60",
            "RAG_MAX_CONCURRENT": "4",
            "RAG_MAX_QUEUE": "0",
        }
        server = subprocess.Popen(
            [*RAG, "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and server.poll() is None:
                try:
                    if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            for _ in range(8):  # warm up: worker threads, imports, caches
                _drop_after_first_chunk(url)
            assert model.wait_idle(5)
            time.sleep(1)
            start = _server_figures(server.pid)
            closed_before = len(model.closed_at)
            dropped = []
            began = time.monotonic()
            for _ in range(100):
                _drop_after_first_chunk(url)
                dropped.append(time.monotonic())
            elapsed = time.monotonic() - began
            freed = model.wait_idle(5)
            closes = sorted(model.closed_at[closed_before:])
            assert freed and len(closes) == 100, f"{model.open} model calls still open"
            lags = [c - d for c, d in zip(closes, dropped, strict=True)]

            started = time.monotonic()
            health = httpx.get(f"{url}/health", timeout=5)
            health_s = time.monotonic() - started
            model.mode, model.interval = "answer", 0.0
            started = time.monotonic()
            reply = httpx.post(
                f"{url}/v1/chat/completions",
                json={"messages": [{"role": "user", "content": QUESTION}]},
                timeout=5,
            )
            answer_s = time.monotonic() - started

            settle = time.monotonic() + 15  # idle worker threads retire after 10 s
            end = _server_figures(server.pid)
            while time.monotonic() < settle and (
                end["threads"] > start["threads"] or end["fds"] > start["fds"]
            ):
                time.sleep(0.5)
                end = _server_figures(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    _report(
        capsys,
        f"serve: 100 streamed answers dropped after the first chunk in {elapsed:.1f} s; "
        f"model call freed {statistics.median(lags) * 1000:.0f} ms (median), "
        f"{max(lags) * 1000:.0f} ms (max) after the hang-up; then /health in "
        f"{health_s * 1000:.0f} ms, an answer in {answer_s * 1000:.0f} ms; "
        f"threads {start['threads']} -> {end['threads']}, fds {start['fds']} -> {end['fds']}"
        f" (and index database handles {start['database']} -> {end['database']})",
    )
    assert max(lags) < 5
    assert health.status_code == 200 and health_s < 1
    assert reply.status_code == 200, reply.text
    assert "Daniel Zhang" in reply.json()["choices"][0]["message"]["content"]
    assert answer_s < 1
    assert end["threads"] <= start["threads"] and end["fds"] <= start["fds"]
    assert end["database"] <= end["threads"]

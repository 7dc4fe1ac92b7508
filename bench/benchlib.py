"""Shared helpers of the benchmark: statistics, processes, ports, memory, the machine.

Everything here is plain standard library (plus NumPy for percentiles) so the
benchmark's own overhead stays out of the figures it measures.
"""

import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
ARTICLE = ROOT / "seeds" / "alibaba-executive-reshuffle.txt"
GOLD = ROOT / "seeds" / "gold.jsonl"
# The console scripts next to the interpreter running the benchmark (the project's venv).
BIN = Path(sys.executable).parent
RAG = str(BIN / "rag")
CHROMA = str(BIN / "chroma")
PLAIN_SCRIPT = str(BENCH / "plain_pipeline.py")

# Variables that would point a subprocess at the user's own index, model server or key.
_SCRUBBED_PREFIXES = ("RAG_", "OPENAI_")
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# No internet here: libraries must fail fast instead of waiting on DNS.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


# ---------------------------------------------------------------- statistics


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation), or None for no values."""
    data = list(values)
    return float(np.percentile(data, q)) if data else None


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 50)


def summary(values: list[float]) -> dict[str, Any]:
    """n, p50, p95, p99, mean, min and max of ``values`` (rounded for the JSON)."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": round(percentile(values, 50) or 0.0, 3),
        "p95": round(percentile(values, 95) or 0.0, 3),
        "p99": round(percentile(values, 99) or 0.0, 3),
        "mean": round(float(np.mean(values)), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def timed_ms(call: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds ``call()`` took, and what it returned."""
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


# ---------------------------------------------------------------- the machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def loadavg() -> list[float]:
    """1, 5 and 15 minute load averages: the machine is shared, so they go with every figure."""
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def machine_info() -> dict[str, Any]:
    """What the figures were measured on."""
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) // 1024
    except OSError:
        pass
    dirty = _git("status", "--porcelain", "--", "rag", "ui")
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": _cpu_model(),
        "memory_mb": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "loadavg_at_start": loadavg(),
        # Thread settings change the figures several-fold on a busy machine (see README).
        "thread_env": {k: os.environ.get(k) for k in _THREAD_VARIABLES},
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        # The product may have uncommitted edits; say so, since they shape the figures.
        "git_uncommitted_in_rag_ui": len(dirty.splitlines()) if dirty else 0,
    }


# ---------------------------------------------------------------- processes


def child_env(**settings: str | os.PathLike[str] | None) -> dict[str, str]:
    """This environment without the user's RAG_/OPENAI_ variables, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    env.update(OFFLINE_ENV)
    env.update({k: str(v) for k, v in settings.items() if v is not None})
    return env


def rag_env(seeds: Path, index: Path, chroma_url: str | None = None) -> dict[str, str]:
    """Environment for a ``rag`` subprocess on ``seeds`` and ``index`` (extractive answers)."""
    return child_env(
        RAG_SEEDS_DIR=seeds, RAG_INDEX_DIR=index, RAG_LLM="extractive", RAG_CHROMA_URL=chroma_url
    )


@dataclass(frozen=True)
class Measured:
    """One finished subprocess: wall time, its own peak RSS, CPU time and what it printed."""

    wall_s: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool
    # User + system seconds of the command: on a shared machine it moves less than wall time.
    cpu_s: float = float("nan")

    def check(self, what: str) -> "Measured":
        """Raise with the process's last words when it failed."""
        if self.returncode != 0 or self.timed_out:
            tail = (self.stderr or self.stdout).strip().splitlines()[-5:]
            state = "timed out" if self.timed_out else f"exit {self.returncode}"
            raise RuntimeError(f"{what} failed ({state}): {' | '.join(tail)}")
        return self


# GNU time reports the peak RSS of the command it runs. Asking the kernel directly
# (``os.wait4``) is wrong here: a child forked from the benchmark starts with the
# benchmark's own high-water mark (1 GB once torch is loaded), and exec keeps it.
GNU_TIME = Path("/usr/bin/time")


def run_measured(
    cmd: list[str], env: dict[str, str], *, timeout: float, cwd: Path | None = None
) -> Measured:
    """Run ``cmd`` to completion: wall time, its peak RSS and CPU time, what it printed.

    The command runs in its own process group under GNU time, so a timeout can
    stop both without touching anything else.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as rss,
    ):
        timed = (
            [str(GNU_TIME), "-f", "%M %U %S", "-o", rss.name, *cmd] if GNU_TIME.exists() else cmd
        )
        started = time.perf_counter()
        proc = subprocess.Popen(
            timed, env=env, stdout=out, stderr=err, cwd=cwd, start_new_session=True
        )
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, 9)  # the group we just created: GNU time and the command
            proc.wait()
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        rss_kb, cpu_s = _gnu_time(rss.read())
        return Measured(
            wall_s=wall,
            max_rss_mb=rss_kb / 1024,
            cpu_s=cpu_s,
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=timed_out,
        )


def _gnu_time(report: str) -> tuple[float, float]:
    """Peak RSS (KB) and user + system seconds from GNU time's "%M %U %S" line; NaN when
    there is none.

    >>> _gnu_time("Command exited with non-zero status 1\\n81234 2.50 0.25\\n")
    (81234.0, 2.75)
    """
    try:
        rss, user, system = report.strip().splitlines()[-1].split()
        return float(rss), float(user) + float(system)
    except (IndexError, ValueError):
        return float("nan"), float("nan")


# Debian's Chromium, headless and quiet: no network of its own, no updates, no first run.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float) -> float:
    """Poll ``url`` until it answers 200; seconds it took. Fails if ``proc`` dies first."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def start_server(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server subprocess with its output in ``log`` (a pipe could fill and block it)."""
    handle = log.open("wb")
    try:
        return subprocess.Popen(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT)
    finally:
        handle.close()  # the child holds its own copy


def stop_process(proc: subprocess.Popen[bytes], grace: float = 20) -> int | None:
    """Stop one process we started, by its pid: SIGTERM, then SIGKILL after ``grace`` s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=grace)
    return proc.returncode


def proc_status_mb(pid: int, field: str = "VmRSS") -> float | None:
    """A memory line of /proc/<pid>/status in MB (VmRSS now, VmHWM the peak)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


# ---------------------------------------------------------------- files


def dir_size_mb(folder: Path) -> dict[str, float]:
    """Bytes of the files under ``folder`` (apparent) and blocks they occupy on disk, in MB."""
    apparent = allocated = 0
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            apparent += stat.st_size
            allocated += stat.st_blocks * 512
    return {"apparent_mb": round(apparent / 2**20, 2), "on_disk_mb": round(allocated / 2**20, 2)}


def article_seeds(folder: Path) -> Path:
    """A seeds folder holding a copy of the bundled article."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    return folder


def load_gold() -> list[dict[str, Any]]:
    """The gold questions as dicts (id, question, context, ...)."""
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def gold_turns(gold: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, str]]]]:
    """Each gold question with the chat history it is asked with.

    A follow-up (``context`` set) gets its earlier question and that question's
    reference answer as history, as ``rag eval`` does with the live answer.
    """
    by_id = {row["id"]: row for row in gold}
    turns = []
    for row in gold:
        history: list[dict[str, str]] = []
        if row.get("context"):
            earlier = by_id[row["context"]]
            history = [
                {"role": "user", "content": earlier["question"]},
                {"role": "assistant", "content": earlier["answer"]},
            ]
        turns.append((row["question"], history))
    return turns


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the table."""
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- shared state


@dataclass(frozen=True)
class Context:
    """What every section shares: mode, scratch folder and the article's two indexes."""

    quick: bool
    work: Path  # scratch root, deleted at the end
    model: Path  # the bundled MiniLM folder, for the plain pipeline
    seeds: Path  # a seeds folder holding a copy of the article
    index: Path  # the product's index of it (built before any section runs)
    plain: Path  # the plain pipeline's Chroma store of it (built likewise)
    gold: list[dict[str, Any]]

    def scratch(self, name: str) -> Path:
        """A fresh folder of the scratch root for one section."""
        folder = self.work / name
        folder.mkdir(parents=True, exist_ok=False)
        return folder

    def plain_cmd(self, command: str, *args: str) -> list[str]:
        return [sys.executable, PLAIN_SCRIPT, command, "--model", str(self.model), *args]

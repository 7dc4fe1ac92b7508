"""Shared fixtures: every path the code writes points into a temp folder."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "seeds" / "alibaba-executive-reshuffle.txt"
RAG = [sys.executable, "-m", "rag"]
# Debian's Chromium, headless and quiet: no network of its own, no updates, no first run.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read from the environment never touch the project's own folders,
    and no test talks to a model server it did not start itself."""
    monkeypatch.setenv("RAG_SEEDS_DIR", str(tmp_path / "seeds"))
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "RAG_LLM", "RAG_FALLBACK"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def article_text() -> str:
    return ARTICLE.read_text(encoding="utf-8")


def make_seeds(folder: Path) -> Path:
    """A seeds folder holding a copy of the article."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    return folder


def assistant_over(root: Path, **articles: str):  # noqa: ANN201
    """An offline assistant over ``articles`` (file name: text) in ``root/seeds``."""
    from rag import Assistant, Settings

    (root / "seeds").mkdir(parents=True)
    for name, text in articles.items():
        (root / "seeds" / name).write_text(text, "utf-8")
    return Assistant(Settings(seeds_dir=root / "seeds", index_dir=root / "index", llm="extractive"))


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return make_seeds(tmp_path / "seeds")


@pytest.fixture(scope="session")
def shared_settings(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """Settings of one real index (real model, real Chroma in a temp dir) for the session."""
    from rag import Settings

    base = tmp_path_factory.mktemp("shared")
    return Settings(
        seeds_dir=make_seeds(base / "seeds"), index_dir=base / "index", llm="extractive"
    )


@pytest.fixture(scope="session")
def assistant(shared_settings):  # noqa: ANN001, ANN201
    """One real extractive Assistant for the session."""
    from rag import Assistant

    return Assistant(shared_settings)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_rag(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    prefix: list[str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess with the test's environment."""
    return subprocess.run(
        [*(prefix or []), *RAG, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
        timeout=timeout,
    )


@contextmanager
def serve_in_thread(app: object) -> Iterator[str]:
    """Serve an ASGI app with a real uvicorn on a free loopback port; yields its URL."""
    import threading
    import time

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

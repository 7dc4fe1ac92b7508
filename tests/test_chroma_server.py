"""A real Chroma server (`chroma run`) on loopback: index into it, answer from it,
survive it restarting between two questions."""

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import Assistant, IndexStoreError, Settings

from conftest import free_port, make_seeds, run_rag

CHROMA = shutil.which("chroma", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(CHROMA is None, reason="the chroma CLI is not installed")
QUESTION = "How much did Kuaidog Taxi lose in the first half of the year?"


class ChromaServer:
    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port = path, port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                CHROMA,
                "run",
                "--path",
                str(self.path),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("chroma server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    chroma = ChromaServer(tmp_path / "chroma-data", free_port())
    chroma.start()
    try:
        yield chroma
    finally:
        chroma.stop()


def test_index_answer_and_survive_a_restart(tmp_path: Path, server: ChromaServer) -> None:
    seeds = make_seeds(tmp_path / "seeds")
    built = run_rag("--chroma-url", server.url, "index")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Indexed ") and server.url in built.stdout
    assert not (tmp_path / "index").exists()  # nothing written to the embedded store

    settings = Settings(
        seeds_dir=seeds, index_dir=tmp_path / "index", chroma_url=server.url, llm="extractive"
    )
    assistant = Assistant(settings)
    assert not assistant.index.built
    assert "643 million yuan" in assistant.ask(QUESTION).text

    server.stop()
    with pytest.raises(IndexStoreError, match=f"the vector store at {server.url} failed"):
        assistant.ask("Who wrote the article?")
    server.start()
    assert "Liu Baodan" in assistant.ask("Who wrote the article?").text


def test_unreachable_server_is_one_error_line(tmp_path: Path) -> None:
    make_seeds(tmp_path / "seeds")
    url = f"http://127.0.0.1:{free_port()}"
    result = run_rag("ask", QUESTION, env={"RAG_CHROMA_URL": url})
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"Error: cannot reach the Chroma server at {url}")
    )

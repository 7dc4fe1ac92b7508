"""Nothing opens a network connection except to loopback, and the product runs without torch.

Two guards at once: the CLI runs in a fresh network namespace with no network
(`unshare -rn`), and an audit hook records every connect or DNS lookup a
Python socket attempts, so a swallowed failure still shows up. The same guard
notes torch, transformers or sentence-transformers left in ``sys.modules`` at
exit: the product's install has none of them (the test venv has them, for the
plain pipeline it is compared with, so an import would succeed and be caught).
"""

import shutil
import subprocess
from importlib.util import find_spec
from pathlib import Path

import pytest

from conftest import make_seeds, run_rag

_GUARD = """
import atexit
import sys

def _heavy_imports():
    found = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
    if found:
        with open(LOG, "a") as log:
            log.write(f"imported {found}\\n")

atexit.register(_heavy_imports)

def _audit(event, args):
    if event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else str(address)
        if not (isinstance(address, (str, bytes)) or host in ("127.0.0.1", "::1", "localhost")):
            with open(LOG, "a") as log:
                log.write(f"connect {address!r}\\n")
    elif event == "socket.getaddrinfo" and args[0] not in ("127.0.0.1", "::1", "localhost", None):
        with open(LOG, "a") as log:
            log.write(f"lookup {args[0]!r}\\n")

sys.addaudithook(_audit)
"""


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="unshare -rn is not permitted here")
def test_index_and_ask_work_without_a_network(tmp_path: Path) -> None:
    make_seeds(tmp_path / "seeds")
    guard = tmp_path / "guard"
    guard.mkdir()
    log = tmp_path / "connections.log"
    (guard / "sitecustomize.py").write_text(f"LOG = {str(log)!r}\n" + _GUARD)
    env = {"PYTHONPATH": str(guard), "HOME": str(tmp_path)}
    built = run_rag("index", env=env, prefix=["unshare", "-rn"])
    assert built.returncode == 0, built.stderr
    answer = run_rag(
        "ask", "Who was named CEO of Taotian Group?", env=env, prefix=["unshare", "-rn"]
    )
    assert answer.returncode == 0, answer.stderr
    assert "Daniel Zhang" in answer.stdout
    assert not log.exists(), log.read_text()


@pytest.mark.skipif(not _can_unshare(), reason="unshare -rn is not permitted here")
def test_the_guard_sees_a_connection_attempt(tmp_path: Path) -> None:
    """The audit hook is not vacuous: an outbound connect is logged (and fails offline)."""
    import sys

    guard = tmp_path / "guard"
    guard.mkdir()
    log = tmp_path / "connections.log"
    (guard / "sitecustomize.py").write_text(f"LOG = {str(log)!r}\n" + _GUARD)
    # 192.0.2.1 is TEST-NET-1; inside the empty namespace the connect fails at once.
    code = (
        "import socket\n"
        "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
        "except OSError:\n    pass\n"
    )
    subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", code],
        env={"PYTHONPATH": str(guard), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert "192.0.2.1" in log.read_text()


@pytest.mark.skipif(find_spec("torch") is None, reason="torch is not installed (peer extra)")
def test_the_guard_sees_torch_imported(tmp_path: Path) -> None:
    """The exit check is not vacuous: a process that imports torch is logged."""
    import sys

    guard = tmp_path / "guard"
    guard.mkdir()
    log = tmp_path / "connections.log"
    (guard / "sitecustomize.py").write_text(f"LOG = {str(log)!r}\n" + _GUARD)
    subprocess.run(
        [sys.executable, "-c", "import torch"], env={"PYTHONPATH": str(guard)}, check=True
    )
    assert "imported ['torch']" in log.read_text()


def test_the_plain_baseline_without_its_torch_stack_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`rag eval --baseline` needs the peer extra; without it, one clear error."""
    import sys

    from rag import RagError
    from rag.baseline import plain_embed_model

    monkeypatch.setitem(sys.modules, "llama_index.embeddings.huggingface", None)
    with pytest.raises(RagError, match=r"\.\[peer\]"):
        plain_embed_model()

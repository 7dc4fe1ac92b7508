"""`rag serve` and `rag ui` hold NumPy's BLAS to the threads RAG_SERVER_BLAS_THREADS sets."""

import os
import subprocess
import sys

# Run in a fresh interpreter: the limit is process-wide and would leak into other tests.
REPORT = (
    "import sys\n"
    "from rag.threads import limit_blas_threads\n"
    "from threadpoolctl import threadpool_info\n"
    "if sys.argv[1] != 'unset':\n"
    "    limit_blas_threads(int(sys.argv[1]))\n"
    "print(max(p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'))\n"
)


def _blas_threads(setting: str) -> int:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    done = subprocess.run(
        [sys.executable, "-c", REPORT, setting], capture_output=True, text=True, env=env, check=True
    )
    return int(done.stdout)


def test_blas_threads_are_held_or_left_alone() -> None:
    default = _blas_threads("unset")
    assert _blas_threads("1") == 1
    assert _blas_threads("0") == default
    if default > 1:  # on a multi-core machine the limit changes something
        assert _blas_threads("1") < default

"""How many threads NumPy's BLAS may use, set once for a serving process.

A query multiplies small matrices (its sentences' vectors against the question's;
the question itself is embedded on onnxruntime, whose own pool this does not
touch). Measured when NumPy also embedded the question: with one request at a
time, BLAS on both cores was a little faster (18 vs 25 ms p50 on the 2-core
benchmark machine); with several requests at once, each one's BLAS threads
fought the others' for the same cores, and one thread per request served more
(see bench/README.md, section d).
"""


def limit_blas_threads(threads: int) -> None:
    """Hold NumPy's BLAS to ``threads`` threads in this process; 0 leaves the default."""
    if threads <= 0:
        return
    import numpy  # noqa: F401  (BLAS must be loaded for threadpoolctl to find it)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")

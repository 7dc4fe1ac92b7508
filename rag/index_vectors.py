"""The vectors an index build stores: one per sentence reading, one per chunk.

Only sentences are embedded, each distinct text once (a corpus repeats
boilerplate: the synthetic benchmark corpora repeat 23% of their sentences).
A chunk's vector is made from its sentences': the mean of all their tokens'
states, each sentence weighted by its word pieces, then L2-normalised. That is
mean pooling over the chunk, with each token seeing its own sentence instead
of the whole chunk. Embedding the chunks too would double the work; measured
on 2,000 planted-fact briefs, the made vector ranks the right brief first for
0.972 of the questions against 0.958 for the embedded one (mrr 0.985 against
0.976), and the gold and held-out sets keep every metric (bench/README.md).
"""

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from rag.encoders.minilm import normalise

# Distinct texts per embedding call: one progress step, and plenty to batch by length.
SLICE = 2048


class Pooling(Protocol):
    """What the build needs of an embedder (``rag.embed_model.MiniLMEmbedding`` has it)."""

    @property
    def dimensions(self) -> int: ...

    def pooled(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]: ...


def embed_for_index(
    texts: Sequence[str],
    chunk_rows: Sequence[Sequence[int]],
    model: Pooling,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of ``texts``, and of each chunk made of the texts ``chunk_rows`` lists.

    ``model.pooled(texts)`` gives each text's mean token state and its token count.
    """
    distinct = list(dict.fromkeys(texts))
    means = np.zeros((len(distinct), model.dimensions), dtype=np.float32)
    counts = np.zeros(len(distinct), dtype=np.float32)
    for first in range(0, len(distinct), SLICE):
        part, n = model.pooled(distinct[first : first + SLICE])
        means[first : first + len(part)], counts[first : first + len(part)] = part, n
        if progress:
            progress(first + len(part), len(distinct))
    position = {text: i for i, text in enumerate(distinct)}
    order = np.array([position[t] for t in texts], dtype=np.int64)
    chunks = np.zeros((len(chunk_rows), model.dimensions), dtype=np.float32)
    for i, rows in enumerate(chunk_rows):
        members = order[np.asarray(rows, dtype=np.int64)]
        chunks[i] = counts[members] @ means[members]
    return normalise(means[order]), normalise(chunks)

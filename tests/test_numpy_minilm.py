"""The NumPy MiniLM gives the same vectors as sentence-transformers (torch)."""

import numpy as np

from rag.embedding import load_embed_model
from rag.numpy_minilm import load_numpy_minilm

from conftest import ARTICLE


def test_same_vectors_as_sentence_transformers() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    samples = [
        "Who was named CEO of Taotian Group?",
        "lose",
        "Ünïcode, emoji 🚀 and right-to-left مرحبا",
        text[:600],
        text,  # longer than 256 word pieces: both truncate the same way
    ]
    ours = load_numpy_minilm().encode(samples)
    theirs = np.asarray(load_embed_model().get_text_embedding_batch(samples))
    cosines = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    assert np.all(cosines > 1 - 1e-4), cosines
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)

"""The onnxruntime MiniLM as a llama-index ``BaseEmbedding``.

The index build hands llama-index's ``ChromaVectorStore`` nodes embedded by
this model, and anything written against llama-index's embedding interface
(``get_text_embedding_batch``, ``get_query_embedding``) can use it. Importing
llama-index costs about 2 s, so query time calls the same model directly.
"""

from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from rag.embedding import MODEL_NAME
from rag.encoders.minilm import OnnxMiniLM, load_onnx_minilm


class MiniLMEmbedding(BaseEmbedding):
    """all-MiniLM-L6-v2 on onnxruntime, L2-normalised vectors."""

    _model: OnnxMiniLM = PrivateAttr()

    def __init__(self, model: OnnxMiniLM | None = None, **kwargs: Any) -> None:
        # llama-index's largest batch: the model sorts each batch by length itself.
        kwargs.setdefault("embed_batch_size", 2048)
        super().__init__(model_name=MODEL_NAME, **kwargs)
        self._model = model or load_onnx_minilm()

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    @property
    def dimensions(self) -> int:
        return self._model.dimensions

    def pooled(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's mean token state (not normalised) and word pieces, as float32 arrays:
        what a passage's vector is made from (``rag.index_vectors``)."""
        return self._model.pooled(texts)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._model.get_query_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._model.get_text_embedding(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._model.get_text_embedding_batch(texts)

"""The plain baseline ``rag eval --baseline`` compares against.

llama-index defaults end to end: ``SentenceSplitter()`` with its default chunk
size and overlap, an in-memory ``VectorStoreIndex`` over the same bundled
embedding model loaded the quick-start way (``HuggingFaceEmbedding``, so
sentence-transformers and torch), top-k 2, and the single most similar sentence
of the retrieved chunks as the answer. It never abstains and ignores chat
history. Kept deliberately naive: it is the yardstick, not a product path, so
its torch stack is the ``peer`` extra, not the product's install.
"""

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from rag.answer import Answer, Citation, Passage
from rag.documents import SourceDocument
from rag.embedding import bundled_model_path
from rag.errors import RagError
from rag.sentences import split_sentences

TOP_K = 2
PEER_INSTALL = (
    "pip install torch==2.13.0 -e '.[peer]' && pip install --no-deps"
    " llama-index-embeddings-huggingface==0.8.0 (make test does)"
)


def plain_embed_model() -> Any:
    """llama-index's ``HuggingFaceEmbedding`` over the bundled MiniLM (torch, on the CPU)."""
    try:
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    except ImportError:
        raise RagError(
            "the plain baseline runs on sentence-transformers, which the product does not"
            f" install - run `{PEER_INSTALL}`"
        ) from None
    return HuggingFaceEmbedding(
        model_name=str(bundled_model_path()), device="cpu", normalize=True, embed_batch_size=32
    )


class BaselineAssistant:
    """llama-index defaults: vector top-2, top-1 sentence, no abstention."""

    answerer = "baseline"

    def __init__(self, documents: list[SourceDocument]) -> None:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        self._embed = plain_embed_model()
        docs = [Document(text=d.text, metadata={"source": d.name}) for d in documents]
        index = VectorStoreIndex.from_documents(
            docs, embed_model=self._embed, transformations=[SentenceSplitter()]
        )
        self._retriever = index.as_retriever(similarity_top_k=TOP_K)

    def chat(self, message: str, history: Sequence[Any] = ()) -> Answer:
        """Answer with the top sentence of the top-2 chunks (history is ignored)."""
        started = time.perf_counter()
        query = np.asarray(self._embed.get_query_embedding(message), dtype=np.float32)
        hits = self._retriever.retrieve(message)
        passages, sentences = [], []
        for hit in hits:
            node = hit.node
            start, text = node.start_char_idx or 0, node.get_content()
            source = node.metadata["source"]
            passages.append(
                Passage(node.node_id, source, start, start + len(text), text, "", hit.score or 0)
            )
            for s, e in split_sentences(text):
                sentences.append((source, start + s, start + e, text[s:e]))
        vectors = self._embed.get_text_embedding_batch([s[3] for s in sentences])
        scores = [float(np.asarray(v, dtype=np.float32) @ query) for v in vectors]
        best = int(np.argmax(scores))
        source, start, end, quote = sentences[best]
        citation = Citation(1, source, quote, start, end, scores[best])
        timings = {"total_ms": (time.perf_counter() - started) * 1000}
        return Answer(
            message,
            f"{quote} [1]",
            (citation,),
            answerer=self.answerer,
            passages=tuple(passages),
            timings=timings,
        )

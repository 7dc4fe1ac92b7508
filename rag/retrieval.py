"""Hybrid retrieval: Chroma vector search next to BM25, fused by reciprocal rank.

Both retrievers are llama-index's; the fusion is ours because llama-index's
``QueryFusionRetriever`` keys nodes by a content hash that differs between the
two retrievers' copies of one chunk, and it reaches for a global LLM.
"""

from collections.abc import Sequence
from typing import Any

from rag.answer import Passage
from rag.chunking import Chunk
from rag.store import chunk_metadata, store_failure

RRF_K = 60  # The constant from Cormack et al. (2009); damps the top ranks' weight.


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = RRF_K
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum of 1 / (k + rank).

    >>> reciprocal_rank_fusion([["a", "b"], ["b", "c"]], k=0)
    [('b', 1.5), ('a', 1.0), ('c', 0.5)]
    """
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


class HybridRetriever:
    """Top passages for a question from the vector index and BM25 together."""

    def __init__(
        self,
        collection: Any,
        chunks: list[Chunk],
        embed_model: Any,
        *,
        top_k: int,
        pool: int = 10,
        where: str = "the index",
    ) -> None:
        from llama_index.core import VectorStoreIndex
        from llama_index.core.schema import TextNode
        from llama_index.retrievers.bm25 import BM25Retriever
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.top_k = top_k
        self.where = where
        self._chunks = {c.chunk_id: c for c in chunks}
        pool = max(pool, top_k)
        index = VectorStoreIndex.from_vector_store(
            ChromaVectorStore(chroma_collection=collection), embed_model=embed_model
        )
        self._vector = index.as_retriever(similarity_top_k=min(pool, len(chunks)))
        nodes = [
            TextNode(id_=c.chunk_id, text=c.text, metadata=chunk_metadata(c, "")) for c in chunks
        ]
        self._bm25 = BM25Retriever.from_defaults(
            nodes=nodes, similarity_top_k=min(pool, len(nodes))
        )

    def vector_ranking(self, question: str, embedding: list[float]) -> list[str]:
        """Chunk ids by vector similarity alone."""
        from llama_index.core.schema import QueryBundle

        bundle = QueryBundle(query_str=question, embedding=embedding)
        try:
            return [hit.node.node_id for hit in self._vector.retrieve(bundle)]
        except Exception as exc:  # a Chroma server that went away raises many types
            raise store_failure(self.where, exc) from None

    def bm25_ranking(self, question: str) -> list[str]:
        """Chunk ids by BM25 alone (zero-score hits dropped)."""
        return [hit.node.node_id for hit in self._bm25.retrieve(question) if (hit.score or 0) > 0]

    def retrieve(self, question: str, embedding: list[float]) -> list[Passage]:
        """The fused top-k passages, best first."""
        fused = reciprocal_rank_fusion(
            [self.vector_ranking(question, embedding), self.bm25_ranking(question)]
        )
        passages = []
        for chunk_id, score in fused[: self.top_k]:
            chunk = self._chunks[chunk_id]
            passages.append(
                Passage(
                    chunk_id, chunk.source, chunk.start, chunk.end, chunk.text, chunk.section, score
                )
            )
        return passages

    def chunk(self, chunk_id: str) -> Chunk:
        return self._chunks[chunk_id]

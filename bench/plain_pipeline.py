"""The plain llama-index pipeline every speed figure is compared against.

llama-index defaults, as a user following its quick start would write them:
``SentenceSplitter()`` (1,024-token chunks, 200 overlap), ``HuggingFaceEmbedding``
on the same bundled MiniLM, a ``ChromaVectorStore`` persisted on disk (or on a
Chroma server), top-2 retrieval, and the retrieved sentence most similar to the
question as the answer. It mirrors ``rag.baseline.BaselineAssistant`` but keeps
its index in Chroma, so a fresh process can open it the way ``rag ask`` does.

It never imports ``rag``: its cold start must be llama-index's alone.

    python bench/plain_pipeline.py build --model DIR --seeds DIR (--persist DIR | --chroma-url URL)
    python bench/plain_pipeline.py query --model DIR (--persist DIR | --chroma-url URL) --question Q
"""

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

COLLECTION = "plain"
TOP_K = 2


def _client(persist: Path | None, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(host=parsed.hostname, port=parsed.port, settings=settings)
    return chromadb.PersistentClient(path=str(persist), settings=settings)


def _embedding(model: Path) -> Any:
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(model_name=str(model), device="cpu")


def build(model: Path, seeds: Path, persist: Path | None = None, url: str | None = None) -> dict:
    """Split, embed and store every .txt/.md in ``seeds``; counts of what was stored."""
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    paths = sorted(p for p in seeds.iterdir() if p.suffix in (".txt", ".md"))
    docs = [
        Document(text=p.read_text(encoding="utf-8"), metadata={"source": p.name}) for p in paths
    ]
    client = _client(persist, url)
    collection = client.get_or_create_collection(COLLECTION)
    store = ChromaVectorStore(chroma_collection=collection)
    VectorStoreIndex.from_documents(
        docs,
        storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=_embedding(model),
        transformations=[SentenceSplitter()],
    )
    return {
        "documents": len(docs),
        "chunks": collection.count(),
        "chars": sum(len(d.text) for d in docs),
    }


class PlainPipeline:
    """Open the stored index once; answer questions with the best retrieved sentence."""

    def __init__(self, model: Path, persist: Path | None = None, url: str | None = None) -> None:
        from llama_index.core import VectorStoreIndex
        from llama_index.core.node_parser.text.utils import split_by_sentence_tokenizer
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self._embed = _embedding(model)
        collection = _client(persist, url).get_collection(COLLECTION)
        index = VectorStoreIndex.from_vector_store(
            ChromaVectorStore(chroma_collection=collection), embed_model=self._embed
        )
        self._retriever = index.as_retriever(similarity_top_k=TOP_K)
        # The sentence tokenizer SentenceSplitter itself uses (NLTK punkt, shipped offline).
        self._split = split_by_sentence_tokenizer()

    def answer(self, question: str) -> str:
        """The sentence of the top-2 chunks most similar to ``question``."""
        import numpy as np
        from llama_index.core.schema import QueryBundle

        query = self._embed.get_query_embedding(question)
        hits = self._retriever.retrieve(QueryBundle(query_str=question, embedding=query))
        sentences = [
            s.strip()
            for hit in hits
            for line in hit.node.get_content().splitlines()
            for s in self._split(line)
            if s.strip()
        ]
        if not sentences:
            return ""
        vectors = np.asarray(self._embed.get_text_embedding_batch(sentences), dtype=np.float32)
        return sentences[int(np.argmax(vectors @ np.asarray(query, dtype=np.float32)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["build", "query"])
    parser.add_argument("--question", default="")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--seeds", type=Path)
    parser.add_argument("--persist", type=Path)
    parser.add_argument("--chroma-url")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.command == "build":
        result = build(args.model, args.seeds, args.persist, args.chroma_url)
        result["seconds"] = round(time.perf_counter() - started, 3)
        print(json.dumps(result))
        return 0
    print(PlainPipeline(args.model, args.persist, args.chroma_url).answer(args.question))
    return 0


if __name__ == "__main__":
    sys.exit(main())

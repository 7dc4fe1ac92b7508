"""The Chroma index: where it lives, what it is named, and how it is built safely.

A collection's name starts with a fingerprint of everything that shapes it
(embedding model, chunking settings, chunker version, every source's name and
content), so a changed setting or article can never reuse a stale index. Each
build writes a new collection and marks it complete only at the end; readers
only ever open complete ones, and older builds are deleted after the switch.
So a crash mid-build leaves the previous index in service.

Left out on purpose: Chroma's own embedding function (it would download a
model); we always hand Chroma our vectors.
"""

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from rag.chunking import Chunk, chunk_document, sentences_by_source
from rag.documents import SourceDocument
from rag.embedding import MODEL_NAME, token_counter
from rag.errors import IndexStoreError
from rag.index_vectors import embed_for_index
from rag.reader.people import resolve_pronouns
from rag.settings import Settings
from rag.terms import comparable_words

# Bump when chunking, stored fields or stored vectors change, so old indexes are rebuilt;
# not for a change of how the same vectors are computed (torch to onnxruntime was not one).
# 4: chunk vectors made from sentence vectors; the sentence collection's small graph.
# 5: sentence and word rows hold an id and a vector only (the id names the sentence).
# 6: sentences follow paragraphs, not wrapped lines; front matter and datelines are not body.
# 7: a "By Jane Doe" line is a byline, never a section heading.
INDEX_FORMAT = 7
_PREFIX = "rag-"
_SENTENCES_SUFFIX = "-s"
# The id of a sentence's second reading, with its pronoun resolved.
_RESOLVED_SUFFIX = "/resolved"
# The sentence collection also holds a vector per word of the articles, so a question's
# check of "a word close in meaning" embeds none at query time (bench section a).
_WORD_PREFIX = "word:"
LOCK_FILE = ".rag-index.lock"
_CHUNK_SPACE = {"hnsw": {"space": "cosine"}}
# Sentences and words are only ever fetched by id (query time reranks the retrieved
# chunks' sentences), never searched, so their vector graph is built at the least cost:
# Chroma's default graph took 4x the CPU to insert 12,000 vectors. For the same reason
# their rows hold no text or metadata, which Chroma indexes too: 9,369 rows of 100
# documents were written in 2.0 s instead of 5.0 s (bench/README.md).
_SENTENCE_SPACE = {"hnsw": {"space": "cosine", "ef_construction": 8, "max_neighbors": 4}}
# Rows per Chroma add.
_WRITE_BATCH = 1000
_HARMLESS_FILES = {"README.md", ".gitignore", ".gitkeep", LOCK_FILE}
_SQLITE_MAGIC = b"SQLite format 3\x00"

Progress = Callable[[int, int], None]


def fingerprint(settings: Settings, documents: list[SourceDocument]) -> str:
    """A short hash of what shapes the index."""
    digest = hashlib.sha256()
    shape = {
        "format": INDEX_FORMAT,
        "model": MODEL_NAME,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "sources": [
            [d.name, hashlib.sha256(d.text.encode("utf-8")).hexdigest()] for d in documents
        ],
    }
    digest.update(json.dumps(shape, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def chunk_documents(settings: Settings, documents: list[SourceDocument]) -> list[Chunk]:
    """Every chunk of every document, in source order."""
    count = token_counter()
    return [
        chunk
        for document in documents
        for chunk in chunk_document(
            document, size=settings.chunk_size, overlap=settings.chunk_overlap, count=count
        )
    ]


def _check_index_dir(index_dir: Path) -> None:
    """Refuse a folder that holds something other than a Chroma store."""
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexStoreError(f"{index_dir} is a file, not an index folder - move it away")
    if not index_dir.exists():
        return
    database = index_dir / "chroma.sqlite3"
    if database.exists():
        with database.open("rb") as handle:
            if handle.read(16) != _SQLITE_MAGIC:
                raise IndexStoreError(
                    f"{index_dir} is not a Chroma store (chroma.sqlite3 is not a database)"
                    " - move it away or set RAG_INDEX_DIR to an empty folder"
                )
        return
    strangers = [p.name for p in index_dir.iterdir() if p.name not in _HARMLESS_FILES]
    if strangers:
        raise IndexStoreError(
            f"{index_dir} is not a Chroma store (it holds {', '.join(sorted(strangers)[:3])})"
            " - set RAG_INDEX_DIR to an empty folder"
        )


def _http_client(url: str) -> Any:
    """A client of the Chroma server at ``url`` (http://host:port)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise IndexStoreError(f"RAG_CHROMA_URL {url!r} is not an http(s)://host:port URL")
    return chromadb.HttpClient(
        host=parsed.hostname,
        port=parsed.port or (443 if parsed.scheme == "https" else 8000),
        ssl=parsed.scheme == "https",
        settings=ChromaSettings(anonymized_telemetry=False),
    )


class IndexStore:
    """A Chroma client (embedded on ``index_dir``, or a server at ``url``) with the
    build and lookup rules above."""

    def __init__(self, index_dir: Path, url: str | None = None) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.where = url or str(index_dir)
        if url:
            try:
                self.client = _http_client(url)
                self.client.heartbeat()
            except IndexStoreError:
                raise
            except Exception as exc:
                raise IndexStoreError(
                    f"cannot reach the Chroma server at {url} ({type(exc).__name__})"
                    " - start it, or unset RAG_CHROMA_URL to use the embedded store"
                ) from None
            return
        _check_index_dir(index_dir)
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(
                path=str(index_dir),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
            self.client.list_collections()
        except Exception as exc:  # Chroma raises many types for a broken store.
            raise IndexStoreError(
                f"cannot open the Chroma store in {index_dir}: {exc}"
                " - move it away or set RAG_INDEX_DIR to an empty folder"
            ) from None

    def _names(self) -> list[str]:
        return [c.name for c in self.client.list_collections()]

    def complete_collection(self, fp: str) -> Any | None:
        """The newest complete chunk collection for fingerprint ``fp``, if any."""
        stem = f"{_PREFIX}{fp}-"
        candidates = sorted(
            n for n in self._names() if n.startswith(stem) and not n.endswith(_SENTENCES_SUFFIX)
        )
        for name in reversed(candidates):
            collection = self.client.get_collection(name, embedding_function=None)
            if (collection.metadata or {}).get("complete"):
                return collection
        return None

    def sentences_of(self, collection: Any) -> Any:
        """The sentence collection paired with chunk collection ``collection``."""
        return self.client.get_collection(
            collection.name + _SENTENCES_SUFFIX, embedding_function=None
        )

    def build(
        self,
        fp: str,
        chunks: list[Chunk],
        documents: list[SourceDocument],
        progress: Progress | None = None,
    ) -> Any:
        """Embed and store ``chunks`` in a new collection; switch to it when complete.

        A failure part-way (a full disk, a killed process) leaves the previous
        complete index in service; the partial collection is removed when it can be.
        """
        name = f"{_PREFIX}{fp}-{time.time_ns():x}"
        previous = self._newest_complete()
        try:
            collection = self._write(name, fp, chunks, documents, progress)
        except Exception as exc:
            for partial in (name, name + _SENTENCES_SUFFIX):
                try:
                    self.client.delete_collection(partial)
                except Exception:  # noqa: S110 - cleaning up is best effort
                    pass
            raise IndexStoreError(
                f"writing the index to {self.where} failed ({type(exc).__name__}: {exc})"
                " - is the disk full? The previous index is untouched"
            ) from None
        # Keep the build that was in service: a running server may still be reading it.
        self._drop_all_but({name, previous} - {None})
        return collection

    def _newest_complete(self) -> str | None:
        complete = []
        for collection in self.client.list_collections():
            name = collection.name
            if name.startswith(_PREFIX) and not name.endswith(_SENTENCES_SUFFIX):
                if (collection.metadata or {}).get("complete"):
                    complete.append((name.rsplit("-", 1)[-1].rjust(20, "0"), name))
        return max(complete)[1] if complete else None

    def _write(
        self,
        name: str,
        fp: str,
        chunks: list[Chunk],
        documents: list[SourceDocument],
        progress: Progress | None,
    ) -> Any:
        from rag.embed_model import MiniLMEmbedding

        chunk_collection = self.client.create_collection(
            name, metadata={"complete": False}, configuration=_CHUNK_SPACE, embedding_function=None
        )
        sentence_collection = self.client.create_collection(
            name + _SENTENCES_SUFFIX, configuration=_SENTENCE_SPACE, embedding_function=None
        )
        words = comparable_words(d.text for d in documents)
        readings: list[tuple[str, str, tuple[str, int, int] | None]] = [
            *_readings(chunks),
            *((_WORD_PREFIX + w, w, None) for w in words),
        ]
        plain = {key: i for i, (row_id, _, key) in enumerate(readings) if row_id == _row_id(key)}
        chunk_rows = [[plain[(c.source, a, b)] for a, b in c.sentences] for c in chunks]
        reading_vectors, chunk_vectors = embed_for_index(
            [text for _, text, _ in readings], chunk_rows, MiniLMEmbedding(), progress
        )
        for first in range(0, len(readings), _WRITE_BATCH):
            rows = readings[first : first + _WRITE_BATCH]
            sentence_collection.add(
                ids=[row_id for row_id, _, _ in rows],
                embeddings=reading_vectors[first : first + _WRITE_BATCH],
            )
        for first in range(0, len(chunks), _WRITE_BATCH):
            _add_chunks(
                chunk_collection,
                chunks[first : first + _WRITE_BATCH],
                chunk_vectors[first : first + _WRITE_BATCH],
                documents,
            )
        chunk_collection.modify(
            metadata={"complete": True, "fingerprint": fp, "chunks": len(chunks)}
        )
        return chunk_collection

    def _drop_all_but(self, keep: set[str]) -> None:
        """Delete every other collection this product made (older builds, crashes)."""
        kept = keep | {k + _SENTENCES_SUFFIX for k in keep}
        for name in self._names():
            if name.startswith(_PREFIX) and name not in kept:
                self.client.delete_collection(name)


def _sentence_id(source: str, start: int, end: int) -> str:
    return f"{source}#{start}-{end}"


def _sentence_key(row_id: str) -> tuple[str, int, int]:
    """The (source, start, end) a sentence reading's id names (its inverse above)."""
    source, _, span = row_id.removesuffix(_RESOLVED_SUFFIX).rpartition("#")
    start, _, end = span.partition("-")
    return source, int(start), int(end)


def _row_id(key: tuple[str, int, int] | None) -> str | None:
    """The id of a sentence's own reading (a word's row has no sentence key)."""
    return None if key is None else _sentence_id(*key)


def _readings(chunks: list[Chunk]) -> list[tuple[str, str, tuple[str, int, int]]]:
    """What to embed for each sentence, as (row id, text, sentence key): the sentence, and
    for one whose "he" or "she" the sentences before name, also a reading that says who."""
    rows = []
    for source, ordered in sentences_by_source(chunks).items():
        resolved = resolve_pronouns([text for _, _, text in ordered])
        for (start, end, text), reading in zip(ordered, resolved, strict=True):
            key = (source, start, end)
            rows.append((_sentence_id(*key), text, key))
            if reading != text:
                rows.append((_sentence_id(*key) + _RESOLVED_SUFFIX, reading, key))
    return rows


def _add_chunks(
    collection: Any,
    chunks: list[Chunk],
    vectors: np.ndarray,
    documents: list[SourceDocument],
) -> None:
    """Store chunks through llama-index's Chroma vector store, offsets in metadata."""
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    titles = {d.name: d.title for d in documents}
    nodes = [
        TextNode(
            id_=chunk.chunk_id,
            text=chunk.text,
            embedding=vector.tolist(),
            start_char_idx=chunk.start,
            end_char_idx=chunk.end,
            metadata=chunk_metadata(chunk, titles.get(chunk.source, "")),
        )
        for chunk, vector in zip(chunks, vectors, strict=True)
    ]
    ChromaVectorStore(chroma_collection=collection).add(nodes)


def chunk_metadata(chunk: Chunk, title: str) -> dict[str, Any]:
    """What a chunk keeps beside its text (flat, as Chroma requires)."""
    return {
        "source": chunk.source,
        "title": title,
        "section": chunk.section,
        "start": chunk.start,
        "end": chunk.end,
        "sentences": json.dumps(chunk.sentences),
    }


def chunk_from_record(text: str, metadata: dict[str, Any]) -> Chunk:
    """Rebuild a :class:`Chunk` from what :func:`chunk_metadata` stored."""
    return Chunk(
        source=metadata["source"],
        start=int(metadata["start"]),
        end=int(metadata["end"]),
        text=text,
        section=metadata.get("section", ""),
        sentences=tuple(tuple(span) for span in json.loads(metadata["sentences"])),
    )


def load_chunks(collection: Any) -> list[Chunk]:
    """Every chunk stored in ``collection``, in source order."""
    records = collection.get(include=["documents", "metadatas"])
    chunks = [
        chunk_from_record(text, metadata)
        for text, metadata in zip(records["documents"], records["metadatas"], strict=True)
    ]
    return sorted(chunks, key=lambda c: (c.source, c.start))


def store_failure(where: str, exc: BaseException) -> IndexStoreError:
    """A clear error for a vector store that failed mid-query."""
    if where.startswith(("http://", "https://")):
        return IndexStoreError(
            f"the vector store at {where} failed ({type(exc).__name__}) - is the Chroma server"
            " running? Answers resume when it is back"
        )
    return IndexStoreError(
        f"the index in {where} failed ({type(exc).__name__}) - was it deleted while in use?"
        " Restart to reopen it (`rag index` rebuilds it)"
    )


def load_word_vectors(collection: Any, words: list[str]) -> dict[str, list[float]]:
    """The stored vectors of ``words`` (an index built before words were stored has none)."""
    records = collection.get(ids=[_WORD_PREFIX + w for w in words], include=["embeddings"])
    return {
        row_id.removeprefix(_WORD_PREFIX): list(vector)
        for row_id, vector in zip(records["ids"], records["embeddings"], strict=True)
    }


def load_sentence_vectors(
    collection: Any, keys: list[tuple[str, int, int]]
) -> dict[tuple[str, int, int], list[list[float]]]:
    """Embeddings of the sentences named by (source, start, end): one per reading."""
    if not keys:
        return {}
    ids = [_sentence_id(*k) + suffix for k in keys for suffix in ("", _RESOLVED_SUFFIX)]
    records = collection.get(ids=ids, include=["embeddings"])
    found: dict[tuple[str, int, int], list[list[float]]] = {}
    for row_id, vector in zip(records["ids"], records["embeddings"], strict=True):
        found.setdefault(_sentence_key(row_id), []).append(list(vector))
    return found

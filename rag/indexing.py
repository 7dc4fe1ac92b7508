"""Make sure a complete index for the current seeds and settings exists."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rag.documents import SourceDocument, load_documents
from rag.settings import Settings
from rag.store import IndexStore, chunk_documents, fingerprint


@dataclass(frozen=True)
class IndexStatus:
    """The index in service: its collection, its sources and whether it was just built."""

    store: IndexStore
    collection: Any
    documents: list[SourceDocument]
    built: bool

    @property
    def name(self) -> str:
        return self.collection.name

    @property
    def chunk_count(self) -> int:
        return int(self.collection.count())


def ensure_index(
    settings: Settings,
    *,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> IndexStatus:
    """Open the index matching seeds/ and settings, building it when missing or asked."""
    documents = load_documents(settings.seeds_dir)
    fp = fingerprint(settings, documents)
    store = IndexStore(settings.index_dir, settings.chroma_url)
    collection = None if rebuild else store.complete_collection(fp)
    if collection is not None:
        return IndexStatus(store, collection, documents, built=False)
    chunks = chunk_documents(settings, documents)
    collection = store.build(fp, chunks, documents, progress=progress)
    return IndexStatus(store, collection, documents, built=True)

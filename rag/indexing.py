"""Make sure a complete index for the current seeds and settings exists."""

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rag.documents import SourceDocument, load_documents
from rag.errors import IndexStoreError
from rag.settings import Settings
from rag.store import LOCK_FILE, IndexStore, chunk_documents, fingerprint


@dataclass(frozen=True)
class IndexStatus:
    """The index in service: its collection, its sources and whether it was just built."""

    store: IndexStore
    collection: Any
    documents: list[SourceDocument]
    built: bool
    skipped: tuple[str, ...] = ()  # why each unreadable file in seeds/ was passed over

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
    problems: list[str] = []
    documents = load_documents(
        settings.seeds_dir, int(settings.max_article_mb * 1_000_000), skipped=problems.append
    )
    skipped = tuple(problems)
    fp = fingerprint(settings, documents)
    store = IndexStore(settings.index_dir, settings.chroma_url)
    collection = None if rebuild else store.complete_collection(fp)
    if collection is not None:
        return IndexStatus(store, collection, documents, built=False, skipped=skipped)
    with build_lock(settings):
        # Another process may have finished the same build while we waited for the lock.
        collection = None if rebuild else store.complete_collection(fp)
        if collection is not None:
            return IndexStatus(store, collection, documents, built=False, skipped=skipped)
        chunks = chunk_documents(settings, documents)
        collection = store.build(fp, chunks, documents, progress=progress)
    return IndexStatus(store, collection, documents, built=True, skipped=skipped)


@contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """One index build at a time per index folder; a second one is told, not queued."""
    if settings.chroma_url:
        yield  # a shared server has no local folder to lock; builds never mix anyway
        return
    path = settings.index_dir / LOCK_FILE
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise IndexStoreError(
                f"another `rag index` ({holder}) is building the index in {settings.index_dir}"
                " - wait for it to finish, then try again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)

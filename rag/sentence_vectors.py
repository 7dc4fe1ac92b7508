"""The vectors the index stored for sentences and words, read once and kept.

A sentence's vectors (one per reading: as written, and saying who its "he" is)
and the article's word vectors were embedded at index time; query time reads
them from the sentence collection instead of embedding again.
"""

from typing import Any

import numpy as np

from rag.store import load_sentence_vectors, load_word_vectors, store_failure

SentenceKey = tuple[str, int, int]


class SentenceVectors:
    """Reads stored vectors from one sentence collection, caching sentences' vectors."""

    def __init__(self, collection: Any, where: str) -> None:
        self._collection = collection
        self._where = where  # named in the error when the store went away
        self._cache: dict[SentenceKey, np.ndarray] = {}

    def get(self, key: SentenceKey) -> np.ndarray | None:
        """A sentence's vectors if already read, e.g. for rescoring a question's parts."""
        return self._cache.get(key)

    def sentences(self, keys: list[SentenceKey]) -> dict[SentenceKey, np.ndarray]:
        """The vectors of ``keys`` (and of every sentence read before), one row per reading."""
        missing = [k for k in dict.fromkeys(keys) if k not in self._cache]
        try:
            found = load_sentence_vectors(self._collection, missing)
        except Exception as exc:  # a Chroma server that went away raises many types
            raise store_failure(self._where, exc) from None
        for key, readings in found.items():
            self._cache[key] = np.asarray(readings, dtype=np.float32)
        return self._cache

    def words(self, words: list[str]) -> dict[str, list[float]]:
        """The stored vectors of those ``words`` the article uses."""
        try:
            return load_word_vectors(self._collection, words)
        except Exception as exc:  # a Chroma server that went away raises many types
            raise store_failure(self._where, exc) from None

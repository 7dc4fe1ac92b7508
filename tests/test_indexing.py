"""Building, reusing and refusing indexes, on a real Chroma store in a temp dir."""

from pathlib import Path

import pytest

from rag import IndexStoreError, Settings, SourceError
from rag.indexing import ensure_index


def _settings(tmp_path: Path, seeds: Path, **kw: object) -> Settings:
    return Settings(seeds_dir=seeds, index_dir=tmp_path / "index", **kw)


def _collections(settings: Settings) -> list[str]:
    from rag.store import IndexStore

    return sorted(c.name for c in IndexStore(settings.index_dir).client.list_collections())


def test_reindex_is_a_noop_and_changes_rebuild(tmp_path: Path, seeds: Path) -> None:
    settings = _settings(tmp_path, seeds)
    first = ensure_index(settings)
    assert first.built and first.chunk_count > 5
    again = ensure_index(settings)
    assert not again.built and again.name == first.name

    # A changed article gets a new collection; the build it replaces is kept one
    # generation (a running server may still read it), older ones are deleted.
    article = next(seeds.iterdir())
    article.write_text(article.read_text() + "\nA new closing sentence.\n", encoding="utf-8")
    changed = ensure_index(settings)
    assert changed.built and changed.name != first.name
    assert _collections(settings) == sorted(
        [first.name, first.name + "-s", changed.name, changed.name + "-s"]
    )

    # A changed chunking setting rebuilds too instead of mixing.
    resized = ensure_index(_settings(tmp_path, seeds, chunk_size=96, chunk_overlap=24))
    assert resized.built and resized.name.split("-")[1] != changed.name.split("-")[1]
    assert _collections(settings) == sorted(
        [changed.name, changed.name + "-s", resized.name, resized.name + "-s"]
    )


def test_rebuild_replaces_the_collection(tmp_path: Path, seeds: Path) -> None:
    settings = _settings(tmp_path, seeds)
    first = ensure_index(settings)
    rebuilt = ensure_index(settings, rebuild=True)
    assert rebuilt.built and rebuilt.name != first.name
    again = ensure_index(settings, rebuild=True)
    assert _collections(settings) == sorted(
        [rebuilt.name, rebuilt.name + "-s", again.name, again.name + "-s"]
    )
    assert ensure_index(settings).name == again.name


def test_incomplete_build_is_never_served(tmp_path: Path, seeds: Path) -> None:
    """A build that died before its completion mark is ignored and cleaned up."""
    from rag.documents import load_documents
    from rag.store import IndexStore, fingerprint

    settings = _settings(tmp_path, seeds)
    fp = fingerprint(settings, load_documents(seeds))
    store = IndexStore(settings.index_dir)
    store.client.create_collection(
        f"rag-{fp}-0", metadata={"complete": False}, embedding_function=None
    )
    assert store.complete_collection(fp) is None
    status = ensure_index(settings)
    assert status.built
    assert f"rag-{fp}-0" not in _collections(settings)


def test_missing_empty_and_bad_seeds(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    with pytest.raises(SourceError, match="no seeds folder"):
        ensure_index(_settings(tmp_path, seeds))
    seeds.mkdir()
    (seeds / "notes.json").write_text("{}")
    with pytest.raises(SourceError, match="no articles in"):
        ensure_index(_settings(tmp_path, seeds))
    (seeds / "blank.txt").write_text("  \n\n")
    with pytest.raises(SourceError, match="blank.txt is empty"):
        ensure_index(_settings(tmp_path, seeds))
    (seeds / "blank.txt").write_bytes(b"caf\xe9 au lait\n")
    with pytest.raises(SourceError, match="not UTF-8"):
        ensure_index(_settings(tmp_path, seeds))
    assert not (tmp_path / "index").exists()


def test_folder_that_is_not_a_chroma_store_is_left_alone(tmp_path: Path, seeds: Path) -> None:
    index = tmp_path / "index"
    index.mkdir()
    (index / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(IndexStoreError, match="is not a Chroma store"):
        ensure_index(_settings(tmp_path, seeds))
    assert sorted(p.name for p in index.iterdir()) == ["thesis.docx"]

    (index / "thesis.docx").unlink()
    (index / "chroma.sqlite3").write_bytes(b"not a database at all")
    with pytest.raises(IndexStoreError, match="not a database"):
        ensure_index(_settings(tmp_path, seeds))
    assert (index / "chroma.sqlite3").read_bytes() == b"not a database at all"


def test_index_path_that_is_a_file(tmp_path: Path, seeds: Path) -> None:
    (tmp_path / "index").write_text("x")
    with pytest.raises(IndexStoreError, match="is a file"):
        ensure_index(_settings(tmp_path, seeds))


def test_the_articles_words_are_embedded_at_index_time(assistant) -> None:  # noqa: ANN001
    """A refusal compares many words by meaning; their vectors come from the index (the
    same vectors the query-time model gives), so a first refusal embeds almost nothing."""
    import numpy as np

    from rag.store import load_word_vectors

    stored = load_word_vectors(assistant._sentences, ["taxi", "financial", "officer"])
    assert set(stored) == {"taxi", "financial"}  # "officer" is not in the article
    fresh = np.asarray(assistant._embed_texts(["taxi", "financial"]))
    for row, word in zip(fresh, ["taxi", "financial"], strict=True):
        assert float(np.dot(row, np.asarray(stored[word]))) > 0.999

    embedded: list[str] = []
    original = assistant._embed.get_text_embedding_batch

    def counting(texts: list[str]) -> list[list[float]]:
        embedded.extend(texts)
        return original(texts)

    assistant._embed.get_text_embedding_batch = counting
    try:
        answer = assistant.ask("Who is Alibaba's chief financial officer?")
    finally:
        del assistant._embed.get_text_embedding_batch
    assert answer.refused
    # The question's own word for what it asks about, which the article never uses: the
    # rest come from the index (446 words, one at a time, before).
    assert embedded == ["officer"]

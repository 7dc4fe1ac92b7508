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
    with pytest.raises(SourceError, match="no readable article: blank.txt is empty"):
        ensure_index(_settings(tmp_path, seeds))
    assert not (tmp_path / "index").exists()
    # Not UTF-8 is not unreadable: Latin-1 from an old editor is read as Latin-1.
    (seeds / "blank.txt").write_bytes(b"Le caf\xe9 au lait est servi \xe0 huit heures du matin.\n")
    status = ensure_index(_settings(tmp_path, seeds))
    assert status.documents[0].text == "Le café au lait est servi à huit heures du matin.\n"


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

    stored = load_word_vectors(assistant._opened.sentences, ["taxi", "financial", "officer"])
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
    assistant.scorer._word_vectors.clear()  # earlier tests of the session fill it
    try:
        answer = assistant.ask("Who is Alibaba's chief financial officer?")
    finally:
        del assistant._embed.get_text_embedding_batch
    assert answer.refused
    # The question's own word for what it asks about, which the article never uses: the
    # rest come from the index (446 words, one at a time, before).
    assert embedded == ["officer"]


def test_stored_vectors_are_the_models_and_chunks_are_made_from_sentences(
    tmp_path: Path, seeds: Path
) -> None:
    """Sentences are stored as the embedder gives them; a chunk's vector is the mean of its
    sentences' token states (weighted by word pieces), so a one-sentence chunk's is that
    sentence's own vector."""
    import numpy as np

    from rag.encoders.minilm import load_onnx_minilm, normalise
    from rag.store import load_chunks

    status = ensure_index(_settings(tmp_path, seeds))
    chunks = load_chunks(status.collection)
    stored = status.collection.get(ids=[c.chunk_id for c in chunks], include=["embeddings"])
    chunk_vectors = dict(zip(stored["ids"], np.asarray(stored["embeddings"]), strict=True))
    sentences = status.store.sentences_of(status.collection)
    model = load_onnx_minilm()
    for chunk in chunks[:4]:
        texts = [chunk.text[a - chunk.start : b - chunk.start] for a, b in chunk.sentences]
        ids = [f"{chunk.source}#{a}-{b}" for a, b in chunk.sentences]
        rows = sentences.get(ids=ids, include=["embeddings"])
        by_id = dict(zip(rows["ids"], np.asarray(rows["embeddings"]), strict=True))
        alone = np.concatenate([model.encode([t]) for t in texts])  # one text per batch
        assert np.allclose([by_id[i] for i in ids], alone, atol=1e-5)
        parts = [model.pooled([t]) for t in texts]
        made = normalise(sum(n[0] * p[0] for p, n in parts))
        assert np.allclose(chunk_vectors[chunk.chunk_id], made, atol=1e-5)
    assert np.allclose(np.linalg.norm(list(chunk_vectors.values()), axis=1), 1.0, atol=1e-5)


def test_word_pieces_add_up_over_white_space(tmp_path: Path) -> None:
    """The chunker counts a run of sentences as the sum of its sentences (each is tokenized
    once): true of BERT's tokenizer, which splits words at white space first. Checked on
    the seed article, awkward text and the third-party articles beside the project."""
    import re

    from rag.chunking import chunk_document
    from rag.documents import load_documents
    from rag.embedding import token_counter

    from conftest import ROOT

    awkward = tmp_path / "awkward"
    awkward.mkdir()
    (awkward / "mixed.txt").write_text(
        "阿里巴巴 said “no”—again. Revenue rose 3.5%… to ¥1,200bn (see https://x.cn/a?b=1).\n"
        "Émile's co-founder, O'Neil, wasn't there! Naïve café-owners 🚀 cheered.\tThen: "
        "silence.\n\nU.S. rules (e.g. §230) apply.",
        encoding="utf-8",
    )
    count = token_counter()
    folders = [ROOT / "seeds", awkward, ROOT.parent / "shared" / "articles"]
    documents = [d for f in folders if f.is_dir() for d in load_documents(f)]
    for document in documents:
        for chunk in chunk_document(document, size=224, overlap=40, count=count):
            spans = [chunk.text[a - chunk.start : b - chunk.start] for a, b in chunk.sentences]
            assert count(chunk.text) == sum(count(s) for s in spans)
            for sentence in spans:
                assert count(sentence) == sum(count(w) for w in re.findall(r"\S+", sentence))


def test_an_index_of_an_older_format_is_rebuilt(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index of another format is never opened: the build is new, and the old one is
    kept one generation (a running server may still read it)."""
    import rag.store
    from rag.documents import load_documents
    from rag.store import fingerprint

    settings = _settings(tmp_path, seeds)
    documents = load_documents(seeds)
    current = fingerprint(settings, documents)
    monkeypatch.setattr(rag.store, "INDEX_FORMAT", rag.store.INDEX_FORMAT - 1)
    old = ensure_index(settings)
    assert old.name.split("-")[1] == fingerprint(settings, documents) != current
    monkeypatch.undo()
    new = ensure_index(settings)
    assert new.built and new.name.split("-")[1] == current
    assert _collections(settings) == sorted([old.name, old.name + "-s", new.name, new.name + "-s"])

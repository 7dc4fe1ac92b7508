"""Query-time retrieval talks to Chroma and bm25s directly; llama-index built the index."""

import json
import subprocess
import sys

from rag import Assistant
from rag.reader.scoring import Question

from conftest import ARTICLE

GOLD = ARTICLE.parent / "gold.jsonl"


def _questions() -> list[str]:
    return [json.loads(line)["question"] for line in GOLD.read_text().splitlines() if line]


def test_vector_ranking_matches_llama_index(assistant: Assistant) -> None:
    from llama_index.core import VectorStoreIndex
    from llama_index.core.embeddings import MockEmbedding
    from llama_index.core.schema import QueryBundle
    from llama_index.vector_stores.chroma import ChromaVectorStore

    # The same collection through llama-index's own retriever: the same chunks, in order.
    # The question's embedding is given, so its embedding model is never called.
    index = VectorStoreIndex.from_vector_store(
        ChromaVectorStore(chroma_collection=assistant.index.collection),
        embed_model=MockEmbedding(embed_dim=384),
    )
    retriever = index.as_retriever(similarity_top_k=assistant.retriever._pool)
    for question in _questions()[:20]:
        embedding = assistant.embed_question(question)
        theirs = retriever.retrieve(QueryBundle(query_str=question, embedding=embedding))
        ours = assistant.retriever.vector_ranking(embedding)
        assert ours == [hit.node.node_id for hit in theirs], question


def test_bm25_ranks_by_words_not_by_stored_offsets(assistant: Assistant) -> None:
    ranked = assistant.retriever.bm25_ranking("Kuaidog Taxi loss first half")
    assert "643 million" in assistant.retriever.chunk(ranked[0]).text
    first = assistant.retriever.chunk(ranked[0])
    # Offsets are metadata: a question made of a chunk's start offset matches nothing.
    assert assistant.retriever.bm25_ranking(str(first.start)) == []
    assert assistant.retriever.bm25_ranking("the of and") == []


def test_answering_never_imports_llama_index(assistant: Assistant) -> None:
    # llama-index's package __init__ costs about 1.8 s of a cold start. The index
    # exists (the session assistant built it): a fresh process only answers.
    settings = assistant.settings
    script = (
        "import sys\n"
        "from rag import Assistant, Settings\n"
        f"a = Assistant(Settings(seeds_dir={str(settings.seeds_dir)!r},"
        f" index_dir={str(settings.index_dir)!r}, llm='extractive'))\n"
        "print(a.ask('Who was named CEO of Taotian Group?').text)\n"
        "print(sorted(n for n in sys.modules if n.startswith('llama_index')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    answer, imported = done.stdout.strip().splitlines()
    assert "Daniel Zhang" in answer
    assert imported == "[]"


def test_a_pronoun_sentence_is_also_matched_as_saying_who_it_means(assistant: Assistant) -> None:
    # "He also established an infrastructure committee ..." follows a sentence naming
    # Wu Yongming; read as written it is far from a question that names him.
    question = Question.analyse(
        "What did Wu Yongming set up at group level?",
        assistant.embed_question("What did Wu Yongming set up at group level?"),
    )
    _, candidates = assistant.reader.rank(question)
    sentence = next(c for c in candidates if c.text.startswith("He also established"))
    as_written = float(assistant._embed_texts([sentence.text])[0] @ question.embedding)
    assert sentence.similarity > as_written + 0.2

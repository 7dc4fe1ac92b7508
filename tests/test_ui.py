"""The Gradio page, served on loopback by the test and called through gradio_client."""

from collections.abc import Iterator

import pytest

from conftest import free_port


@pytest.fixture(scope="module")
def served(assistant) -> Iterator[str]:  # noqa: ANN001
    from ui.app import build_app

    app = build_app(assistant)
    port = free_port()
    app.queue(default_concurrency_limit=2)
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


def test_gradio_client_gets_a_cited_answer(served: str, article_text: str) -> None:
    from gradio_client import Client

    client = Client(served, verbose=False)
    data = client.predict("Who was named CEO of Taotian Group?", api_name="/ask")
    assert "Daniel Zhang" in data["answer"]
    for c in data["citations"]:
        assert article_text[c["start"] : c["end"]] == c["quote"]
    error = client.predict("   ", api_name="/ask")
    assert error == {"error": "the question is empty - ask something about the article"}


def test_chat_messages_are_the_answer_as_plain_text(assistant) -> None:  # noqa: ANN001
    from rag.errors import QuestionError
    from ui.app import stream_reply

    question = "How much did Kuaidog Taxi lose in the first half?"
    *_, (messages, answer) = stream_reply(assistant, question, [], {})
    assert answer is not None and answer.citations
    assert messages[0] == {"role": "user", "content": question}
    # The short answer over the text the API returns, then the sources, in one message:
    # what Copy copies and a screen reader reads.
    assert answer.short and answer.short in answer.text
    first = answer.citations[0]
    where = first.section or assistant.index.documents[0].title
    assert len(messages) == 2
    assert messages[1] == {
        "role": "assistant",
        "content": f"{answer.short}\n\n{answer.text}\n\nSources\n[1] {where}",
    }
    # The answer is the quote: its source says where it is instead of repeating it.
    assert first.quote in answer.text and messages[1]["content"].count(first.quote) == 1
    with pytest.raises(QuestionError, match="the question is empty"):
        list(stream_reply(assistant, "", messages, {1: answer}))


def test_history_is_what_rag_chat_keeps(assistant) -> None:  # noqa: ANN001
    """Gradio 6 hands content back as a list of parts; the history is rebuilt from the
    answers, so sources blocks, errors and stopped answers are not part of it."""
    from rag.answer import Answer
    from ui.messages import plain_history

    answer = Answer("Q1?", "A1 [1]")
    shown = [
        {"role": "user", "content": [{"type": "text", "text": "Q1?"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "A1 [1]"}]},
        {"role": "assistant", "content": "[1] quote", "metadata": {"title": "Sources (1)"}},
        {"role": "user", "content": [{"type": "text", "text": "Q2?"}]},
        {"role": "assistant", "content": "Error: the model server ... timed out"},
        {"role": "user", "content": "Q3?"},
        {"role": "assistant", "content": "half an answer, stopp"},
    ]
    assert plain_history(shown, {1: answer}) == [
        {"role": "user", "content": "Q1?"},
        {"role": "assistant", "content": "A1 [1]"},
    ]


@pytest.mark.parametrize("allowed", [True, False])
def test_adding_articles_is_offered_only_when_allowed(assistant, allowed: bool) -> None:  # noqa: ANN001
    """`rag ui --host 0.0.0.0` or `--share` builds the page without uploads (unless
    --allow-uploads): the panel is not rendered."""
    from ui.app import build_app

    app = build_app(assistant, allow_uploads=allowed)
    panels = [b for b in app.blocks.values() if getattr(b, "elem_id", None) == "add-article"]
    assert len(panels) == 1 and panels[0].visible is allowed

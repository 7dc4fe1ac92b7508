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


def test_chat_messages_carry_sources(assistant) -> None:  # noqa: ANN001
    from ui.app import stream_reply

    *_, (messages, answer) = stream_reply(
        assistant, "How much did Kuaidog Taxi lose in the first half?", []
    )
    assert answer is not None and answer.citations
    assert messages[0] == {
        "role": "user",
        "content": "How much did Kuaidog Taxi lose in the first half?",
    }
    assert "643 million yuan" in messages[1]["content"]
    assert messages[2]["metadata"]["title"].startswith("Sources (")
    assert "643 million yuan" in messages[2]["content"]
    *_, (failed, none) = stream_reply(assistant, "", messages)
    assert none is None
    assert (
        failed[-1]["content"] == "⚠️ Error: the question is empty - ask something about the article"
    )


def test_markdown_is_escaped() -> None:
    from ui.app import escape_markdown

    assert escape_markdown("<script>alert(1)</script> *x*") == (
        r"\<script\>alert\(1\)\</script\> \*x\*"
    )

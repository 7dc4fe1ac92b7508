"""The OpenAI-compatible API, served by a real uvicorn on 127.0.0.1, called with the
official openai client and with raw HTTP."""

import json
import threading
import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from conftest import serve_in_thread

TOKEN = "test-token-123"


@pytest.fixture(scope="module")
def base_url(assistant) -> Iterator[str]:  # noqa: ANN001
    from ui.server import build_server

    with serve_in_thread(build_server(assistant, api_key=TOKEN)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key=TOKEN, max_retries=0, timeout=60)


def test_models_and_health(client: openai.OpenAI, base_url: str) -> None:
    assert [m.id for m in client.models.list()] == ["rag-article-assistant"]
    health = httpx.get(f"{base_url}/health").json()
    assert health["status"] == "ok" and health["answerer"] == "extractive"


def test_plain_answer_with_citations(client: openai.OpenAI, article_text: str) -> None:
    reply = client.chat.completions.create(
        model="rag-article-assistant",
        messages=[{"role": "user", "content": "Who was named CEO of Taotian Group?"}],
    )
    message = reply.choices[0].message
    assert "Daniel Zhang" in message.content and "[1]" in message.content
    citations = message.model_extra["citations"]
    assert citations and citations[0]["n"] == 1
    for c in citations:
        assert article_text[c["start"] : c["end"]] == c["quote"]
    # Word pieces of the bundled tokenizer: the question's and the answer's.
    from rag.embedding import token_counter

    count = token_counter()
    assert reply.usage.prompt_tokens == count("Who was named CEO of Taotian Group?")
    assert reply.usage.completion_tokens == count(message.content)
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    assert "system_message_used" not in message.model_extra


def test_a_system_message_is_said_to_be_unused_offline(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model="rag-article-assistant",
        messages=[
            {"role": "system", "content": "Answer in French."},
            {"role": "user", "content": "Who was named CEO of Taotian Group?"},
        ],
    )
    message = reply.choices[0].message
    assert message.model_extra["system_message_used"] is False
    assert "Daniel Zhang" in message.content


def test_streaming_answer(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="rag-article-assistant",
        messages=[{"role": "user", "content": "How much did Kuaidog Taxi lose in the first half?"}],
        stream=True,
    )
    text, citations, finish, usage = "", None, None, None
    for chunk in stream:
        choice = chunk.choices[0]
        text += choice.delta.content or ""
        extra = choice.delta.model_extra or {}
        citations = extra.get("citations", citations)
        finish = choice.finish_reason or finish
        usage = chunk.usage or usage
    assert "643 million yuan" in text
    assert citations and finish == "stop"
    # The last chunk counts the question's and the answer's word pieces.
    assert usage is not None and usage.completion_tokens > 0 and usage.prompt_tokens > 0


def test_follow_up_uses_the_conversation(client: openai.OpenAI) -> None:
    first = "How many AI teams did Alibaba integrate its AI teams into?"
    reply = client.chat.completions.create(
        model="rag-article-assistant",
        messages=[
            {"role": "user", "content": first},
            {"role": "assistant", "content": "Four teams. [1]"},
            {"role": "user", "content": "And what is each of them responsible for?"},
        ],
    )
    assert "Alibaba Mom" in reply.choices[0].message.content


def test_asking_only_some_articles(tmp_path, shared_settings) -> None:  # noqa: ANN001
    """``articles`` asks only those articles; an unknown one is a 400 naming those there are."""
    import shutil

    from rag import Assistant
    from ui.server import build_server

    seeds = tmp_path / "seeds"
    shutil.copytree(shared_settings.seeds_dir, seeds)
    (seeds / "harbor.txt").write_text(
        "Harbor Bakery names a new chairman\n\nHarbor Bakery said on Monday that Mira Osei"
        " will become its chairman in March.\n",
        "utf-8",
    )
    two = Assistant(
        shared_settings.model_copy(update={"seeds_dir": seeds, "index_dir": tmp_path / "i"})
    )
    question = [{"role": "user", "content": "Who will become chairman of Harbor Bakery?"}]
    with serve_in_thread(build_server(two)) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="-", max_retries=0, timeout=60)

        def cited(articles: list[str]) -> tuple[str, set[str]]:
            reply = client.chat.completions.create(
                model="rag-article-assistant", messages=question, extra_body={"articles": articles}
            )
            message = reply.choices[0].message
            return message.content, {c["source"] for c in message.model_extra["citations"]}

        text, sources = cited(["harbor.txt"])
        assert "Mira Osei" in text and sources == {"harbor.txt"}
        assert cited(["alibaba-executive-reshuffle.txt"])[1] <= {"alibaba-executive-reshuffle.txt"}
        with pytest.raises(openai.BadRequestError) as refused:
            cited(["nope.txt"])
        assert "no article named 'nope.txt'" in str(refused.value)
        assert "harbor.txt" in str(refused.value)


def test_bearer_token_is_required(base_url: str) -> None:
    wrong = openai.OpenAI(base_url=f"{base_url}/v1", api_key="nope", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        wrong.models.list()
    assert caught.value.status_code == 401
    bare = httpx.post(f"{base_url}/v1/chat/completions", json={"messages": []})
    assert bare.status_code == 401
    assert bare.json()["error"]["type"] == "invalid_api_key"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"messages": [{"role": "user", "content": "  "}]}, 400, "the question is empty"),
        ({"messages": [{"role": "user", "content": "x" * 2001}]}, 400, "2,001 characters"),
        ({"messages": [{"role": "assistant", "content": "hi"}]}, 400, "last message must be"),
        ({"messages": []}, 422, "messages: List should have at least 1 item"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, 422, "messages.0.role"),
        ({"nothing": True}, 422, "messages: Field required"),
    ],
)
def test_bad_requests_use_openai_error_shape(
    base_url: str, body: dict, status: int, message: str
) -> None:
    response = httpx.post(
        f"{base_url}/v1/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == status
    error = response.json()["error"]
    assert message in error["message"]
    assert set(error) == {"message", "type", "param", "code"}


def test_invalid_json_body(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/v1/chat/completions",
        content=b"{not json",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "error" in json.loads(response.text)


def test_admission_refuses_when_full() -> None:
    from ui.api import Admission, ApiError

    gate = Admission(running=1, waiting=1, timeout=0.2)
    leave = gate.enter()
    started = time.monotonic()
    with pytest.raises(ApiError) as waited:
        gate.enter()  # waits in line, then gives up
    assert waited.value.status == 503 and time.monotonic() - started < 2
    blocker = threading.Thread(target=lambda: pytest.raises(ApiError, gate.enter))
    blocker.start()
    time.sleep(0.05)
    with pytest.raises(ApiError, match="the server is busy"):
        gate.enter()  # the line is full: refused at once
    blocker.join()
    leave()
    gate.enter()()  # a freed slot is taken again


def test_full_queue_gives_503(assistant) -> None:  # noqa: ANN001
    from ui.api import Admission, build_api

    gate = Admission(running=1, waiting=0, timeout=0.1)
    question = {"messages": [{"role": "user", "content": "Who wrote the article?"}]}
    with serve_in_thread(build_api(assistant, admission=gate)) as url:
        leave = gate.enter()  # the only slot is busy
        busy = httpx.post(f"{url}/v1/chat/completions", json=question)
        assert busy.status_code == 503
        assert busy.json()["error"]["type"] == "server_busy"
        leave()
        ok = httpx.post(f"{url}/v1/chat/completions", json=question, timeout=60)
        assert ok.status_code == 200

"""When a model's answer cites nothing, the extractive answer stands in and says why.

The model is a loopback OpenAI-compatible peer that writes a fixed answer, so each
case is the same every run; the index, the reader and the verifier are real.
"""

import pytest

from rag import Assistant, Settings

from peers import ChatPeer

QUESTION = "Who was named CEO of Taotian Group?"


def _assistant(settings: Settings, url: str, **kw: object) -> Assistant:
    return Assistant(
        settings.model_copy(
            update={"llm": "openai", "openai_base_url": url, "llm_timeout": 30.0, **kw}
        )
    )


def test_an_answer_citing_nothing_is_replaced_by_the_extractive_one(
    shared_settings: Settings,
) -> None:
    # A claim the article never makes, with a marker: the verifier keeps no quote for it.
    invented = "Taotian Group is run by a committee of twelve founders from Hangzhou [1]."
    extractive = Assistant(shared_settings).ask(QUESTION)
    with ChatPeer(text=invented) as peer:
        answer = _assistant(shared_settings, peer.url).ask(QUESTION)
    assert peer.requests == 1  # the model was asked, and its answer set aside
    assert answer.fallback == "the model's answer cited nothing in the article"
    assert answer.answerer == "extractive" and not answer.refused
    assert answer.text == extractive.text and "Daniel Zhang" in answer.text
    assert answer.citations and answer.citations == extractive.citations


def test_a_cited_answer_is_kept(shared_settings: Settings) -> None:
    with ChatPeer(text="Daniel Zhang was named CEO of Taotian Group [1].") as peer:
        answer = _assistant(shared_settings, peer.url).ask(QUESTION)
    assert answer.fallback is None and answer.answerer != "extractive"
    assert answer.citations and "Daniel Zhang" in answer.citations[0].quote


@pytest.mark.parametrize(("fallback", "stands_in"), [("none", False), ("extractive", True)])
def test_a_refusal_is_replaced_only_under_the_extractive_fallback(
    shared_settings: Settings, fallback: str, stands_in: bool
) -> None:
    with ChatPeer(text="The article does not say.") as peer:
        assistant = _assistant(shared_settings, peer.url, fallback=fallback)
        streamed = list(assistant.stream(QUESTION))
    answer = streamed[-1]
    assert answer.refused is not stands_in
    if stands_in:
        assert answer.fallback == "the model found no answer in the passages"
        assert "Daniel Zhang" in answer.text and answer.citations
        # What was streamed says the model's text was set aside before the quotes.
        assert "falling back to the extractive answer" in "".join(streamed[:-1])
    else:
        assert answer.fallback is None and answer.citations == ()

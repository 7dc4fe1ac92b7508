"""The Python API on the real model and a real Chroma store."""

import pytest

import rag
from rag import Answer, QuestionError


def _assert_verbatim(answer: Answer, article_text: str) -> None:
    for c in answer.citations:
        assert article_text[c.start : c.end] == c.quote
        assert c.source == "alibaba-executive-reshuffle.txt"
        assert f"[{c.n}]" in answer.text


def test_answers_with_verbatim_citations(assistant, article_text: str) -> None:  # noqa: ANN001
    answer = assistant.ask("Who was named CEO of Taotian Group?")
    assert not answer.refused
    assert "Daniel Zhang" in answer.text
    assert answer.citations and [c.n for c in answer.citations] == list(
        range(1, len(answer.citations) + 1)
    )
    _assert_verbatim(answer, article_text)
    assert set(answer.timings) == {"retrieve_ms", "answer_ms", "total_ms"}


def test_numbers_are_answered(assistant, article_text: str) -> None:  # noqa: ANN001
    answer = assistant.ask("How much money did Kuaidog Taxi lose in the first half of the year?")
    assert "643 million yuan" in answer.text
    _assert_verbatim(answer, article_text)


def test_the_answer_says_who_he_is(assistant, article_text: str) -> None:  # noqa: ANN001
    # "In September, he took over ..." is shown saying who "he" is, not after the
    # sentences that name him.
    answer = assistant.ask("In which month did he become chairman of Alibaba Cloud?")
    assert "In September, he [Daniel Zhang] took over" in answer.text
    assert "In June" not in answer.text
    _assert_verbatim(answer, article_text)


def test_a_vague_question_about_a_date_the_article_gives(assistant) -> None:  # noqa: ANN001
    # Its embedding is far from every sentence (cosine 0.14), but one holds all its terms.
    answer = assistant.ask("What happened on December 20th?")
    assert answer.text.startswith("On December 20th, Alibaba announced")
    assert assistant.ask("What happened on March 3rd?").refused


def test_who_someone_is_comes_from_the_sentence_that_says(assistant) -> None:  # noqa: ANN001
    # Not from '"Mother Zhang should be better than Shan Dai.', which only names her.
    answer = assistant.ask("Who is Dai Shan?")
    assert answer.text.startswith("In addition, Dai Shan, the CEO of Taotianyuan")
    # Typed in lower case, the name is read as the article writes it ("Joe Tsai").
    lower = assistant.ask("who is joe tsai")
    assert lower.text.startswith("In the letter, Alibaba Chairman Joe Tsai stated")
    assert lower.question == "who is joe tsai"
    # So is a name of several words, some also common words ("management").
    assert assistant.ask("When was the Alibaba Asset Management Company founded?").refused
    assert assistant.ask("when was the alibaba asset management company founded?").refused


def test_an_acronym_finds_the_name_it_stands_for(assistant) -> None:  # noqa: ANN001
    answer = assistant.ask("What did the WSJ source say?")
    assert "told Wall Street Journal" in answer.text
    assert answer.question == "What did the WSJ source say?"


def test_who_wrote_the_article_is_its_credit_line(assistant) -> None:  # noqa: ANN001
    # The title sentence is far closer to this question than "Author: Liu Baodan".
    answer = assistant.ask("Who wrote this article about Alibaba's reshuffle?")
    assert answer.text == "Author: Liu Baodan [1]"
    # A follow-up asks for the credit its own words name, not the previous question's.
    history = [
        {"role": "user", "content": "Who edited this article?"},
        {"role": "assistant", "content": "Editor: Zhang Xiaoling [1]"},
    ]
    assert assistant.chat("And who wrote it?", history).text == "Author: Liu Baodan [1]"
    both = assistant.ask("Who wrote this piece and who edited it?")
    assert both.text == "Author: Liu Baodan [1] Editor: Zhang Xiaoling [2]"


def test_what_the_article_is_about_is_its_headline_and_lead(assistant) -> None:  # noqa: ANN001
    # No sentence is close to "What is this article about?": it was refused.
    answer = assistant.ask("What is this article about?")
    assert not answer.refused
    assert [c.start for c in answer.citations][:2] == [0, 50]  # the headline and subtitle
    assert "Just 21 days after Pinduoduo surpassed Alibaba" in answer.text
    assert "Author:" not in answer.text and "Editor:" not in answer.text
    # A summary of something the article reports is an ordinary question.
    assert assistant.ask("Summarize what Jack Ma said").citations[0].start > 0
    # "Summarize it" in a conversation may be about the last answer; a summary of the
    # article asked outright is not.
    history = [
        {"role": "user", "content": "How much did Kuaidog Taxi lose?"},
        {"role": "assistant", "content": "643 million yuan [1]"},
    ]
    assert assistant.chat("Give me a summary of the article", history).text == answer.text
    assert assistant.chat("Summarize it", history).citations[0].start > 0


def test_a_follow_up_answers_only_what_it_asks(assistant) -> None:  # noqa: ANN001
    # Offline, the follow-up is searched with the previous question in front of it; that
    # question is context, and its answer is not given again.
    previous = "What did Alibaba decide about the spin-off of its cloud unit?"
    first = assistant.ask(previous)
    history = [
        {"role": "user", "content": previous},
        {"role": "assistant", "content": first.text},
    ]
    answer = assistant.chat("And how many AI teams does it have now?", history)
    assert "four teams" in answer.text
    assert not {c.quote for c in answer.citations} & {c.quote for c in first.citations}


def test_abstains_on_what_the_article_never_mentions(assistant) -> None:  # noqa: ANN001
    answer = assistant.ask("Who is Alibaba's chief financial officer?")
    assert answer.refused
    assert answer.text.startswith(rag.REFUSAL)
    assert answer.citations == ()


def test_to_dict_shape(assistant) -> None:  # noqa: ANN001
    data = assistant.ask("Who is the author of the article?").to_dict()
    assert list(data) == [
        "question",
        "answer",
        "short_answer",
        "refused",
        "citations",
        "timings",
        "answerer",
        "unsupported",
        "fallback",
    ]
    assert "Liu Baodan" in data["answer"]
    assert list(data["citations"][0]) == ["n", "source", "quote", "start", "end", "score"]


def test_retrieve_is_public(assistant) -> None:  # noqa: ANN001
    passages = assistant.retrieve("Which companies has Alibaba Network exited?")
    assert len(passages) == assistant.settings.top_k
    assert any("Macalline" in p.text for p in passages[:2])


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "empty"), (" \n\t ", "empty"), ("x" * 2001, "2,001 characters"), (None, "must be text")],
)
def test_bad_questions(assistant, question: object, message: str) -> None:  # noqa: ANN001
    with pytest.raises(QuestionError, match=message):
        assistant.ask(question)  # type: ignore[arg-type]


def test_public_api_is_sorted_and_complete() -> None:
    assert rag.__all__ == sorted(rag.__all__)
    for name in rag.__all__:
        assert hasattr(rag, name)
    public = {n for n in dir(rag) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(rag.__all__)

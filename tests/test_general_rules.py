"""Reader rules measured on the article suite, on small examples."""

import pytest

from rag.reader.answer_types import DURATION, has_type
from rag.reader.speakers import asks_speaker, speaker_named


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("The deal runs for three years.", True),
        ("It is a three-year licensing agreement.", True),
        ("In this 45-minute interview, he talks about the framework.", True),
        ("The three firms agreed.", False),
    ],
)
def test_a_duration_before_a_noun_is_hyphenated(sentence: str, found: bool) -> None:
    assert has_type(sentence, DURATION) is found


def test_who_is_quoted_wants_the_one_who_speaks() -> None:
    assert asks_speaker("Who is quoted from Disney?")
    assert asks_speaker("Who speaks for OpenAI, and what is his title?")
    assert not asks_speaker("Who leads the opposition?")
    said = '"We are proud of it," said Robert A. Iger, CEO of the company.'
    assert speaker_named(said, "Who is quoted from Disney?")
    assert not speaker_named("Disney and OpenAI signed a deal.", "Who is quoted from Disney?")

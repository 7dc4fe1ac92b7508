"""Reader rules measured on the article suite, on small examples."""

import pytest

from rag.reader.answer_types import DURATION, has_type


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

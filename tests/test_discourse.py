"""Headings, labels and question lines state nothing; the line under one comes with it."""

from rag.reader.discourse import states


def test_only_statements_state() -> None:
    assert [states(t) for t in ("Why did you move?", "Answer", "The rent was half.")] == [
        False,
        False,
        True,
    ]
    assert states("'We will appeal,' the company said.'")
    assert not states("Key findings:")

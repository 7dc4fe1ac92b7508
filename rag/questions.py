"""Check a question before any work is done on it."""

from rag.errors import QuestionError


def clean_question(question: object, max_chars: int) -> str:
    """The question stripped of surrounding space, or a QuestionError saying what is wrong."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    cleaned = question.strip()
    if not cleaned:
        raise QuestionError("the question is empty - ask something about the article")
    if len(cleaned) > max_chars:
        raise QuestionError(
            f"the question is {len(cleaned):,} characters long; the limit is {max_chars:,}"
        )
    return cleaned

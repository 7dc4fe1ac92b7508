"""Check a question before any work is done on it."""

import re
import unicodedata

from rag.errors import QuestionError

# Control and format characters other than ordinary whitespace carry no meaning in a
# question and can hide text; they become spaces. (Right-to-left text and emoji stay.)
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def clean_question(question: object, max_chars: int) -> str:
    """The question stripped of surrounding space, or a QuestionError saying what is wrong."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    cleaned = unicodedata.normalize("NFC", _INVISIBLE.sub(" ", question)).strip()
    if not cleaned:
        raise QuestionError("the question is empty - ask something about the article")
    if len(cleaned) > max_chars:
        raise QuestionError(
            f"the question is {len(cleaned):,} characters long; the limit is {max_chars:,}"
        )
    return cleaned

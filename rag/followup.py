"""Turn a follow-up ("and how much did it lose?") into a standalone question.

The offline heuristic: when the message leans on the conversation (it opens
with a connective, refers back with a pronoun, or names nothing at all: "Why?"),
the previous user question is put in front of it, so retrieval sees what "it"
refers to. An LLM answerer
can do better; this one needs no model and never invents words.
"""

import re
from collections.abc import Sequence
from typing import Any

from rag.terms import content_terms

_CONNECTIVE = re.compile(r"^\s*(and|also|but|so|then|what about|how about|plus)\b", re.I)
_BACK_REFERENCES = frozenset(
    "it its it's that this they them their theirs those these he him his she her hers"
    " there ones one each both same former latter".split()
)


def leans_on_history(message: str) -> bool:
    """Whether ``message`` needs the conversation to be understood: it opens with a
    connective, refers back, or names nothing at all ("Why?", "Since when?").

    >>> leans_on_history("Why?")
    True
    """
    if _CONNECTIVE.match(message) or not content_terms(message):
        return True
    words = re.findall(r"[a-z']+", message.lower())
    return any(word in _BACK_REFERENCES for word in words)


def _last_turn(history: Sequence[Any], role: str) -> str | None:
    """The latest ``role`` turn of a history of ``{"role", "content"}`` dicts."""
    for turn in reversed(history):
        if isinstance(turn, dict) and turn.get("role") == role:
            content = turn.get("content")
            if isinstance(content, str):
                return content
    return None


def last_user_message(history: Sequence[Any]) -> str | None:
    """The latest user turn."""
    return _last_turn(history, "user")


def last_assistant_message(history: Sequence[Any]) -> str | None:
    """The latest assistant turn."""
    return _last_turn(history, "assistant")


def standalone_question(message: str, history: Sequence[Any]) -> str:
    """``message`` made standalone with the previous question when it leans on it.

    >>> history = [{"role": "user", "content": "Who sold Kuaidi?"}]
    >>> standalone_question("And how much did it lose?", history)
    'Who sold Kuaidi? And how much did it lose?'
    """
    previous = last_user_message(history) if history else None
    if previous and leans_on_history(message):
        return f"{previous.strip()} {message.strip()}"
    return message

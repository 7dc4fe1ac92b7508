"""Chat messages as the page stores them: plain text, never escaped markup.

The chat shows message text as text (ui/page.py tells Gradio to render no
Markdown and to show every HTML tag literally), so what is stored is exactly
what Copy copies and what a screen reader reads: ``Jack Ma. [1]``, not
``Jack Ma\\. \\[1\\]``. The engine's history is rebuilt from the answers
themselves, the way ``rag chat`` keeps it, so the page and the terminal
answer a follow-up alike.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from rag.reader.evidence import shown

# An error is shown as a message of its own and is never part of the history.
ERROR_PREFIX = "Error: "


def message_text(content: Any) -> str:
    """The text of a message's content, whichever shape Gradio hands it in.

    Gradio 6 gives the app each message's content as a list of parts:

    >>> message_text([{"type": "text", "text": "Who is he?"}])
    'Who is he?'
    >>> message_text("Who is he?")
    'Who is he?'
    """
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        return str(content.get("text") or "")
    if isinstance(content, Sequence):
        return "".join(message_text(part) for part in content)
    return ""


def plain_history(
    history: Sequence[Mapping[str, Any]], answers: Mapping[int, Any]
) -> list[dict[str, str]]:
    """The conversation as ``rag chat`` keeps it: each answered question and its answer's
    text. Errors, stopped answers and sources blocks are left out.

    >>> from rag.answer import Answer
    >>> shown = [{"role": "user", "content": [{"type": "text", "text": "Q?"}]},
    ...          {"role": "assistant", "content": "A. [1]"}]
    >>> plain_history(shown, {1: Answer("Q?", "A. [1]")})
    [{'role': 'user', 'content': 'Q?'}, {'role': 'assistant', 'content': 'A. [1]'}]
    """
    turns = []
    for index in sorted(answers):
        if 0 < index <= len(history) and history[index - 1].get("role") == "user":
            turns.append({"role": "user", "content": message_text(history[index - 1]["content"])})
            turns.append({"role": "assistant", "content": answers[index].text})
    return turns


def _in_quotes(text: str) -> str:
    """``text`` in quotation marks, unless it opens with its own (no doubled marks).

    >>> _in_quotes("“There is no pressure,” he said."), _in_quotes("It rose.")
    ('“There is no pressure,” he said.', '“It rose.”')
    """
    if text[:1] in "“\"‘'":
        return text
    return f"“{text}”"


def sources_text(answer: Any, titles: Mapping[str, str] | None = None) -> str:
    """One line per citation: where it is (the section; the article when there are
    several, by its title), and the quote unless the answer already is the quote (the
    offline answer quotes the article word for word)."""
    titles = titles or {}
    lines: list[str] = []
    last_where = None
    for c in answer.citations:
        where = [c.section] if c.section else []
        if len(titles) > 1 or (answer.answerer == "extractive" and not where):
            where.append(titles.get(c.source) or c.source)
        if answer.answerer != "extractive":
            place = f" ({', '.join(where)})" if where else ""
            lines.append(f"[{c.n}] {_in_quotes(shown(c.quote))}{place}")
        elif where == last_where:
            # Quotes from one place share its line: "[1] [2] Results", not the place twice.
            marks, _, place = lines[-1].rpartition("] ")
            lines[-1] = f"{marks}] [{c.n}] {place}"
        else:
            lines.append(f"[{c.n}] {', '.join(where)}")
        last_where = where
    return "\n".join(lines)


def shown_text(answer: Any, titles: Mapping[str, str] | None = None) -> str:
    """An answer as the chat shows and Copy copies it: the short answer on a line of its
    own (when the reader found one), the text with its [n], then its sources.

    >>> from rag.answer import Answer, Citation
    >>> cited = Citation(1, "a.txt", "It lost 643 million yuan.", 0, 25, 0.9, "Results")
    >>> also = Citation(2, "a.txt", "Sales fell.", 26, 37, 0.8, "Results")
    >>> print(shown_text(Answer("Q?", "It lost 643 million yuan. [1] Sales fell. [2]",
    ...                         (cited, also), short="643 million yuan")))
    643 million yuan
    <BLANKLINE>
    It lost 643 million yuan. [1] Sales fell. [2]
    <BLANKLINE>
    Sources
    [1] [2] Results
    """
    parts = [answer.short] if answer.short else []
    parts.append(answer.text)
    if answer.citations:
        parts.append("Sources\n" + sources_text(answer, titles))
    return "\n\n".join(parts)


def final_messages(answer: Any, titles: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The answer with its sources (one message, so Copy and "copy conversation" keep
    them together), then any note about it."""
    messages: list[dict[str, Any]] = [{"role": "assistant", "content": shown_text(answer, titles)}]
    notes = []
    if answer.unsupported:
        notes.append("Not found in the article: " + " / ".join(answer.unsupported))
    if answer.fallback:
        notes.append(f"{answer.fallback}; extractive answer.")
    if notes:
        messages.append(
            {"role": "assistant", "content": "\n\n".join(notes), "metadata": {"title": "Note"}}
        )
    return messages


def error_message(exc: BaseException) -> dict[str, str]:
    return {"role": "assistant", "content": f"{ERROR_PREFIX}{exc}"}

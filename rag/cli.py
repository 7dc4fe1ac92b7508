"""The ``rag`` command: a thin shell over the Python API.

Exit status: 0 success, 1 an expected failure (one ``Error:`` line on stderr),
2 a usage error (click's own).
"""

import gc
import json
import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from rag import __version__
from rag.errors import RagError
from rag.threads import limit_blas_threads


class _RagGroup(click.Group):
    """Turns expected failures into one ``Error:`` line and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RagError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except ValidationError as exc:
            problems = "; ".join(
                f"RAG_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
            )
            click.echo(f"Error: invalid setting - {problems}", err=True)
            sys.exit(1)


@contextmanager
def _progress_bar(label: str):  # noqa: ANN202 - a context manager of a callback
    """A click progress bar driven by ``callback(done, total)`` calls."""
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
            state["done"] = 0
        state["bar"].update(done - state["done"])
        state["done"] = done

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def _settings(**overrides: Any) -> Any:
    """Settings from the environment, with the command line's explicit choices on top."""
    from rag.settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _assistant(progress: Callable[[int, int], None] | None = None, settings: Any = None) -> Any:
    from rag.assistant import Assistant

    return Assistant(settings or _settings(), progress=progress)


LLM_OPTION = click.option(
    "--llm",
    type=click.Choice(["auto", "extractive", "openai", "local"]),
    help="Who writes the answer (default: RAG_LLM, else auto).",
)
FALLBACK_OPTION = click.option(
    "--fallback",
    type=click.Choice(["none", "extractive"]),
    help="On a model failure or refusal: fail (none), or answer extractively and say so.",
)


def _use_chroma_server(ctx: click.Context, param: click.Parameter, url: str | None) -> None:
    if url:
        os.environ["RAG_CHROMA_URL"] = url


@click.group(cls=_RagGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rag")
@click.option(
    "--chroma-url",
    callback=_use_chroma_server,
    expose_value=False,
    help="Use the Chroma server at this URL (default: RAG_CHROMA_URL, else index/).",
)
def cli() -> None:
    """Ask questions about the articles in seeds/ and get answers with exact citations.

    Example: rag add story.pdf, then rag ask "What is this article about?"
    """


@cli.command()
@click.option("--rebuild", is_flag=True, help="Rebuild even when the index is up to date.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def index(rebuild: bool, as_json: bool) -> None:
    """Build the vector index of seeds/ in index/ (a no-op when nothing changed).

    Example: rag index --rebuild
    """
    from rag.indexing import ensure_index
    from rag.settings import Settings

    settings = Settings()
    with _progress_bar("Embedding") as progress:
        status = ensure_index(settings, rebuild=rebuild, progress=progress)
    _report_index(status, as_json)


def _report_index(status: Any, as_json: bool) -> None:
    result = {
        "built": status.built,
        "collection": status.name,
        "chunks": status.chunk_count,
        "articles": [d.name for d in status.documents],
        "skipped": list(status.skipped),
        "index_dir": status.store.where,
    }
    for problem in status.skipped:
        click.echo(f"Skipped {problem}", err=True)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    verb = "Indexed" if status.built else "Index is up to date:"
    click.echo(
        f"{verb} {result['chunks']} chunks from {len(result['articles'])} article(s)"
        f" in {result['index_dir']} (collection {result['collection']})"
    )


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def add(sources: tuple[str, ...], as_json: bool) -> None:
    """Add articles (files, or http(s) URLs of pages and PDFs) to seeds/ and index them.

    Files: .txt .md .html .pdf .docx. A file that cannot be read is refused with its
    reason; an article already in seeds/ is never overwritten.

    Example: rag add ~/Downloads/report.pdf https://example.com/story.html
    """
    from rag.adding import add_article
    from rag.indexing import ensure_index
    from rag.settings import Settings

    settings = Settings()
    max_bytes = int(settings.max_article_mb * 1_000_000)
    added, failed = [], False
    for source in sources:
        try:
            added.append(
                add_article(
                    source,
                    settings.seeds_dir,
                    max_bytes,
                    allow_local_urls=settings.allow_local_urls,
                )
            )
        except RagError as exc:  # the others are still added
            click.echo(f"Error: {exc}", err=True)
            failed = True
            continue
        click.echo(f"Added {added[-1]}", err=as_json)
    if added:
        with _progress_bar("Embedding") as progress:
            status = ensure_index(settings, progress=progress)
        _report_index(status, as_json)
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("source")
@click.option("--span", help="Only the characters START:END (a citation's offsets).")
def show(source: str, span: str | None) -> None:
    """Print an article's text as the product reads it: citations' offsets index it.

    For .txt and .md files this is the file (Markdown's markup blanked to spaces);
    for HTML, PDF and Word files it is the text extracted from them.

    Example: rag show report.pdf --span 120:245
    """
    from rag.documents import load_document, no_article_named
    from rag.errors import SourceError
    from rag.settings import Settings

    settings = Settings()
    path = settings.seeds_dir / source
    if "/" in source or not path.is_file():
        raise no_article_named(source, settings.seeds_dir)
    text = load_document(path, settings.seeds_dir, int(settings.max_article_mb * 1e6)).text
    if span:
        try:
            start, end = (int(x) for x in span.split(":"))
        except ValueError:
            raise click.BadParameter("use START:END, e.g. 120:245", param_hint="--span") from None
        if not 0 <= start <= end <= len(text):
            raise SourceError(f"--span {span} is outside the article (0:{len(text)})")
        text = text[start:end]
    click.echo(text)


def format_citations(answer: Any) -> str:
    """Each citation with its source span and quote (a wrapped line's break shown as a
    space: `rag show SOURCE --span START:END` prints the exact characters), then any
    unsupported claims."""
    from rag.reader.evidence import shown

    lines = []
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.source}:{c.start}-{c.end} (score {c.score:.2f})")
        lines.append(f'    "{shown(c.quote)}"')
    for claim in answer.unsupported:
        lines.append(f"Unsupported (no source says this): {claim}")
    if answer.fallback:
        lines.append(f"Note: {answer.fallback}; answered by the extractive fallback.")
    return "\n".join(lines)


def format_answer(answer: Any) -> str:
    """The short answer (when the reader found one), the answer text, then its citations."""
    parts = [f"Answer: {answer.short}"] if answer.short else []
    parts += [answer.text, format_citations(answer)]
    return "\n\n".join(p for p in parts if p)


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print Answer.to_dict() as JSON.")
@click.option("--stream", is_flag=True, help="Print the answer as it is written.")
@click.option(
    "--article",
    "articles",
    multiple=True,
    metavar="NAME",
    help="Ask only this article of seeds/ (repeat for several; default: all).",
)
@LLM_OPTION
@FALLBACK_OPTION
def ask(
    question: str,
    as_json: bool,
    stream: bool,
    articles: tuple[str, ...],
    llm: str | None,
    fallback: str | None,
) -> None:
    """Answer QUESTION from the article, citing the sentences it used.

    Builds the index first if there is none. Example: rag ask "Who wrote the article?"
    """
    from rag.answer import Answer
    from rag.reader.questions import clean_question

    settings = _settings(llm=llm, fallback=fallback)
    clean_question(question, settings.max_question_chars)  # fail before loading models
    with _progress_bar("Embedding") as progress:
        assistant = _assistant(progress, settings)
    if not stream or as_json:
        answer = assistant.ask(question, articles)
        click.echo(
            json.dumps(answer.to_dict(), indent=2, ensure_ascii=False)
            if as_json
            else format_answer(answer)
        )
        return
    click.echo(f"({assistant.answerer})", err=True)
    written = []
    for item in assistant.stream(question, (), articles):
        if isinstance(item, Answer):
            click.echo()
            if item.text != "".join(written).strip():
                click.echo(f"\nVerified: {item.text}")
            if item.short:
                click.echo(f"\nAnswer: {item.short}")
            details = format_citations(item)
            if details:
                click.echo(f"\n{details}")
        else:
            written.append(item)
            click.echo(item, nl=False)


@cli.command()
@LLM_OPTION
@FALLBACK_OPTION
def chat(llm: str | None, fallback: str | None) -> None:
    """Talk with the article in the terminal; follow-up questions keep their context.

    Type a question and press Enter; an empty line or Ctrl-D quits.
    Example: rag chat --llm openai
    """
    from rag.answer import Answer
    from rag.errors import RagError

    settings = _settings(llm=llm, fallback=fallback)
    with _progress_bar("Embedding") as progress:
        assistant = _assistant(progress, settings)
    click.echo(f"Answering with: {assistant.answerer}. Empty line to quit.", err=True)
    history: list[dict[str, str]] = []
    while True:
        try:
            message = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            break
        if not message.strip():
            break
        click.echo("rag> ", nl=False)
        # A model's words are shown as they come; the offline answer comes whole, and is
        # shown as `rag ask` shows it, its short answer first.
        streamed = assistant.model is not None
        answer = None
        try:
            for item in assistant.stream(message, history):
                if isinstance(item, Answer):
                    answer = item
                elif streamed:
                    click.echo(item, nl=False)
        except RagError as exc:
            click.echo(f"\nError: {exc}")
            continue
        except KeyboardInterrupt:
            click.echo("\n(stopped)")
            continue
        if answer is None:
            click.echo()
            continue
        if streamed:
            click.echo()
            details = format_citations(answer)
            if details:
                click.echo(details)
        else:
            click.echo(format_answer(answer))
        history += [
            {"role": "user", "content": message},
            {"role": "assistant", "content": answer.text},
        ]


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
UPLOADS_OPTION = click.option(
    "--allow-uploads",
    is_flag=True,
    help="Let the page add articles even when served beyond this machine (off then).",
)


def _warn_if_exposed(host: str, settings: Any) -> None:
    if host not in LOCAL_HOSTS and settings.api_key is None:
        click.echo(
            f"Warning: serving on {host} without RAG_API_KEY: anyone who can reach it can use it.",
            err=True,
        )


def _serving(host: str, llm: str | None, fallback: str | None) -> tuple[Any, Any]:
    """Settings and the assistant for a server on ``host``: warned when exposed, BLAS
    threads limited, the index built (with a progress bar) before it serves."""
    settings = _settings(llm=llm, fallback=fallback)
    _warn_if_exposed(host, settings)
    limit_blas_threads(settings.server_blas_threads)
    with _progress_bar("Embedding") as progress:
        assistant = _assistant(progress, settings)
    return settings, assistant


def _factory(settings: Any) -> Callable[[str], Any]:
    """Makes an assistant for another answerer, sharing the same index."""
    return lambda name: _assistant(None, settings.model_copy(update={"llm": name}))


HOST_OPTION = click.option("--host", default="127.0.0.1", show_default=True, help="Interface.")


@cli.command()
@HOST_OPTION
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--share/--no-share", default=False, help="Create a public Gradio link (off).")
@UPLOADS_OPTION
@LLM_OPTION
@FALLBACK_OPTION
def ui(
    host: str, port: int, share: bool, allow_uploads: bool, llm: str | None, fallback: str | None
) -> None:
    """Serve the chat page (builds the index on first run).

    Example: rag ui --port 7860
    """
    from ui.app import launch

    settings, assistant = _serving(host, llm, fallback)
    uploads = allow_uploads or (host in LOCAL_HOSTS and not share)
    launch(
        assistant,
        host=host,
        port=port,
        share=share,
        factory=_factory(settings),
        allow_uploads=uploads,
    )


@cli.command()
@HOST_OPTION
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@UPLOADS_OPTION
@LLM_OPTION
@FALLBACK_OPTION
def serve(host: str, port: int, allow_uploads: bool, llm: str | None, fallback: str | None) -> None:
    """Serve the OpenAI-compatible API (/v1/chat/completions, /v1/models, /health)
    and the chat page (/) on one server.

    Set RAG_API_KEY to require it as a bearer token. Example: rag serve --port 8000
    """
    from ui.server import serve as run

    settings, assistant = _serving(host, llm, fallback)
    key = settings.api_key.get_secret_value() if settings.api_key else None
    click.echo(f"Serving on http://{host}:{port} (answerer: {assistant.answerer})", err=True)
    uploads = allow_uploads or host in LOCAL_HOSTS
    run(
        assistant,
        host=host,
        port=port,
        api_key=key,
        factory=_factory(settings),
        allow_uploads=uploads,
    )


@cli.command(name="eval")
@click.argument("gold", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--suite",
    type=click.Path(path_type=Path),
    help="Score a folder of <slug>.txt articles with their <slug>.jsonl gold sets instead:"
    " each article indexed alone, a row per article and the pooled row.",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where --suite keeps each article's index"
    " (default: $XDG_CACHE_HOME/rag-article-assistant/suite).",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"metrics", "rows"} as JSON.')
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the JSON here.")
@click.option("--compare", type=click.Path(path_type=Path, dir_okay=False), help="Show deltas.")
@click.option(
    "--fail-under", default="", help="Floors, e.g. fact_accuracy=0.8,mrr=0.9 (--suite: pooled)."
)
@click.option("--baseline", is_flag=True, help="Also run plain llama-index defaults.")
@click.option("--failures/--no-failures", default=True, help="List the failed questions.")
@LLM_OPTION
def eval_command(
    gold: Path | None,
    suite: Path | None,
    cache_dir: Path | None,
    as_json: bool,
    out: Path | None,
    compare: Path | None,
    fail_under: str,
    baseline: bool,
    failures: bool,
    llm: str | None,
) -> None:
    """Score answers against a gold question set (JSON Lines; see DESIGN.md), or a suite
    of articles with theirs.

    Example: rag eval seeds/gold.jsonl --fail-under fact_accuracy=0.8

    Example: rag eval --suite ../shared/articles --baseline
    """
    from rag.evaluation.cli_support import run_eval, run_suite_eval

    if (gold is None) == (suite is None):
        raise click.UsageError("give a GOLD.jsonl file or --suite DIR (one of them)")
    if suite is not None:
        from rag.evaluation.suite import default_cache_dir

        settings = _settings(llm=llm)

        def per_article(seeds_dir: Path, index_dir: Path) -> Any:
            # The suite's own embedded stores, never a shared Chroma server (suite.py).
            update = {"seeds_dir": seeds_dir, "index_dir": index_dir, "chroma_url": None}
            return _assistant(None, settings.model_copy(update=update))

        code = run_suite_eval(
            suite,
            cache_dir=cache_dir or default_cache_dir(os.environ),
            as_json=as_json,
            out=out,
            compare=compare,
            fail_under=fail_under,
            baseline=baseline,
            failures=failures,
            progress_bar=_progress_bar,
            assistant_factory=per_article,
        )
        sys.exit(code)
    code = run_eval(
        gold,
        as_json=as_json,
        out=out,
        compare=compare,
        fail_under=fail_under,
        baseline=baseline,
        failures=failures,
        progress_bar=_progress_bar,
        assistant_factory=lambda progress: _assistant(progress, _settings(llm=llm)),
    )
    sys.exit(code)


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="rag")
    finally:
        # The interpreter's last garbage collection at exit walks every object the imports
        # made (chromadb's alone: 0.45 s of each cold `rag ask`); frozen objects are
        # skipped. Only cycles go uncollected, and the process ends right after.
        gc.freeze()

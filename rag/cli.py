"""The ``rag`` command: a thin shell over the Python API.

Exit status: 0 success, 1 an expected failure (one ``Error:`` line on stderr),
2 a usage error (click's own).
"""

import json
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from rag import __version__
from rag.errors import RagError


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


def _assistant(progress: Callable[[int, int], None] | None = None) -> Any:
    from rag.assistant import Assistant

    return Assistant(progress=progress)


@click.group(cls=_RagGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rag")
def cli() -> None:
    """Ask questions about the articles in seeds/ and get answers with exact citations.

    Example: rag ask "Who was named CEO of Taotian Group?"
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
    result = {
        "built": status.built,
        "collection": status.name,
        "chunks": status.chunk_count,
        "articles": [d.name for d in status.documents],
        "index_dir": str(settings.index_dir),
    }
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    verb = "Indexed" if status.built else "Index is up to date:"
    click.echo(
        f"{verb} {result['chunks']} chunks from {len(result['articles'])} article(s)"
        f" in {result['index_dir']}/ (collection {result['collection']})"
    )


def format_answer(answer: Any) -> str:
    """The answer text, then each citation with its source span and quote."""
    lines = [answer.text]
    if answer.citations:
        lines.append("")
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.source}:{c.start}-{c.end} (score {c.score:.2f})")
        lines.append(f'    "{c.quote}"')
    return "\n".join(lines)


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print Answer.to_dict() as JSON.")
def ask(question: str, as_json: bool) -> None:
    """Answer QUESTION from the article, citing the sentences it used.

    Builds the index first if there is none. Example: rag ask "Who wrote the article?"
    """
    from rag.questions import clean_question
    from rag.settings import Settings

    clean_question(question, Settings().max_question_chars)  # fail before loading models
    with _progress_bar("Embedding") as progress:
        answer = _assistant(progress).ask(question)
    click.echo(
        json.dumps(answer.to_dict(), indent=2, ensure_ascii=False)
        if as_json
        else format_answer(answer)
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--share/--no-share", default=False, help="Create a public Gradio link (off).")
def ui(host: str, port: int, share: bool) -> None:
    """Serve the chat page (builds the index on first run).

    Example: rag ui --port 7860
    """
    from ui.app import launch

    with _progress_bar("Embedding") as progress:
        assistant = _assistant(progress)
    launch(assistant, host=host, port=port, share=share)


@cli.command(name="eval")
@click.argument("gold", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help='Print {"metrics", "rows"} as JSON.')
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the JSON here.")
@click.option("--compare", type=click.Path(path_type=Path, dir_okay=False), help="Show deltas.")
@click.option("--fail-under", default="", help="Floors, e.g. fact_accuracy=0.8,mrr=0.9.")
@click.option("--baseline", is_flag=True, help="Also run plain llama-index defaults.")
@click.option("--failures/--no-failures", default=True, help="List the failed questions.")
def eval_command(
    gold: Path,
    as_json: bool,
    out: Path | None,
    compare: Path | None,
    fail_under: str,
    baseline: bool,
    failures: bool,
) -> None:
    """Score answers against a gold question set (JSON Lines; see DESIGN.md).

    Example: rag eval seeds/gold.jsonl --fail-under fact_accuracy=0.8
    """
    from rag.evaluation.cli_support import run_eval

    code = run_eval(
        gold,
        as_json=as_json,
        out=out,
        compare=compare,
        fail_under=fail_under,
        baseline=baseline,
        failures=failures,
        progress_bar=_progress_bar,
        assistant_factory=_assistant,
    )
    sys.exit(code)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="rag")

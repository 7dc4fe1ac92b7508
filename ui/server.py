"""`rag serve`: the HTTP API and the chat page on one FastAPI app, served by uvicorn."""

from collections.abc import Callable
from typing import Any

import gradio as gr
from fastapi import FastAPI

from ui.api import build_api
from ui.app import CSS, PAGE_JS, THEME, build_app


def build_server(
    assistant: Any,
    *,
    api_key: str | None = None,
    factory: Callable[[str], Any] | None = None,
    allow_uploads: bool = True,
) -> FastAPI:
    """The API routes (/health, /v1/...) with the chat page mounted at /."""
    api = build_api(assistant, api_key)
    page = build_app(assistant, factory, allow_uploads=allow_uploads)
    page.queue(default_concurrency_limit=4, max_size=64)
    return gr.mount_gradio_app(
        api,
        page,
        path="/",
        css=CSS,
        js=PAGE_JS,
        theme=THEME,
        footer_links=[],
        max_file_size=int(assistant.settings.max_article_mb * 1_000_000),
    )


def serve(
    assistant: Any,
    *,
    host: str,
    port: int,
    api_key: str | None = None,
    factory: Callable[[str], Any] | None = None,
    allow_uploads: bool = True,
) -> None:
    """Serve until interrupted."""
    import uvicorn

    app = build_server(assistant, api_key=api_key, factory=factory, allow_uploads=allow_uploads)
    uvicorn.run(app, host=host, port=port, log_level="warning")

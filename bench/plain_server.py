"""The plain pipeline behind the same HTTP route as ``rag serve``, for the load test.

FastAPI and uvicorn as ``rag serve`` uses them (a sync route, so requests run
on the same default thread pool), ``POST /v1/chat/completions`` answering with
:class:`plain_pipeline.PlainPipeline`. Only what the load test needs.

    python bench/plain_server.py --model DIR --persist DIR --port N
"""

import argparse
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from plain_pipeline import PlainPipeline
from pydantic import BaseModel


class ChatRequest(BaseModel):
    messages: list[dict[str, Any]]


def build_app(pipeline: PlainPipeline) -> FastAPI:
    """/health and a sync /v1/chat/completions route over ``pipeline``."""
    app = FastAPI(docs_url=None, redoc_url=None)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/chat/completions")
    def chat(request: ChatRequest) -> dict[str, Any]:
        text = pipeline.answer(str(request.messages[-1]["content"]))
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
        }

    return app


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--persist", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    app = build_app(PlainPipeline(args.model, args.persist))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Misbehaving peers on 127.0.0.1 for failure tests: what a real model server
cannot be made to do on cue (answer 401, 429, 500, garbage, or nothing at all)."""

import json
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on a free loopback port in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def http_peer(status: int, body: bytes, content_type: str = "application/json") -> Iterator[str]:
    """An HTTP server answering every POST with ``status`` and ``body``; yields its /v1 URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as base:
        yield f"{base}/v1"


def error_body(message: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "error"}}).encode()


@contextmanager
def silent_peer() -> Iterator[str]:
    """A TCP server that accepts connections and never says a word; yields its /v1 URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()


def _sse(content: str | None, finish: str | None = None) -> bytes:
    delta = {} if content is None else {"content": content}
    body = {
        "id": "chatcmpl-peer",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "peer",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


class ChatPeer:
    """A loopback OpenAI-compatible chat server whose streams behave as ``mode`` says.

    Modes (change ``mode`` between requests):
    - ``silent``: reads the request and never answers;
    - ``answer``: ``text`` word by word, ``interval`` s apart, then ``[DONE]``;
    - ``trickle``: one token every ``interval`` s, forever;
    - ``flood``: tokens as fast as the socket takes them, forever;
    - ``garbage-head``: a status line, then one junk header byte every ``interval`` s;
    - ``garbage-body``: SSE headers, then junk bytes that never end an event, slowly.

    It counts connections open right now and records when each one closed, so a
    test can see whether its client really let go.
    """

    def __init__(self, mode: str = "answer", *, text: str = "", interval: float = 0.0) -> None:
        self.mode, self.text, self.interval = mode, text, interval
        self.open = 0
        self.requests = 0
        self.closed_at: list[float] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self) -> None:
                super().setup()
                with peer._lock:
                    peer.open += 1

            def finish(self) -> None:
                try:
                    super().finish()
                finally:
                    with peer._lock:
                        peer.open -= 1
                        peer.closed_at.append(time.monotonic())

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with peer._lock:
                    peer.requests += 1
                try:
                    peer._respond(self)
                except OSError:
                    pass  # the client went away: that is what these tests want to see

            def log_message(self, *args: object) -> None:
                pass

        # A write blocked on a client that neither reads nor hangs up gives up.
        Handler.timeout = 10
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _pause(self, handler: BaseHTTPRequestHandler) -> None:
        """Wait ``interval`` s, or raise as soon as the client hangs up or the peer stops."""
        readable, _, _ = select.select([handler.connection], [], [], self.interval)
        if self._stop.is_set() or (readable and not handler.connection.recv(1, socket.MSG_PEEK)):
            raise ConnectionResetError("client gone")

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        out = handler.wfile
        if self.mode == "silent":
            while True:
                self._pause(handler)
        if self.mode == "garbage-head":
            out.write(b"HTTP/1.1 200 OK\r\nX-Junk: ")
            while True:
                self._pause(handler)
                out.write(b"z")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        if self.mode == "garbage-body":
            while True:
                self._pause(handler)
                out.write(b"%")
        if self.mode == "answer":
            for word in self.text.split(" "):
                out.write(_sse(word + " "))
                if self.interval:
                    self._pause(handler)
            out.write(_sse(None, "stop") + b"data: [DONE]\n\n")
            return
        count = 0
        while True:
            out.write(_sse(f"t{count} "))
            count += 1
            if self.mode == "trickle":
                self._pause(handler)
            elif self._stop.is_set():
                return

    def __enter__(self) -> "ChatPeer":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def wait_idle(self, timeout: float) -> bool:
        """Whether every connection is closed within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.open == 0:
                return True
            time.sleep(0.02)
        return self.open == 0

"""One time limit per model call, held on the wire, and a way to call a model call off.

A :class:`Deadline` is a call's budget. Checking the clock between tokens is not
enough: a read that blocks (a server that stops mid-header, trickles garbage that
never completes an event, or sends nothing) would outlive any check. So the
deadline also keeps a duplicate of every socket the call connects, and when the
time is up a single watchdog thread shuts those sockets down: the blocked read
returns at once and the call fails with "timed out".

A :class:`CallScope` groups the calls made on behalf of one piece of work (one
HTTP request): :meth:`CallScope.abort` cuts them all from any thread, so a client
that goes away frees its model call at once instead of at the deadline.

The in-process llama.cpp model has no socket: it asks :meth:`Deadline.over` from
llama.cpp's abort callback, so even a long prompt's evaluation stops at the deadline.

All locks here are re-entrant: a call's generator that its caller abandoned in a
reference cycle may be finalized by the garbage collector inside any of these
methods, on the same thread (the non-re-entrant httpcore pool lock deadlocked
exactly so).
"""

import contextvars
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self, TypeVar

from rag.errors import LLMError

T = TypeVar("T")

_current_scope: contextvars.ContextVar["CallScope | None"] = contextvars.ContextVar(
    "rag_call_scope", default=None
)


class CallScope:
    """The model calls started while this scope is active, so they can be cut together."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._deadlines: set[Deadline] = set()
        self.aborted = False

    @contextmanager
    def active(self) -> Iterator[Self]:
        """Make calls started in this thread (inside the block) belong to the scope."""
        token = _current_scope.set(self)
        try:
            yield self
        finally:
            _current_scope.reset(token)

    def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` with the scope active, e.g. one ``next()`` of a stream."""
        with self.active():
            return function(*args)

    def abort(self) -> None:
        """Cut every call of the scope now, and any started later."""
        with self._lock:
            self.aborted = True
            deadlines = list(self._deadlines)
        for deadline in deadlines:
            deadline.cut()

    def _add(self, deadline: "Deadline") -> None:
        with self._lock:
            self._deadlines.add(deadline)
            aborted = self.aborted
        if aborted:
            deadline.cut()

    def _remove(self, deadline: "Deadline") -> None:
        with self._lock:
            self._deadlines.discard(deadline)


class Deadline:
    """``seconds`` for one call to ``what`` (e.g. "the model server at URL"), from now.

    Use it as a context manager around the whole call: leaving it closes the
    socket duplicates and forgets the call.
    """

    def __init__(self, seconds: float, what: str) -> None:
        self.seconds = seconds
        self.what = what
        self.expires = time.monotonic() + seconds
        self._lock = threading.RLock()
        self._sockets: list[socket.socket] = []
        self._cut = False
        self._closed = False
        self._scope = _current_scope.get()
        if self._scope is not None:
            self._scope._add(self)
        _WATCHDOG.arm(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def left(self) -> float:
        """Seconds left, never below zero."""
        return max(0.0, self.expires - time.monotonic())

    def failure(self) -> LLMError | None:
        """The error to report if the call is over its time or called off, else None."""
        if self._scope is not None and self._scope.aborted:
            return LLMError(f"{self.what} was cut off: the request was cancelled")
        if time.monotonic() >= self.expires:
            return LLMError(f"{self.what} timed out after {self.seconds:g} s")
        return None

    def over(self) -> bool:
        """Whether the time is up or the call was called off (cheap: no error built)."""
        return self._cut or time.monotonic() >= self.expires

    def check(self) -> None:
        """Raise the failure, if any: call it between tokens."""
        failure = self.failure()
        if failure is not None:
            raise failure

    def watch(self, sock: socket.socket) -> None:
        """Cut ``sock`` when the time is up. A duplicate is kept, so the cut can never
        reach a file descriptor that was closed and reused meanwhile."""
        with self._lock:
            if self._closed:
                return
            duplicate = sock.dup()
            self._sockets.append(duplicate)
            if self._cut:
                _shutdown(duplicate)

    def cut(self) -> None:
        """Shut down every socket of the call: blocked reads return at once."""
        with self._lock:
            self._cut = True
            for sock in self._sockets:
                _shutdown(sock)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            sock.close()
        if self._scope is not None:
            self._scope._remove(self)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def cut_off(self) -> bool:
        """Whether the call's sockets were cut (time up or called off)."""
        return self._cut

    def httpx_trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's ``trace`` extension: watch each socket as soon as it is connected."""
        if event.endswith((".connect_tcp.complete", ".connect_unix_socket.complete")):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                self.watch(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the peer or by us


class _Watchdog:
    """One daemon thread that cuts each deadline's sockets when its time is up."""

    def __init__(self) -> None:
        self._wake = threading.Condition(threading.RLock())
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: Deadline) -> None:
        with self._wake:
            heapq.heappush(self._heap, (deadline.expires, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="rag-model-deadlines", daemon=True
                )
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                # Closed calls are dropped lazily: closing never takes this lock.
                while self._heap and self._heap[0][2].closed:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                expires, _, deadline = self._heap[0]
                wait = expires - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
            deadline.cut()


_WATCHDOG = _Watchdog()

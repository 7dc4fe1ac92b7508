"""The answer each browser session is writing, so its Stop button can cut it.

Stop does not use Gradio's ``cancels=``: a cancelled event's closing message can
reach the page before the page has let go of the event, and the chat then showed
an "Error" label over a stopped answer (seen in tests/test_browser.py). Instead
Stop aborts the answer's :class:`CallScope`: the model's socket is shut at once,
and the answer's own generator sees the abort and ends normally.
"""

import threading

from rag.deadline import CallScope


class AnswerRuns:
    """At most one running answer per session; :meth:`stop` cuts it from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, CallScope] = {}

    def start(self, session: str) -> CallScope:
        """A fresh scope for the session's new answer (it replaces any earlier one)."""
        calls = CallScope()
        with self._lock:
            self._running[session] = calls
        return calls

    def stop(self, session: str) -> None:
        """Cut the session's running answer, if one is running."""
        with self._lock:
            calls = self._running.pop(session, None)
        if calls is not None:
            calls.abort()

    def end(self, session: str, calls: CallScope) -> None:
        """Forget the session's answer once it is over, unless a newer one replaced it."""
        with self._lock:
            if self._running.get(session) is calls:
                del self._running[session]

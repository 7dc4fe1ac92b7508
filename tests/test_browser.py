"""The chat page in a real headless Chromium (Debian's), driven by Playwright.

A person's path: type a question, watch the answer stream in, open its
sources, and see the cited sentence highlighted in the article view.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, serve_in_thread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_BROWSER = Path(CHROMIUM).exists()
try:
    import playwright  # noqa: F401
except ImportError:
    HAVE_BROWSER = False
if not HAVE_BROWSER and os.environ.get("CI"):
    raise RuntimeError("CI must install Debian's chromium and playwright (.ci/run, make test)")
pytestmark = pytest.mark.skipif(not HAVE_BROWSER, reason="chromium or playwright missing")
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def page_url(assistant) -> Iterator[str]:  # noqa: ANN001
    from ui.server import build_server

    with serve_in_thread(build_server(assistant)) as url:
        yield url + "/"


@pytest.fixture
def page(page_url: str, tmp_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        page = context.new_page()
        page.goto(page_url, wait_until="load")
        page.locator("#question textarea").wait_for(timeout=60_000)
        yield page
        context.close()


def _ask(page, question: str) -> None:  # noqa: ANN001
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()


def test_question_streams_an_answer_with_highlighted_citation(page) -> None:  # noqa: ANN001
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _ask(page, "How much did Kuaidog Taxi lose in the first half of the year?")
    page.get_by_text("Sources (1)").wait_for(timeout=60_000)
    chat = page.locator("#chat")
    assert "643 million yuan" in chat.inner_text() and "[1]" in chat.inner_text()

    page.get_by_text("Sources (1)").click()
    quote = (
        "According to the financial report, Kuaidog Taxi had a loss of 643 million yuan in the"
        " first half of the year, and Xiaopeng Motors had a net loss of 3.89 billion yuan in"
        " the third quarter."
    )
    page.get_by_text(quote[:40], exact=False).first.wait_for(timeout=10_000)
    mark = page.locator("#article-view mark").first
    mark.wait_for(timeout=10_000)
    assert mark.inner_text() == quote
    assert mark.get_attribute("id") == "cite-1"
    # The article view scrolls to the highlighted quote.
    page.wait_for_function(
        """() => { const m = document.querySelector('#article-view mark');
        const box = document.querySelector('#article-view .article').getBoundingClientRect();
        const r = m.getBoundingClientRect();
        return r.top >= box.top && r.bottom <= box.bottom; }""",
        timeout=10_000,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-answer.png"), full_page=True)

    # Markup in a question is shown as text, never run.
    _ask(page, "<img src=x onerror=alert(1)><script>alert(2)</script> who is the author?")
    page.get_by_text("Author: Liu Baodan").first.wait_for(timeout=60_000)
    assert dialogs == []
    assert page.locator("#chat img[src='x']").count() == 0


def test_abstention_is_shown_plainly(page) -> None:  # noqa: ANN001
    _ask(page, "How old is Daniel Zhang?")
    page.get_by_text("The article does not say.").first.wait_for(timeout=60_000)
    assert page.locator("#article-view mark").count() == 0

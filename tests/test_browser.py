"""The chat page in a real headless Chromium (Debian's), driven by Playwright.

A person's paths: ask, follow up, retry, stop, copy, follow a citation into the
article, on a desktop and on a phone. Each wait is bounded.
"""

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rag.suggestions import SUMMARY
from ui.messages import shown_text

from conftest import CHROMIUM, CHROMIUM_FLAGS, ROOT, serve_in_thread

HAVE_BROWSER = Path(CHROMIUM).exists()
try:
    import playwright  # noqa: F401
except ImportError:
    HAVE_BROWSER = False
if not HAVE_BROWSER and os.environ.get("CI"):
    raise RuntimeError("CI must install Debian's chromium and playwright (.ci/run, make test)")
pytestmark = [
    pytest.mark.skipif(not HAVE_BROWSER, reason="chromium or playwright missing"),
    pytest.mark.slow,
]
ARTIFACTS = ROOT / "test-artifacts"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
ANSWER_WAIT_MS = 120_000  # a loaded 2-core machine; an answer normally takes well under 1 s
MESSAGES = '#chat [data-testid="user"], #chat [data-testid="bot"]'
STATUS_ERROR = '[data-testid="status-tracker"] .error'  # Gradio's "Error" label on a block
CONTRAST_JS = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page_url(assistant) -> Iterator[str]:  # noqa: ANN001
    from ui.server import build_server

    with serve_in_thread(build_server(assistant)) as url:
        yield url + "/"


def _open(p, url: str, profile: Path, viewport: dict[str, int]):  # noqa: ANN001, ANN202
    context = p.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport=viewport,
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url, wait_until="load")
    page.locator("#question textarea").wait_for(timeout=ANSWER_WAIT_MS)
    return context, page


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def page(request: pytest.FixtureRequest, page_url: str, tmp_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context, page = _open(p, page_url, tmp_path / "profile", request.param)
        page.viewport = request.param
        yield page
        context.close()


def _ask(page, question: str) -> int:  # noqa: ANN001
    """Ask through the box and wait until the answer is in; returns its message index."""
    index = page.locator(MESSAGES).count() + 1
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    return _answered(page, index)


def _answered(page, index: int) -> int:  # noqa: ANN001
    # The article panel names the answer whose highlights it shows once that answer is in.
    page.wait_for_selector(
        f'#article-view .article[data-answer="{index}"]', state="attached", timeout=ANSWER_WAIT_MS
    )
    return index


def _message(page, index: int):  # noqa: ANN001, ANN202
    return page.locator(MESSAGES).nth(index)


def _shown(assistant, answer) -> str:  # noqa: ANN001
    """The chat message of ``answer``: short answer, text, sources (titled as on the page)."""
    return shown_text(answer, {d.name: d.title or d.name for d in assistant.index.documents})


def _in_view(page, locator) -> bool:  # noqa: ANN001
    return locator.evaluate(
        """(e) => { const r = e.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight; }"""
    )


def _mark_in_panel(page, n: int) -> bool:  # noqa: ANN001
    return page.evaluate(
        f"""() => {{ const m = document.querySelector('#article-view mark[data-n="{n}"]');
        const box = document.querySelector('#article-view .article').getBoundingClientRect();
        const r = m.getBoundingClientRect();
        return r.top >= box.top && r.bottom <= box.bottom; }}"""
    )


def _low_contrast(page) -> list[str]:  # noqa: ANN001
    """Text on the page under WCAG AA contrast (tests/contrast.js)."""
    return page.evaluate(CONTRAST_JS)


def test_answer_citations_and_article_panel(page, assistant) -> None:  # noqa: ANN001
    """An answer streams in; its [n] are buttons; the panel, not the window, scrolls to
    the numbered highlight; Copy yields the plain text; markup in a question is text."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    question = "How much did Kuaidog Taxi lose in the first half of the year?"
    expected = assistant.ask(question)
    window_y = page.evaluate("window.scrollY")
    index = _ask(page, question)
    answer = _message(page, index)
    assert answer.inner_text() == _shown(assistant, expected)
    assert "643 million yuan" in expected.text and "[1]" in expected.text

    # The answer just asked for is on screen; the window did not jump to the article.
    page.wait_for_timeout(1_500)  # the scroll after an answer is smooth-free but async
    assert _in_view(page, answer)
    assert page.evaluate("window.scrollY") == window_y
    quote = expected.citations[0].quote
    mark = page.locator('#article-view mark[data-n="1"]')
    assert mark.inner_text() == quote
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('#article-view mark'), '::before').content"
        )
        == '"[1] "'
    )
    page.wait_for_function(
        "() => document.querySelector('#article-view .article').scrollTop > 0", timeout=10_000
    )
    assert _mark_in_panel(page, 1)

    # The sources close the answer; the answer is the quote, so each says where the quote
    # is (its section) instead of repeating it, with no offsets or scores.
    assert answer.inner_text().endswith("Sources\n[1] Alibaba Streamlining")
    assert answer.inner_text().count(quote) == 1 and "score" not in answer.inner_text()

    # Each [n] is a button; Copy gives the short answer and the text the API returns.
    # ... the sources' [n] too.
    assert answer.locator("button.cite-ref").count() == expected.text.count("[") + len(
        expected.citations
    )
    answer.hover()
    page.locator('#chat button[aria-label="Copy message"]').last.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(shown_text(expected))
    assert "\\" not in copied and "<small>" not in copied and "**" not in copied
    # docs/chat-desktop.png and docs/chat-phone.png are these.
    ARTIFACTS.mkdir(exist_ok=True)
    page.mouse.move(0, 0)
    page.screenshot(
        path=str(ARTIFACTS / f"chat-{'desktop' if page.viewport == DESKTOP else 'phone'}.png")
    )

    # Markup in a question is shown as text, never run.
    markup = "<img src=x onerror=alert(1)><script>alert(2)</script> who is the author?"
    asked = _ask(page, markup)
    assert _message(page, asked - 1).inner_text() == markup
    assert dialogs == []
    assert page.locator("#chat img[src='x']").count() == 0


def test_follow_up_retry_and_citation_links(page, assistant) -> None:  # noqa: ANN001
    """A follow-up is answered from the conversation, as `rag chat` answers it; Retry
    re-answers without error; [1] of an earlier answer shows that answer's highlight."""
    first_q, follow_q = "Who is Daniel Zhang?", "and what else does he run?"
    first = assistant.ask(first_q)
    history = [
        {"role": "user", "content": first_q},
        {"role": "assistant", "content": first.text},
    ]
    in_chat = assistant.chat(follow_q, history)
    # The check means something only if the conversation changes the answer.
    assert in_chat.text != assistant.ask(follow_q).text

    first_index = _ask(page, first_q)
    follow_index = _ask(page, follow_q)
    assert _message(page, follow_index).inner_text() == _shown(assistant, in_chat)

    # Retry: the last question asked again, the same answer, no error anywhere.
    users = page.locator('#chat [data-testid="user"]').count()
    page.locator("#retry").click()
    page.wait_for_timeout(500)
    _answered(page, follow_index)
    assert page.locator('#chat [data-testid="user"]').count() == users
    assert _message(page, follow_index).inner_text() == _shown(assistant, in_chat)
    assert page.locator(".toast-body, .error").count() == 0
    assert "Error" not in page.locator("#chat").inner_text()

    # [1] of the first answer: the panel shows the first answer's highlight 1.
    page.locator("#chat button.cite-ref").first.click()
    page.wait_for_selector(
        f'#article-view .article[data-answer="{first_index}"] mark.current',
        state="attached",
        timeout=10_000,
    )
    assert page.locator("#article-view mark.current").inner_text() == first.citations[0].quote
    assert _mark_in_panel(page, 1)
    # On a phone the tap also opens a sheet with the quote in its surroundings, over the
    # answer; the window does not move. On a desktop the panel beside the chat shows it.
    sheet = page.locator("#cite-sheet")
    if page.viewport == PHONE:
        sheet.wait_for(state="visible", timeout=10_000)
        assert sheet.locator("mark").inner_text() == first.citations[0].quote
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chat-phone-sheet.png"))
        page.keyboard.press("Escape")
        sheet.wait_for(state="hidden", timeout=10_000)
    else:
        assert sheet.is_hidden()
    # Every text readable: AA contrast in the light theme (the dark one: below).
    assert _low_contrast(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    name = "desktop" if page.viewport == DESKTOP else "phone"
    page.screenshot(path=str(ARTIFACTS / f"chat-{name}-follow-up.png"))


def test_controls_show_only_when_they_do_something(page, assistant) -> None:  # noqa: ANN001
    """One answerer: no answerer control. Stop is never shown for a fast answer. A
    suggestion asks itself, also after a follow-up. A rejected question stays in the box.
    The trash icon clears the highlights."""
    assert (
        page.get_by_text("Answered by").count() == 0
        or not page.get_by_text("Answered by").is_visible()
    )
    assert not page.locator("#stop").is_visible()
    # Whether Stop is on screen, looked at every frame: an answer faster than Stop's
    # 0.4 s delay must not flash it.
    page.evaluate(
        """() => { window.stopShown = false; (function look() {
            const s = document.querySelector('#stop');
            if (s && s.offsetParent !== null && getComputedStyle(s).visibility === 'visible')
                window.stopShown = true;
            requestAnimationFrame(look); })(); }"""
    )
    seen = []  # (seconds from click to answer, whether Stop showed), per answer

    def timed(ask: Callable[[], object]) -> None:
        page.evaluate("window.stopShown = false")
        started = time.monotonic()
        ask()
        seen.append((time.monotonic() - started, page.evaluate("window.stopShown")))

    # The suggestions are the assistant's, and one asked after a follow-up still answers
    # as itself: "Summarize the article" gives the article's opening lines.
    offered = assistant.suggestions()
    assert page.locator("#suggestions button").all_inner_texts() == offered
    timed(lambda: _ask(page, "Who is Daniel Zhang?"))
    timed(lambda: _ask(page, "and what did he take over in September?"))
    # Scrolled down to the suggestions (on a phone the chat is then off screen): the
    # answer is brought back into view.
    page.get_by_role("button", name=SUMMARY).scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 400)")
    timed(lambda: (page.get_by_role("button", name=SUMMARY).click(), _answered(page, 5)))
    page.wait_for_timeout(500)
    assert page.evaluate("document.querySelector('#chat').getBoundingClientRect().top") >= -1
    assert _in_view(page, _message(page, 5))
    assert _message(page, 4).inner_text() == SUMMARY
    summary = assistant.ask(SUMMARY)
    assert _message(page, 5).inner_text() == _shown(assistant, summary)
    assert summary.citations[0].start == 0 and not summary.refused  # the headline on
    assert all(took > 0.4 for took, shown in seen if shown), seen
    # (On a machine so loaded that every answer took longer, Stop rightly showed.)
    fast = [took for took, _ in seen if took <= 0.4]
    print(f"answers in {[round(took, 2) for took, _ in seen]} s, {len(fast)} under 0.4 s")

    too_long = "why " * 600  # past max_question_chars (2,000)
    page.locator("#question textarea").fill(too_long)
    page.locator("#ask").click()
    page.get_by_text("Error: ").first.wait_for(timeout=ANSWER_WAIT_MS)
    assert page.locator("#question textarea").input_value() == too_long

    assert page.locator("#article-view mark").count() > 0
    page.locator('#chat button[aria-label="Clear"]').click()
    page.wait_for_function(
        "() => document.querySelectorAll('#article-view mark').length === 0", timeout=10_000
    )
    assert page.locator(MESSAGES).count() == 0


def test_stop_shows_while_an_answer_is_written(tmp_path: Path, shared_settings) -> None:  # noqa: ANN001
    """Against a model that writes slowly: Stop appears while it writes, stops it, goes."""
    from playwright.sync_api import sync_playwright

    from rag import Assistant
    from ui.server import build_server

    from peers import ChatPeer

    words = " ".join(f"word{i}" for i in range(200))
    with ChatPeer("answer", text=words, interval=0.2) as peer:
        slow = Assistant(
            shared_settings.model_copy(
                update={"llm": "openai", "openai_base_url": peer.url, "llm_timeout": 60}
            )
        )
        with serve_in_thread(build_server(slow)) as url, sync_playwright() as p:
            context, page = _open(p, url + "/", tmp_path / "profile", DESKTOP)
            page.locator("#question textarea").fill("Who was named CEO of Taotian Group?")
            page.locator("#ask").click()
            page.locator("#stop").wait_for(state="visible", timeout=ANSWER_WAIT_MS)
            page.get_by_text("word3").first.wait_for(timeout=ANSWER_WAIT_MS)
            page.locator("#stop").click()
            page.locator("#stop").wait_for(state="hidden", timeout=10_000)
            written = page.locator("#chat").inner_text()
            page.wait_for_timeout(1_500)
            assert page.locator("#chat").inner_text() == written  # nothing more arrives
            assert "word3" in written and "word199" not in written  # what was written stays
            # A stopped answer is not a failed one: no error label over the chat.
            assert page.locator(f"#chat {STATUS_ERROR}").count() == 0
            # Stop let go of the model: its connection closed long before the deadline.
            assert peer.wait_idle(10)

            # The chat goes on: the next question is answered, and Stop cuts it too.
            page.locator("#question textarea").fill("Who was the one before him?")
            page.locator("#ask").click()
            page.locator("#stop").wait_for(state="visible", timeout=ANSWER_WAIT_MS)
            second = page.locator('#chat [data-testid="bot"]').nth(1)
            second.filter(has_text="word3").wait_for(timeout=ANSWER_WAIT_MS)
            page.locator("#stop").click()
            page.locator("#stop").wait_for(state="hidden", timeout=10_000)
            assert page.locator('#chat [data-testid="user"]').count() == 2
            assert page.locator(f"#chat {STATUS_ERROR}").count() == 0
            assert peer.wait_idle(10)

            # A model that goes quiet mid-answer: Stop cuts the read that waits on it,
            # well before the 60 s deadline.
            peer.mode, peer.interval = "trickle", 120
            page.locator("#question textarea").fill("Who was named CEO of Taotian Group?")
            page.locator("#ask").click()
            third = page.locator('#chat [data-testid="bot"]').nth(2)
            third.filter(has_text="t0").wait_for(timeout=ANSWER_WAIT_MS)
            page.locator("#stop").click()
            page.locator("#stop").wait_for(state="hidden", timeout=10_000)
            assert peer.wait_idle(10)
            assert page.locator(f"#chat {STATUS_ERROR}").count() == 0

            # A model that never starts: Stop shows while it is awaited and cuts the wait;
            # the question stays, with no cut-off error under it.
            peer.mode, before = "silent", peer.requests
            asked = "Who leads Taotian now?"
            page.locator("#question textarea").fill(asked)
            page.locator("#ask").click()
            page.locator("#stop").wait_for(state="visible", timeout=ANSWER_WAIT_MS)
            deadline = time.monotonic() + 60
            while peer.requests == before and time.monotonic() < deadline:
                time.sleep(0.05)  # the question reached the model, which stays silent
            assert peer.requests == before + 1
            page.locator("#stop").click()
            page.locator("#stop").wait_for(state="hidden", timeout=10_000)
            assert peer.wait_idle(10)
            page.wait_for_timeout(1_000)
            users = page.locator('#chat [data-testid="user"]')
            assert users.count() == 4 and users.last.inner_text().strip() == asked
            assert page.locator('#chat [data-testid="bot"]').count() == 3
            assert page.locator(f"#chat {STATUS_ERROR}").count() == 0
            context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_add_an_article_from_the_page_then_ask_it(tmp_path: Path, viewport: dict[str, int]) -> None:
    """Upload a Word file from the page: it is indexed, shown, and answers the next
    question, whose source names the article."""
    import docx
    from playwright.sync_api import sync_playwright

    from rag import Assistant, Settings
    from ui.server import build_server

    from conftest import make_seeds

    seeds = make_seeds(tmp_path / "seeds")
    release = docx.Document()
    release.add_heading("Harbor Bakery names a new chairman", 0)
    release.add_paragraph(
        "Harbor Bakery said on Monday that Mira Osei will become its chairman in March,"
        " succeeding the founder, who retires after 31 years."
    )
    upload = tmp_path / "harbor-bakery.docx"
    release.save(upload)
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "index", llm="extractive")
    with serve_in_thread(build_server(Assistant(settings))) as url, sync_playwright() as p:
        context, page = _open(p, url + "/", tmp_path / "profile", viewport)
        try:
            page.locator("#add-article").get_by_text("Add an article").click()
            page.locator("#add-file input[type=file]").set_input_files(str(upload))
            page.locator("#add").click()
            status = page.locator("#add-status")
            status.get_by_text("Added harbor-bakery.docx.").wait_for(timeout=ANSWER_WAIT_MS)
            assert "2 article(s) ready to ask." in status.inner_text()
            assert (
                "Harbor Bakery names a new chairman" in page.locator("#article-view").inner_text()
            )
            page.locator("#question textarea").fill("Who will become chairman of Harbor Bakery?")
            page.locator("#ask").click()
            # Two articles: the source names the one it quotes, by its title.
            sources = page.locator('#chat [data-testid="bot"]').get_by_text(
                "[1] Harbor Bakery names a new chairman"
            )
            sources.first.wait_for(timeout=ANSWER_WAIT_MS)
            assert "Mira Osei" in page.locator(MESSAGES).nth(1).inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"add-article-{viewport['width']}.png"))
        finally:
            context.close()


def test_an_article_added_while_serving_shows_on_the_next_load(tmp_path: Path) -> None:
    """`rag add` while the page is open: a reload shows both articles (heading, picker,
    ticks), the Markdown one without its front matter or heading marks, and the picker
    follows the article an answer cites."""
    from playwright.sync_api import sync_playwright

    from rag import Assistant, Settings
    from rag.adding import add_article
    from ui.server import build_server

    from conftest import make_seeds

    seeds = make_seeds(tmp_path / "seeds")
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "index", llm="extractive")
    bakery = tmp_path / "harbor-bakery.md"
    bakery.write_text(
        "---\ntitle: Harbor Bakery names a new chairman\nauthor: Ann Lee\n---\n"
        "# Harbor Bakery names a new chairman\n\nHarbor Bakery said on Monday that Mira Osei"
        " will become its chairman in March, succeeding the founder.\n",
        encoding="utf-8",
    )
    with serve_in_thread(build_server(Assistant(settings))) as url, sync_playwright() as p:
        context, page = _open(p, url + "/", tmp_path / "profile", DESKTOP)
        try:
            assert not page.locator("#article-picker").is_visible()
            add_article(str(bakery), seeds, 10**6)
            page.reload(wait_until="load")
            page.locator("#ask-articles").wait_for(timeout=ANSWER_WAIT_MS)
            assert "2 articles" in page.locator("h2 + p").first.inner_text()
            page.locator("#question textarea").fill("Who will become chairman of Harbor Bakery?")
            page.locator("#ask").click()
            _answered(page, 1)
            panel = page.locator("#article-view").inner_text()
            assert panel.startswith("Harbor Bakery names a new chairman")  # no "---", no "#"
            assert (
                "author:" not in panel
                and "Mira Osei" in page.locator("#article-view mark").first.inner_text()
            )
            assert "Harbor Bakery" in page.locator("#article-picker input").input_value()
            # Ticking the new article offers what it answers: its front matter's author.
            page.locator("#ask-articles label", has_text="Harbor Bakery").click()
            wanted = ["Summarize the article", "Who wrote this article?"]
            page.wait_for_function(
                "wanted => JSON.stringify([...document.querySelectorAll('#suggestions button')]"
                ".map(b => b.innerText.trim())) === JSON.stringify(wanted)",
                arg=wanted,
                timeout=ANSWER_WAIT_MS,
            )
            page.locator("#suggestions button", has_text="Who wrote").click()
            _answered(page, 3)
            assert page.locator("#article-view .byline mark").text_content() == "Ann Lee"
        finally:
            context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_dark_theme_and_keyboard_alone(
    page_url: str,
    assistant,
    viewport: dict[str, int],  # noqa: ANN001
) -> None:
    """With the system's dark theme, by keyboard only: Tab goes through the controls in the
    order they are seen, Enter asks; every text keeps AA contrast, the highlights dark
    text on their light background."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport=viewport, color_scheme="dark")
            page.goto(page_url, wait_until="load")
            page.locator("#question textarea").wait_for(timeout=ANSWER_WAIT_MS)
            assert page.locator(".dark").count() > 0
            order = []
            for _ in range(5 + len(assistant.suggestions())):
                page.keyboard.press("Tab")
                order.append(page.evaluate("(document.activeElement.closest('[id]') || {}).id"))
            # The question first, then its buttons, then each suggestion, then adding one.
            suggestions = ["suggestions"] * len(assistant.suggestions())
            assert order == ["question", "ask", "retry", "clear", *suggestions, "add-article"]
            page.locator("#question textarea").focus()
            page.keyboard.type("Who wrote this article?")
            page.keyboard.press("Enter")
            _answered(page, 1)
            page.locator("#question textarea").focus()
            page.keyboard.type("How much did Kuaidog Taxi lose in the first half of the year?")
            page.keyboard.press("Enter")
            _answered(page, 3)
            colour = page.evaluate(
                "getComputedStyle(document.querySelector('#article-view mark')).color"
            )
            assert colour == "rgb(26, 26, 26)"
            assert _low_contrast(page) == []
            # docs/chat-desktop-dark.png and docs/chat-phone-dark.png are these.
            ARTIFACTS.mkdir(exist_ok=True)
            name = "desktop" if viewport == DESKTOP else "phone"
            page.screenshot(path=str(ARTIFACTS / f"chat-{name}-dark.png"))
        finally:
            browser.close()

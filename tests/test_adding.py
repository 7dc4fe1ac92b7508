"""Adding articles while the product runs: `rag add` (files and URLs from a real server
on loopback), `rag show`, and an Assistant that picks up a file dropped into seeds/."""

import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler
from pathlib import Path

import pytest
from test_formats import LINES, news_page

from rag import Assistant, Settings
from rag.errors import SourceError

from conftest import ARTICLE, make_seeds, run_rag
from peers import serving, silent_peer

# The test servers are on loopback, which a URL may reach only when the user allows it.
LOCAL_OK = {"RAG_ALLOW_LOCAL_URLS": "1"}


class _Files(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A static web server on loopback serving a news page and a file of another type."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "story.html").write_text(news_page(LINES[0], LINES[1:]), encoding="utf-8")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with serving(partial(_Files, directory=str(root))) as url:
        yield url


def test_add_files_and_urls_then_ask(tmp_path: Path, site: str) -> None:
    seeds = tmp_path / "seeds"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 cut short")
    result = run_rag(
        "add", str(ARTICLE), f"{site}/story.html", str(broken), f"{site}/logo.png", env=LOCAL_OK
    )
    # The readable ones are added and indexed; each unreadable one is one Error line.
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 2 and "Traceback" not in result.stderr
    assert "broken.pdf: cannot read this PDF" in errors[0]
    assert "logo.png" in errors[1] and "image/png, not an article format" in errors[1]
    assert sorted(p.name for p in seeds.iterdir()) == [ARTICLE.name, "story.html"]
    assert "from 2 article(s)" in result.stdout
    # Never overwritten.
    again = run_rag("add", f"{site}/story.html", env=LOCAL_OK)
    assert again.returncode == 1 and "story.html already exists" in again.stderr

    answer = json.loads(run_rag("ask", "Who is the CEO of Taotian Group?", "--json").stdout)
    sources = {c["source"] for c in answer["citations"]}
    assert sources <= {ARTICLE.name, "story.html"} and sources
    for citation in answer["citations"]:
        shown = run_rag(
            "show", citation["source"], "--span", f"{citation['start']}:{citation['end']}"
        )
        assert shown.returncode == 0 and shown.stdout.rstrip("\n") == citation["quote"]
    missing = run_rag("show", "nothing.pdf")
    assert (missing.returncode, missing.stderr.startswith("Error: no article named")) == (1, True)


def test_a_download_that_never_comes_is_bounded(tmp_path: Path) -> None:
    """A server that accepts and then says nothing: `rag add` gives up with an error."""
    env_timeout = (
        "import rag.adding as a; a.DOWNLOAD_TIMEOUT_S = 2.0; from rag.cli import main; main()"
    )
    started = time.monotonic()
    with silent_peer() as url:
        result = subprocess.run(
            [sys.executable, "-c", env_timeout, "add", f"{url}/slow.html"],
            env={**os.environ, **LOCAL_OK},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot download") and "Traceback" not in result.stderr
    assert time.monotonic() - started < 60
    assert not any((tmp_path / "seeds").glob("*"))


def test_assistant_picks_up_an_article_dropped_in(tmp_path: Path) -> None:
    seeds = make_seeds(tmp_path / "seeds")
    assistant = Assistant(Settings(seeds_dir=seeds, index_dir=tmp_path / "index", llm="extractive"))
    question = "Who will become chairman of Harbor Bakery?"
    assistant.ask(question)  # answered from the index as it was opened
    (seeds / "bakery.md").write_text(
        "# Harbor Bakery names a chairman\n\nHarbor Bakery said on Monday that Mira Osei"
        " will become its chairman in March.\n",
        encoding="utf-8",
    )
    answer = assistant.ask(question)
    assert not answer.refused and answer.citations[0].source == "bakery.md"
    citation = answer.citations[0]
    assert assistant.source_text("bakery.md")[citation.start : citation.end] == citation.quote
    shutil.copy(ARTICLE, seeds / "copy.txt")
    assert assistant.refresh() and not assistant.refresh()
    # Asked of one article, the answer quotes only that one.
    only_seed = assistant.ask(question, sources=[ARTICLE.name])
    assert {c.source for c in only_seed.citations} <= {ARTICLE.name}
    only_bakery = assistant.ask("Who wrote the article?", sources=["bakery.md"])
    assert {c.source for c in only_bakery.citations} <= {"bakery.md"}
    with pytest.raises(SourceError, match="no article named 'nope.pdf'"):
        assistant.ask(question, sources=["nope.pdf"])


def test_urls_reach_only_public_http_unless_allowed(tmp_path: Path, site: str) -> None:
    refused = run_rag("add", f"{site}/story.html")
    assert refused.returncode == 1
    assert "is on this machine or a private network (127.0.0.1)" in refused.stderr
    assert "RAG_ALLOW_LOCAL_URLS=1" in refused.stderr
    for url in ("file:///etc/passwd", "ftp://example.com/a.txt"):
        result = run_rag("add", url, env=LOCAL_OK)
        assert result.returncode == 1 and "only http and https URLs" in result.stderr
    assert not (tmp_path / "seeds").exists() or not any((tmp_path / "seeds").iterdir())


def test_a_name_that_turns_private_after_the_check_is_refused(
    tmp_path: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the host is public when check_url looks it up and this machine when
    the download connects. The address connected to is checked, so it is refused.
    (No DNS server here: the resolver's answers are stood in for, the server is real.)"""
    import socket

    from rag.adding import add_article

    port = int(site.rsplit(":", 1)[1])
    answers = iter(["93.184.215.14"])  # public once, then loopback for ever after

    def rebinding(host: str, *args: object, **kwargs: object) -> list:
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SourceError, match=r"private network \(127\.0\.0\.1\)"):
        add_article(f"http://rebinding.example:{port}/story.html", tmp_path / "seeds", 10**6)
    assert list((tmp_path / "seeds").iterdir()) == []


def test_redirects_are_bounded(tmp_path: Path) -> None:
    """A page that redirects to itself forever is refused after a few hops."""

    class Loop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.send_response(302)
            self.send_header("Location", self.path + "x")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with serving(Loop) as url:
        result = run_rag("add", f"{url}/a.html", env=LOCAL_OK)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: cannot download") and "HTTP 302" in result.stderr


def test_hostile_names_and_contents(tmp_path: Path) -> None:
    from rag.adding import _place, add_article, add_text
    from rag.errors import SourceError

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    placed = _place(io.BytesIO(b"A short article.\n"), "../../etc/passwd.txt", seeds, 10_000)
    assert placed == seeds / "passwd.txt" and placed.read_text() == "A short article.\n"
    png = tmp_path / "photo.pdf"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(SourceError, match="photo.pdf is not a PDF"):
        add_article(str(png), seeds, 10_000)
    with pytest.raises(SourceError, match="not an article format"):
        add_article("/etc/passwd", seeds, 10_000)
    big = tmp_path / "big.txt"
    big.write_bytes(b"A sentence. " * 5_000_000)  # 60 MB
    with pytest.raises(SourceError, match="big.txt is over 5.0 MB"):
        add_article(str(big), seeds, 5_000_000)
    assert sorted(p.name for p in seeds.iterdir()) == ["passwd.txt"]  # nothing half-written
    # Pasted text is named after its first line, made safe as a file name.
    pasted = add_text("\n Harbor Bakery / a new chairman\nMira Osei takes over.\n", seeds, 10_000)
    assert pasted.name == "Harbor-Bakery-a-new-chairman.txt"
    assert pasted.read_text() == "Harbor Bakery / a new chairman\nMira Osei takes over.\n"
    with pytest.raises(SourceError, match="the pasted text is empty"):
        add_text(" \n ", seeds, 10_000)

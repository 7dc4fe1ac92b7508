"""Articles in the forms users have them: wrapped text, Markdown with front matter, a
saved web page, a PDF printed by a real browser, a Word file, a Windows-1252 file.

Each file is made by the real tool (textwrap, python-docx, Chromium, pypdf) from the
seed article, read by the product, and checked against the article as written: the
same sentences, nothing of the page's furniture, headings as headings, and every
citation's quote exactly ``source_text[start:end]``.
"""

import html
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from rag.documents import load_document
from rag.errors import SourceError
from rag.formats import read_article
from rag.reader.evidence import shown
from rag.sentences import split_sentences

from conftest import ARTICLE, CHROMIUM, CHROMIUM_FLAGS

LINES = [line.strip() for line in ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip()]
HEADINGS = ["Leadership Change in Taotian", "Alibaba Streamlining"]
# What a news site puts around an article; none of it may be read as the article.
FURNITURE = ["We use cookies", "Most read", "Save 50% on cloud hosting", "All rights reserved"]


def _sentences(text: str, start: int = 0) -> list[str]:
    return [shown(text[s:e]) for s, e in split_sentences(text, start)]


ORIGINAL = _sentences(ARTICLE.read_text(encoding="utf-8"))


def _body_lines() -> list[str]:
    return LINES[1:]


def news_page(title: str, lines: list[str]) -> str:
    """The article as a news site serves it: navigation, an ad, related links, a footer."""
    body = []
    for i, line in enumerate(lines):
        tag = "h2" if line in HEADINGS else "p"
        body.append(f"<{tag}>{html.escape(line)}</{tag}>")
        if i == 5:
            body.append(
                '<div class="ad">Advertisement <a href="/x">Save 50% on cloud hosting</a></div>'
            )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | The Ledger</title><script>var tracking = 1;</script></head><body>
<div id="cookies">We use cookies to improve your experience. <button>Accept</button></div>
<header><a href="/">The Ledger</a><nav><ul><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/tech">Tech</a></li></ul></nav></header>
<main><article><h1>{html.escape(title)}</h1>{"".join(body)}</article>
<aside><h3>Most read</h3><ol><li><a href="/1">Oil prices jump after supply cut</a></li>
<li><a href="/2">The best restaurants in town, ranked</a></li></ol></aside></main>
<footer>© 2025 The Ledger. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>"""


def test_hard_wrapped_text_reads_as_its_paragraphs(tmp_path: Path) -> None:
    wrapped = "\n\n".join(textwrap.fill(line, 72) for line in LINES) + "\n"
    path = tmp_path / "wrapped.txt"
    path.write_text(wrapped, encoding="utf-8")
    document = load_document(path, tmp_path)
    assert document.text == wrapped  # the file itself: offsets are the file's
    assert _sentences(document.text) == ORIGINAL
    assert [s.heading for s in document.sections] == HEADINGS
    assert document.byline == "Liu Baodan"


def test_markdown_front_matter_and_markup_are_never_body(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Ma Yun's most trusted person\nauthor: Ann Lee\ndate: 2024-12-21\n"
        "summary: A summary that is not the article.\n---\n\n# Ma Yun's most trusted person\n\n"
        "Alibaba named [Daniel Zhang](https://example.com/zhang) as **Taotian CEO**, "
        "see ![a photo](zhang.png) and `the letter`.\n\n- He also runs *Alibaba Cloud*.\n"
    )
    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    document = load_document(path, tmp_path)
    assert (document.title, document.byline, document.date) == (
        "Ma Yun's most trusted person",
        "Ann Lee",
        "2024-12-21",
    )
    assert len(document.text) == len(text)  # blanked in place: offsets are the file's
    body = _sentences(document.text, document.body_start)
    assert body == [
        "# Ma Yun's most trusted person",
        "Alibaba named Daniel Zhang as Taotian CEO, see and the letter.",
        "He also runs Alibaba Cloud.",
    ]
    assert "summary" not in document.text[document.body_start :]


def test_saved_web_page_is_its_article_without_the_site(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_text(news_page(LINES[0], _body_lines()), encoding="utf-8")
    document = load_document(path, tmp_path)
    assert document.title == LINES[0]
    for furniture in FURNITURE:
        assert furniture not in document.text
    read = _sentences(document.text)
    assert [s for s in ORIGINAL if s not in read] == []
    assert [s.heading for s in document.sections] == HEADINGS


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_pdf_printed_by_a_browser(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(news_page(LINES[0], _body_lines()), encoding="utf-8")
    pdf = tmp_path / "story.pdf"
    printing = [f"--print-to-pdf={pdf}", "--no-pdf-header-footer"]
    command = [CHROMIUM, *CHROMIUM_FLAGS, *printing, page.as_uri()]
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    document = load_document(pdf, tmp_path)
    read = _sentences(document.text)
    found = [s for s in ORIGINAL[1:] if s in read]
    # The PDF's lines are the page's: wrapped lines are read back into their sentences.
    assert len(found) >= 0.9 * len(ORIGINAL[1:]), set(ORIGINAL) - set(read)


def test_pdf_without_text_or_locked_or_broken_is_named(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(SourceError, match="scan.pdf has no text layer"):
        read_article(path)
    locked = PdfWriter()
    locked.add_blank_page(width=612, height=792)
    locked.encrypt("secret")
    with (tmp_path / "locked.pdf").open("wb") as handle:
        locked.write(handle)
    with pytest.raises(SourceError, match="locked.pdf is password-protected"):
        read_article(tmp_path / "locked.pdf")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    with pytest.raises(SourceError, match="broken.pdf: cannot read this PDF"):
        read_article(tmp_path / "broken.pdf")


def test_word_file_with_headings(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading(LINES[0], 0)
    for line in _body_lines():
        if line in HEADINGS:
            document.add_heading(line, 1)
        else:
            document.add_paragraph(line)
    document.save(tmp_path / "release.docx")
    read = load_document(tmp_path / "release.docx", tmp_path)
    assert read.title == LINES[0]
    assert [s.heading for s in read.sections] == HEADINGS
    assert [s for s in ORIGINAL if s not in _sentences(read.text)] == []


def test_windows_1252_text(tmp_path: Path) -> None:
    text = ARTICLE.read_text(encoding="utf-8") + "\nShe said “it’s done” — and left.\n"
    (tmp_path / "word.txt").write_bytes(text.encode("cp1252"))
    assert load_document(tmp_path / "word.txt", tmp_path).text == text

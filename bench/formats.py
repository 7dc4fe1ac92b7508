"""The shared articles in every format a user has, each scored by `rag eval --suite`.

    .venv/bin/python bench/formats.py [--suite ../shared/articles] [--out DIR] [--no-eval]

Each article is made into: text wrapped at 72 columns, Markdown with front matter,
links, bold and headings (wrapped at 80), a news-site page around it (cookie banner,
navigation, an ad, "Read more" and "Most read" lists, footer), that page printed to
PDF by Chromium, and a Word file with heading styles (python-docx). Each format's
folder gets the articles' gold sets beside them and is scored; a table of the
pooled metrics is printed (docs/formats.md). The articles are read from the suite
folder and written only under ``--out`` (a temp folder unless given).
"""

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from benchlib import CHROMIUM, CHROMIUM_FLAGS, ROOT

METRICS = ("hit@k", "mrr", "fact_accuracy", "citation_precision", "noans_accuracy",
           "false_refusal_rate", "token_f1")  # fmt: skip
FORMATS = ("txt", "wrapped", "markdown", "html", "pdf", "docx")
AD = '<div class="ad">Advertisement <a href="/ad">Save 50% on cloud hosting today</a></div>'
READ_MORE = (
    '<aside><h3>Read more</h3><ul><li><a href="/a">Markets slide as investors weigh rates'
    '</a></li><li><a href="/b">Five gadgets worth buying this winter</a></li></ul></aside>'
)
NAV = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in ("World", "Tech", "Sport"))


def _is_heading(line: str) -> bool:
    return ":" not in line and len(line.split()) <= 10 and line[-1] not in '.!?"”'


def news_page(text: str) -> str:
    """The article (title line, then paragraphs and headings) inside a news site's page."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title, body = lines[0], []
    for line in lines[1:]:
        tag = "h2" if _is_heading(line) else "p"
        body.append(f"<{tag}>{html.escape(line)}</{tag}>")
        if len(body) == 4:
            body.append(AD)
        if len(body) == 8:
            body.append(READ_MORE)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | The Daily Ledger</title>
<script>window.dataLayer=[];</script></head><body>
<div id="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<header><a href="/">The Daily Ledger</a><nav><ul>{NAV}</ul></nav></header>
<main><article><h1>{html.escape(title)}</h1>{"".join(body)}
<div class="share">Share this article: <a href="#">Email</a></div></article>
<aside><h3>Most read</h3><ol><li><a href="/1">Oil prices jump after supply cut</a></li>
<li><a href="/2">The best restaurants in town, ranked</a></li></ol></aside></main>
<footer><p>© 2025 The Daily Ledger. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


def markdown(text: str) -> str:
    """The article as a Markdown post: front matter, headings, a link and bold words."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out = ["---", f'title: "{lines[0]}"', "author: A. Writer", "date: 2025-01-02",
           "summary: A summary line.", "---", "", f"# {lines[0]}", ""]  # fmt: skip
    for line in lines[1:]:
        if _is_heading(line):
            out += [f"## {line}", ""]
            continue
        words = line.split()
        if len(words) > 8:
            words[3] = f"[{words[3]}](https://example.com/{len(out)})"
            words[6] = f"**{words[6]}**"
        # A wrapped line must not start like a list item: Markdown would read it as one.
        for width in range(80, 60, -1):
            filled = textwrap.fill(" ".join(words), width)
            if not re.search(r"^(?:[-+*]|\d+[.)])\s", filled, re.M):
                break
        out += [filled, ""]
    return "\n".join(out)


def word_file(text: str, path: Path) -> None:
    import docx

    lines = [line.strip() for line in text.splitlines() if line.strip()]
    document = docx.Document()
    document.add_heading(lines[0], 0)
    for line in lines[1:]:
        if _is_heading(line):
            document.add_heading(line, 1)
        else:
            document.add_paragraph(line)
    document.save(path)


def make_formats(article: Path, out: Path) -> None:
    """``article`` in every format, each under ``out/FORMAT/``."""
    text, slug = article.read_text(encoding="utf-8"), article.stem
    folders = {name: out / name for name in FORMATS}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(article, folders["txt"] / article.name)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    wrapped = "\n\n".join(textwrap.fill(line, 72) for line in lines) + "\n"
    (folders["wrapped"] / f"{slug}.txt").write_text(wrapped, encoding="utf-8")
    (folders["markdown"] / f"{slug}.md").write_text(markdown(text), encoding="utf-8")
    page = folders["html"] / f"{slug}.html"
    page.write_text(news_page(text), encoding="utf-8")
    pdf = folders["pdf"] / f"{slug}.pdf"
    printing = [*CHROMIUM_FLAGS, "--no-pdf-header-footer", f"--print-to-pdf={pdf}"]
    subprocess.run(
        [CHROMIUM, *printing, page.as_uri()], capture_output=True, timeout=120, check=True
    )
    word_file(text, folders["docx"] / f"{slug}.docx")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=ROOT.parent / "shared" / "articles")
    parser.add_argument("--out", type=Path, help="where the formats are written (a temp folder)")
    parser.add_argument("--no-eval", action="store_true", help="only make the files")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="rag-formats-"))
    golds = sorted(args.suite.glob("*.jsonl"))
    for gold in golds:
        make_formats(gold.with_suffix(".txt"), out)
        for name in FORMATS:
            shutil.copy(gold, out / name / gold.name)
    print(f"formats in {out}", file=sys.stderr)
    if args.no_eval:
        return 0
    rag = Path(sys.executable).parent / "rag"
    print("| format | " + " | ".join(METRICS) + " |")
    print("|---" * (len(METRICS) + 1) + "|")
    for name in FORMATS:
        result = out / f"eval-{name}.json"
        subprocess.run(
            [str(rag), "eval", "--suite", str(out / name), "--json", "--out", str(result),
             "--no-failures", "--cache-dir", str(out / "cache" / name)],
            stdout=subprocess.DEVNULL, check=True, timeout=3600,
        )  # fmt: skip
        metrics = json.loads(result.read_text())["metrics"]
        print(f"| {name} | " + " | ".join(f"{metrics[m]:.3f}" for m in METRICS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

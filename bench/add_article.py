"""How long adding a 10 KB article from the page, then asking it, takes.

    .venv/bin/python bench/add_article.py [--runs 3] [--article PATH]

Each run starts `rag serve` on a free loopback port over a fresh seeds folder (the
seed article) and a fresh index, opens the page in Debian's Chromium (Playwright),
uploads the article with "Add an article", waits for "Added", asks a question and
waits for the answer. It prints, per run, the seconds from clicking Add to "Added"
(reading, indexing every article again), from clicking Ask to the answer, and the
two together; then min / median / max. The article is the first 10 KB (whole
paragraphs) of a shared article, read from ../shared at run time and written only
to the run's temp folder.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    RAG,
    ROOT,
    article_seeds,
    free_port,
    rag_env,
    start_server,
    stop_process,
    wait_http,
)

DEFAULT = ROOT.parent / "shared" / "articles" / "railway-100m-series-b.txt"
QUESTION = "Who led the round?"
WAIT_MS = 120_000


def ten_kb(article: Path) -> str:
    """The article's first whole paragraphs up to 10,000 characters."""
    kept, size = [], 0
    for paragraph in article.read_text(encoding="utf-8").split("\n\n"):
        if size + len(paragraph) > 10_000:
            break
        kept.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(kept) + "\n"


def one_run(article_text: str, folder: Path) -> tuple[float, float]:
    from playwright.sync_api import sync_playwright

    seeds = article_seeds(folder / "seeds")
    upload = folder / "upload" / "series-b.txt"
    upload.parent.mkdir()
    upload.write_text(article_text, encoding="utf-8")
    port = free_port()
    server = start_server(
        [RAG, "serve", "--port", str(port)],
        rag_env(seeds, folder / "index"),
        folder / "serve.log",
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/health", server, timeout=300)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
            page.locator("#question textarea").wait_for(timeout=WAIT_MS)
            page.locator("#add-article").get_by_text("Add an article").click()
            page.locator("#add-file input[type=file]").set_input_files(str(upload))
            page.locator("#add-file").get_by_text("series-b.txt").wait_for(timeout=WAIT_MS)
            started = time.perf_counter()
            page.locator("#add").click()
            page.locator("#add-status").get_by_text("Added series-b.txt.").wait_for(timeout=WAIT_MS)
            added = time.perf_counter() - started
            page.locator("#question textarea").fill(QUESTION)
            started = time.perf_counter()
            page.locator("#ask").click()
            # The answer is in when the article panel shows its highlights (message 1).
            page.wait_for_selector(
                '#article-view .article[data-answer="1"]', state="attached", timeout=WAIT_MS
            )
            asked = time.perf_counter() - started
            browser.close()
        return added, asked
    finally:
        stop_process(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--article", type=Path, default=DEFAULT)
    args = parser.parse_args()
    text = ten_kb(args.article)
    print(f"article: {len(text.encode())} bytes from {args.article.name}; question: {QUESTION}")
    totals = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="rag-add-bench-") as folder:
            added, asked = one_run(text, Path(folder))
        totals.append(added + asked)
        print(f"run {run}: add {added:.2f} s, ask {asked:.2f} s, together {added + asked:.2f} s")
    print(
        f"together: min {min(totals):.2f} s, median {statistics.median(totals):.2f} s,"
        f" max {max(totals):.2f} s (target <= 10 s); load {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""An eval suite: a folder of articles with their gold sets, scored per article and pooled.

``DIR/<slug>.txt`` (or ``.md``) is one article and ``DIR/<slug>.jsonl`` its gold set.
Each article is indexed on its own, as if it were the only one in ``seeds/``, in a
cache folder named by a hash of its file name and text, so a rerun only re-asks.
The pooled metrics are micro-averaged: every question of every article counts once.

Left out on purpose: a Chroma server (``RAG_CHROMA_URL``). A build there deletes the
other builds' collections, so the articles would evict each other; the suite always
uses embedded stores in its cache. A ``README.md``/``README.txt`` in the folder is
its notes, not an article.
"""

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.documents import ARTICLE_SUFFIXES
from rag.errors import GoldSetError, RagError, SourceError
from rag.evaluation.gold import GoldQuestion, load_gold
from rag.evaluation.runner import Answering, EvalReport, EvalRow, aggregate, evaluate

GOLD_SUFFIX = ".jsonl"
_NOTES = {"readme.md", "readme.txt"}


@dataclass(frozen=True)
class SuiteArticle:
    """One article of a suite folder and its gold set."""

    slug: str
    article: Path
    gold: Path


@dataclass
class ArticleResult:
    """One article's questions, its report and (with ``--baseline``) the baseline's."""

    slug: str
    questions: list[GoldQuestion]
    report: EvalReport
    indexed: bool  # built now; False when the cached index was reused
    baseline: EvalReport | None = None


@dataclass
class SuiteReport:
    """Every article's result, and the metrics pooled over all their questions."""

    articles: list[ArticleResult]
    metrics: dict[str, float]
    baseline: dict[str, float] | None
    k: int

    @property
    def rows(self) -> list[tuple[str, EvalRow]]:
        return [(a.slug, row) for a in self.articles for row in a.report.rows]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"metrics": self.metrics, "k": self.k}
        if self.baseline is not None:
            data["baseline"] = self.baseline
        articles: dict[str, Any] = {}
        for a in self.articles:
            entry: dict[str, Any] = {
                "questions": len(a.questions),
                "answerable": sum(q.answerable for q in a.questions),
                "indexed": a.indexed,
                "metrics": a.report.metrics,
            }
            if a.baseline is not None:
                entry["baseline"] = a.baseline.metrics
            articles[a.slug] = entry
        data["articles"] = articles
        data["rows"] = [{"article": slug, **row.to_dict()} for slug, row in self.rows]
        return data


def find_articles(folder: Path) -> list[SuiteArticle]:
    """Every article in ``folder`` paired with its gold set, sorted by slug.

    E.g. ``a.txt, a.jsonl, b.md, b.jsonl`` -> articles ``a`` and ``b``.
    """
    if not folder.is_dir():
        raise SourceError(
            f"no suite folder at {folder} - give a folder of <slug>.txt articles"
            " with their <slug>.jsonl gold sets"
        )
    files = [p for p in folder.iterdir() if p.is_file() and p.name.lower() not in _NOTES]
    articles: dict[str, Path] = {}
    golds = {p.stem: p for p in files if p.suffix.lower() == GOLD_SUFFIX}
    for path in sorted(p for p in files if p.suffix.lower() in ARTICLE_SUFFIXES):
        if path.stem in articles:
            raise SourceError(
                f"{articles[path.stem]} and {path} share the slug {path.stem!r}"
                " - keep one article per gold set"
            )
        articles[path.stem] = path
    if not articles:
        raise SourceError(
            f"no articles in {folder} - add <slug>.txt (or .md) with its <slug>.jsonl gold set"
        )
    for slug, path in articles.items():
        if slug not in golds:
            raise GoldSetError(f"{path} has no gold set - add {folder / (slug + GOLD_SUFFIX)}")
    for slug, path in golds.items():
        if slug not in articles:
            raise SourceError(f"{path} has no article - add {folder / (slug + '.txt')}")
    return [SuiteArticle(slug, articles[slug], golds[slug]) for slug in sorted(articles)]


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/rag-article-assistant/suite`` (``~/.cache`` when unset)."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag-article-assistant" / "suite"


def article_folders(cache_dir: Path, item: SuiteArticle) -> tuple[Path, Path]:
    """The seeds and index folders of ``item`` in the cache, the article written in.

    The folder is named by a hash of the file name and bytes: an edited article gets a
    new one, an unchanged one reuses its index (whose own fingerprint covers settings).
    """
    data = item.article.read_bytes()
    digest = hashlib.sha256(item.article.name.encode() + b"\0" + data).hexdigest()[:16]
    root = cache_dir / f"{item.slug}-{digest}"
    seeds, index = root / "seeds", root / "index"
    target = seeds / item.article.name
    try:
        seeds.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
    except OSError as exc:
        raise RagError(f"cannot write the suite cache in {cache_dir}: {exc.strerror}") from None
    return seeds, index


def run_suite(
    items: list[SuiteArticle],
    *,
    cache_dir: Path,
    make_assistant: Callable[[Path, Path], Any],
    baseline: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SuiteReport:
    """Index and evaluate each article alone, then pool every question's row.

    ``make_assistant(seeds_dir, index_dir)`` builds the answerer for one article.
    """
    results: list[ArticleResult] = []
    k = 0
    for done, item in enumerate(items, start=1):
        seeds, index = article_folders(cache_dir, item)
        assistant = make_assistant(seeds, index)
        sources = {d.name: d.text for d in assistant.index.documents}
        try:
            questions = load_gold(item.gold, sources)
        except GoldSetError as exc:
            raise GoldSetError(f"{item.gold}: {exc}") from None
        k = assistant.settings.top_k
        report = evaluate(assistant, questions, sources, k=k)
        result = ArticleResult(item.slug, questions, report, indexed=assistant.index.built)
        if baseline:
            result.baseline = _baseline(assistant, questions, sources, k)
        results.append(result)
        del assistant  # one article's index and vectors in memory at a time
        if progress:
            progress(done, len(items))
    pooled = aggregate([row for r in results for row in r.report.rows], k)
    pooled_baseline = (
        aggregate([row for r in results if r.baseline for row in r.baseline.rows], k)
        if baseline
        else None
    )
    return SuiteReport(results, pooled, pooled_baseline, k)


def _baseline(
    assistant: Any, questions: list[GoldQuestion], sources: dict[str, str], k: int
) -> EvalReport:
    from rag.baseline import BaselineAssistant

    plain: Answering = BaselineAssistant(assistant.index.documents)
    return evaluate(plain, questions, sources, k=k)

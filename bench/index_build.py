"""(c) Index build: the article, then a larger synthetic corpus.

``rag index --rebuild`` and ``plain_pipeline.py build`` each run in a fresh
subprocess; wall time, that process's own peak RSS and its CPU time come from
GNU time. The product embeds every distinct sentence (sentence vectors make
query-time reranking cheap; a chunk's vector is made from them), the plain
pipeline only its 1,024-token chunks, cut to MiniLM's first 256 word pieces,
so chunk counts differ: throughput is given in chunks/s for each and compared
in source kilobytes and source sentences per second, the same input for both.
"""

import json
from pathlib import Path
from typing import Any

from benchlib import RAG, Context, log, median, rag_env, run_measured
from report import Row
from synthetic import write_articles

TIMEOUT_S = 1800


def _rag_build(ctx: Context, seeds: Any, index: Any, rebuild: bool) -> tuple[Any, dict]:
    cmd = [RAG, "index", "--json", *(["--rebuild"] if rebuild else [])]
    done = run_measured(cmd, rag_env(seeds, index), timeout=TIMEOUT_S, cwd=ctx.work)
    done.check("rag index")
    return done, json.loads(done.stdout)


def _plain_build(ctx: Context, seeds: Any, persist: Any) -> tuple[Any, dict]:
    cmd = ctx.plain_cmd("build", "--seeds", str(seeds), "--persist", str(persist))
    done = run_measured(cmd, rag_env(seeds, persist), timeout=TIMEOUT_S, cwd=ctx.work)
    done.check("plain build")
    return done, json.loads(done.stdout)


def _article(ctx: Context, folder: Any) -> dict[str, Any]:
    """``rag index --rebuild`` on the article's existing index, against plain builds."""
    runs = 1 if ctx.quick else 3
    index = folder / "index"
    _rag_build(ctx, ctx.seeds, index, rebuild=False)  # the index --rebuild replaces
    rag, plain = [], []
    for number in range(runs):
        rag.append(_rag_build(ctx, ctx.seeds, index, rebuild=True)[0])
        plain.append(_plain_build(ctx, ctx.seeds, folder / f"plain-{number}")[0])
        log(
            f"  article build {number + 1}: rag {rag[-1].wall_s:.2f} s,"
            f" plain {plain[-1].wall_s:.2f} s"
        )
    return {
        "runs": runs,
        "rag_wall_s": [round(r.wall_s, 3) for r in rag],
        "plain_wall_s": [round(r.wall_s, 3) for r in plain],
        "rag_median_s": median(r.wall_s for r in rag),
        "plain_median_s": median(r.wall_s for r in plain),
        "rag_max_rss_mb": median(r.max_rss_mb for r in rag),
        "plain_max_rss_mb": median(r.max_rss_mb for r in plain),
        "rag_cpu_s": median(r.cpu_s for r in rag),
        "plain_cpu_s": median(r.cpu_s for r in plain),
    }


def source_sentences(folder: Path) -> int:
    """Sentences of every article in ``folder``, split as the product splits them."""
    from rag.sentences import split_sentences

    texts = (p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()))
    return sum(len(split_sentences(text)) for text in texts)


def _corpus(ctx: Context, folder: Any) -> dict[str, Any]:
    """A first build of a synthetic corpus by each pipeline."""
    count = 30 if ctx.quick else 100
    seeds = folder / "corpus"
    chars = write_articles(seeds, count)
    sentences = source_sentences(seeds)
    rag, rag_out = _rag_build(ctx, seeds, folder / "corpus-index", rebuild=False)
    plain, plain_out = _plain_build(ctx, seeds, folder / "corpus-plain")
    log(f"  corpus of {count}: rag {rag.wall_s:.1f} s, plain {plain.wall_s:.1f} s")
    return {
        "documents": count,
        "chars": chars,
        "sentences": sentences,
        "rag_chunks": rag_out["chunks"],
        "plain_chunks": plain_out["chunks"],
        "rag_wall_s": round(rag.wall_s, 3),
        "plain_wall_s": round(plain.wall_s, 3),
        "rag_chunks_per_s": rag_out["chunks"] / rag.wall_s,
        "plain_chunks_per_s": plain_out["chunks"] / plain.wall_s,
        "rag_kb_per_s": chars / 1024 / rag.wall_s,
        "plain_kb_per_s": chars / 1024 / plain.wall_s,
        "rag_sentences_per_s": sentences / rag.wall_s,
        "plain_sentences_per_s": sentences / plain.wall_s,
        "rag_max_rss_mb": round(rag.max_rss_mb, 1),
        "plain_max_rss_mb": round(plain.max_rss_mb, 1),
        "rag_cpu_s": round(rag.cpu_s, 2),
        "plain_cpu_s": round(plain.cpu_s, 2),
    }


def run(ctx: Context) -> tuple[dict[str, Any], list[Row]]:
    folder = ctx.scratch("index_build")
    article = _article(ctx, folder)
    corpus = _corpus(ctx, folder)
    section = "c index build"
    docs = f"{corpus['documents']} docs, {corpus['chars'] // 1024} KB"
    rows = [
        Row(
            section,
            f"article: index --rebuild wall, median of {article['runs']}",
            "s",
            article["rag_median_s"],
            article["plain_median_s"],
        ),
        Row(
            section,
            "article: peak RSS",
            "MB",
            article["rag_max_rss_mb"],
            article["plain_max_rss_mb"],
        ),
        Row(
            section,
            "article: CPU time (user + system), median",
            "s",
            article["rag_cpu_s"],
            article["plain_cpu_s"],
        ),
        Row(
            section,
            f"corpus ({docs}): first build wall",
            "s",
            corpus["rag_wall_s"],
            corpus["plain_wall_s"],
        ),
        Row(
            section,
            "corpus: ingestion throughput",
            "KB/s",
            corpus["rag_kb_per_s"],
            corpus["plain_kb_per_s"],
            better="higher",
        ),
        Row(
            section,
            f"corpus: ingestion throughput ({corpus['sentences']:,} source sentences)",
            "sentence/s",
            corpus["rag_sentences_per_s"],
            corpus["plain_sentences_per_s"],
            better="higher",
        ),
        Row(
            section,
            "corpus: CPU time (user + system)",
            "s",
            corpus["rag_cpu_s"],
            corpus["plain_cpu_s"],
        ),
        # No ratio: the two split the same text into very different numbers of chunks.
        Row(
            section,
            "corpus: chunks/s",
            "chunk/s",
            corpus["rag_chunks_per_s"],
            better="higher",
            note=f"{corpus['rag_chunks']} chunks; plain {corpus['plain_chunks_per_s']:.1f}/s"
            f" of {corpus['plain_chunks']}",
        ),
        Row(
            section, "corpus: peak RSS", "MB", corpus["rag_max_rss_mb"], corpus["plain_max_rss_mb"]
        ),
    ]
    return {"article": article, "corpus": corpus}, rows

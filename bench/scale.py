"""(e) Scale: synthetic corpora of 1,000 and 10,000 briefs with one planted fact each.

Each brief is a title and 3-5 sentences (see ``synthetic.py``): short, because
the product embeds every chunk and every sentence at about 200-400 sentences/s
on this machine, and 10,000 briefs already mean about 50,000 embeddings. Both
pipelines index the corpus in a subprocess (timed, peak RSS, size on disk),
then a fixed sample of planted-fact questions is asked in process: latency
p50/p95 and the share of answers whose text contains the planted answer.
"""

import gc
import json
import random
from pathlib import Path
from typing import Any

from benchlib import RAG, Context, dir_size_mb, log, rag_env, run_measured, summary, timed_ms
from plain_pipeline import PlainPipeline
from report import Row
from synthetic import PlantedFact, write_fact_corpus

BUILD_TIMEOUT_S = 3 * 3600
WARMUP_QUESTIONS = 5


def _sizes(ctx: Context) -> tuple[int, ...]:
    return (1_000,) if ctx.quick else (1_000, 10_000)


def _build(ctx: Context, cmd: list[str], seeds: Path, index: Path, what: str) -> dict[str, Any]:
    done = run_measured(cmd, rag_env(seeds, index), timeout=BUILD_TIMEOUT_S, cwd=ctx.work)
    done.check(what)
    out = json.loads(done.stdout)
    return {
        "wall_s": round(done.wall_s, 2),
        "max_rss_mb": round(done.max_rss_mb, 1),
        "chunks": out["chunks"],
        "disk": dir_size_mb(index),
    }


def _ask_all(answer: Any, facts: list[PlantedFact]) -> dict[str, Any]:
    """Latency and planted-fact hits of ``answer(question) -> text`` over ``facts``."""
    for fact in facts[:WARMUP_QUESTIONS]:
        answer(fact.question)
    latencies, hits, misses = [], 0, []
    for fact in facts:
        ms, text = timed_ms(lambda q=fact.question: answer(q))
        latencies.append(ms)
        if fact.answer in text:
            hits += 1
        elif len(misses) < 5:
            misses.append({"question": fact.question, "expected": fact.answer, "got": text[:200]})
    return {
        "latency_ms": summary(latencies),
        "accuracy": hits / len(facts),
        "first_misses": misses,
    }


def _ask_rag(settings: Any, sample: list[PlantedFact]) -> dict[str, Any]:
    """Open an Assistant on the corpus and ask the sample (it is freed on return)."""
    from threadpoolctl import threadpool_limits

    from rag import Assistant

    open_ms, assistant = timed_ms(lambda: Assistant(settings))
    result = _ask_all(lambda q: assistant.ask(q).text, sample)
    # Diagnostic, not the default: the same questions with NumPy's BLAS on one thread.
    with threadpool_limits(limits=1, user_api="blas"):
        one_thread = _ask_all(lambda q: assistant.ask(q).text, sample)
    return {**result, "open_ms": round(open_ms, 1), "one_blas_thread": one_thread}


def _ask_plain(ctx: Context, persist: Path, sample: list[PlantedFact]) -> dict[str, Any]:
    open_ms, pipeline = timed_ms(lambda: PlainPipeline(ctx.model, persist))
    return {**_ask_all(pipeline.answer, sample), "open_ms": round(open_ms, 1)}


def _one_size(ctx: Context, folder: Path, count: int) -> dict[str, Any]:
    from rag import Settings

    seeds, index, plain_dir = folder / "seeds", folder / "index", folder / "plain"
    facts = write_fact_corpus(seeds, count)
    rag_build = _build(ctx, [RAG, "index", "--json"], seeds, index, "rag index")
    log(f"  {count} briefs: rag index {rag_build['wall_s']} s")
    plain_cmd = ctx.plain_cmd("build", "--seeds", str(seeds), "--persist", str(plain_dir))
    plain_build = _build(ctx, plain_cmd, seeds, plain_dir, "plain build")
    log(f"  {count} briefs: plain build {plain_build['wall_s']} s")
    sample = random.Random(count).sample(facts, min(len(facts), 100 if ctx.quick else 200))

    rag = _ask_rag(Settings(seeds_dir=seeds, index_dir=index, llm="extractive"), sample)
    plain = _ask_plain(ctx, plain_dir, sample)
    gc.collect()  # the 10,000-brief run should not start with the 1,000-brief one in memory
    log(f"  {count} briefs: accuracy rag {rag['accuracy']:.2f}, plain {plain['accuracy']:.2f}")
    return {
        "documents": count,
        "questions": len(sample),
        "rag_build": rag_build,
        "plain_build": plain_build,
        "rag": rag,
        "plain": plain,
    }


def _rows(result: dict[str, Any]) -> list[Row]:
    section = f"e scale {result['documents']:,}"
    rb, pb, rag, plain = (result[k] for k in ("rag_build", "plain_build", "rag", "plain"))
    return [
        Row(
            section,
            "index build wall",
            "s",
            rb["wall_s"],
            pb["wall_s"],
            note=f"{rb['chunks']} vs {pb['chunks']} chunks",
        ),
        Row(section, "index build peak RSS", "MB", rb["max_rss_mb"], pb["max_rss_mb"]),
        Row(
            section, "index size on disk", "MB", rb["disk"]["on_disk_mb"], pb["disk"]["on_disk_mb"]
        ),
        Row(
            section, "query latency p50", "ms", rag["latency_ms"]["p50"], plain["latency_ms"]["p50"]
        ),
        Row(
            section, "query latency p95", "ms", rag["latency_ms"]["p95"], plain["latency_ms"]["p95"]
        ),
        Row(
            section,
            "query p50, BLAS held to 1 thread",
            "ms",
            rag["one_blas_thread"]["latency_ms"]["p50"],
            note=f"diagnostic, not the default; p95 "
            f"{rag['one_blas_thread']['latency_ms']['p95']:.0f} ms",
        ),
        Row(
            section,
            f"planted fact in answer ({result['questions']} q)",
            "share",
            rag["accuracy"],
            plain["accuracy"],
            better="higher",
        ),
    ]


def run(ctx: Context) -> tuple[dict[str, Any], list[Row]]:
    folder = ctx.scratch("scale")
    results, rows = [], []
    for count in _sizes(ctx):
        results.append(_one_size(ctx, folder / str(count), count))
        rows += _rows(results[-1])
    return {"sizes": results}, rows

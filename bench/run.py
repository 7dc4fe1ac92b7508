"""Benchmark the product against the plain llama-index pipeline, in one command.

    .venv/bin/python bench/run.py [--quick] [--out bench/results.json] [--sections abcdef]

Sections: (a) cold start, (b) warm query latency, (c) index build, (d) under
load, (e) scale, (f) Chroma server. Prints one table on stdout (progress goes
to stderr) and writes every figure, the raw samples' summaries and the machine
to a JSON file. A section that fails is reported as failed; the others still run.
Everything it creates lives in one temp folder, deleted at the end.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import chroma_server
import cold_start
import index_build
import scale
import under_load
import warm_query
from benchlib import (
    BENCH,
    RAG,
    Context,
    article_seeds,
    load_gold,
    loadavg,
    log,
    machine_info,
    rag_env,
    run_measured,
)
from report import Row, error_rows, table

SECTIONS: dict[str, tuple[str, Callable[[Context], tuple[dict[str, Any], list[Row]]]]] = {
    "a": ("cold_start", cold_start.run),
    "b": ("warm_query", warm_query.run),
    "c": ("index_build", index_build.run),
    "d": ("under_load", under_load.run),
    "e": ("scale", scale.run),
    "f": ("chroma_server", chroma_server.run),
}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, shorter loads, no 10k")
    parser.add_argument("--out", type=Path, default=BENCH / "results.json", help="JSON output")
    parser.add_argument("--sections", default="abcdef", help="which sections, e.g. 'ab'")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (debugging)")
    return parser.parse_args(argv)


def _context(work: Path, quick: bool) -> Context:
    """The article's seeds and both pipelines' indexes of it, built once for all sections."""
    from rag.embedding import bundled_model_path

    seeds = article_seeds(work / "article" / "seeds")
    index, plain = work / "article" / "index", work / "article" / "plain"
    ctx = Context(quick, work, bundled_model_path(), seeds, index, plain, load_gold())
    run_measured([RAG, "index"], rag_env(seeds, index), timeout=600, cwd=work).check("rag index")
    cmd = ctx.plain_cmd("build", "--seeds", str(seeds), "--persist", str(plain))
    run_measured(cmd, rag_env(seeds, index), timeout=600, cwd=work).check("plain build")
    return ctx


def _run_sections(ctx: Context, chosen: str) -> tuple[dict[str, Any], list[Row], dict[str, str]]:
    raw: dict[str, Any] = {}
    rows: list[Row] = []
    errors: dict[str, str] = {}
    for key, (name, section) in SECTIONS.items():
        if key not in chosen:
            continue
        log(f"section {key}: {name}")
        started, load_before = time.perf_counter(), loadavg()
        try:
            result, section_rows = section(ctx)
        except Exception as exc:  # one broken section must not hide the others' figures
            errors[f"{key} {name}"] = f"{type(exc).__name__}: {exc}"
            raw[name] = {"error": traceback.format_exc()}
            log(f"section {key} FAILED: {exc}")
            continue
        result["section_seconds"] = round(time.perf_counter() - started, 1)
        result["loadavg_before"], result["loadavg_after"] = load_before, loadavg()
        raw[name] = result
        rows += section_rows
        log(f"section {key} done in {result['section_seconds']} s")
    return raw, rows, errors


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    started = time.perf_counter()
    machine = machine_info()
    work = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    log(f"scratch folder {work}")
    try:
        ctx = _context(work, args.quick)
        raw, rows, errors = _run_sections(ctx, args.sections)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    machine["loadavg_at_end"] = loadavg()
    duration = round(time.perf_counter() - started, 1)
    rows += error_rows(errors)
    report = {
        "command": " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
        "quick": args.quick,
        "duration_s": duration,
        "machine": machine,
        "rows": [row.to_dict() for row in rows],
        "sections": raw,
        "errors": errors,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(_header(machine, args.quick, duration))
    print(table(rows))
    print("\nadvantage = how many times better rag is than plain (above 1.00x: rag better).")
    print(f"JSON: {args.out}")
    return 1 if errors else 0


def _header(machine: dict[str, Any], quick: bool, duration: float) -> str:
    return (
        f"rag benchmark ({'quick' if quick else 'full'}), {machine['date']}, {duration:.0f} s\n"
        f"{machine['cpu_count']} CPUs ({machine['cpu_model']}), {machine['memory_mb']} MB,"
        f" Python {machine['python']}, load {machine['loadavg_at_start']} ->"
        f" {machine['loadavg_at_end']}, commit {machine['git_commit']}"
        f" (+{machine['git_uncommitted_in_rag_ui']} uncommitted files in rag/ ui/)\n"
    )


if __name__ == "__main__":
    sys.exit(main())

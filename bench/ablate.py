"""Issue 25 step 4: do the reader's hand rules earn their place? One ablation per rule.

    .venv/bin/python bench/ablate.py [--only NAME,...] [--combine NAME,...] [--seeds]
                                     [--out FILE]

Each ablation switches one hand-rule module's effect off by monkeypatching it from
here (nothing under ``rag/`` is edited), on the product's defaults: every patch of the
previous ablation is undone first. For each, as ``bench/reader_sweep.py`` does: the
six-article suite is run once with the model's gate off (``MIN_READING`` 0), each
question's best reading among the chosen sentences recorded, every threshold scored
from that one run, and leave one article out the threshold with the most correct
answers on the other five applied to the sixth. One JSON line per ablation goes to
``--out`` as soon as it is measured. With ``--seeds``, the seed's four sets (gold,
held-out, follow-ups, chat-style; ``rag eval``'s code path in process, so the patches
hold) are run too, at the product's gate ``MIN_READING`` 0.15 and, when the ablation's
leave-one-out picks another threshold most often, also at that one, and checked
against the Makefile's floors (``--seed-thresholds`` adds further gates).

What "off" means, per ablation (the model then decides in the rule's place):

- ``baseline``: nothing patched (the product as it is).
- ``gate_similarity`` (abstention): ``abstention.MIN_SIMILARITY = -inf``: the
  "close in meaning or holding every question term" check always passes.
- ``gate_who`` (abstention + answer_types.new_names): ``abstention.new_names`` always
  returns a name, so a "who" (or credit) question is no longer refused for evidence
  that names nobody the question does not.
- ``focus`` (focus.py, whose only effect is the attribute gate in ``judge``):
  ``scoring.focus_word`` returns None, so no question has an asked attribute and no
  evidence is refused for not naming it.
- ``gates_all``: the three above together: the model's probability alone abstains.
- ``answer_types`` (answer_types.py):
  ``scoring.expected_type`` keeps only the credit kinds (``credit_asked``) and
  ``scoring.counted_noun`` returns None: no question has a wanted kind, so no typed
  boost in the sentence score (which 16 sentences the model reads, the passages'
  order), no "who" gate (kind is never PERSON).
- ``type_weight`` (scoring.py's use of answer_types): ``scoring.TYPE_WEIGHT = 0``: the
  kind still gates and routes, but no longer ranks sentences or passages.
- ``lexical_weight`` (scoring.py): ``scoring.LEXICAL_WEIGHT = 0``: shared key terms no
  longer rank sentences (which the model reads) or passages; cosine and type only.
- ``titles``: ``JOB_TITLES`` a regex that never matches in answer_types and focus;
  ``people.TITLE_WORDS`` empty and
  ``people._GENERIC_CAPITALS`` without the titles. Query time only: the cached
  indexes' second readings (store.py, "he" resolved) were made with the titles.
- ``credits``: ``answer_types.credit_asked`` returns None ("Who wrote this?" is a
  question like any other: a "who"), and ``overview.gives_credit`` False (the
  overview's opening no longer skips credit lines).
- ``dateline``: ``assistant.asks_date`` returns False ("When was this published?" is a
  question like any other). ``documents.py`` still keeps datelines out of sections.
- ``overview``: ``assistant.asks_overview`` returns None ("What is this article
  about?" is a question like any other).
- ``references`` (references.py, query-time use of people.antecedents):
  ``PronounReferences.who`` returns None: no candidate knows whom its "he" stands for
  (no "he [Name]" in answers; has_type/judge read the sentence as written; a pronoun
  sentence brings the sentence before it instead).
- ``people_index`` (people.resolve_pronouns at index time, store.py): the index's
  second reading of each sentence (its "he" said by name) is not made:
  ``store.resolve_pronouns`` returns the sentences as written, in its own cache
  folder (the six indexes rebuilt). people.py's other uses (names for the "who" gate,
  the NAMES kind, focus "name", acronyms) are measured through those.
- ``acronyms``: ``assistant.expand_acronyms`` returns the question as typed.
- ``questions``: ``assistant.clean_question`` only strips (no NFC, no invisible
  characters blanked, no empty/too-long errors). Input validation, not an answer rule.
- ``choice_coverage``: ``choice.JOIN_COVERAGE = 0``: every runner-up within the
  model's margin joins (up to 3), covering something new or not.
- ``choice_carry_on``: ``choice._carry_on`` does nothing: no sentence after the best
  joins for opening with a pronoun, a connective or inside its quotation.
- ``choice_lookback``: ``choice._extend`` does nothing: a chosen sentence leaning back
  ("She will ...", no known antecedent) no longer brings the sentences before it.
- ``evidence_rerank`` (evidence.py): ``evidence.FUSION_WEIGHT = 1e6``: the passages keep
  the retriever's fused order (a passage is no longer as good as its best sentence).

``--combine A,B`` measures the named ablations switched off together (one row).

Measured at 7852d41 (bench/results/ablate-2026-12-07.jsonl, docs/reader.md), the script
also switched off casing, identity, speakers, periods, discourse and choice._new_event:
nothing moved on any set, and they were deleted; their switches went with them.

Rows are written with the git commit and whether the working tree was clean; run it
on a snapshot when someone else edits ``rag/`` meanwhile: ``git archive HEAD rag | tar
-x -C DIR``, ``git rev-parse --short HEAD > DIR/COMMIT``, then ``PYTHONPATH=DIR``.
"""

import argparse
import importlib
import inspect
import json
import math
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader_sweep import THRESHOLDS, leave_one_out, outcome, run_report

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_THRESHOLD = 0.15
NEVER = re.compile(r"(?!)")
SEED_SETS = {
    "gold": "GOLD_FLOORS",
    "heldout": "HELDOUT_FLOORS",
    "followups": "FOLLOWUPS_FLOORS",
    "chatstyle": "CHATSTYLE_FLOORS",
}


class Patches:
    """setattr with the old value kept; ``undo`` puts every one back, last first."""

    def __init__(self) -> None:
        self.done: list[tuple[Any, str, Any]] = []

    def set(self, target: Any, name: str, value: Any) -> None:
        if isinstance(target, str):
            target = importlib.import_module(target)
        self.done.append((target, name, getattr(target, name)))
        setattr(target, name, value)

    def undo(self) -> None:
        while self.done:
            target, name, value = self.done.pop()
            setattr(target, name, value)


@dataclass
class Ablation:
    name: str
    module: str
    off: str
    apply: Callable[[Patches], None]
    code: list[str] = field(default_factory=list)  # "module" or "module:function"
    extra_lines: int = 0  # lines outside ``code`` (constants, a condition in judge)
    cache: str | None = None  # its own suite cache folder (an index-time patch)


def _lines(code: list[str], extra: int) -> int:
    total = extra
    for item in code:
        module, _, name = item.partition(":")
        target = importlib.import_module(module)
        for part in name.split(".") if name else []:
            target = getattr(target, part)
        total += len(inspect.getsource(target).splitlines())
    return total


# ---- the switches --------------------------------------------------------------------


def _gate_similarity(p: Patches) -> None:
    p.set("rag.reader.abstention", "MIN_SIMILARITY", -math.inf)


def _gate_who(p: Patches) -> None:
    p.set("rag.reader.abstention", "new_names", lambda sentence, asked: ["(anyone)"])


def _focus(p: Patches) -> None:
    p.set("rag.reader.scoring", "focus_word", lambda question: None)


def _gates_all(p: Patches) -> None:
    _gate_similarity(p)
    _gate_who(p)
    _focus(p)


def _answer_types(p: Patches) -> None:
    credit_asked = importlib.import_module("rag.reader.credits").credit_asked
    p.set("rag.reader.scoring", "expected_type", lambda question: credit_asked(question))
    p.set("rag.reader.scoring", "counted_noun", lambda question: None)


def _always(value: Any) -> Callable[..., Any]:
    return lambda *args, **kwargs: value


def _titles(p: Patches) -> None:
    for module in ("rag.reader.answer_types", "rag.reader.focus"):
        p.set(module, "JOB_TITLES", NEVER)
    p.set("rag.reader.people", "TITLE_WORDS", frozenset())
    p.set(
        "rag.reader.people",
        "_GENERIC_CAPITALS",
        frozenset("board directors chairmen ceos cfos".split()),
    )


def _credits(p: Patches) -> None:
    p.set("rag.reader.answer_types", "credit_asked", _always(None))
    p.set("rag.reader.overview", "gives_credit", _always(False))


def _references(p: Patches) -> None:
    references = importlib.import_module("rag.reader.references")
    p.set(references.PronounReferences, "who", lambda self, key: None)


def _people_index(p: Patches) -> None:
    p.set("rag.store", "resolve_pronouns", lambda sentences: list(sentences))


def _noop(*args: Any, **kwargs: Any) -> None:
    return None


ABLATIONS = [
    Ablation("baseline", "-", "nothing patched", lambda p: None),
    Ablation(
        "gates_all",
        "abstention (all hand gates)",
        "MIN_SIMILARITY=-inf, who gate and focus gate off: the model alone abstains",
        _gates_all,
        ["rag.reader.abstention:judge", "rag.reader.abstention:_antecedents", "rag.reader.focus"],
    ),
    Ablation(
        "gate_similarity",
        "abstention.MIN_SIMILARITY",
        "MIN_SIMILARITY=-inf",
        _gate_similarity,
        extra_lines=4,
    ),
    Ablation(
        "gate_who",
        "abstention who gate",
        "abstention.new_names always names someone",
        _gate_who,
        [
            "rag.reader.abstention:_antecedents",
            "rag.reader.answer_types:new_names",
            "rag.reader.answer_types:wants_person",
        ],
        extra_lines=6,
    ),
    Ablation(
        "focus",
        "focus (attribute gate)",
        "scoring.focus_word -> None",
        _focus,
        ["rag.reader.focus"],
        extra_lines=3,
    ),
    Ablation(
        "answer_types",
        "answer_types",
        "scoring.expected_type keeps credit kinds only; counted_noun -> None",
        _answer_types,
        ["rag.reader.answer_types"],
    ),
    Ablation(
        "type_weight",
        "scoring typed boost",
        "scoring.TYPE_WEIGHT=0",
        lambda p: p.set("rag.reader.scoring", "TYPE_WEIGHT", 0.0),
        extra_lines=2,
    ),
    Ablation(
        "lexical_weight",
        "scoring term overlap",
        "scoring.LEXICAL_WEIGHT=0",
        lambda p: p.set("rag.reader.scoring", "LEXICAL_WEIGHT", 0.0),
        extra_lines=2,
    ),
    Ablation(
        "overview",
        "overview",
        "assistant.asks_overview -> None",
        lambda p: p.set("rag.assistant", "asks_overview", _always(None)),
        ["rag.reader.overview", "rag.reader.evidence:ArticleReader.overview"],
    ),
    Ablation(
        "references",
        "references (query-time pronouns)",
        "PronounReferences.who -> None",
        _references,
        ["rag.reader.references", "rag.reader.evidence:ArticleReader._leaning_antecedent"],
    ),
    Ablation(
        "choice_coverage",
        "choice coverage rule",
        "choice.JOIN_COVERAGE=0",
        lambda p: p.set("rag.reader.choice", "JOIN_COVERAGE", 0.0),
        extra_lines=5,
    ),
    Ablation(
        "choice_carry_on",
        "choice carry-on",
        "choice._carry_on no-op",
        lambda p: p.set("rag.reader.choice", "_carry_on", _noop),
        [
            "rag.reader.choice:_carry_on",
            "rag.reader.choice:continues",
            "rag.reader.choice:opens_quote",
        ],
    ),
    Ablation(
        "choice_lookback",
        "choice look-back",
        "choice._extend no-op",
        lambda p: p.set("rag.reader.choice", "_extend", _noop),
        ["rag.reader.choice:_extend"],
        extra_lines=6,
    ),
    Ablation(
        "credits",
        "credits",
        "answer_types.credit_asked -> None; overview.gives_credit -> False",
        _credits,
        ["rag.reader.credits"],
        extra_lines=8,
    ),
    Ablation(
        "acronyms",
        "acronyms",
        "assistant.expand_acronyms -> question as typed",
        lambda p: p.set("rag.assistant", "expand_acronyms", lambda q, table, known: q),
        ["rag.reader.acronyms"],
    ),
    Ablation(
        "dateline",
        "dateline",
        "assistant.asks_date -> False",
        lambda p: p.set("rag.assistant", "asks_date", _always(False)),
        ["rag.reader.dateline", "rag.reader.evidence:ArticleReader.dateline"],
    ),
    Ablation(
        "titles",
        "titles",
        "JOB_TITLES never matches; people.TITLE_WORDS empty",
        _titles,
        ["rag.reader.titles"],
    ),
    Ablation(
        "evidence_rerank",
        "evidence sentence rerank of passages",
        "evidence.FUSION_WEIGHT=1e6",
        lambda p: p.set("rag.reader.evidence", "FUSION_WEIGHT", 1e6),
        extra_lines=4,
    ),
    Ablation(
        "questions",
        "questions",
        "assistant.clean_question -> strip only",
        lambda p: p.set("rag.assistant", "clean_question", lambda q, limit: q.strip()),
        ["rag.reader.questions"],
    ),
    Ablation(
        "people_index",
        "people.resolve_pronouns at index time",
        "store.resolve_pronouns -> sentences as written (indexes rebuilt)",
        _people_index,
        ["rag.reader.people:resolve_pronouns", "rag.store:_readings"],
        cache="nopronoun",
    ),
]


# ---- measuring -----------------------------------------------------------------------


def run_suite_rows(folder: Path, cache: Path) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """reader_sweep's rows, and the pooled retrieval metrics (hit@k, mrr)."""
    rows, report = run_report(folder, cache)
    return rows, {k: report.metrics[k] for k in ("hit@k", "mrr")}


def _makefile_floors() -> dict[str, str]:
    text = (ROOT / "Makefile").read_text()
    return {
        name: re.search(rf"^{name} := (\S+)", text, re.M).group(1) for name in SEED_SETS.values()
    }


def run_seeds(threshold: float, index_dir: Path) -> dict[str, Any]:
    """The four seed sets as ``make eval`` runs them, with the gate at ``threshold``."""
    import rag.assistant
    import rag.reader.abstention as abstention
    from rag import Assistant, Settings
    from rag.evaluation.gold import load_gold
    from rag.evaluation.report import check_floors, parse_floors
    from rag.evaluation.runner import evaluate

    rag.assistant.judge = abstention.judge
    kept = abstention.MIN_READING
    abstention.MIN_READING = threshold
    floors = _makefile_floors()
    try:
        settings = Settings(
            seeds_dir=ROOT / "seeds", index_dir=index_dir, chroma_url=None, llm="extractive"
        )
        assistant = Assistant(settings)
        sources = {d.name: d.text for d in assistant.index.documents}
        out: dict[str, Any] = {"threshold": threshold}
        for name, floor_name in SEED_SETS.items():
            questions = load_gold(ROOT / "seeds" / f"{name}.jsonl", sources)
            report = evaluate(assistant, questions, sources, k=settings.top_k)
            m = report.metrics
            out[name] = {
                **{
                    k: round(m[k], 3)
                    for k in (
                        "hit@k",
                        "mrr",
                        "fact_accuracy",
                        "citation_precision",
                        "noans_accuracy",
                        "false_refusal_rate",
                    )
                },
                "misses": check_floors(m, parse_floors(floors[floor_name])),
            }
        return out
    finally:
        abstention.MIN_READING = kept


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    articles = sorted({r["article"] for r in rows})
    by_threshold = {t: outcome(rows, t) for t in THRESHOLDS}
    best_t = max(THRESHOLDS, key=lambda t: (by_threshold[t]["correct"], t == PRODUCT_THRESHOLD))
    picks, pooled = leave_one_out({"x": rows})
    folds = Counter(t for _, _, t, _ in picks)
    return {
        "at_product": _rounded(by_threshold[PRODUCT_THRESHOLD]),
        "best_threshold": best_t,
        "at_best": _rounded(by_threshold[best_t]),
        "loao": _rounded(pooled),
        "loao_thresholds": {a: t for a, _, t, _ in picks},
        "loao_modal_threshold": folds.most_common(1)[0][0],
        "per_article_loao_correct": {a: o["correct"] for a, _, _, o in picks},
        "per_article_correct_at_product": {
            a: outcome([r for r in rows if r["article"] == a], PRODUCT_THRESHOLD)["correct"]
            for a in articles
        },
        "by_threshold": {str(t): _rounded(o) for t, o in by_threshold.items()},
    }


def _rounded(o: dict[str, float]) -> dict[str, float]:
    return {k: (v if k == "correct" else round(v, 3)) for k, v in o.items()}


def _git() -> dict[str, Any]:
    def out(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    import rag

    package = Path(rag.__file__).resolve().parent
    if package != ROOT / "rag":
        # A snapshot (PYTHONPATH): its commit, as written next to it when it was made.
        stamp = package.parent / "COMMIT"
        commit = stamp.read_text().strip() if stamp.exists() else None
        return {"commit": commit, "rag_dirty": False, "rag_from": str(package)}
    return {
        "commit": out("rev-parse", "--short", "HEAD"),
        "rag_dirty": bool(out("status", "--porcelain", "rag")),
        "rag_from": str(package),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=Path("../shared/articles"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ablate-cache"))
    parser.add_argument("--seed-index", type=Path, default=Path("/tmp/ablate-seed-index"))
    parser.add_argument("--only", default="", help="comma-separated ablation names")
    parser.add_argument("--seeds", action="store_true", help="also run the four seed sets")
    parser.add_argument("--no-suite", action="store_true", help="seed sets only")
    parser.add_argument(
        "--seed-thresholds",
        default="",
        help="comma-separated further gates (MIN_READING) to run the seed sets at",
    )
    parser.add_argument(
        "--combine", default="", help="comma-separated ablations to switch off together"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/ablate-2026-12-07.jsonl")
    args = parser.parse_args()
    wanted = [n for n in args.only.split(",") if n] or [a.name for a in ABLATIONS]
    if args.combine:
        parts = [a for a in ABLATIONS if a.name in args.combine.split(",")]
        if len(parts) != len(args.combine.split(",")) or any(a.cache for a in parts):
            sys.exit("--combine: unknown ablation, or one with its own index")
        name = "+".join(a.name for a in parts)
        ABLATIONS.append(
            Ablation(
                name,
                " + ".join(a.module for a in parts),
                "; ".join(a.off for a in parts),
                lambda p: [a.apply(p) for a in parts],
                [c for a in parts for c in a.code],
                sum(a.extra_lines for a in parts),
            )
        )
        wanted = [name] if not args.only else [*wanted, name]
    unknown = set(wanted) - {a.name for a in ABLATIONS}
    if unknown:
        sys.exit(f"unknown ablations: {', '.join(sorted(unknown))}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    patches = Patches()
    for ablation in (a for a in ABLATIONS if a.name in wanted):
        started = time.time()
        record: dict[str, Any] = {
            "ablation": ablation.name,
            "module": ablation.module,
            "off": ablation.off,
            "lines": _lines(ablation.code, ablation.extra_lines),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
            **_git(),
        }
        patches.undo()
        ablation.apply(patches)
        try:
            threshold = PRODUCT_THRESHOLD
            if not args.no_suite:
                cache = (
                    args.cache if ablation.cache is None else Path(f"{args.cache}-{ablation.cache}")
                )
                rows, retrieval = run_suite_rows(args.suite, cache)
                record.update(
                    summarise(rows), retrieval={k: round(v, 3) for k, v in retrieval.items()}
                )
                record["rows"] = [
                    {k: r[k] for k in ("id", "article", "refused", "correct", "reading")}
                    for r in rows
                ]
                threshold = record["loao_modal_threshold"]
                print(
                    f"{ablation.name:18s} @0.15 {record['at_product']['correct']:3d}  "
                    f"best {record['at_best']['correct']:3d}@{record['best_threshold']:.2f}  "
                    f"LOAO {record['loao']['correct']:3d}  ({time.time() - started:.0f} s)",
                    flush=True,
                )
            if args.seeds:
                seed_index = args.seed_index
                if ablation.cache is not None:
                    seed_index = Path(f"{args.seed_index}-{ablation.cache}")
                seeds = {"at_product": run_seeds(PRODUCT_THRESHOLD, seed_index)}
                if threshold != PRODUCT_THRESHOLD:
                    seeds["at_loao"] = run_seeds(threshold, seed_index)
                for extra in filter(None, args.seed_thresholds.split(",")):
                    seeds[f"at_{float(extra):.2f}"] = run_seeds(float(extra), seed_index)
                record["seeds"] = seeds
                for label, result in seeds.items():
                    misses = {s: result[s]["misses"] for s in SEED_SETS if result[s]["misses"]}
                    print(
                        f"  seeds {label} @{result['threshold']:.2f}: {misses or 'all floors met'}",
                        flush=True,
                    )
        except Exception as exc:  # noqa: BLE001 - one failed ablation must not lose the rest
            record["error"] = repr(exc)
            print(f"{ablation.name}: failed: {exc!r}", flush=True)
        finally:
            patches.undo()
        record["seconds"] = round(time.time() - started, 1)
        with args.out.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

"""Question-sentence pairs from SQuAD 1.1 train, for the reader's model.

Each SQuAD paragraph is split with the product's own sentence splitter, so the
model sees sentences cut the way the product cuts them. A question gives:

- its **positive**: the sentence holding the answer's first character, with the
  answer's place in it (for the span head) when the answer ends in that sentence;
- a **hard negative** from its paragraph: the other sentence sharing most of the
  question's words;
- a **negative from another paragraph** of the article, again the one sharing most
  words, so the question is about the right things but this sentence does not say
  (SQuAD 1.1 has no unanswerable questions; this is how they are made);
- a **swapped question** paired with the positive sentence, where it can be made:
  one name, number or year of the question that the sentence holds is replaced by
  another of the same kind from the article, so the sentence no longer answers it
  (the way SQuAD 2.0's adversarial questions were written);
- with some questions, a **reworded question** paired with the positive sentence:
  one content word the two share is replaced by another word of the article
  ("opened" -> "taxed"), so the sentence is about the right things but does not say;
- with some questions, a **contrary question** paired with the positive sentence: a
  word turned into its opposite ("first" -> "last", "increase" -> "decrease") or a
  "not" after the question's verb ("Who was the first ..." -> "Who was not the first
  ..."), so the sentence's words match but it answers something else;
- with a few questions, a random sentence of the article (easy).

Sentences that contain the answer's text are never negatives. The articles kept
out of training (``kept_out``) score the model at each checkpoint; the SQuAD 2.0
slice's two articles with real unanswerable questions are among them, so their
unanswerable questions check the abstention score on text never trained on.
No dev set and no text of the product's eval articles is read here.
"""

import gzip
import json
import random
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.sentences import split_sentences
from rag.terms import STOP_WORDS, content_terms, stem

SQUAD_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "squad-train"
SQUAD_FILE = "train-v1.1.json.gz"
SLICE_FILE = "squad2-train-slice.json.gz"
# The slice's articles with unanswerable questions: kept out so that they check abstention.
SLICE_CHECK_TITLES = ("The_Legend_of_Zelda:_Twilight_Princess", "Spectre_(2015_film)")
KEPT_OUT_RANDOM = 10  # more SQuAD articles kept out for checking, chosen by the seed

# How often a question also gets each kind of negative that not every question needs:
# set so that one pass (about 3 pairs a question) trains in about an hour here.
ARTICLE_RATE, RANDOM_RATE, REWORD_RATE, CONTRARY_RATE = 0.6, 0.1, 0.4, 0.5
_WORD = re.compile(r"\b[A-Za-z][a-z]{3,}\b")
_YEAR = re.compile(r"1[5-9]\d\d|20\d\d")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
# A name: capitalised words, not at a sentence's start (where any word is capitalised).
# General English opposites (either way round), for contrary questions.
_OPPOSITES = dict(
    pair
    for a, b in (
        ("first", "last"),
        ("largest", "smallest"),
        ("biggest", "smallest"),
        ("most", "least"),
        ("highest", "lowest"),
        ("oldest", "newest"),
        ("earliest", "latest"),
        ("before", "after"),
        ("increase", "decrease"),
        ("increased", "decreased"),
        ("rise", "fall"),
        ("rose", "fell"),
        ("won", "lost"),
        ("win", "lose"),
        ("bought", "sold"),
        ("buy", "sell"),
        ("start", "end"),
        ("started", "ended"),
        ("began", "ended"),
        ("opened", "closed"),
        ("open", "close"),
        ("north", "south"),
        ("east", "west"),
        ("northern", "southern"),
        ("eastern", "western"),
        ("maximum", "minimum"),
        ("positive", "negative"),
        ("more", "fewer"),
        ("longest", "shortest"),
        ("best", "worst"),
        ("major", "minor"),
        ("public", "private"),
        ("internal", "external"),
        ("upper", "lower"),
        ("inside", "outside"),
        ("early", "late"),
        ("accepted", "rejected"),
        ("allowed", "banned"),
        ("supported", "opposed"),
        ("joined", "left"),
        ("arrived", "departed"),
        ("born", "died"),
        ("male", "female"),
        ("men", "women"),
        ("import", "export"),
        ("imports", "exports"),
        ("strongest", "weakest"),
        ("richest", "poorest"),
        ("cheapest", "dearest"),
        ("youngest", "oldest"),
        ("success", "failure"),
    )
    for pair in ((a, b), (b, a))
)
_BE_AFTER_WH = re.compile(r"^(?:Who|What|Which|Where|When)\s+(?:is|was|are|were)\b")
_NAME = re.compile(r"(?<=[^\s.!?]\s)[A-Z][^\W\d_]+(?:\s+[A-Z][^\W\d_]+)*\b")


@dataclass(frozen=True)
class Pair:
    """One training row: does ``sentence`` answer ``question``? ``span`` is the answer's
    character range in the sentence (positives whose answer ends inside it), else None."""

    question: str
    sentence: str
    label: int
    span: tuple[int, int] | None
    kind: str  # positive | paragraph | article | random | swapped | reworded | contrary


@dataclass(frozen=True)
class Paragraph:
    title: str
    index: int
    text: str
    sentences: list[tuple[int, int]]
    questions: list[dict]


def load_articles(path: Path | None = None) -> list[dict]:
    """SQuAD 1.1 train's articles, in the file's order."""
    path = path or SQUAD_DIR / SQUAD_FILE
    return json.load(gzip.open(path))["data"]


def kept_out(titles: list[str], seed: int) -> set[str]:
    """The articles never trained on: the slice's two with unanswerable questions and
    ``KEPT_OUT_RANDOM`` more, drawn with ``seed``.

    >>> len(kept_out([f"t{i}" for i in range(50)], 0)) == KEPT_OUT_RANDOM + 2
    True
    """
    rest = sorted(t for t in titles if t not in SLICE_CHECK_TITLES)
    drawn = random.Random(seed).sample(rest, min(KEPT_OUT_RANDOM, max(len(rest) - 1, 0)))
    return set(SLICE_CHECK_TITLES) | set(drawn)


def paragraphs(article: dict) -> list[Paragraph]:
    out = []
    for i, p in enumerate(article["paragraphs"]):
        text = p["context"]
        out.append(Paragraph(article["title"], i, text, split_sentences(text), p["qas"]))
    return out


def sentence_at(spans: list[tuple[int, int]], position: int) -> int | None:
    """Which of ``spans`` holds the character at ``position`` (None: between sentences)."""
    for i, (s, e) in enumerate(spans):
        if s <= position < e:
            return i
    return None


def answered_questions(
    articles: list[dict], titles: Collection[str]
) -> Iterator[tuple[Paragraph, dict, int]]:
    """Each question of the articles named in ``titles`` whose answer starts inside a
    sentence: its paragraph, the question, and that sentence's index."""
    for article in articles:
        if article["title"] not in titles:
            continue
        for para in paragraphs(article):
            for qa in para.questions:
                at = sentence_at(para.sentences, qa["answers"][0]["answer_start"])
                if at is not None:
                    yield para, qa, at


def _kind(token: str) -> str:
    """ "year", "number" or "name": a swap keeps the kind.

    >>> [_kind(t) for t in ("1998", "5,000", "Paris")]
    ['year', 'number', 'name']
    """
    if _YEAR.fullmatch(token):
        return "year"
    return "number" if _NUMBER.fullmatch(token) else "name"


def swapped_question(question: str, sentence: str, pool: list[str], rng: random.Random) -> str:
    """``question`` with one name or number that ``sentence`` also holds replaced by
    another of the same kind from ``pool`` that the sentence does not hold; "" if none.

    >>> swapped_question("Who won in 1998?", "Smith won in 1998.", ["2004"], random.Random(0))
    'Who won in 2004?'
    """
    found = [
        m
        for pattern in (_NUMBER, _NAME)
        for m in pattern.finditer(question)
        if m.start() > 0 and m.group(0) in sentence
    ]
    if not found:
        return ""
    match = rng.choice(found)
    options = sorted({p for p in pool if _kind(p) == _kind(match.group(0)) and p not in sentence})
    if not options:
        return ""
    return question[: match.start()] + rng.choice(options) + question[match.end() :]


def reworded_question(
    question: str, sentence_terms: set[str], vocabulary: list[str], rng: random.Random
) -> str:
    """``question`` with one content word that the sentence also uses replaced by another
    word of the article that the sentence does not use ("When was the bridge opened?" ->
    "When was the bridge taxed?"); "" if no word qualifies.

    >>> reworded_question("When was it opened?", {"open"}, ["taxed"], random.Random(0))
    'When was it taxed?'
    """
    found = [
        m
        for m in _WORD.finditer(question)
        if m.group(0).lower() not in STOP_WORDS and stem(m.group(0).lower()) in sentence_terms
    ]
    asked = {stem(w.lower()) for w in _WORD.findall(question)}
    options = [w for w in vocabulary if stem(w) not in sentence_terms and stem(w) not in asked]
    if not found or not options:
        return ""
    match = rng.choice(found)
    return question[: match.start()] + rng.choice(options) + question[match.end() :]


def contrary_question(question: str, sentence: str, rng: random.Random) -> str:
    """``question`` asking the opposite of what ``sentence`` says: a word of both turned
    into its opposite, else a "not" after "Who was"-like openings; "" if neither fits.

    >>> contrary_question("Who was the first king?", "Alfred was the first king.", random.Random(0))
    'Who was the last king?'
    >>> contrary_question("Who was king in 900?", "Alfred was king in 900.", random.Random(0))
    'Who was not king in 900?'
    """
    said = {w.lower() for w in re.findall(r"[A-Za-z]+", sentence)}
    found = [
        m
        for m in re.finditer(r"[a-z]+", question)
        if m.group(0) in _OPPOSITES and m.group(0) in said and _OPPOSITES[m.group(0)] not in said
    ]
    if found:
        m = rng.choice(found)
        return question[: m.start()] + _OPPOSITES[m.group(0)] + question[m.end() :]
    be = _BE_AFTER_WH.match(question)
    if be and not question[be.end() :].startswith(" not"):
        return question[: be.end()] + " not" + question[be.end() :]
    return ""


def article_pairs(article: dict, rng: random.Random) -> Iterator[Pair]:
    """Every training pair one article gives (see the module's docstring)."""
    paras = paragraphs(article)
    # Every sentence of the article with its terms, computed once.
    everything = [
        (p, p.text[s:e], set(content_terms(p.text[s:e]))) for p in paras for s, e in p.sentences
    ]
    pool = [
        m.group(0)
        for p in paras
        for pat in (_NUMBER, _NAME)
        for m in pat.finditer(p.text)
        if m.group(0).split()[0].lower() not in STOP_WORDS
    ]
    vocabulary = sorted(
        {w.lower() for p in paras for w in _WORD.findall(p.text)} - STOP_WORDS, key=str
    )
    for para in paras:
        for qa in para.questions:
            question = qa["question"].strip()
            if len(question) < 3:
                continue  # SQuAD's junk questions ("k", "dd")
            answer = qa["answers"][0]
            at = sentence_at(para.sentences, answer["answer_start"])
            if at is None:
                continue
            s, e = para.sentences[at]
            sentence = para.text[s:e]
            a0, a1 = answer["answer_start"] - s, answer["answer_start"] - s + len(answer["text"])
            span = (a0, a1) if a1 <= len(sentence) else None
            yield Pair(question, sentence, 1, span, "positive")
            terms = set(content_terms(question))
            answer_text = answer["text"].lower()
            # A sentence holding the answer's words is never a negative.
            fair = [(p, t, ts) for p, t, ts in everything if answer_text not in t.lower()]
            same = [(t, ts) for p, t, ts in fair if p is para and t != sentence]
            if same:
                best = max(same, key=lambda c: len(terms & c[1]))[0]
                yield Pair(question, best, 0, None, "paragraph")
            others = [(t, ts) for p, t, ts in fair if p is not para]
            if others and rng.random() < ARTICLE_RATE:
                best = max(others, key=lambda c: len(terms & c[1]))[0]
                yield Pair(question, best, 0, None, "article")
            if others and rng.random() < RANDOM_RATE:
                yield Pair(question, rng.choice(others)[0], 0, None, "random")
            swapped = swapped_question(question, sentence, pool, rng)
            if swapped:
                yield Pair(swapped, sentence, 0, None, "swapped")
            if rng.random() < REWORD_RATE:
                reworded = reworded_question(
                    question, set(content_terms(sentence)), vocabulary, rng
                )
                if reworded:
                    yield Pair(reworded, sentence, 0, None, "reworded")
            if rng.random() < CONTRARY_RATE:
                contrary = contrary_question(question, sentence, rng)
                if contrary:
                    yield Pair(contrary, sentence, 0, None, "contrary")


def squad2_checks(seed_titles: tuple[str, ...] = SLICE_CHECK_TITLES) -> list[dict]:
    """The slice's questions on its two checking articles: each with its paragraph's
    sentences and whether it is answerable (and where, when it is)."""
    data = json.load(gzip.open(SQUAD_DIR / SLICE_FILE))["data"]
    rows = []
    for article in data:
        if article["title"] not in seed_titles:
            continue
        for para in paragraphs({"title": article["title"], "paragraphs": article["paragraphs"]}):
            for qa in para.questions:
                answers = qa.get("answers") or []
                at = sentence_at(para.sentences, answers[0]["answer_start"]) if answers else None
                rows.append(
                    {
                        "question": qa["question"].strip(),
                        "sentences": [para.text[s:e] for s, e in para.sentences],
                        "answer": at,
                        "answerable": not qa.get("is_impossible", False),
                    }
                )
    return rows

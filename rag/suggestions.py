"""Questions to offer a reader before they ask: ones that fit the loaded articles.

The chat page shows them under the empty chat. Each is a question a reader of
any article may have ("Summarize the article"), or one made from the article
itself: who its main person is, who wrote it and when. The assistant keeps only those it
can answer from the article (``Assistant.suggestions``), so a suggestion never
answers "The article does not say".
"""

import re
from collections import Counter
from collections.abc import Sequence

from rag.documents import SourceDocument
from rag.reader.people import person_names

SUMMARY = "Summarize the article"
AUTHOR = "Who wrote this article?"
DATE = "When was this article published?"
# How many people of the article are tried for "Who is ...?" before giving up on one.
PEOPLE_TRIED = 3


def _main_people(document: SourceDocument) -> list[str]:
    """The article's people, most mentioned first: those it names in full, then calls
    by surname ("Daniel Zhang" ... "Zhang said"), as news writing does a person."""
    body = document.text[document.body_start :]
    lowered = set(re.findall(r"[a-z]+", body))
    counts: Counter[str] = Counter()
    for found in person_names(body):
        # A word the article also writes in lower case is not a name ("Whether Railway").
        words = found.split()
        while words and words[0].lower() in lowered:
            words.pop(0)
        if len(words) >= 2:
            counts[" ".join(words)] += 1
    ranked = []
    for name, full in counts.items():
        surname = re.escape(name.split()[-1])
        alone = len(re.findall(rf"\b{surname}\b", body)) - full
        if alone > 0:
            ranked.append((full + alone, name))
    return [name for _, name in sorted(ranked, key=lambda pair: -pair[0])]


def candidate_questions(documents: Sequence[SourceDocument]) -> list[list[str]]:
    """What may be offered, in order: each entry is a list of alternatives, of which the
    assistant offers the first it can answer (the most mentioned person it knows about)."""
    people = [name for document in documents for name in _main_people(document)]
    candidates = [[SUMMARY], [f"Who is {name}?" for name in people[:PEOPLE_TRIED]]]
    if any(document.byline for document in documents):
        candidates.append([AUTHOR])
    if any(document.date for document in documents):
        candidates.append([DATE])
    return candidates

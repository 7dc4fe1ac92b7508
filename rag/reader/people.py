"""People named in news text, and who "he" or "she" stands for.

No NER model ships in a package we can install offline, so names are found
by shape: a person is two or more capitalised words, not led by a function
word or a month ("In June" is none) and not ending in a word for an
organisation ("Taotian Group" is none); any entity is a capitalised run with
a word that is not a generic word for an organisation. Good enough for news prose, where people are
introduced by full name and then called "he" or "she".
"""

import re
from dataclasses import dataclass

from rag.reader.titles import TITLE_WORDS
from rag.terms import MONTHS, STOP_WORDS

# Runs of capitalised words, initials allowed inside: names of people, companies, units
# ("Joe Tsai", "Mary K. O'Neil", "McKinsey", "In June").
_WORD = r"[A-Z][A-Za-z'’]*[a-z]"
_CAPITALISED_RUN = re.compile(rf"\b{_WORD}(?:(?:[ -]|\s[A-Z]\.\s){_WORD})*\b")
PERSONAL_PRONOUN = re.compile(r"\b(he|she|him|her|his)\b", re.I)
# A run ending in one of these names an organisation or a place, not a person.
_ORGANISATION_WORDS = frozenset(
    """group company companies corporation corp inc ltd limited holding holdings committee
    board bank fund capital cloud network technology technologies motors partners
    association university institute ministry department agency council exchange market
    markets street journal times news post daily city state states province county""".split()
)
# Capitalised words that name nothing in particular ("Directors" of "Board of Directors",
# a title, "the busiest CEOs").
_GENERIC_CAPITALS = TITLE_WORDS | frozenset("board directors chairmen ceos cfos".split())
_MONTH_WORD = re.compile(rf"^({MONTHS})$", re.I)
# How many sentences back the person a pronoun stands for may have been named.
MAX_ANTECEDENT_DISTANCE = 3


def _runs(text: str, people: bool = False) -> list[list[str]]:
    """Capitalised runs as word lists, without initials and leading function words or months.

    A run is parted at a title inside it; for ``people``, the part before the title is
    left out: it names the employer ("Ant Financial" in "Ant Financial Chairman Eric Jing").
    """
    runs = []
    for match in _CAPITALISED_RUN.finditer(text):
        words = match.group(0).replace("-", " ").split()
        parts = without_openers(
            [w.removesuffix("'s").removesuffix("’s") for w in words if not w.endswith(".")]
        )
        if parts and not (match.start() == 0 and len(words) == 1 and _opener(text, match.end())):
            pieces = _parted(parts)
            runs.extend(pieces[-1:] if people else pieces)
    return runs


def without_openers(parts: list[str]) -> list[str]:
    """The words of a capitalised run without the function words or month it opens with,
    capitalised only for starting a sentence ("On December", "While Daniel Zhang").

    >>> without_openers(["On", "December", "Joe", "Tsai"])
    ['Joe', 'Tsai']
    """
    first = 0
    while first < len(parts) and (
        parts[first].lower() in STOP_WORDS or _MONTH_WORD.match(parts[first])
    ):
        first += 1
    return parts[first:]


def _parted(parts: list[str]) -> list[list[str]]:
    """A run parted at the titles in it: "Alibaba Chairman Joe Tsai" is ["Alibaba"] and
    ["Joe", "Tsai"], "Chairman Joe Tsai" is ["Joe", "Tsai"]. A run that is only a title
    or ends in one ("Alibaba Chairman") is kept whole."""
    if parts[-1].lower() in TITLE_WORDS:
        return [parts]
    pieces: list[list[str]] = [[]]
    for part in parts:
        if part.lower() in TITLE_WORDS:
            pieces.append([])
        else:
            pieces[-1].append(part)
    return [piece for piece in pieces if piece]


def _opener(text: str, end: int) -> bool:
    """Whether the capitalised word that starts ``text`` (ending at ``end``) is an ordinary
    word capitalised for starting a sentence: "Moreover, ...", "Facing ...", "Currently ..."
    are; "Tencent has ..." is not."""
    word = text[:end].lower()
    return text[end : end + 1] == "," or word.endswith(("ing", "ly", "ed")) or word in STOP_WORDS


def person_names(text: str) -> list[str]:
    """Names of people in ``text``, in order.

    >>> person_names("In June, Joe Tsai joined Taotian Group.")
    ['Joe Tsai']
    """
    return [
        " ".join(parts)
        for parts in _runs(text, people=True)
        if len(parts) >= 2 and parts[-1].lower() not in _ORGANISATION_WORDS | TITLE_WORDS
    ]


def entity_names(text: str) -> list[str]:
    """Names of people, companies and places in ``text``: capitalised runs with at least
    one word that is not a generic word for an organisation ("the Group's Board" is none).

    >>> entity_names("Earlier, Tencent sold shares to the Group's Board.")
    ['Tencent']
    """
    return [
        " ".join(parts)
        for parts in _runs(text)
        if any(part.lower() not in _ORGANISATION_WORDS for part in parts)
        and not all(part.lower() in _GENERIC_CAPITALS for part in parts)
    ]


def new_to(names: list[str], asked: str) -> list[str]:
    """Those of ``names`` that share no word with the question ``asked``.

    >>> new_to(["Joe Tsai", "Daniel Zhang"], "Who met Zhang?")
    ['Joe Tsai']
    """
    known = {word.lower() for word in re.findall(r"[A-Za-z]+", asked)}
    return [name for name in names if not known & {part.lower() for part in name.split()}]


@dataclass(frozen=True)
class Antecedent:
    """Who the first "he"/"she"/"his"/"her" of a sentence, at ``[start, end)``, stands for."""

    start: int
    end: int
    name: str


def antecedents(sentences: list[str]) -> list[Antecedent | None]:
    """For each of ``sentences`` (in reading order) that names nobody, who its first personal
    pronoun stands for: the person named first in the nearest sentence before that names
    one, up to a few sentences back.

    >>> antecedents(["Joe Tsai spoke.", "He said his team won."])[1]
    Antecedent(start=0, end=2, name='Joe Tsai')
    """
    found: list[Antecedent | None] = []
    last: tuple[int, str] | None = None
    for index, sentence in enumerate(sentences):
        names = person_names(sentence)
        if names:
            # The first name is most often the subject, whom the next "he" continues with.
            last = (index, names[0])
            found.append(None)
            continue
        pronoun = PERSONAL_PRONOUN.search(sentence)
        if pronoun is None or last is None or index - last[0] > MAX_ANTECEDENT_DISTANCE:
            found.append(None)
            continue
        found.append(Antecedent(pronoun.start(), pronoun.end(), last[1]))
    return found


def surnames(sentences: list[str]) -> list[Antecedent | None]:
    """For each of ``sentences`` (in reading order), the first word that is the surname of
    someone named in full before it, when the sentence does not name them in full: news
    writing calls a person by surname after the first mention ("Reyes founded it").

    >>> surnames(["The founder, Tom Reyes, spoke.", "Reyes founded it in 1988."])[1]
    Antecedent(start=0, end=5, name='Tom Reyes')
    """
    known: dict[str, str] = {}
    found: list[Antecedent | None] = []
    for sentence in sentences:
        named = person_names(sentence)
        found.append(
            next(
                (
                    Antecedent(m.start(), m.end(), known[m.group(0)])
                    for m in re.finditer(r"\b[A-Z][A-Za-z'’-]+\b", sentence)
                    if m.group(0) in known and known[m.group(0)] not in named
                ),
                None,
            )
        )
        known.update((name.split()[-1], name) for name in named)
    return found


def resolve_pronouns(sentences: list[str]) -> list[str]:
    """``sentences`` with the pronoun :func:`antecedents` finds replaced by the name.

    Only for embedding: "He also set up a committee" is far from "What did Wu create?"
    (cosine 0.22 with MiniLM) until it says who "he" is (0.56). Quotes stay verbatim.

    >>> resolve_pronouns(["Joe Tsai spoke.", "He said his team won."])
    ['Joe Tsai spoke.', 'Joe Tsai said his team won.']
    """
    return [
        resolved(sentence, who)
        for sentence, who in zip(sentences, antecedents(sentences), strict=True)
    ]


def resolved(sentence: str, who: Antecedent | None) -> str:
    """``sentence`` with the pronoun at ``who`` replaced by the name it stands for (as it
    is, when no one is known)."""
    if who is None:
        return sentence
    word = sentence[who.start : who.end].lower()
    name = who.name + "'s" if word in ("his", "her") else who.name
    return sentence[: who.start] + name + sentence[who.end :]

"""Synthetic corpora built from templates: varied companies, people, places and numbers.

Two shapes:

* :func:`write_fact_corpus` - short news briefs (a title and 3-5 sentences),
  each with one planted fact whose answer appears in no other brief, and the
  question that asks for it. The filler sentences reuse the planted facts'
  vocabulary (amounts, people, places) so a retriever must use the company name.
* :func:`write_articles` - longer article-like documents (sections of several
  paragraphs) for ingestion throughput.

Everything is drawn from a seeded ``random.Random``, so a run is reproducible.
"""

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_HEADS = (
    "Ar Bel Cor Dav El Fen Gal Hor Is Jun Kel Lum Mar Nor Or Pel Quin Ros Sel Tor "
    "Ul Val Wen Xan Yor Zel Bran Cal Dra Eston Fal Gren Hal Ith Jor Kar Lor Mon Nev Ost"
).split()
_TAILS = (
    "ana avis ent ora umi ex ica ond eon ira oth ana ix ara ell ius ost ova ynd eth "
    "ari ock ume ado isk ila orn ipa usa eta ivo ank olo emi ara ynt ale ubo ira ena"
).split()
_INDUSTRIES = (
    "Robotics Foods Logistics Pharma Textiles Motors Software Energy Media Mining Airlines Telecom"
).split()
_FIRST = (
    "Lena Omar Wei Priya Jonas Aiko Mateo Sofia Liam Mei Ravi Chloe Ivan Nadia Tomas "
    "Yara Felix Hana Diego Zara Oskar Lucia Kenji Amara Emil Noor Hugo Ines Pavel Rosa"
).split()
_LAST = (
    "Haldor Okafor Zhang Mehta Berg Tanaka Ruiz Rossi Walsh Chen Iyer Dubois Petrov "
    "Haddad Novak Silva Lindqvist Kim Moreno Ali Strand Bianchi Sato Mensah Keller "
    "Rahman Laurent Costa Volkov Reyes"
).split()
_CITIES = (
    "Hangzhou Shenzhen Lyon Porto Nairobi Osaka Austin Krakow Lagos Pune Leeds Busan "
    "Valencia Tbilisi Quito Perth Gdansk Medan Tampere Cordoba"
).split()
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_PRODUCTS = (
    "delivery drones|frozen dumplings|freight software|generic vaccines|cotton fabric|"
    "electric scooters|payroll tools|solar panels|streaming rights|copper ore|"
    "regional flights|fibre broadband"
).split("|")
_BANKS = ("Northbridge Capital", "Helix Securities", "Amberline Research", "Castor Partners")
_SECTIONS = ("Background", "The deal", "Competitors", "Money", "What comes next")
_TOPICS = ("overseas markets", "cost control", "new products", "its core customers")


@dataclass(frozen=True)
class PlantedFact:
    """The one fact a brief holds that no other brief does, and how to ask for it."""

    source: str
    question: str
    answer: str


class _Names:
    """Unique company names and person names, drawn without repetition."""

    def __init__(self, rng: random.Random) -> None:
        companies = [f"{h}{t} {i}" for h, t, i in itertools.product(_HEADS, _TAILS, _INDUSTRIES)]
        rng.shuffle(companies)
        self._companies = iter(dict.fromkeys(companies))
        self._rng = rng
        self._people: set[str] = set()

    def company(self) -> str:
        return next(self._companies)

    def person(self) -> str:
        """A first name, middle initial and surname not handed out before."""
        while True:
            initial = chr(ord("A") + self._rng.randrange(26))
            name = f"{self._rng.choice(_FIRST)} {initial}. {self._rng.choice(_LAST)}"
            if name not in self._people:
                self._people.add(name)
                return name


class _Unique:
    """Draws values from ``make`` until one not drawn before turns up."""

    def __init__(self, make: Callable[[], str]) -> None:
        self._make, self._seen = make, set[str]()

    def __call__(self) -> str:
        for _ in range(10_000):
            value = self._make()
            if value not in self._seen:
                self._seen.add(value)
                return value
        raise RuntimeError("ran out of unique values; widen the template's range")


def _planted_templates(rng: random.Random, names: _Names) -> list[Callable[[str], tuple]]:
    """Each template: company -> (sentence, question, answer); answers are globally unique."""
    count = _Unique(lambda: f"{rng.randrange(1_000, 99_999):,}")
    amount = _Unique(lambda: f"{rng.randrange(100, 99_999) / 10:.1f} million yuan")
    date = _Unique(
        lambda: f"{rng.choice(_MONTHS)} {rng.randrange(1, 29)}, {rng.randrange(2015, 2035)}"
    )

    def engineers(company: str) -> tuple[str, str, str]:
        n = count()
        return (
            f"{company} now employs {n} engineers at its research centre in {rng.choice(_CITIES)}.",
            f"How many engineers does {company} employ at its research centre?",
            n,
        )

    def cto(company: str) -> tuple[str, str, str]:
        person = names.person()
        return (
            f"{company} appointed {person} as its chief technology officer in "
            f"{rng.choice(_MONTHS)}.",
            f"Who did {company} appoint as chief technology officer?",
            person,
        )

    def funding(company: str) -> tuple[str, str, str]:
        value = amount()
        return (
            f"{company} raised {value} in its latest funding round.",
            f"How much did {company} raise in its latest funding round?",
            value,
        )

    def store(company: str) -> tuple[str, str, str]:
        when = date()
        return (
            f"{company} will open its flagship store in {rng.choice(_CITIES)} on {when}.",
            f"When will {company} open its flagship store?",
            when,
        )

    return [engineers, cto, funding, store]


def _fillers(rng: random.Random, names: _Names, company: str) -> list[str]:
    """Sentences about ``company`` that share the planted facts' vocabulary, not their answers."""
    # Distractor numbers come from ranges the planted answers never use (no thousands
    # separator, no decimals), so a wrong sentence can never contain a right answer.
    return [
        f"{company} was founded in {rng.choice(_CITIES)} in {rng.randrange(1950, 2015)} "
        f"by {rng.choice(_FIRST)} {rng.choice(_LAST)}.",
        f"The company sells {rng.choice(_PRODUCTS)} to customers in "
        f"{rng.randrange(2, 90)} countries.",
        f"Analysts at {rng.choice(_BANKS)} expect its sales to reach "
        f"{rng.randrange(2, 900)} billion yuan next year.",
        f"Its chief executive said the company would focus on {rng.choice(_TOPICS)}.",
        f"Shares of {company} rose {rng.randrange(2, 30)} percent after the announcement.",
    ]


def _file_name(number: int, company: str) -> str:
    return f"{number:05d}-{company.lower().replace(' ', '-')}.txt"


def write_fact_corpus(folder: Path, count: int, seed: int = 7) -> list[PlantedFact]:
    """``count`` briefs (title + 3-5 sentences, one planted fact) in ``folder``."""
    rng = random.Random(seed)
    names = _Names(rng)
    templates = _planted_templates(rng, names)
    folder.mkdir(parents=True, exist_ok=True)
    facts = []
    for number in range(count):
        company = names.company()
        sentence, question, answer = templates[number % len(templates)](company)
        fillers = rng.sample(_fillers(rng, names, company), rng.randrange(2, 5))
        body = [sentence, *fillers]
        rng.shuffle(body)
        name = _file_name(number, company)
        (folder / name).write_text(f"{company} in the news\n\n{' '.join(body)}\n", "utf-8")
        facts.append(PlantedFact(name, question, answer))
    return facts


def write_articles(folder: Path, count: int, seed: int = 11) -> int:
    """``count`` article-like documents (title, byline, 5 sections of 3-5 paragraphs, about
    the bundled article's length); their total length in characters."""
    rng = random.Random(seed)
    names = _Names(rng)
    templates = _planted_templates(rng, names)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for number in range(count):
        company = names.company()
        lines = [f"{company} reshapes its business", f"By {names.person()}", ""]
        for heading in _SECTIONS:
            lines += [heading, ""]
            for _ in range(rng.randrange(3, 6)):
                other = names.company()
                sentences = _fillers(rng, names, other) + [rng.choice(templates)(other)[0]]
                rng.shuffle(sentences)
                lines += [" ".join(sentences[: rng.randrange(3, 6)]), ""]
        text = "\n".join(lines)
        (folder / _file_name(number, company)).write_text(text, "utf-8")
        total += len(text)
    return total

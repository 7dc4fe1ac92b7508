"""A figure asked for one reporting period is not answered by another period's."""

import re

from rag.reader.answer_types import has_type
from rag.reader.periods import clauses, fits_period, periods

LOSSES = (
    "According to the report, Kuaidog Taxi had a loss of 643 million yuan in the first half "
    "of the year, and Xiaopeng Motors had a net loss of 3.89 billion yuan in the third quarter."
)


def test_periods_are_named_many_ways() -> None:
    assert periods("in the third quarter of 2023") == {"q3", "2023"}
    assert periods("Q3 and H1") == {"q3", "h1"}
    assert periods("the first-half loss") == {"h1"}
    assert periods("a loss of 643 million yuan") == set()
    assert len(clauses(LOSSES)) == 2


def test_a_figure_must_be_the_asked_periods_and_companys() -> None:
    ask = "How much did {} lose in the {}?"
    assert has_type(LOSSES, "money", asked=ask.format("Kuaidog", "first half"))
    assert has_type(LOSSES, "money", asked=ask.format("Xiaopeng Motors", "third quarter"))
    # The third-quarter figure is Xiaopeng's; Kuaidog's is for the first half only.
    assert not has_type(LOSSES, "money", asked=ask.format("Kuaidog", "third quarter"))
    assert not has_type(LOSSES, "money", asked=ask.format("Xiaopeng Motors", "second quarter"))
    # Another spelling of the name is not found, so any clause of the period fits.
    assert has_type(LOSSES, "money", asked="How much did Xpeng lose in Q3?")
    assert has_type(LOSSES, "money", asked="How much did Kuaidog lose?")


def test_a_clause_without_a_period_fits_any() -> None:
    figure = re.compile(r"\d+ million")
    assert fits_period("It lost 5 million.", "What did it lose in Q2?", figure)

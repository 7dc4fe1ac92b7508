"""Questions about a whole article ("What is this article about?") on articles of
other shapes than the bundled one: markdown with front matter, several articles."""

from pathlib import Path

import pytest

from rag import Assistant
from rag.model_sources import model_sources

from conftest import assistant_over

ACME = """---
date: 2024-03-03
---
# Acme Robotics cuts 200 jobs

*Shares fell 8% after the announcement.*

By Jane Doe
Published: March 3, 2024

Acme Robotics will cut 200 jobs at its Ohio plant. The company blamed weak demand.
Reyes, nicknamed "the Closer," leads its sales team. "The Closer does not lose deals,"
a colleague said. The plant opened in 2011.
"""

HARBOR = """Harbor Bank replaces its finance chief
Author: Sam Lee

Harbor Bank named a new chief financial officer on Thursday. The new chief joins from
a rival lender. Profits at the bank fell last quarter.
"""


@pytest.fixture(scope="module")
def two_articles(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return assistant_over(tmp_path_factory.mktemp("two"), **{"acme.md": ACME, "harbor.txt": HARBOR})


def _quotes(answer) -> list[str]:  # noqa: ANN001
    return [c.quote for c in answer.citations]


def test_the_article_named_is_summarized_by_its_headline_and_lead(two_articles) -> None:  # noqa: ANN001
    answer = two_articles.ask("Summarize the Acme article")
    # Markup, front matter, the byline and the date line are not the story.
    assert _quotes(answer) == [
        "Acme Robotics cuts 200 jobs",
        "Shares fell 8% after the announcement.",
        "Acme Robotics will cut 200 jobs at its Ohio plant.",
        "The company blamed weak demand.",
    ]
    text = Path(two_articles.settings.seeds_dir, "acme.md").read_text("utf-8")
    assert all(text[c.start : c.end] == c.quote for c in answer.citations)
    harbor = two_articles.ask("What is the article about Harbor Bank about?")
    assert _quotes(harbor)[0] == "Harbor Bank replaces its finance chief"
    assert "Author: Sam Lee" not in harbor.text


def test_with_several_articles_and_no_word_saying_which_each_headline(two_articles) -> None:  # noqa: ANN001
    # Each article's headline and the line after it: a title alone summarizes little.
    answer = two_articles.ask("What is this article about?")
    assert _quotes(answer) == [
        "Acme Robotics cuts 200 jobs",
        "Shares fell 8% after the announcement.",
        "Harbor Bank replaces its finance chief",
        "Harbor Bank named a new chief financial officer on Thursday.",
    ]


def test_a_summary_of_a_detail_is_an_ordinary_question(two_articles) -> None:  # noqa: ANN001
    # "the article on the plant's opening" names what the opening is not about.
    answer = two_articles.ask("Summarize the article on when the plant opened")
    assert "The plant opened in 2011." in _quotes(answer)


def test_a_model_may_cite_any_sentence_of_the_opening(two_articles) -> None:  # noqa: ANN001
    # The opening is chosen by place: its sentences' closeness to "What is this article
    # about?" says nothing, and must not stop the model from citing the headline.
    evidence = two_articles._evidence("Summarize the Acme article", [], two_articles._opened)
    assert evidence.overview
    sources = model_sources(evidence, two_articles.reader, whole_passages=True, limit=5)
    assert sources.passages and sources.relevance is None


INTERVIEW = """The future of Widgets, an interview with Ann Park

Dec 15, 2021

Widgets has been voted the most loved toolkit. Ann Park talks about its plans.
Ann: We released version one in 2013, and version two ships next spring.
"""


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return assistant_over(tmp_path_factory.mktemp("dated"), **{"interview.txt": INTERVIEW})


def test_when_the_article_appeared_is_its_dateline(dated) -> None:  # noqa: ANN001
    # A bare date shares no word with the question and is far from it in meaning.
    for question in ("When was this published?", "When was this article written?"):
        answer = dated.ask(question)
        assert not answer.refused
        assert _quotes(answer) == ["Dec 15, 2021"]
        (citation,) = answer.citations
        assert INTERVIEW[citation.start : citation.end] == "Dec 15, 2021"
    # A date in the news is not the article's: "When was version one released?"
    assert "2013" in dated.ask("When was version one released?").text


def test_an_article_without_a_dateline_does_not_say_when_it_appeared(assistant) -> None:  # noqa: ANN001
    # The bundled article has credit lines but no date line.
    assert assistant.ask("When was this article published?").refused


def test_the_dateline_of_the_article_named(two_articles) -> None:  # noqa: ANN001
    # Its dateline line, not the front matter's date, which answers only when the body
    # gives none; the other article has no date line.
    answer = two_articles.ask("When was the Acme article published?")
    assert _quotes(answer) == ["Published: March 3, 2024"]


POST = """---
title: Harbor Bakery names a new chairman
author: "Ann Lee"
date: 2024-12-21
---

# Harbor Bakery names a new chairman

Harbor Bakery said on Monday that Mira Osei will become its chairman in March, succeeding
the founder, Tom Reyes.

Osei joined the bakery in 2015 as its head of finance. Reyes founded Harbor Bakery in 1988
with one shop in Portland.
"""


@pytest.fixture(scope="module")
def post(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return assistant_over(tmp_path_factory.mktemp("post"), **{"post.md": POST})


def test_front_matter_says_who_wrote_the_post_and_when(post) -> None:  # noqa: ANN001
    # A blog post's author and date are in its front matter only: the values are quoted
    # (without YAML's quotes), at their offsets in the file.
    for question, quote in (
        ("Who wrote this article?", "Ann Lee"),
        ("Who is the author?", "Ann Lee"),
        ("When was this article published?", "2024-12-21"),
    ):
        answer = post.ask(question)
        assert _quotes(answer) == [quote], question
        (citation,) = answer.citations
        assert POST[citation.start : citation.end] == quote
    assert "Who wrote this article?" in post.suggestions()


def test_a_person_called_by_surname_is_a_person(post) -> None:  # noqa: ANN001
    # "Reyes" is Tom Reyes, named in full before: the sentence says who founded it.
    answer = post.ask("Who founded Harbor Bakery?")
    assert _quotes(answer) == ["Reyes founded Harbor Bakery in 1988\nwith one shop in Portland."]
    assert answer.text.startswith("Reyes founded")  # a surname needs no "[Tom Reyes]" note


def test_toml_front_matter_with_an_iso_time(tmp_path: Path) -> None:
    text = (
        '+++\ntitle = "Acme cuts jobs"\nauthor = "Jane Doe"\ndate = 2024-03-01T10:00:00Z\n+++\n'
        "# Acme cuts jobs\n\nAcme Robotics will cut 200 jobs at its Ohio plant.\n"
    )
    acme = assistant_over(tmp_path, **{"acme.md": text})
    assert _quotes(acme.ask("When was this article published?")) == ["2024-03-01T10:00:00Z"]
    answer = acme.ask("Who wrote this article?")
    assert _quotes(answer) == ["Jane Doe"] and answer.short == "Jane Doe"

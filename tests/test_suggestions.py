"""The questions the page offers before any is asked: made from the article, and each
one answered, also after other questions."""

from pathlib import Path

from rag.suggestions import AUTHOR, DATE, SUMMARY

from conftest import assistant_over

# No byline, no dateline: nothing to offer about who wrote it or when.
UNSIGNED = """Harbor Bakery names a new chairman

Harbor Bakery said on Monday that Mira Osei will become its chairman in March. Osei ran
the bakery's export business for a decade. The founder, Tom Reyes, retires after 31
years. Whether Harbor will open more shops, Osei did not say.
"""


def test_the_seed_article_suggests_its_summary_its_main_person_and_its_author(
    assistant,  # noqa: ANN001
) -> None:
    offered = assistant.suggestions()
    assert offered[:3] == [SUMMARY, "Who is Daniel Zhang?", AUTHOR]
    history: list[dict[str, str]] = []
    # A conversation first: a suggestion is still answered as itself, not as a follow-up.
    for question in ["Who is Joe Tsai?", "and what did he take over?", *offered]:
        answer = assistant.chat(question, history)
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.text},
        ]
        if question in offered:
            assert not answer.refused, question
            assert answer.text == assistant.ask(question).text, question
    assert "Daniel Zhang" in assistant.ask("Who is Daniel Zhang?").citations[0].quote


def test_an_unsigned_article_offers_no_author_and_no_sentence_starter_as_a_name(
    tmp_path: Path,
) -> None:
    bakery = assistant_over(tmp_path, **{"harbor.txt": UNSIGNED})
    offered = bakery.suggestions()
    # Osei is named in full, then by surname: the article's main person. "Whether
    # Harbor" starts a sentence; "Tom Reyes" is never called "Reyes" alone.
    assert offered == [SUMMARY, "Who is Mira Osei?"]
    assert AUTHOR not in offered and DATE not in offered
    assert all(not bakery.ask(question).refused for question in offered)


def test_suggestions_fit_the_articles_asked(tmp_path: Path) -> None:
    acme = (
        "---\nauthor: Jane Doe\n---\n# Acme Robotics cuts 200 jobs\n\nAcme Robotics will cut"
        " 200 jobs at its Ohio plant, its chief, Ann Park, said. Park blamed weak demand.\n"
    )
    both = assistant_over(tmp_path, **{"harbor.txt": UNSIGNED, "acme.md": acme})
    # Only Acme is signed: "Who wrote this article?" is offered for it, not for Harbor.
    assert both.suggestions(["harbor.txt"]) == [SUMMARY, "Who is Mira Osei?"]
    assert both.suggestions(["acme.md"]) == [SUMMARY, "Who is Ann Park?", AUTHOR]
    assert both.ask(AUTHOR, sources=["acme.md"]).citations[0].quote == "Jane Doe"

"""Acronyms a reader types for names the article spells out."""

from rag.reader.acronyms import acronym_table, expand_acronyms, vocabulary

TEXT = (
    "On December 15th, US Securities and Exchange Commission filings showed a sale.\n"
    "An employee told Wall Street Journal it was fine. In June, Joe Tsai spoke."
)


def test_names_give_their_initials() -> None:
    table = acronym_table([TEXT])
    assert table["WSJ"] == "Wall Street Journal"
    assert table["SEC"] == "Securities and Exchange Commission"  # the tail of a longer name
    assert table["USEC"] == "US Securities and Exchange Commission"
    assert "OD" not in table  # "On December" opens a sentence, it is not a name
    assert "JSJ" not in table  # names do not run across sentences


def test_only_words_the_article_never_uses_are_expanded() -> None:
    table, known = acronym_table([TEXT]), vocabulary([TEXT])
    assert expand_acronyms("What did the WSJ say?", table, known) == (
        "What did the Wall Street Journal say?"
    )
    assert expand_acronyms("what did the wsj say?", table, known) == (
        "what did the Wall Street Journal say?"
    )
    assert expand_acronyms("Who is JT?", table, known) == "Who is Joe Tsai?"
    # Two lower-case letters are a word, not an acronym; a word the article uses stays.
    assert expand_acronyms("Is it in the US?", table, known) == "Is it in the US?"
    assert expand_acronyms("jt", table, known) == "jt"

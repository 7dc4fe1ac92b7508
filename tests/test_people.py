"""Finding people by the shape of their names, and who "he" or "she" stands for."""

from rag.chunking import Chunk
from rag.reader.people import (
    MAX_ANTECEDENT_DISTANCE,
    Antecedent,
    antecedents,
    entity_names,
    person_names,
    resolve_pronouns,
)
from rag.reader.references import PronounReferences, say_who


def test_person_names_are_capitalised_runs_that_are_not_organisations() -> None:
    text = "In June, Joe Tsai met Daniel Zhang at Alibaba Holding Group in Hangzhou."
    assert person_names(text) == ["Joe Tsai", "Daniel Zhang"]
    assert person_names("The Capital Management Committee was set up in September.") == []
    # A middle initial does not break a name.
    assert person_names("It hired Mary K. O'Neil as CTO.") == ["Mary O'Neil"]


def test_entities_include_companies_but_not_generic_capitals() -> None:
    assert entity_names("Taotian has trained a model.") == ["Taotian"]
    found = entity_names("Moreover, Pinduoduo's value surpassed Alibaba.")
    assert found == ["Pinduoduo", "Alibaba"]
    assert entity_names("Facing competition, it set up a board.") == []
    assert entity_names("It reports to the Group's Board of Directors.") == []
    # A title inside a run parts the organisation from the person; before a name it goes.
    assert person_names("Then Alibaba Chairman Joe Tsai spoke.") == ["Joe Tsai"]
    assert entity_names("Then Alibaba Chairman Joe Tsai spoke.") == ["Alibaba", "Joe Tsai"]
    assert person_names("Then Chairman Joe Tsai spoke.") == ["Joe Tsai"]
    assert person_names("Then Alibaba Chairman and CEO Daniel Zhang spoke.") == ["Daniel Zhang"]
    # The employer before a title is no person for a "he" to stand for.
    assert antecedents(["Ant Financial Chairman Eric Jing spoke.", "He said it grew."])[1] == (
        Antecedent(0, 2, "Eric Jing")
    )
    # A plural job title is not a name ("Which companies ...?" counts names).
    assert entity_names("Wu Yongming is one of the busiest CEOs in its history.") == ["Wu Yongming"]


def test_a_pronoun_is_read_as_the_subject_named_before() -> None:
    sentences = [
        'Daniel Zhang, nicknamed "Mother Zhang," is a partner of Jack Ma.',
        "Internally, he is known for being low-key.",
        "His team grew.",
    ]
    assert resolve_pronouns(sentences) == [
        sentences[0],
        "Internally, Daniel Zhang is known for being low-key.",
        "Daniel Zhang's team grew.",
    ]


def test_sentences_that_name_someone_or_have_no_antecedent_are_kept() -> None:
    assert resolve_pronouns(["He spoke first.", "Joe Tsai agreed with him."]) == [
        "He spoke first.",
        "Joe Tsai agreed with him.",
    ]
    far = ["Joe Tsai spoke.", *["The market fell."] * MAX_ANTECEDENT_DISTANCE, "He left."]
    assert resolve_pronouns(far)[-1] == "He left."


def test_references_say_who_a_chunk_sentences_he_is() -> None:
    text = "Joe Tsai spoke. In June, he left. Sales fell."
    chunk = Chunk("a.txt", 0, len(text), text, "", ((0, 15), (16, 33), (34, 45)))
    references = PronounReferences([chunk])
    who = references.who(("a.txt", 16, 33))
    assert who == Antecedent(9, 11, "Joe Tsai")
    assert say_who("In June, he left.", who) == "In June, he [Joe Tsai] left."
    assert references.who(("a.txt", 34, 45)) is None
    assert references.who(("b.txt", 0, 5)) is None

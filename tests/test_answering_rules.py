"""The rules the extractive answerer is built from, on small examples."""

from dataclasses import replace

import numpy as np
import pytest

from rag.followup import leans_on_history, standalone_question
from rag.reader.abstention import judge
from rag.reader.answer_types import counted_noun, counts, expected_type, has_type, new_names
from rag.reader.choice import choose_sentences, continues, leaning_pronoun, leans_back, opens_quote
from rag.reader.focus import focus_word, mentions
from rag.reader.overview import asks_overview, opening
from rag.reader.people import Antecedent
from rag.reader.scoring import Candidate, Question, SentenceScorer
from rag.terms import TermWeights, content_terms


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When did Alibaba drop the spin-off?", "date"),
        ("In which month did it start?", "date"),
        ("List the jobs he took, month by month.", "date"),
        ("Give me a timeline of the sale.", "date"),
        ("How much did Kuaidog lose?", "money"),
        ("How much did Alibaba receive for the stake?", "money"),
        ("What was its market capitalization that day?", "money"),
        ("How big a stake in the firm did it sell?", "stake"),
        ("What size is its remaining holding?", "stake"),
        ("What revenue did it report?", "money"),
        ("What was Xiaopeng Motors' net loss in the second quarter?", "money"),
        ("Why did it post a net loss?", "reason"),
        ("Which company's market value overtook Alibaba's?", "person"),
        ("Which companies is Daniel Zhang now CEO of?", "names"),
        ("Which three firms does he run?", "names"),
        ("Of which organizations is he the chief executive?", "names"),
        ("Which of its units was sold?", None),  # one of them, not a list
        ("How many teams work on AI?", "count"),
        ("How many days after it passed Alibaba's market value did it happen?", "count"),
        ("How long after the merger did it happen?", "duration"),
        ("How old is he?", "age"),
        ("What number CEO of the company is he?", "ordinal"),
        ("What number of shares did it sell?", "count"),
        ("which number ceo is zhang", "ordinal"),
        ("Which number of shares did it sell?", "count"),
        ("What number did he give for its investments?", "count"),
        ("What percentage stake does it hold?", "percent"),
        ("How much revenue did it make?", "money"),
        ("How fast is revenue growing?", None),  # a rate, not an amount of money
        ("Who wrote this piece?", "author"),
        ("In the March shake-up, who came back to run it?", "person"),
        ("According to the staffer, why is it better?", "reason"),
        ("What body did he create, and who runs it?", None),
        ("Who is Alibaba CFO?", "person"),
        ("Who overtook Alibaba in market value?", "person"),
        ("Did the transfer change how many shares it holds?", None),
        ("Why did Alibaba sell?", "reason"),
        ("And what was the reason for the sale?", "reason"),
        ("What did Alibaba sell?", None),
        ("Who wrote this article about the reshuffle?", "author"),
        ("And who edited it?", "editor"),
        ("Who is the author?", "author"),
        ("By whom was this piece edited?", "editor"),
        # About the news the article reports, not the article.
        ("Who wrote the letter?", "person"),
        ("Who wrote this letter?", "person"),
        ("Who wrote the internal letter about it?", "person"),
        ("Who is the editor of Caixin?", "person"),
        ("Who edited the memo, and did it leak?", "person"),
    ],
)
def test_expected_answer_kind(question: str, kind: str | None) -> None:
    assert expected_type(question) == kind


def test_sentences_with_the_wanted_kind() -> None:
    assert has_type("On December 20th, it was announced.", "date")
    assert not has_type("It will happen in the future.", "date")
    assert has_type("A loss of 643 million yuan.", "money")
    assert not has_type("It sold 25 million shares.", "money")
    assert has_type("About 20 teams worked on it.", "count", counted="teams")
    assert not has_type("It exited 8 listed companies.", "count", counted="jobs")
    assert counted_noun("At the peak, how many teams inside Taotian were there?") == "teams"
    assert counts("It sold 25 million shares of X.", "shares")

    # A word close in meaning counts; a longer word built on the counted one does not.
    def close(found: list[str], target: str) -> bool:  # as the embedding would say
        return bool({"staff", "shares"} & set(found))

    assert counts("It hired 300 staff.", "employees", close)
    assert not counts("It sold 25 million shares.", "shareholders", close)
    assert has_type("As the fourth-generation CEO, he leads.", "ordinal")
    assert not has_type("On December 20th, he became CEO.", "ordinal")
    assert has_type("It holds a 5% stake.", "stake")
    assert has_type("It plans to sell 25 million shares of the firm.", "stake")
    assert not has_type("It sold shares worth 2.6 billion dollars.", "stake")
    assert not has_type("It has cut its holdings in both firms.", "stake")
    assert has_type("It sold because the unit lost money.", "reason")
    assert not has_type("It sold the unit in June.", "reason")


def test_the_article_s_credits_answer_who_wrote_it() -> None:
    assert has_type("Author: Liu Baodan", "author")
    assert has_type("By Jane Doe", "author")
    assert not has_type("Editor: Zhang Xiaoling", "author")
    assert not has_type("Liu Baodan wrote about the reshuffle.", "author")
    assert not has_type("By December, it had sold its stake.", "author")
    weights = TermWeights(["the reshuffle", "author"])
    asked = "Who wrote this article about the reshuffle?"
    question = Question(asked, ("wrote", "reshuffl"), np.zeros(3), "author")
    title = _candidate("Alibaba's management undergoes a reshuffle.", 0, 0.8)
    credit = _candidate("Author: Liu Baodan", 50, 0.1, typed=True)
    # However far the credit line is from the question, it answers ...
    assert choose_sentences(question, [title, credit], weights).sentences == (credit,)
    assert judge(question, (credit,), weights).answer
    # ... and without one the question is a "who" like any other: no name, no answer.
    chosen = choose_sentences(question, [title], weights)
    assert chosen.sentences == (title,) and not judge(question, chosen.sentences, weights).answer


@pytest.mark.parametrize(
    ("question", "overview"),
    [
        ("What is this article about?", True),
        ("what's the story about", True),
        ("Can you summarize this piece for me?", True),
        ("TL;DR?", True),
        ("What are the key takeaways?", True),
        ("Give me a summary, please", True),
        ("Summarize this article about Alibaba's reshuffle", True),
        ("What does the article say?", True),
        ("What is the article mainly about?", True),
        ("Give me a quick summary", True),
        ("tldr", True),
        # About the news, not the article: answered like any other question.
        ("Summarize what Jack Ma said about AI", False),
        ("What is the main point of the letter?", False),
        ("What was the reshuffle about?", False),
        ("What does Jack Ma say?", False),
        ("In short, who runs Alibaba?", False),
        ("Who wrote this article about Alibaba?", False),
        ("What is the report about Kuaidi?", False),  # a report the article reports
        ("Summarize the article about Alibaba, and who runs Taotian?", False),
    ],
)
def test_questions_about_the_whole_article(question: str, overview: bool) -> None:
    assert (asks_overview(question) is not None) == overview


def test_an_overview_is_the_headline_and_lead_without_credits() -> None:
    lines = ["Title", "A subtitle.", "Author: A", "By Jane Doe", "First.", "Second.", "Third."]
    assert opening(enumerate(lines)) == [0, 1, 4, 5]


def test_who_questions_want_someone_the_question_does_not_name() -> None:
    asked = "Who runs the committee with Zhang?"
    assert new_names("In June, Joe Tsai and Daniel Zhang joined Taotian Group.", asked) == [
        "Joe Tsai"
    ]
    assert not has_type("The Capital Management Committee was founded.", "person", asked=asked)
    # A "who" question that is not about a role may be answered by a company.
    overtook = "Who overtook Alibaba in market value?"
    assert has_type("Pinduoduo's value surpassed Alibaba.", "person", asked=overtook)
    assert not has_type("Pinduoduo's value surpassed Alibaba.", "person", asked=asked)
    # A question for companies wants companies, even with a job title in it ...
    ceo_of = "Which company is Daniel Zhang CEO of?"
    assert has_type("Zhang is CEO of Alibaba Holding Group.", "person", asked=ceo_of)
    # ... and one for several wants a list: two names or more the question does not give.
    ceo_of = "Which companies is Daniel Zhang CEO of?"
    assert has_type("Zhang is CEO of Alibaba and Taotian Group.", "names", asked=ceo_of)
    assert not has_type("In June, Daniel Zhang became CEO of Alibaba.", "names", asked=ceo_of)
    # A pronoun stands for someone the sentence before names.
    assert has_type("In September, he took over the unit.", "person", asked=asked)


def test_a_who_question_is_refused_when_the_evidence_names_nobody_new() -> None:
    weights = TermWeights(["the committee was founded", "Joe Tsai chairs it"])
    question = Question("Who chairs the committee?", ("chair", "committe"), np.zeros(3), "person")
    founded = _candidate("The Capital Management Committee was founded.", 0, 0.8)
    chaired = _candidate("The committee is chaired by Joe Tsai.", 50, 0.8)
    assert not judge(question, (founded,), weights).answer
    assert judge(question, (founded, chaired), weights).answer


def test_the_person_a_questions_him_stands_for_is_not_an_answer() -> None:
    weights = TermWeights(["he took over the cloud", "Joe Tsai ran it"])
    question = Question(
        "Who ran the cloud before he took it over?", ("ran", "cloud"), np.zeros(3), "person"
    )
    named = _candidate("In June, Daniel Zhang joined.", 0, 0.8)
    took = _candidate("In September, he took over the cloud.", 40, 0.8)
    assert not judge(question, (named, took), weights).answer
    earlier = _candidate("Before that, Joe Tsai ran the cloud.", 80, 0.8)
    assert judge(question, (named, took, earlier), weights).answer


def test_focus_of_attribute_questions() -> None:
    assert focus_word("Who is Alibaba's chief financial officer?") == "officer"
    assert focus_word("What's the name of the model?") == "name"
    assert focus_word("How much revenue did it post?") == "revenue"
    assert focus_word("What position does Joe Tsai hold at Alibaba?") == "position"
    assert focus_word("What is Taotian's business strategy going forward?") == "strategy"
    assert focus_word("Why did it sell?") is None
    # The owner or the attribute is a short phrase, not a clause.
    assert focus_word("What is the unit that took over some of Alibaba's stakes?") is None
    assert focus_word("What is the new unit that took over some of the stakes?") is None
    assert focus_word("What are the priorities for Alibaba's next ten years?") is None
    # Keywords ask for their last word when it is an attribute.
    assert focus_word("kuaidog taxi loss?") == "loss"
    assert focus_word("Dai Shan title") == "title"
    assert focus_word("Kuaidi Dache sale?") is None
    assert focus_word("how big was the loss?") is None
    never = lambda words, target: False  # noqa: E731
    assert mentions("Dai Shan, the CEO of X, moves.", "title", never)
    assert not mentions("The committee was founded.", "officer", never)
    assert mentions("A loss of 5 million yuan.", "money", never)
    assert mentions("The stakes came to $67 billion.", "worth", never)
    # A name is given by a name the question does not hold, not by the word "name".
    asked = "What is the name of the new entity that got Alibaba's stakes?"
    assert mentions("Alibaba moved them to a new entity, Hangzhou Haoyue.", "name", never, asked)
    assert not mentions("Alibaba moved them to a new entity.", "name", never, asked)


def test_follow_ups_are_made_standalone() -> None:
    history = [
        {"role": "user", "content": "How many AI teams are there?"},
        {"role": "assistant", "content": "Four teams. [1]"},
    ]
    assert leans_on_history("And what does each of them cover?")
    assert not leans_on_history("Who wrote the article?")
    # A question that names nothing is about the conversation.
    assert leans_on_history("Why?") and leans_on_history("And since when?")
    assert standalone_question("Why?", history) == "How many AI teams are there? Why?"
    assert standalone_question("Which ones?", history) == "How many AI teams are there? Which ones?"
    assert standalone_question("Who wrote it?", []) == "Who wrote it?"


def test_pronoun_sentences_need_their_predecessor() -> None:
    assert leans_back("She will assist the group.")
    assert leans_back("In December, he took on the role.")
    assert leans_back("The common point between them is that both lose money.")
    assert leans_back("The reasons for this are not only the chip rules.")
    assert not leans_back("Dai Shan will move to the group.")
    assert not leans_back("The sale of its stake in Kuaidi is done.")


WEIGHTS = TermWeights(["teams work on AI", "four teams cover shops", "shares sold", "fund"])


def _candidate(
    text: str, start: int, similarity: float, typed: bool = False, reading: float | None = None
) -> Candidate:
    """A sentence the model read as likely to answer as it is close (unless told)."""
    return Candidate(
        "a.txt",
        start,
        start + len(text),
        text,
        "",
        similarity,
        0.0,
        typed,
        frozenset(content_terms(text)),
        reading=similarity if reading is None else reading,
    )


def test_the_sentence_the_model_reads_as_answering_best_answers() -> None:
    question = Question("How many teams?", ("team",), np.zeros(3), "count", "teams")
    counted = _candidate("Four teams cover shops.", 50, 0.6, typed=True, reading=0.9)
    closer = _candidate("Teams work on AI.", 0, 0.7, reading=0.2)
    unread = replace(_candidate("Teams are many.", 90, 0.9), reading=None)
    chosen = choose_sentences(question, [closer, counted, unread], WEIGHTS)
    assert [c.text for c in chosen.sentences] == ["Four teams cover shops."]
    assert choose_sentences(question, [unread], WEIGHTS).reason == "nothing was retrieved"

    # A runner-up read nearly as well joins when it covers more of the question; one
    # that adds nothing, or is far behind, does not.
    both = Question("Teams for shops and search?", ("team", "shop", "search"), np.zeros(3), None)
    search = _candidate("A search team works on AI.", 0, 0.7, reading=0.7)
    chosen = choose_sentences(both, [search, counted], WEIGHTS)
    assert [c.start for c in chosen.sentences] == [0, 50]
    assert [c.start for c in choose_sentences(both, [closer, counted], WEIGHTS).sentences] == [50]
    far = replace(search, reading=0.5)
    assert [c.start for c in choose_sentences(both, [far, counted], WEIGHTS).sentences] == [50]

    before = _candidate("Dai Shan moves to the group.", 0, 0.3, reading=0.1)
    after = _candidate("She will build an asset arm.", 30, 0.8, reading=0.9)
    plain = Question("What will she build?", ("build",), np.zeros(3), None)
    picked = choose_sentences(plain, [after, before], WEIGHTS, lambda c: before)
    assert [c.start for c in picked.sentences] == [0, 30]

    # When the answer can say who "she" is, it does so in brackets instead of quoting.
    known = replace(after, antecedent=Antecedent(0, 3, "Dai Shan"))
    picked = choose_sentences(plain, [known, before], WEIGHTS, lambda c: before)
    assert [c.start for c in picked.sentences] == [30]


def test_the_leaning_pronoun_is_found() -> None:
    assert leaning_pronoun("In June, he left.") == (9, 11)
    assert leaning_pronoun("Her team won.") == (0, 3)
    assert leaning_pronoun("This means his plan won.") is None  # leans on "This"
    assert leaning_pronoun("Dai Shan left.") is None


def test_sentences_that_carry_on_the_one_before() -> None:
    assert continues("However, future sales cannot be ruled out.")
    assert continues("She will assist the group.")
    assert continues('"The era has just begun."')
    assert not continues("Alibaba sold its stake.")
    assert opens_quote('He said: "We will sell.')
    assert opens_quote("He said: “We will sell.")
    assert not opens_quote('He said: "We will sell."')


def test_a_statement_over_two_sentences_is_answered_whole() -> None:
    question = Question("Did the shares change?", ("share",), np.zeros(3), None)
    first = _candidate("The shares have not changed.", 0, 0.8)
    however = _candidate("However, future sales cannot be ruled out.", 29, 0.2)
    unrelated = _candidate("A new fund was set up.", 73, 0.2)
    nexts = {first.key: however, however.key: unrelated}
    picked = choose_sentences(
        question, [first, however, unrelated], WEIGHTS, following=lambda c: nexts.get(c.key)
    )
    # The "However" sentence carries on the answer; the one after it does not carry on.
    assert [c.start for c in picked.sentences] == [0, 29]

    # A quotation is answered whole, to its closing mark, and no further.
    quote = _candidate('Tsai said: "Not all of it is core.', 0, 0.8)
    middle = _candidate("We have many assets.", 35, 0.1)
    more = _candidate("Some are worth more than others.", 56, 0.1)
    last = _candidate('We are weighing new ways to return value."', 89, 0.1)
    after = _candidate("Shares rose.", 132, 0.1)
    chain = [quote, middle, more, last, after]
    nexts = {a.key: b for a, b in zip(chain, chain[1:], strict=False)}
    picked = choose_sentences(question, chain, WEIGHTS, following=lambda c: nexts.get(c.key))
    assert [c.start for c in picked.sentences] == [0, 35, 56, 89]


def test_only_the_best_sentence_brings_its_continuation() -> None:
    question = Question("Shares sold and fund set up?", ("share", "fund"), np.zeros(3), None)
    best = _candidate("The shares were sold.", 0, 0.8)
    best_next = _candidate("However, more may follow.", 22, 0.1)
    runner_up = _candidate("A fund was set up.", 100, 0.75)
    runner_up_next = _candidate("Moreover, it hired staff.", 119, 0.1)
    nexts = {best.key: best_next, runner_up.key: runner_up_next}
    picked = choose_sentences(
        question,
        [best, best_next, runner_up, runner_up_next],
        WEIGHTS,
        following=lambda c: nexts.get(c.key),
    )
    assert [c.start for c in picked.sentences] == [0, 22, 100]


def test_a_known_he_is_judged_by_whom_he_stands_for() -> None:
    # "he" is Daniel Zhang, whom the question names: the sentence names nobody new.
    scorer = SentenceScorer(TermWeights(["he took over the cloud"]), embed_model=None)
    question = Question.analyse("Who came back with Zhang?", [0.0, 0.0])
    sentence = ("a.txt", 0, 30, "In June, he took over the cloud.", "")
    zhang = Antecedent(9, 11, "Daniel Zhang")
    assert scorer.score(question, sentence, None).typed  # an unknown "he" may be anyone
    assert not scorer.score(question, sentence, None, zhang).typed
    assert scorer.score(question, sentence, None, Antecedent(9, 11, "Joe Tsai")).typed


def test_the_model_s_doubt_refuses() -> None:
    from rag.reader.abstention import MIN_READING

    weights = TermWeights(["the round was led by TQ Ventures"])
    question = Question("Who led the round?", ("led", "round"), np.zeros(3), None)
    sure = _candidate("The round was led by TQ Ventures.", 0, 0.8, reading=0.9)
    assert judge(question, (sure,), weights).answer
    doubtful = replace(sure, reading=MIN_READING / 2)
    verdict = judge(question, (doubtful,), weights)
    assert not verdict.answer and verdict.reading == MIN_READING / 2
    # A sentence the model did not read is judged by the other checks alone.
    assert judge(question, (replace(sure, reading=None),), weights).answer

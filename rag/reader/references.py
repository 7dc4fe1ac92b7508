"""Who a retrieved sentence's "he" or "she" stands for, so an answer can say so.

"In September, he took over as CEO of Alibaba Cloud." answers "Who runs Alibaba
Cloud?" only with who "he" is. Quoting the sentences before it says so at the cost
of citations that answer nothing; an editorial note in brackets ("he [Daniel
Zhang]") says it in two words, and the quote stays verbatim. Resolved per source on
first use, over the source's sentences in reading order (the index resolves the same
way for its second reading of each sentence).
"""

from collections.abc import Callable

from rag.chunking import Chunk, sentences_by_source
from rag.reader.people import Antecedent, antecedents, surnames

SentenceKey = tuple[str, int, int]
Finder = Callable[[list[str]], list[Antecedent | None]]


class PronounReferences:
    """The antecedents of the sentences of one corpus's chunks."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._sentences = sentences_by_source(chunks)
        # Per way of finding (pronouns, surnames) and source: each sentence's antecedent.
        self._resolved: dict[tuple[Finder, str], dict[SentenceKey, Antecedent]] = {}

    def who(self, key: SentenceKey) -> Antecedent | None:
        """Who the sentence at ``key``'s first personal pronoun stands for, if anyone."""
        return self._found(antecedents, key)

    def surname(self, key: SentenceKey) -> Antecedent | None:
        """Whom a surname in the sentence at ``key`` stands for ("Reyes": "Tom Reyes"), when
        the article named them in full before."""
        return self._found(surnames, key)

    def _found(self, find: Finder, key: SentenceKey) -> Antecedent | None:
        source = key[0]
        if (find, source) not in self._resolved:
            ordered = self._sentences.get(source, [])
            found = find([text for _, _, text in ordered])
            self._resolved[find, source] = {
                (source, start, end): who
                for (start, end, _), who in zip(ordered, found, strict=True)
                if who is not None
            }
        return self._resolved[find, source].get(key)


def say_who(text: str, who: Antecedent) -> str:
    """``text`` with the name in brackets after the pronoun it stands for (as it is, when
    it says a surname: "Reyes" needs no note).

    >>> say_who("In June, he left.", Antecedent(9, 11, "Joe Tsai"))
    'In June, he [Joe Tsai] left.'
    >>> say_who("Tsai left.", Antecedent(0, 4, "Joe Tsai"))
    'Tsai left.'
    """
    if who.name.endswith(" " + text[who.start : who.end]):
        return text
    return f"{text[: who.end]} [{who.name}]{text[who.end :]}"

"""The exceptions ``rag`` raises for expected failures.

Every one carries a message that says how to fix it; the CLI prints it as a
single ``Error: ...`` line with exit status 1.

    RagError
    ├── QuestionError      the question is empty, too long or not text
    ├── SourceError        seeds/ is missing, empty, or holds an unreadable article
    │   └── UnknownArticleError   a question asked of an article seeds/ does not hold
    │                             (a QuestionError too: the asker named it)
    ├── IndexStoreError    the index folder is not a usable Chroma store
    ├── GoldSetError       a gold question file is malformed
    └── LLMError           the language model failed (server down, timeout, 401, 429, 5xx,
                           a broken stream) or is not installed
"""


class RagError(Exception):
    """Base class of every expected failure."""


class QuestionError(RagError):
    """The question cannot be answered as given."""


class SourceError(RagError):
    """The source articles cannot be loaded."""


class UnknownArticleError(SourceError, QuestionError):
    """A question or command names an article that is not in seeds/."""


class IndexStoreError(RagError):
    """The vector index cannot be opened or written."""


class GoldSetError(RagError):
    """A gold question set file is malformed."""


class LLMError(RagError):
    """The language model could not answer."""

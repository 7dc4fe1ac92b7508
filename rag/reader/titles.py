"""Job titles ("Chairman", "CEO"): one list for every rule that meets them.

A title names a role, not a person or a company. "Who is the CEO?" asks for a
person; "Chairman and CEO of Alibaba Cloud" says what someone is; inside a
capitalised run ("Alibaba Chairman Joe Tsai") a title parts the employer from
the person; and a run of titles alone ("Chief Executive") names nobody.
"""

import re

TITLE_WORDS = frozenset(
    """ceo cfo coo cto chairman chairwoman chairperson chair president director officer
    head chief founder partner executive manager secretary minister editor author leader""".split()
)
# The titles as one regex alternation, for patterns that put a title in context.
TITLE_ALTERNATION = "|".join(sorted(TITLE_WORDS))
JOB_TITLES = re.compile(rf"\b({TITLE_ALTERNATION})\b", re.I)

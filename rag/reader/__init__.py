"""The offline reader: from a question and retrieved sentences to a cited answer.

Its parts, in the order a question meets them:

- question analysis: ``questions`` (clean input), ``casing`` and ``acronyms`` (the
  article's own spelling of names), ``answer_types`` (the kind of answer wanted, and
  whether a sentence holds one) with its helpers ``credits``, ``identity``, ``periods``,
  ``roles``, ``speakers``, ``titles``, ``focus`` (the attribute asked about) and
  ``question_parts`` (a two-part question);
- sentence scoring: ``scoring`` (meaning, shared key terms, answer kind);
- discourse: ``discourse`` (headings and labels are context, not answers), ``people``
  and ``references`` (who "he" and "she" are);
- sentence choice: ``choice`` (the answer sentences and their neighbours);
- abstention: ``abstention`` (whether the chosen sentences answer at all);
- ``overview``: what the article is about, from its opening.

``rag.assistant`` runs them in that order after retrieval.
"""

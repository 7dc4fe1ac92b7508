"""The offline reader: from a question and retrieved sentences to a cited answer.

Its parts, in the order a question meets them:

- question analysis: ``questions`` (clean input), ``acronyms`` (the article's own
  spelling of names), ``answer_types`` (the kind of answer wanted, and whether a
  sentence holds one) with its helpers ``credits``, ``titles`` and ``focus`` (the
  attribute asked about);
- sentence scoring: ``scoring`` (meaning, shared key terms, answer kind: which
  sentences the model reads, and the passages' order), then the reader's model
  (``rag.encoders.reader``: does the sentence answer, and its short answer);
- discourse: ``people`` and ``references`` (who "he" and "she" are);
- sentence choice: ``choice`` (the sentences the model reads as answering, and their
  neighbours);
- abstention: ``abstention`` (the model's probability, and the checks that still earn
  their place);
- ``overview``: what the article is about, from its opening.

``rag.assistant`` runs them in that order after retrieval.
"""

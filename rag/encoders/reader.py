"""The reader's model on onnxruntime: does a sentence answer a question, and with what words?

A cross-encoder trained here (``train/``, see ``MODEL_CARD.md``) from the bundled
MiniLM on SQuAD 1.1 train: the question and one sentence are read together, and
two heads on the last layer give

- ``answers``: a logit, "this sentence answers the question" (calibrated by
  the product's abstention threshold, chosen on the eval suite);
- the short answer: the span of the sentence's tokens with the best start plus
  end logit, as character offsets into the sentence.

Only the trained layers and the heads ship (``reader.safetensors``, float16, a
delta over the bundled model's float32 weights); the graph is the embedder's
(``rag.encoders.graph``), so the two cannot drift apart.
"""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.embedding import bundled_model_path
from rag.encoders.graph import bert_encoder
from rag.encoders.minilm import length_batches
from rag.errors import RagError

WEIGHTS = Path(__file__).with_name("reader.safetensors")
# Word pieces of question and sentence together, in training too (train/train.py).
MAX_TOKENS = 160
# The longest short answer, in word pieces (SQuAD's answers: median 2 words, 99% <= 18).
MAX_SPAN_TOKENS = 24


@dataclass(frozen=True)
class Reading:
    """What the model read in one sentence: its answer logit and the short answer's
    character offsets in the sentence (None when the sentence was cut before it)."""

    logit: float
    span: tuple[int, int] | None

    @property
    def probability(self) -> float:
        return float(1.0 / (1.0 + np.exp(-self.logit)))


def best_span(start: np.ndarray, end: np.ndarray, allowed: np.ndarray) -> tuple[int, int] | None:
    """The (first, last) token with the highest start + end logit among ``allowed`` tokens,
    first <= last < first + MAX_SPAN_TOKENS.

    >>> best_span(np.array([0., 5., 1.]), np.array([0., 1., 4.]), np.array([False, True, True]))
    (1, 2)
    """
    positions = np.flatnonzero(allowed)
    if positions.size == 0:
        return None
    s, e = start[positions], end[positions]
    total = s[:, None] + e[None, :]
    gap = positions[None, :] - positions[:, None]
    total[(gap < 0) | (gap >= MAX_SPAN_TOKENS)] = -np.inf
    i, j = np.unravel_index(int(np.argmax(total)), total.shape)
    return int(positions[i]), int(positions[j])


def pair_tokenizer(folder: Path) -> Any:
    """The model's tokenizer for a question and a sentence, cut as the reader was trained
    (``train/train.py`` uses this one): [CLS] question [SEP] sentence [SEP], segment ids
    0 and 1, the longer of the two shortened first past MAX_TOKENS, no padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")
    tokenizer.no_padding()
    return tokenizer


class SentenceReader:
    """The trained reader over the bundled MiniLM, on onnxruntime."""

    def __init__(self, folder: Path, weights: Path = WEIGHTS, threads: int = 0) -> None:
        import onnxruntime
        from safetensors.numpy import load_file

        if not weights.exists():
            raise RagError(f"the reader's model is missing: {weights} (reinstall the package)")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        model, external = bert_encoder(folder, reader=load_file(str(weights)))
        options.add_external_initializers(
            list(external), [onnxruntime.OrtValue.ortvalue_from_numpy(w) for w in external.values()]
        )
        self._session = onnxruntime.InferenceSession(
            model, options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = pair_tokenizer(folder)

    def read(self, question: str, sentences: Sequence[str]) -> list[Reading]:
        """One reading per sentence, in order."""
        if not sentences:
            return []
        encodings = self._tokenizer.encode_batch([(question, s) for s in sentences])
        lengths = [len(e.ids) for e in encodings]
        out: list[Reading | None] = [None] * len(sentences)
        for batch in length_batches(lengths):
            width = max(lengths[i] for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            types = np.zeros_like(ids)
            mask = np.zeros_like(ids)
            for row, i in enumerate(batch):
                n = lengths[i]
                ids[row, :n] = encodings[i].ids
                types[row, :n] = encodings[i].type_ids
                mask[row, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            logits, spans = self._session.run(["answers", "span"], feed)
            for row, i in enumerate(batch):
                n = lengths[i]
                # The sentence's tokens, not its closing [SEP].
                allowed = (types[row, :n] == 1) & (np.arange(n) < n - 1)
                found = best_span(spans[row, :n, 0], spans[row, :n, 1], allowed)
                span = None
                if found is not None:
                    offsets = encodings[i].offsets
                    span = (offsets[found[0]][0], offsets[found[1]][1])
                out[i] = Reading(float(logits[row, 0]), span)
        return [r for r in out if r is not None]


@lru_cache(maxsize=1)
def load_reader() -> SentenceReader:
    """The shipped reader, loaded once per process."""
    return SentenceReader(bundled_model_path())

"""The reader's model: the shipped file, onnxruntime against torch, and the training code.

The parity and training checks need torch (the ``peer`` extra, which ``make test``
installs); the product itself runs the weights on onnxruntime only.
"""

import hashlib
import random
from importlib.util import find_spec

import numpy as np
import pytest

from rag.embedding import bundled_model_path
from rag.encoders.reader import WEIGHTS, load_reader

needs_torch = pytest.mark.skipif(find_spec("torch") is None, reason="torch (peer extra) missing")


def _paragraph(context: str, asked: list[tuple[str, str]]) -> dict:
    """A SQuAD paragraph: each answer located in the context, as SQuAD gives it."""
    qas = [
        {"question": q, "answers": [{"text": a, "answer_start": context.index(a)}]}
        for q, a in asked
    ]
    return {"context": context, "qas": qas}


ARTICLE = {
    "title": "Harbour_Bridge",
    "paragraphs": [
        _paragraph(
            "The Harbour Bridge was opened in 1932 by the premier, Jack Lang. "
            "It carries rail, vehicular, bicycle and pedestrian traffic. "
            "The bridge was designed by John Bradfield and built by Dorman Long. "
            "Its arch spans 503 metres.",
            [
                ("When was the Harbour Bridge opened?", "1932"),
                ("Who designed the bridge?", "John Bradfield"),
                ("How long is the arch?", "503 metres"),
            ],
        ),
        _paragraph(
            "Tolls were charged to pay for the bridge until 1988. "
            "A tunnel beneath the harbour opened in 1992 to relieve traffic.",
            [("When did the harbour tunnel open?", "1992")],
        ),
    ],
}


def test_shipped_weights_are_the_model_card_s() -> None:
    card = WEIGHTS.with_name("MODEL_CARD.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(WEIGHTS.read_bytes()).hexdigest()
    assert digest in card
    assert WEIGHTS.stat().st_size <= 30 * 1024 * 1024


@pytest.mark.slow
def test_reader_prefers_the_answering_sentence_and_marks_the_answer() -> None:
    reader = load_reader()
    sentences = [
        "Tolls were charged to pay for the bridge until 1988.",
        "The bridge was designed by John Bradfield and built by Dorman Long.",
        "It carries rail, vehicular, bicycle and pedestrian traffic.",
    ]
    readings = reader.read("Who designed the bridge?", sentences)
    assert [r.logit for r in readings].index(max(r.logit for r in readings)) == 1
    start, end = readings[1].span
    assert "Bradfield" in sentences[1][start:end]
    assert reader.read("Who designed the bridge?", []) == []


@needs_torch
@pytest.mark.slow
def test_onnxruntime_reads_as_torch_does() -> None:
    import torch
    from safetensors.torch import load_file

    from train.model import load_bundled
    from train.train import collate, encode_pairs

    model = load_bundled(bundled_model_path(), seed=0)
    state = model.state_dict()
    names = {k: k for k in state}
    from train.model import bert_name

    shipped = load_file(str(WEIGHTS))
    for ours in names:
        theirs = bert_name(ours)
        if theirs in shipped:
            state[ours] = shipped[theirs].float()
    model.load_state_dict(state)
    model.eval()
    pairs = [
        ("Who designed the bridge?", "The bridge was designed by John Bradfield."),
        (
            "When did the tunnel open?",
            "A tunnel beneath the harbour opened in 1992 to relieve traffic.",
        ),
        ("What is it?", "Ünïcode, emoji 🚀 and a long sentence " * 8),
    ]
    data = encode_pairs(pairs, [None] * len(pairs))
    data["label"] = [0] * len(pairs)
    ids, types, mask, *_ = collate(data, list(range(len(pairs))))
    with torch.no_grad():
        logits, _, _ = model(ids, types, mask)
    ours = [r.logit for r in load_reader().read(pairs[0][0], [pairs[0][1]])]
    ours += [load_reader().read(q, [s])[0].logit for q, s in pairs[1:]]
    np.testing.assert_allclose(ours, logits.numpy(), atol=1e-3)


@needs_torch
@pytest.mark.slow
def test_training_steps_lower_the_loss() -> None:
    import torch

    from train.data import article_pairs
    from train.model import load_bundled
    from train.train import collate, encode_pairs, loss_of

    pairs = list(article_pairs(ARTICLE, random.Random(0)))
    assert {p.kind for p in pairs} >= {"positive", "paragraph", "article"}
    assert all(p.sentence[p.span[0] : p.span[1]] for p in pairs if p.span)
    data = encode_pairs([(p.question, p.sentence) for p in pairs], [p.span for p in pairs])
    data["label"] = [p.label for p in pairs]
    assert sum(s >= 0 for s in data["start"]) == 4  # every answer found in its sentence's tokens
    model = load_bundled(bundled_model_path(), seed=0)
    params = model.trained_parameters()
    optimizer = torch.optim.AdamW(params, lr=3e-4)
    batch = collate(data, list(range(len(pairs))))
    with torch.no_grad():
        before = float(loss_of(model, batch))
    for _ in range(8):
        loss = loss_of(model, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        after = float(loss_of(model, batch))
    assert after < 0.7 * before

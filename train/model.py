"""The reader's model in torch, for training: the bundled MiniLM read as a cross-encoder.

The forward pass is the one ``rag.encoders.graph`` writes for onnxruntime (same
weight names, the same -10,000 key mask, exact GELU), with segment embeddings so
the question and the sentence are told apart, and two heads on the last layer:

- ``answers``: a logit on the first token: does the sentence answer the question?
- ``span``: start and end logits per token: where in the sentence the short answer is.

Only the top ``TRAINED_LAYERS`` layers and the heads learn; the embeddings and
the layers below stay the bundled model's, so the product ships the trained
layers only (a delta over the weights it already has) and training needs no
gradients below them.
"""

import json
import math
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

TRAINED_LAYERS = 4


class Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, inner: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, inner)
        self.output = nn.Linear(inner, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor) -> torch.Tensor:
        b, n, h = x.shape
        d = h // self.heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, self.heads, d).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + key_bias
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, h)
        x = self.attention_norm(self.attention_out(context) + x)
        inner = nn.functional.gelu(self.intermediate(x))
        return self.output_norm(self.output(inner) + x)


class CrossEncoder(nn.Module):
    def __init__(self, config: dict) -> None:
        super().__init__()
        h, eps = config["hidden_size"], float(config["layer_norm_eps"])
        self.words = nn.Embedding(config["vocab_size"], h)
        self.positions = nn.Embedding(config["max_position_embeddings"], h)
        self.types = nn.Embedding(config["type_vocab_size"], h)
        self.embed_norm = nn.LayerNorm(h, eps=eps)
        self.layers = nn.ModuleList(
            Layer(h, config["num_attention_heads"], config["intermediate_size"], eps)
            for _ in range(config["num_hidden_layers"])
        )
        self.answers = nn.Linear(h, 1)
        self.span = nn.Linear(h, 2)

    def forward(
        self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Answer logit (batch), start and end logits (batch x length)."""
        frozen = len(self.layers) - TRAINED_LAYERS
        key_bias = ((1.0 - mask.float()) * -1e4)[:, None, None, :]
        with torch.no_grad():
            positions = torch.arange(ids.shape[1], device=ids.device)
            x = self.words(ids) + self.positions(positions)[None] + self.types(types)
            x = self.embed_norm(x)
            for layer in self.layers[:frozen]:
                x = layer(x, key_bias)
        for layer in self.layers[frozen:]:
            x = layer(x, key_bias)
        start, end = self.span(x).unbind(-1)
        return self.answers(x[:, 0]).squeeze(-1), start, end

    def trained_parameters(self) -> list[nn.Parameter]:
        frozen = len(self.layers) - TRAINED_LAYERS
        params = [p for layer in self.layers[frozen:] for p in layer.parameters()]
        return params + list(self.answers.parameters()) + list(self.span.parameters())


# Our names -> the checkpoint's (BERT's) names, per layer and for the embeddings.
LAYER_NAMES = {
    "query": "attention.self.query",
    "key": "attention.self.key",
    "value": "attention.self.value",
    "attention_out": "attention.output.dense",
    "attention_norm": "attention.output.LayerNorm",
    "intermediate": "intermediate.dense",
    "output": "output.dense",
    "output_norm": "output.LayerNorm",
}
EMBEDDING_NAMES = {
    "words": "embeddings.word_embeddings",
    "positions": "embeddings.position_embeddings",
    "types": "embeddings.token_type_embeddings",
    "embed_norm": "embeddings.LayerNorm",
}
HEAD_NAMES = {"answers": "reader.answers", "span": "reader.span"}


def bert_name(ours: str) -> str:
    """The checkpoint's name of one of our parameters.

    >>> bert_name("layers.3.attention_norm.weight")
    'encoder.layer.3.attention.output.LayerNorm.weight'
    >>> bert_name("answers.bias")
    'reader.answers.bias'
    """
    parts = ours.split(".")
    if parts[0] == "layers":
        return f"encoder.layer.{parts[1]}.{LAYER_NAMES[parts[2]]}.{parts[3]}"
    return f"{(EMBEDDING_NAMES | HEAD_NAMES)[parts[0]]}.{parts[1]}"


def load_bundled(folder: Path, seed: int) -> CrossEncoder:
    """The cross-encoder with the bundled MiniLM's weights and freshly drawn heads."""
    torch.manual_seed(seed)
    model = CrossEncoder(json.loads((folder / "config.json").read_text()))
    weights = load_file(str(folder / "model.safetensors"))
    state = model.state_dict()
    for name in state:
        if not name.startswith(tuple(HEAD_NAMES)):
            state[name] = weights[bert_name(name)]
    model.load_state_dict(state)
    for head in (model.answers, model.span):
        nn.init.normal_(head.weight, std=0.02)
        nn.init.zeros_(head.bias)
    return model


def shipped_weights(model: CrossEncoder) -> dict[str, torch.Tensor]:
    """What the product needs beside the bundled model: the trained layers and the heads,
    under the checkpoint's names."""
    frozen = len(model.layers) - TRAINED_LAYERS
    keep = tuple(f"layers.{i}." for i in range(frozen, len(model.layers))) + tuple(HEAD_NAMES)
    return {
        bert_name(k): v.detach().clone()
        for k, v in model.state_dict().items()
        if k.startswith(keep)
    }

"""The bundled MiniLM as an ONNX model, written from its ``model.safetensors``.

onnxruntime (which chromadb already installs) runs BERT about twice as fast as
torch on this machine's two cores, at the same vectors. Exporting a model to
ONNX the usual way needs torch, and the ``onnx`` package that writes graphs
costs 2 s to import and 31 MB; but an ONNX model is one protobuf message, and
this graph needs only a dozen of its fields, so they are encoded here (field
numbers from ``onnx/onnx.proto``). The bytes are built in memory when the
embedder loads; no file is written. The weights are left out of the bytes
(marked as external data) and handed to onnxruntime as arrays: serializing
90 MB only for onnxruntime to parse them back cost 0.3 s of a 0.7 s load.
``tests/test_encoders.py`` checks the whole model (weights inline) with the
``onnx`` checker, and the vectors against sentence-transformers.

The forward pass is sentence-transformers' for this BERT: token,
position and type-0 embeddings, LayerNorm, six layers of 12-head attention
(padded keys masked) and an exact-GELU feed-forward, then the mean of the real
tokens' states. The output is that mean before L2 normalisation (its length and
the token count let a passage's vector be made from its sentences' vectors).
"""

import json
import math
import struct
from pathlib import Path

import numpy as np

# onnx.proto's TensorProto.DataType and AttributeProto.AttributeType values.
_FLOAT, _INT64 = 1, 7
_ATTR_FLOAT, _ATTR_INT, _ATTR_INTS = 1, 2, 7
OPSET = 17  # the first with LayerNormalization
_IR_VERSION = 8
# Tensors of at least this many values go to onnxruntime as arrays (all the weights;
# the graph's own small constants stay inline).
EXTERNAL_SIZE = 1024


def _varint(value: int) -> bytes:
    """Protobuf base-128 varint; a negative int64 as its 64-bit two's complement.

    >>> _varint(1), _varint(300), len(_varint(-1))
    (b'\\x01', b'\\xac\\x02', 10)
    """
    value &= (1 << 64) - 1
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _number(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def _bytes(field: int, payload: bytes | str) -> bytes:
    if isinstance(payload, str):
        payload = payload.encode()
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _tensor(name: str, array: np.ndarray) -> list[bytes | memoryview]:
    """TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian).

    In parts, the data as a view of the array: the model's 90 MB are copied once, when
    the parts are joined, not at every level of nesting.
    """
    kind = {np.dtype(np.float32): _FLOAT, np.dtype(np.int64): _INT64}[array.dtype]
    dims = b"".join(_number(1, d) for d in array.shape)
    raw = memoryview(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))).cast("B")
    head = dims + _number(2, kind) + _bytes(8, name) + _varint(9 << 3 | 2) + _varint(len(raw))
    return [head, raw]


def _external_tensor(name: str, array: np.ndarray) -> list[bytes | memoryview]:
    """TensorProto without its data: external_data (13, location "memory"), data_location
    (14) EXTERNAL; onnxruntime takes the array by name (``add_external_initializers``)."""
    kind = {np.dtype(np.float32): _FLOAT, np.dtype(np.int64): _INT64}[array.dtype]
    dims = b"".join(_number(1, d) for d in array.shape)
    location = _bytes(13, _bytes(1, "location") + _bytes(2, "memory"))
    return [dims + _number(2, kind) + _bytes(8, name) + location + _number(14, 1)]


def _attribute(name: str, value: int | float | list[int]) -> bytes:
    """AttributeProto: name (1), f (2), i (3), ints (8), type (20)."""
    if isinstance(value, list):
        body = b"".join(_number(8, v) for v in value) + _number(20, _ATTR_INTS)
    elif isinstance(value, float):
        body = _varint(2 << 3 | 5) + struct.pack("<f", value) + _number(20, _ATTR_FLOAT)
    else:
        body = _number(3, value) + _number(20, _ATTR_INT)
    return _bytes(1, name) + body


def _value_info(name: str, kind: int, dims: list[int | str]) -> bytes:
    """ValueInfoProto name (1), type (2): TypeProto.tensor_type (1) with elem_type (1) and
    shape (2), whose dims (1) are a dim_value (1) or a named dim_param (2)."""
    shape = b"".join(_bytes(1, _bytes(2, d) if isinstance(d, str) else _number(1, d)) for d in dims)
    return _bytes(1, name) + _bytes(2, _bytes(1, _number(1, kind) + _bytes(2, shape)))


class _Graph:
    """Nodes and initializers in the order they are added; each node has one output."""

    def __init__(self, inline: bool) -> None:
        self.nodes: list[bytes] = []
        self.initializers: list[list[bytes | memoryview]] = []
        self.inline = inline
        self.external: dict[str, np.ndarray] = {}

    def constant(self, name: str, array: np.ndarray | float | int) -> str:
        array = np.asarray(array)
        array = array.astype(np.int64 if array.dtype.kind in "iu" else np.float32, copy=False)
        if self.inline or array.size < EXTERNAL_SIZE:
            self.initializers.append(_tensor(name, array))
        else:
            self.external[name] = np.ascontiguousarray(array)
            self.initializers.append(_external_tensor(name, array))
        return name

    def op(
        self, op_type: str, *inputs: str, out: str = "", **attributes: int | float | list[int]
    ) -> str:
        """NodeProto: input (1), output (2), op_type (4), attribute (5)."""
        output = out or f"{op_type.lower()}{len(self.nodes)}"
        node = b"".join(_bytes(1, i) for i in inputs) + _bytes(2, output) + _bytes(4, op_type)
        node += b"".join(_bytes(5, _attribute(k, v)) for k, v in attributes.items())
        self.nodes.append(node)
        return output

    def model(self, inputs: list[bytes], outputs: list[bytes]) -> bytes:
        """ModelProto: ir_version (1), producer_name (2), graph (7), opset_import (8);
        GraphProto: node (1), name (2), initializer (5), input (11), output (12)."""
        graph: list[bytes | memoryview] = [_bytes(1, n) for n in self.nodes]
        graph.append(_bytes(2, "minilm"))
        for parts in self.initializers:
            graph += [_varint(5 << 3 | 2) + _varint(sum(len(p) for p in parts)), *parts]
        graph += [_bytes(11, i) for i in inputs] + [_bytes(12, o) for o in outputs]
        size = sum(len(p) for p in graph)
        head = _number(1, _IR_VERSION) + _bytes(2, "rag") + _varint(7 << 3 | 2) + _varint(size)
        opset = _bytes(8, _bytes(1, "") + _number(2, OPSET))
        return b"".join([head, *graph, opset])


def bert_encoder(
    folder: Path, inline: bool = False, reader: dict[str, np.ndarray] | None = None
) -> tuple[bytes, dict[str, np.ndarray]]:
    """The serialized ONNX model of the BERT checkpoint in ``folder``, and its weights by
    name where they are not in the bytes (none when ``inline``: a complete model file).

    Inputs ``input_ids`` and ``attention_mask`` (int64, batch x length); output
    ``pooled`` (float32, batch x hidden): the mean of the unmasked tokens' states.

    With ``reader`` (the reader's trained layers and heads, by the checkpoint's names,
    over the bundled weights): the reader's cross-encoder instead, as ``train.model``
    computes it. It also takes ``token_type_ids`` (0 question, 1 sentence) and outputs
    ``answers`` (batch x 1: does the sentence answer?) and ``span`` (batch x length x 2:
    each token's start and end logits).
    """
    from safetensors.numpy import load_file

    config = json.loads((folder / "config.json").read_text())
    heads, eps = config["num_attention_heads"], float(config["layer_norm_eps"])
    hidden = config["hidden_size"]
    weights = load_file(str(folder / "model.safetensors"))
    if reader:
        weights |= {name: w.astype(np.float32) for name, w in reader.items()}
    g = _Graph(inline)

    def weight(name: str) -> str:
        return g.constant(name, weights[name])

    def dense(x: str, prefix: str, out: str = "") -> str:
        # torch stores Linear weights as (out, in); MatMul wants (in, out).
        w = g.constant(prefix + ".weight.T", weights[prefix + ".weight"].T)
        return g.op("Add", g.op("MatMul", x, w), weight(prefix + ".bias"), out=out)

    def layer_norm(x: str, prefix: str) -> str:
        return g.op(
            "LayerNormalization",
            x,
            weight(prefix + ".weight"),
            weight(prefix + ".bias"),
            axis=-1,
            epsilon=eps,
        )

    one, zero = g.constant("one", 1), g.constant("zero", 0)
    one_f = g.constant("one_f", 1.0)
    length = g.op("Gather", g.op("Shape", "input_ids"), one, axis=0)
    positions = g.op("Range", zero, length, one)
    x = g.op(
        "Add",
        g.op("Gather", weight("embeddings.word_embeddings.weight"), "input_ids"),
        g.op("Gather", weight("embeddings.position_embeddings.weight"), positions),
    )
    if reader:
        token_type = g.op(
            "Gather", weight("embeddings.token_type_embeddings.weight"), "token_type_ids"
        )
    else:
        token_type = g.constant(
            "token_type_0", weights["embeddings.token_type_embeddings.weight"][0]
        )
    x = layer_norm(g.op("Add", x, token_type), "embeddings.LayerNorm")
    mask = g.op("Cast", "attention_mask", to=_FLOAT)
    # 0 for real keys, -10,000 for padding: exp() of it is 0 in float32.
    key_bias = g.op("Mul", g.op("Sub", one_f, mask), g.constant("masked", -1e4))
    key_bias = g.op("Unsqueeze", key_bias, g.constant("axes_1_2", [1, 2]))
    split_heads = g.constant("split_heads", [0, 0, heads, hidden // heads])
    merge_heads = g.constant("merge_heads", [0, 0, hidden])
    scale = g.constant("scale", 1.0 / math.sqrt(hidden // heads))
    half, root2 = g.constant("half", 0.5), g.constant("root2", math.sqrt(2.0))
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (
            g.op(
                "Transpose",
                g.op("Reshape", dense(x, p + "attention.self." + n), split_heads),
                perm=perm,
            )
            for n, perm in (("query", [0, 2, 1, 3]), ("key", [0, 2, 3, 1]), ("value", [0, 2, 1, 3]))
        )
        scores = g.op("Add", g.op("Mul", g.op("MatMul", q, k), scale), key_bias)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), merge_heads)
        x = layer_norm(
            g.op("Add", dense(context, p + "attention.output.dense"), x),
            p + "attention.output.LayerNorm",
        )
        h = dense(x, p + "intermediate.dense")
        gelu = g.op(
            "Mul", g.op("Mul", h, half), g.op("Add", g.op("Erf", g.op("Div", h, root2)), one_f)
        )
        x = layer_norm(g.op("Add", dense(gelu, p + "output.dense"), x), p + "output.LayerNorm")
    ids = ["batch", "length"]
    inputs = [_value_info("input_ids", _INT64, ids), _value_info("attention_mask", _INT64, ids)]
    if reader:
        dense(g.op("Gather", x, zero, axis=1), "reader.answers", out="answers")
        dense(x, "reader.span", out="span")
        inputs.append(_value_info("token_type_ids", _INT64, ids))
        outputs = [
            _value_info("answers", _FLOAT, ["batch", 1]),
            _value_info("span", _FLOAT, ["batch", "length", 2]),
        ]
        return g.model(inputs, outputs), g.external
    mask3 = g.op("Unsqueeze", mask, g.constant("axes_last", [-1]))
    axis_1 = g.constant("axis_1", [1])
    summed = g.op("ReduceSum", g.op("Mul", x, mask3), axis_1, keepdims=0)
    counts = g.op("Max", g.op("ReduceSum", mask3, axis_1, keepdims=0), g.constant("tiny", 1e-9))
    g.op("Div", summed, counts, out="pooled")
    return g.model(inputs, [_value_info("pooled", _FLOAT, ["batch", hidden])]), g.external

"""The ONNX nodes that turn tokens (or raw text) into a fitted vectorizer's document vectors.

One builder writes the nodes for both uses: a standalone model
(:func:`skembed.export.to_onnx`) and a step of a skl2onnx pipeline (the
converters of :mod:`skembed.export._skl2onnx`).  It talks to a *sink*, which
names values and stores nodes and constants: :class:`ModelSink` collects them
for a model of its own, and the skl2onnx converter adapts scope and container.

Layout of the values (``N`` documents, ``T`` word slots, ``G`` n-gram slots):

- ``ids`` int64 ``[N, T]``: vocabulary row of each word, ``-1`` for a word
  outside the vocabulary (and for padding), ``-2`` for a slot that is no word
  (the tokenizer's padding, stop words).
- fastText only, ``rows`` int64 ``[N, T, G]``: stored n-gram rows of each
  word, ``-1`` for none; read only for words whose id is ``-1``.
- Word vectors ``[N, T, vector_size]``, then pooled by a
  :class:`~skembed.export._pooling.PoolingSpec` into ``[N, vector_size]``.

Sums run in float64 where ``transform``'s kernel sums in float64 (pooling),
and in float32 where fastText's composition does, so the graph's output
matches ``transform`` to within float32 rounding.
"""

import numpy as np

from skembed.export._deps import require

__all__ = ["Graph", "ModelSink", "OPSETS", "PAD", "WORD_PATTERN"]

# opset versions the nodes are written for: Reduce* take axes as an input from 18,
# BitwiseXor/BitwiseAnd exist from 18; LabelEncoder's int64 keys need ai.onnx.ml 2
OPSETS = {"": 18, "ai.onnx.ml": 2, "com.microsoft": 1}

# The default analyzer's token pattern on ASCII text: RE2's \w is ASCII, and a run of
# word characters is what the default pattern matches there.
WORD_PATTERN = "[a-zA-Z0-9_]+"
# padding of the word tokenizer: never a token of WORD_PATTERN
PAD = "#"
# padding of the character split: two characters, so never one character of a word
CHAR_PAD = "##"

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619
MASK32 = 0xFFFFFFFF


class ModelSink:
    """Collect nodes and constants for a model of their own, with unique names.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.export._graph import Graph, ModelSink
    >>> sink = ModelSink()
    >>> g = Graph(sink)
    >>> g.op("Add", g.const(np.array([1.0])), g.const(np.array([2.0])))
    'add_2'
    >>> [node.op_type for node in sink.nodes]
    ['Add']
    """

    def __init__(self):
        self.nodes = []
        self.initializers = []
        self._count = 0

    def name(self, hint):
        self._count += 1
        return f"{hint}_{self._count - 1}"

    def constant(self, array, hint):
        numpy_helper = require("onnx.numpy_helper")
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op_type, inputs, outputs, domain, attrs):
        helper = require("onnx.helper")
        self.nodes.append(
            helper.make_node(
                op_type, inputs, outputs, name=self.name(op_type), domain=domain, **attrs
            )
        )


class Graph:
    """Write ONNX nodes through a sink: ``op`` returns the output name(s).

    Parameters
    ----------
    sink : ModelSink or skl2onnx adapter
        Has ``name(hint)``, ``constant(array, hint)`` and
        ``node(op_type, inputs, outputs, domain, attrs)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.export._graph import Graph, ModelSink
    >>> g = Graph(ModelSink())
    >>> g.const(np.int64(3), "three")
    'three_0'
    """

    def __init__(self, sink):
        self.sink = sink

    def const(self, value, hint="c"):
        return self.sink.constant(np.asarray(value), hint)

    def op(self, op_type, *inputs, domain="", n_out=1, **attrs):
        outputs = [self.sink.name(op_type.lower()) for _ in range(n_out)]
        self.sink.node(op_type, list(inputs), outputs, domain, attrs)
        return outputs[0] if n_out == 1 else outputs

    # small helpers over op()
    def i64(self, value):
        return self.const(np.asarray(value, dtype=np.int64), "i64")

    def cast(self, x, to):
        onnx = require("onnx")
        code = {
            np.float32: onnx.TensorProto.FLOAT,
            np.float64: onnx.TensorProto.DOUBLE,
            np.int64: onnx.TensorProto.INT64,
        }[to]
        return self.op("Cast", x, to=code)

    def unsqueeze_last(self, x):
        return self.op("Unsqueeze", x, self.i64([-1]))

    def reduce(self, op_type, x, axis, keepdims=0):
        return self.op(op_type, x, self.i64([axis]), keepdims=keepdims)

    def dims(self, x, start, end):
        """The int64 ``[end - start]`` vector of ``x``'s dimensions start..end."""
        return self.op("Shape", x, start=start, end=end)


# ---------------------------------------------------------------------- text
def text_to_words(g, text, lowercase):
    """Raw documents (any shape, one string each) to words ``[N, T]`` (``PAD`` padding)."""
    flat = g.op("Reshape", text, g.i64([-1]))
    if lowercase:
        # the "C" locale exists everywhere and lowercases ASCII, which is all the
        # tokenizer below reads as word characters anyway
        flat = g.op(
            "StringNormalizer", flat, case_change_action="LOWER", is_case_sensitive=0, locale="C"
        )
    words = g.op(
        "Tokenizer",
        flat,
        domain="com.microsoft",
        tokenexp=WORD_PATTERN,
        pad_value=PAD,
        mark=0,
        mincharnum=1,
    )
    # one padding column more: when no document has a word the tokenizer returns
    # [N, 0], on which the character split below would lose a dimension
    column = g.op("Concat", g.dims(words, 0, 1), g.i64([1]), axis=0)
    pad = g.op("Expand", g.const(np.array([[PAD]], dtype=object), "pad"), column)
    return g.op("Concat", words, pad, axis=1)


def words_to_ids(g, words, key_to_index, stop_words=()):
    """Words ``[N, T]`` to ``ids``: the vocabulary row, -1 unknown, -2 padding/stop word."""
    table = {word: -2 for word in stop_words}
    table[PAD] = -2
    table.update(key_to_index)
    keys = list(table)
    return g.op(
        "LabelEncoder",
        words,
        domain="ai.onnx.ml",
        keys_strings=keys,
        values_int64s=[int(table[k]) for k in keys],
        default_int64=-1,
    )


def words_to_ngram_buckets(g, words, min_n, max_n, bucket):
    """Words ``[N, T]`` to the fastText bucket of each n-gram ``[N, T, G]`` (-1: none).

    FNV-1a over the characters of ``"<" + word + ">"``, as fastText hashes
    ASCII (the tokenizer yields ASCII words only): for each length n, a hash
    per start position, built byte by byte over shifted copies of the codes.
    """
    chars = g.op(
        "Tokenizer",
        words,
        domain="com.microsoft",
        tokenexp=".",
        pad_value=CHAR_PAD,
        mark=0,
        mincharnum=1,
    )
    ascii_chars = [chr(c) for c in range(1, 128)]
    codes = g.op(
        "LabelEncoder",
        chars,
        domain="ai.onnx.ml",
        keys_strings=ascii_chars,
        values_int64s=list(range(1, 128)),
        default_int64=-1,
    )
    length = g.reduce(
        "ReduceSum", g.cast(g.op("GreaterOrEqual", codes, g.i64(0)), np.int64), axis=2, keepdims=1
    )  # [N, T, 1]
    n_t = g.dims(codes, 0, 2)
    left = g.op("Expand", g.i64([[[ord("<")]]]), g.op("Concat", n_t, g.i64([1]), axis=0))
    right = g.op("Expand", g.i64([[[-1]]]), g.op("Concat", n_t, g.i64([max_n + 1]), axis=0))
    ext = g.op("Concat", left, codes, right, axis=2)  # [N, T, C + max_n + 2]
    positions = g.op("Range", g.i64(0), g.op("Reshape", g.dims(ext, 2, 3), g.i64([])), g.i64(1))
    closing = g.op("Equal", positions, g.op("Add", length, g.i64(1)))
    ext = g.op("Where", closing, g.i64(ord(">")), ext)
    total = g.op("Add", length, g.i64(2))  # characters of "<word>"
    n_starts = g.op("Add", g.dims(codes, 2, 3), g.i64([2]))
    starts = g.op("Range", g.i64(0), g.op("Reshape", n_starts, g.i64([])), g.i64(1))
    pieces = []
    for n in range(min_n, max_n + 1):
        h = g.i64(FNV_OFFSET)
        for k in range(n):
            shifted = g.op("Slice", ext, g.i64([k]), g.op("Add", n_starts, g.i64([k])), g.i64([2]))
            h = g.op("BitwiseXor", h, shifted)
            h = g.op("BitwiseAnd", g.op("Mul", h, g.i64(FNV_PRIME)), g.i64(MASK32))
        valid = g.op("LessOrEqual", g.op("Add", starts, g.i64(n)), total)
        if n == 1:  # fastText drops the one-character n-grams "<" and ">"
            inner = g.op(
                "And",
                g.op("Greater", starts, g.i64(0)),
                g.op("Less", starts, g.op("Sub", total, g.i64(1))),
            )
            valid = g.op("And", valid, inner)
        pieces.append(g.op("Where", valid, g.op("Mod", h, g.i64(bucket)), g.i64(-1)))
    return pieces[0] if len(pieces) == 1 else g.op("Concat", *pieces, axis=2)


# --------------------------------------------------------------------- vectors
def buckets_to_rows(g, buckets, n_words, ngram_rows, zero_row=None):
    """fastText buckets (-1: none) to rows of the stored matrix (-1: no n-gram).

    In a compacted model (``ngram_rows`` given) a bucket that training never
    touched has no stored row but still counts, as a zero row, in the mean of a
    word's n-grams: it goes to ``zero_row``, a row of zeros after the stored ones.
    """
    if ngram_rows is None:
        return g.op(
            "Where",
            g.op("GreaterOrEqual", buckets, g.i64(0)),
            g.op("Add", buckets, g.i64(n_words)),
            g.i64(-1),
        )
    encoded = g.op(
        "LabelEncoder",
        buckets,
        domain="ai.onnx.ml",
        keys_int64s=[int(b) for b in ngram_rows],
        values_int64s=list(range(n_words, n_words + len(ngram_rows))),
        default_int64=int(zero_row),
    )
    return g.op("Where", g.op("GreaterOrEqual", buckets, g.i64(0)), encoded, g.i64(-1))


def word_vectors(g, matrix, ids, rows=None, zero_row=None):
    """Vectors of the word slots: ``(vectors [N, T, dim] float32, known, present)``.

    Without ``rows``, a slot is present when its id is a vocabulary row.  With
    ``rows`` (fastText), a slot whose id is -1 is the mean of its n-gram rows,
    present when it has any, as ``FastTextVectorizer.transform`` composes it.
    """
    known = g.op("GreaterOrEqual", ids, g.i64(0))
    safe = g.op("Max", ids, g.i64(0))
    vectors = g.op("Gather", matrix, safe, axis=0)
    if rows is None:
        return vectors, known, known
    unseen = g.op("Equal", ids, g.i64(-1))
    valid = g.op("And", g.op("GreaterOrEqual", rows, g.i64(0)), g.unsqueeze_last(unseen))
    valid_f = g.cast(valid, np.float32)
    gathered = g.op("Gather", matrix, g.op("Max", rows, g.i64(0)), axis=0)  # [N, T, G, dim]
    total = g.reduce("ReduceSum", g.op("Mul", gathered, g.unsqueeze_last(valid_f)), axis=2)
    count = g.reduce("ReduceSum", valid_f, axis=2)  # [N, T]
    # fastText sums in float32, then multiplies by (float)(1 / count)
    scale = g.op("Reciprocal", g.op("Max", count, g.const(np.float32(1.0))))
    composed = g.op("Mul", total, g.unsqueeze_last(scale))
    vectors = g.op("Where", g.unsqueeze_last(known), vectors, composed)
    stored = count
    if zero_row is not None:  # an unseen word counts only when one of its rows is stored
        real = g.op("And", valid, g.op("Not", g.op("Equal", rows, g.i64(zero_row))))
        stored = g.reduce("ReduceSum", g.cast(real, np.float32), axis=2)
    present = g.op(
        "Or", known, g.op("And", unseen, g.op("Greater", stored, g.const(np.float32(0))))
    )
    return vectors, known, present


def pool(g, spec, vectors, ids, known, present):
    """Pool word slots ``[N, T, dim]`` into documents ``[N, dim]`` float32 by ``spec``."""
    if spec.reduce == "concat":
        parts = [pool(g, part, vectors, ids, known, present) for part in spec.parts]
        return g.op("Concat", *parts, axis=1)
    if spec.reduce in ("max", "min"):
        largest = spec.reduce == "max"
        floor = g.const(np.float32(-np.inf if largest else np.inf))
        masked = g.op("Where", g.unsqueeze_last(present), vectors, floor)
        top = g.reduce("ReduceMax" if largest else "ReduceMin", masked, axis=1)
        any_word = g.reduce("ReduceMax", g.cast(present, np.float32), axis=1, keepdims=1)
        out = g.op(
            "Where", g.op("Greater", any_word, g.const(np.float32(0))), top, g.const(np.float32(0))
        )
        return _remove_components(g, spec, g.cast(out, np.float64))
    present_d = g.cast(present, np.float64)
    weight = present_d
    if spec.unit_vectors:  # as unit_rows: a zero vector stays zero
        norm = g.op("Sqrt", g.reduce("ReduceSum", g.op("Mul", vectors, vectors), axis=2,
                                     keepdims=1))  # fmt: skip
        safe = g.op("Where", g.op("Greater", norm, g.const(np.float32(0))), norm,
                    g.const(np.float32(1)))  # fmt: skip
        vectors = g.op("Div", vectors, safe)
    if spec.weights is not None:
        table = g.const(np.asarray(spec.weights, dtype=np.float64), "weights")
        per_word = g.op("Gather", table, g.op("Max", ids, g.i64(0)), axis=0)
        per_word = g.op("Where", known, per_word, g.const(np.float64(spec.unseen_weight)))
        weight = g.op("Mul", per_word, present_d)
    weighted = g.op("Mul", g.cast(vectors, np.float64), g.unsqueeze_last(weight))
    out = g.reduce("ReduceSum", weighted, axis=1)
    if spec.divide != "none":
        by = present_d if spec.divide == "count" else weight
        total = g.reduce("ReduceSum", by, axis=1, keepdims=1)
        positive = g.op("Greater", total, g.const(np.float64(0)))
        out = g.op("Div", out, g.op("Where", positive, total, g.const(np.float64(1))))
    return _remove_components(g, spec, out)


def _remove_components(g, spec, out):
    if spec.components is not None:
        components = np.asarray(spec.components, dtype=np.float64)
        scale = (
            np.ones(len(components))
            if spec.component_scale is None
            else np.asarray(spec.component_scale, dtype=np.float64)
        )
        projection = g.op("MatMul", out, g.const(components.T, "components_t"))
        projection = g.op("Mul", projection, g.const(scale, "component_scale"))
        out = g.op("Sub", out, g.op("MatMul", projection, g.const(components, "components")))
    return g.cast(out, np.float32)

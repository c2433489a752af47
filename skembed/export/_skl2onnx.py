"""skl2onnx converters: skembed's vectorizers as steps of a pipeline converted to ONNX.

Each converter writes the raw-text graph of :func:`skembed.export.to_onnx`
(``input="text"``) into skl2onnx's container, so ``skl2onnx.to_onnx`` turns
``make_pipeline(Word2VecVectorizer(), LogisticRegression())`` with a string
input of shape ``[None, 1]`` into one ONNX model.  The same limits apply:
ASCII text, the default analyzer, ONNX Runtime.
"""

from skembed.export import _graph
from skembed.export._deps import require
from skembed.export._onnx import _kind, build_nodes, check_text_analyzer

__all__ = ["register_converters"]


class _ContainerSink:
    """The sink of :class:`~skembed.export._graph.Graph` over skl2onnx's scope and container."""

    def __init__(self, scope, container):
        self.scope = scope
        self.container = container

    def name(self, hint):
        return self.scope.get_unique_variable_name(hint)

    def constant(self, array, hint):
        numpy_helper = require("onnx.numpy_helper")
        name = self.name(hint)
        if array.dtype == object:  # strings: skl2onnx copies only the raw data of a tensor
            onnx = require("onnx")
            content = [str(s).encode("utf-8") for s in array.ravel()]
            self.container.add_initializer(
                name, onnx.TensorProto.STRING, list(array.shape), content
            )
            return name
        tensor = numpy_helper.from_array(array, name)
        self.container.add_initializer(name, tensor.data_type, list(array.shape), tensor)
        return name

    def node(self, op_type, inputs, outputs, domain, attrs):
        self.container.add_node(
            op_type,
            inputs,
            outputs,
            op_domain=domain,
            op_version=_graph.OPSETS[domain],
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )


def _shape_calculator(operator):
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    vectorizer = operator.raw_operator
    _kind(vectorizer)  # refuses Doc2VecVectorizer with its reason
    check_text_analyzer(vectorizer)
    source = operator.inputs[0]
    if not isinstance(source.type, StringTensorType):
        raise TypeError(
            f"{type(vectorizer).__name__} reads raw text: its input {source.onnx_name!r} must "
            f"be a StringTensorType (e.g. [('text', StringTensorType([None, 1]))]), got "
            f"{type(source.type).__name__}."
        )
    n = source.get_first_dimension()
    operator.outputs[0].type = FloatTensorType([n, vectorizer._n_features_out])


def _converter(scope, operator, container):
    vectorizer = operator.raw_operator
    kind = _kind(vectorizer)
    needed = _graph.OPSETS[""]
    if container.target_opset < needed:
        raise ValueError(
            f"target_opset={container.target_opset} is below {needed}, the opset the "
            f"{type(vectorizer).__name__} graph is written for: convert with "
            f"target_opset={needed} or higher (or leave it unset)."
        )
    g = _graph.Graph(_ContainerSink(scope, container))
    out = build_nodes(g, vectorizer, kind, "text", [operator.inputs[0].full_name])
    container.add_node(
        "Identity",
        [out],
        [operator.outputs[0].full_name],
        name=scope.get_unique_operator_name("Identity"),
    )


def register_converters():
    """Register skl2onnx's shape calculator and converter for each skembed vectorizer.

    Importing :mod:`skembed.export` calls it; calling it again is harmless.
    Word2VecVectorizer, GloVeVectorizer and FastTextVectorizer convert to the
    raw-text graph of :func:`to_onnx`; Doc2VecVectorizer is registered only to
    refuse with the reason (its ``transform`` is inference by gradient descent).

    Raises
    ------
    ImportError
        When skl2onnx is not installed (``pip install 'skembed[export]'``).

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from skl2onnx import to_onnx
    >>> from skl2onnx.common.data_types import StringTensorType
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.export import register_converters
    >>> register_converters()
    >>> docs = ["the cat sat on the mat", "the dog ate the log"] * 10
    >>> y = [0, 1] * 10
    >>> pipe = make_pipeline(Word2VecVectorizer(vector_size=8, min_count=1, random_state=0),
    ...                      LogisticRegression()).fit(docs, y)
    >>> model = to_onnx(pipe, initial_types=[("text", StringTensorType([None, 1]))],
    ...                 options={"zipmap": False})
    >>> session = ort.InferenceSession(model.SerializeToString(),
    ...                                providers=["CPUExecutionProvider"])
    >>> labels, _ = session.run(None, {"text": np.array(docs[:2], dtype=object)[:, None]})
    >>> labels.tolist() == pipe.predict(docs[:2]).tolist()
    True
    """
    skl2onnx = require("skl2onnx")
    from skembed.models import (
        Doc2VecVectorizer,
        FastTextVectorizer,
        GloVeVectorizer,
        Word2VecVectorizer,
    )

    for cls in (Word2VecVectorizer, GloVeVectorizer, FastTextVectorizer, Doc2VecVectorizer):
        skl2onnx.update_registered_converter(
            cls, f"Skembed{cls.__name__}", _shape_calculator, _converter
        )

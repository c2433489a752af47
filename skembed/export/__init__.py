"""Deploy fitted vectorizers: ONNX models, skl2onnx converters, arrays for embedding layers.

:func:`to_onnx` writes a vectorizer's ``transform`` as an ONNX graph (from
token ids, or from raw ASCII text in ONNX Runtime), :func:`encode_for_onnx`
computes the token-id graph's inputs, and importing this module registers a
skl2onnx converter for each word vectorizer, so that ``skl2onnx.to_onnx``
converts whole pipelines.  :func:`embedding_arrays` hands word vectors to
PyTorch or Keras embedding layers.

The ONNX parts need the optional packages onnx, onnxruntime and skl2onnx
(``pip install 'skembed[export]'``); without them this module still imports,
and the functions that need them raise an ImportError naming the extra.
"""

from skembed.export._frameworks import embedding_arrays
from skembed.export._onnx import encode_for_onnx, to_onnx
from skembed.export._skl2onnx import register_converters

__all__ = ["embedding_arrays", "encode_for_onnx", "register_converters", "to_onnx"]

try:
    register_converters()
except ImportError:  # no skl2onnx: nothing to register with
    pass

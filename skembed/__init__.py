"""skembed: word embeddings as scikit-learn estimators.

Public names are imported on first use (PEP 562), so ``import skembed`` stays
fast and compiles nothing.
"""

import importlib

__version__ = "0.1.0"

_LAZY = {
    "Word2VecVectorizer": "skembed.models",
    "GloVeVectorizer": "skembed.models",
    "FastTextClassifier": "skembed.models",
    "FastTextVectorizer": "skembed.models",
    "Doc2VecVectorizer": "skembed.models",
    "PretrainedVectorizer": "skembed.models",
    "FastTextWordVectors": "skembed.vectors",
    "WordVectors": "skembed.vectors",
    "EpochEnd": "skembed._training",
}

__all__ = [
    "Doc2VecVectorizer",
    "EpochEnd",
    "FastTextClassifier",
    "FastTextVectorizer",
    "FastTextWordVectors",
    "GloVeVectorizer",
    "PretrainedVectorizer",
    "Word2VecVectorizer",
    "WordVectors",
    "__version__",
]


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skembed' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

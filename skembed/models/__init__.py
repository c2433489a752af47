"""The estimator layer: scikit-learn vectorizers that learn word embeddings from raw text.

Each estimator validates its parameters, encodes the documents (:mod:`skembed.corpus`),
builds its arrays and hands a kernel step (``models._kernels``) to the driver
(``skembed._training``).
"""

from skembed.models._classifier import FastTextClassifier
from skembed.models._doc2vec import Doc2VecVectorizer
from skembed.models._fasttext import FastTextVectorizer
from skembed.models._glove import GloVeVectorizer
from skembed.models._pretrained import PretrainedVectorizer
from skembed.models._word2vec import Word2VecVectorizer

__all__ = [
    "Doc2VecVectorizer",
    "FastTextClassifier",
    "FastTextVectorizer",
    "GloVeVectorizer",
    "PretrainedVectorizer",
    "Word2VecVectorizer",
]

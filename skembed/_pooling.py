"""Documents to vectors: the pooling modes of ``transform``."""

import numpy as np

from ._kernels import _pooling as kernels
from ._training import numba_threads

POOLING_MODES = {
    "mean": kernels.MEAN,
    "sum": kernels.SUM,
    "max": kernels.MAX,
    "tfidf": kernels.WEIGHTED_MEAN,
}


def smooth_idf(corpus, n_words):
    """Return scikit-learn's smoothed idf, ``log((1 + n) / (1 + df)) + 1``, per word (float32)."""
    n_docs = corpus.n_documents
    doc_of_token = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(corpus.offsets))
    pairs = np.unique(doc_of_token * n_words + corpus.tokens)
    df = np.bincount(pairs % n_words, minlength=n_words)
    return (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)


def pool(vectors, corpus, mode="mean", weights=None, n_threads=1):
    """Return the ``(n_documents, vector_size)`` float32 matrix of pooled documents."""
    out = np.zeros((corpus.n_documents, vectors.shape[1]), dtype=np.float32)
    if weights is None:
        weights = np.ones(vectors.shape[0], dtype=np.float32)
    with numba_threads(n_threads):
        kernels.pool_documents(
            vectors, corpus.tokens, corpus.offsets, weights, POOLING_MODES[mode], out
        )
    return out

"""Documents to vectors: the pooling modes of ``transform``."""

import numpy as np

from skembed.models._kernels import _pooling as kernels
from skembed.utils._threads import call_kernel

POOLING_MODES = {
    "mean": kernels.MEAN,
    "sum": kernels.SUM,
    "max": kernels.MAX,
    "tfidf": kernels.WEIGHTED_MEAN,
}


def document_frequency(corpus, n_words):
    """Return how many documents of ``corpus`` contain each word (int64)."""
    doc_of_token = np.repeat(
        np.arange(corpus.n_documents, dtype=np.int64), np.diff(corpus.offsets)
    )
    pairs = np.unique(doc_of_token * n_words + corpus.tokens)
    return np.bincount(pairs % n_words, minlength=n_words).astype(np.int64)


def smooth_idf(document_frequency, n_documents):
    """Return scikit-learn's smoothed idf, ``log((1 + n) / (1 + df)) + 1``, per word (float32)."""
    df = np.asarray(document_frequency, dtype=np.float64)
    return (np.log((1.0 + n_documents) / (1.0 + df)) + 1.0).astype(np.float32)


def _check_lengths(vectors, corpus, weights):
    """Raise unless the kernel's reads stay in bounds: it checks no index itself."""
    if vectors.ndim != 2:
        raise ValueError(f"vectors must be a 2-d matrix, got shape {vectors.shape}.")
    n_words = vectors.shape[0]
    tokens, offsets = corpus.tokens, corpus.offsets
    if offsets.ndim != 1 or offsets.size < 1 or offsets[0] != 0 or offsets[-1] != tokens.size:
        raise ValueError(
            f"corpus offsets must run from 0 to the {tokens.size} tokens; "
            f"got {offsets[:1].tolist()} .. {offsets[-1:].tolist()}."
        )
    if offsets.size > 1 and np.any(np.diff(offsets) < 0):
        raise ValueError("corpus offsets must not decrease.")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= n_words):
        raise ValueError(
            f"corpus word ids run from {tokens.min()} to {tokens.max()}, but vectors has "
            f"{n_words} rows: ids must be in [0, {n_words})."
        )
    if weights is not None and np.shape(weights) != (n_words,):
        raise ValueError(
            f"weights has shape {np.shape(weights)} but vectors has {n_words} rows: "
            "one weight per row is needed (for pooling='tfidf', idf_ per word)."
        )


def pool(vectors, corpus, mode="mean", weights=None, n_threads=1):
    """Return the ``(n_documents, vector_size)`` float32 matrix of pooled documents.

    Raises
    ------
    ValueError
        When a word id of ``corpus`` is not a row of ``vectors``, or ``weights``
        does not have one entry per row (checked before the kernel runs).
    """
    _check_lengths(vectors, corpus, weights)
    out = np.zeros((corpus.n_documents, vectors.shape[1]), dtype=np.float32)
    if weights is None:
        weights = np.ones(vectors.shape[0], dtype=np.float32)
    call_kernel(
        kernels.pool_documents, kernels.pool_documents_parallel, n_threads,
        vectors, corpus.tokens, corpus.offsets, weights, POOLING_MODES[mode], out,
    )  # fmt: skip
    return out

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
# modes that concatenate several kernel reductions: "minmeanmax" is the concatenated power
# means of Rücklé et al. (2018) with p in {-inf, 1, +inf}, keeping the extremes that a mean
# averages away (a rare word that carries a document's topic)
CONCATENATED_MODES = {"minmeanmax": (kernels.MIN, kernels.MEAN, kernels.MAX)}


def pooled_width(mode):
    """Return how many ``vector_size`` blocks a document pooled with ``mode`` has."""
    return len(CONCATENATED_MODES.get(mode, (None,)))


def document_frequency(corpus, n_words):
    """Return how many documents of ``corpus`` contain each word (int64).

    One pass in a kernel with one int64 per word of memory (no per-token
    temporaries); the word ids must lie in ``[0, n_words)``.
    """
    tokens = np.ascontiguousarray(corpus.tokens, dtype=np.int32)
    offsets = np.ascontiguousarray(corpus.offsets, dtype=np.int64)
    if tokens.size and (tokens.min() < 0 or tokens.max() >= n_words):
        raise ValueError(f"corpus word ids must lie in [0, {n_words}).")  # no bounds checks
    out = np.zeros(n_words, dtype=np.int64)
    kernels.document_frequency_kernel(tokens, offsets, out)
    return out


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
    """Return the ``(n_documents, width * vector_size)`` float32 matrix of pooled documents.

    ``width`` is 1, or 3 for "minmeanmax": the element-wise minimum, mean and
    maximum of a document's word vectors side by side.  Empty documents are
    zero.

    Raises
    ------
    ValueError
        When a word id of ``corpus`` is not a row of ``vectors``, or ``weights``
        does not have one entry per row (checked before the kernel runs).
    """
    _check_lengths(vectors, corpus, weights)
    if weights is None:
        weights = np.ones(vectors.shape[0], dtype=np.float32)
    blocks = []
    for kernel_mode in CONCATENATED_MODES.get(mode, (POOLING_MODES.get(mode),)):
        out = np.zeros((corpus.n_documents, vectors.shape[1]), dtype=np.float32)
        call_kernel(
            kernels.pool_documents, kernels.pool_documents_parallel, n_threads,
            vectors, corpus.tokens, corpus.offsets, weights, kernel_mode, out,
        )  # fmt: skip
        blocks.append(out)
    return blocks[0] if len(blocks) == 1 else np.hstack(blocks)


# ------------------------------------------------------------ SIF and uSIF
# The modes with state fitted on the training documents (word weights, common components);
# ``pooling`` accepts these beside the kernel modes of POOLING_MODES.
SMOOTHED_MODES = ("sif", "usif")
POOLING_OPTIONS = (*POOLING_MODES, *CONCATENATED_MODES, *SMOOTHED_MODES)
# Arora, Liang and Ma (2017)'s default smoothing, and the common components uSIF removes
# (Ethayarajh 2018: "in practice, no more than 5 needed")
SIF_A = 1e-3
USIF_COMPONENTS = 5


def word_probabilities(counts):
    """Return each word's unigram probability ``count / total`` (zeros when nothing counted)."""
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    return counts / total if total > 0 else np.zeros_like(counts)


def sif_weights(probabilities, a=SIF_A):
    """Return SIF's word weights ``a / (a + p(w))`` (float64)."""
    return a / (a + np.asarray(probabilities, dtype=np.float64))


def usif_parameter(probabilities, mean_length):
    """Return uSIF's ``a`` from the vocabulary and the expected document length.

    With ``V`` the words of known probability and ``n`` the mean document
    length: a word is "frequent" when ``p(w) > 1 - (1 - 1/V)**n`` (at least one
    expected occurrence in a random walk of ``n`` steps), ``alpha`` is the
    share of frequent words, ``Z = V / 2``, and ``a = (1 - alpha) / (alpha Z)``.
    ``alpha = 0`` gives ``a = inf``: every weight is then 2.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    p = p[p > 0]
    n_vocab = float(p.size)
    if n_vocab == 0:
        return np.inf
    threshold = 1.0 - (1.0 - 1.0 / n_vocab) ** max(float(mean_length), 1.0)
    alpha = float(np.mean(p > threshold))
    if alpha == 0.0:
        return np.inf
    return (1.0 - alpha) / (alpha * 0.5 * n_vocab)


def usif_weights(probabilities, a):
    """Return uSIF's word weights ``a / (a / 2 + p(w))`` (2 everywhere when ``a`` is inf)."""
    p = np.asarray(probabilities, dtype=np.float64)
    if np.isinf(a):
        return np.full(p.shape, 2.0)
    return a / (0.5 * a + p)


def unit_rows(vectors):
    """Return ``vectors`` with every non-zero row scaled to unit length (float32)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def common_components(X, n_components):
    """Return the top right singular vectors of the uncentred ``X`` and their shares.

    Returns ``(components, shares)``: ``components`` of shape
    ``(k, n_features)`` with ``k = min(n_components, rank bound)``, and
    ``shares[i] = s_i**2 / sum_j s_j**2`` over the ``k`` singular values kept
    (uSIF's weights ``lambda_i``).
    """
    X = np.asarray(X, dtype=np.float64)
    k = min(int(n_components), *X.shape)
    if k == 0:
        return np.zeros((0, X.shape[1]), np.float32), np.zeros(0, np.float64)
    _, s, vt = np.linalg.svd(X, full_matrices=False)
    s, vt = s[:k], vt[:k]
    total = float(np.sum(s**2))
    shares = s**2 / total if total > 0 else np.zeros(k)
    return vt.astype(np.float32), shares


def remove_components(X, components, scales):
    """Return ``X - sum_i scales[i] (X . u_i) u_i`` (float32), ``u_i`` the rows of components."""
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(components, dtype=np.float64)
    return (X - ((X @ C.T) * np.asarray(scales, dtype=np.float64)) @ C).astype(np.float32)


def fit_smoothed_pooling(mode, vectors, corpus, counts, n_threads=1):
    """Fit SIF or uSIF on the training documents; return the pooling state (a dict).

    Parameters
    ----------
    mode : {"sif", "usif"}
    vectors : ndarray of shape (n_words, dim)
    corpus : Corpus
        The training documents, as rows of ``vectors``.
    counts : ndarray of shape (n_words,)
        Training counts of the words, which give ``p(w)``.
    n_threads : int, default=1

    Returns
    -------
    state : dict
        ``mode``, ``weights`` (float32 per row), ``unseen_weight`` (the weight
        of a word with ``p = 0``, such as a fastText word composed in
        ``transform``), ``components`` (float32, one row per removed direction)
        and ``scales`` (float64 share of each direction removed).
    """
    p = word_probabilities(counts)
    if mode == "sif":
        weights, unseen = sif_weights(p), 1.0
    else:
        lengths = np.diff(corpus.offsets)
        a = usif_parameter(p, lengths.mean() if lengths.size else 1.0)
        weights, unseen = usif_weights(p, a), float(usif_weights(np.zeros(1), a)[0])
    state = {
        "mode": mode,
        "weights": weights.astype(np.float32),
        "unseen_weight": unseen,
        "components": np.zeros((0, vectors.shape[1]), np.float32),
        "scales": np.zeros(0),
    }
    X = pool_smoothed(state, vectors, corpus, n_threads)
    if mode == "sif":
        components, _ = common_components(X, 1)
        scales = np.ones(len(components))
    else:
        components, scales = common_components(X, USIF_COMPONENTS)
    state["components"], state["scales"] = components, scales
    return state


def pool_smoothed(state, vectors, corpus, n_threads=1):
    """Pool documents with a fitted SIF or uSIF ``state`` (see :func:`fit_smoothed_pooling`).

    Each document is the mean over its words of ``weight(w) * v_w`` (uSIF
    first scales every ``v_w`` to unit length, removing the effect of vector
    length that its random-walk model corrects), less its projections on the
    fitted common components.  Rows of ``vectors`` beyond the fitted weights
    (words composed in ``transform``) weigh ``unseen_weight``; an empty
    document stays zero.
    """
    weights = state["weights"]
    n_extra = vectors.shape[0] - weights.shape[0]
    if n_extra > 0:
        weights = np.concatenate([weights, np.full(n_extra, state["unseen_weight"], np.float32)])
    if state["mode"] == "usif":
        vectors = unit_rows(vectors)
    _check_lengths(vectors, corpus, weights)
    out = np.zeros((corpus.n_documents, vectors.shape[1]), dtype=np.float32)
    call_kernel(
        kernels.pool_documents, kernels.pool_documents_parallel, n_threads,
        vectors, corpus.tokens, corpus.offsets, weights, kernels.WEIGHTED_AVERAGE, out,
    )  # fmt: skip
    if len(state["components"]):
        out = remove_components(out, state["components"], state["scales"])
    return out


def fit_pooling(mode, vectors, corpus, counts, n_threads=1):
    """Return the state ``mode`` fits on the training documents: a dict for SIF/uSIF, else None."""
    if mode not in SMOOTHED_MODES:
        return None
    return fit_smoothed_pooling(mode, vectors, corpus, counts, n_threads)


def pool_fitted(mode, state, vectors, corpus, idf, n_threads=1):
    """Pool ``corpus`` as a fitted estimator does: ``mode`` with its fitted ``state`` and ``idf``.

    Raises
    ------
    ValueError
        When ``mode`` is "sif" or "usif" but ``state`` was fitted for another
        mode (``pooling`` changed after ``fit``).
    """
    if mode in SMOOTHED_MODES:
        if state is None or state["mode"] != mode:
            fitted = "a mode without fitted state" if state is None else repr(state["mode"])
            raise ValueError(
                f"pooling={mode!r} needs word weights and common components fitted on the "
                f"training documents, but the estimator was fitted with {fitted}: fit it "
                f"again with pooling={mode!r}."
            )
        return pool_smoothed(state, vectors, corpus, n_threads)
    return pool(vectors, corpus, mode, idf if mode == "tfidf" else None, n_threads)

"""Scorers ``(estimator, X, y) -> float`` that evaluate the word vectors of a fitted model."""

import math

from skembed.evaluation._analogy import ANALOGY_DATASETS, METHODS, analogy_accuracy
from skembed.evaluation._similarity import SIMILARITY_DATASETS, word_similarity_score
from skembed.evaluation._vectors import check_oov

__all__ = ["make_analogy_scorer", "make_similarity_scorer"]


class _EmbeddingScorer:
    """Base of the scorers: a picklable callable with sklearn's scorer signature.

    The score depends only on the word vectors of the fitted estimator, not on
    ``X`` or ``y``, which are accepted for sklearn's sake and ignored.
    """

    _factory = None

    def __init__(self, **params):
        self._params = params

    def __call__(self, estimator, X=None, y=None, **kwargs):
        return float(self._score(estimator))

    def __repr__(self):
        def show(key, value):
            if key == "dataset" and not isinstance(value, str):
                return f"<{type(value).__name__}>"  # not a 19,544-question dump
            return repr(value)

        args = ", ".join(f"{key}={show(key, value)}" for key, value in self._params.items())
        return f"{self._factory}({args})"


class _SimilarityScorer(_EmbeddingScorer):
    _factory = "make_similarity_scorer"

    def _score(self, estimator):
        result = word_similarity_score(estimator, **self._params)
        # nothing could be ranked (no coverage, or a constant similarity)
        return -1.0 if math.isnan(result.spearman) else result.spearman


class _AnalogyScorer(_EmbeddingScorer):
    _factory = "make_analogy_scorer"

    def _score(self, estimator):
        params = dict(self._params)
        missing = params.pop("missing")
        result = analogy_accuracy(estimator, **params)
        value = result.accuracy_all if missing == "wrong" else result.accuracy
        return 0.0 if math.isnan(value) else value


def _check_dataset(dataset, names, kind):
    if isinstance(dataset, str) and dataset not in names:
        raise ValueError(f"Unknown {kind} dataset {dataset!r}; use one of {sorted(names)}.")


def make_similarity_scorer(dataset="wordsim353", *, oov="skip", lowercase=True, missing="worst"):
    """Make a scorer from a word-similarity benchmark, for model selection.

    The scorer has sklearn's signature ``scorer(estimator, X, y=None)`` and
    returns the Spearman correlation of :func:`word_similarity_score` (greater
    is better). It ignores ``X`` and ``y``: it scores the word vectors of the
    fitted ``estimator`` (its ``wv_``, or those of the last Pipeline step that
    has them). Use it as ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV`
    or :func:`~sklearn.model_selection.cross_validate`, alone or in a dict of
    several metrics.

    Parameters
    ----------
    dataset : {"wordsim353", "simlex999"}, Bunch or sequence, default="wordsim353"
        The benchmark, as in :func:`word_similarity_score`.
    oov : {"skip", "vector"}, default="skip"
        How to look up a word outside the vocabulary, as in
        :func:`word_similarity_score`.
    lowercase : bool, default=True
        Look each word up as given and, when absent, lowercased.
    missing : {"worst", "drop"}, default="worst"
        ``"worst"``: pairs without vectors rank as the least similar, so that
        they count against the candidate and a model with a smaller vocabulary
        cannot win by dodging hard pairs. ``"drop"``: correlate over the
        covered pairs only. When nothing can be ranked (no pair covered, or
        every similarity equal) the score is -1, the lowest possible.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``; picklable.

    See Also
    --------
    word_similarity_score : The full result (p-value, coverage).
    make_analogy_scorer : A scorer from an analogy benchmark.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.evaluation import make_similarity_scorer
    >>> wv = WordVectors(["cat", "dog", "car"],
    ...                  np.array([[1, 0], [0.8, 0.6], [0, 1]], dtype=np.float32))
    >>> scorer = make_similarity_scorer(
    ...     [("cat", "dog", 8.0), ("dog", "car", 3.0), ("cat", "car", 1.0)])
    >>> scorer(wv, None)
    1.0
    """
    _check_dataset(dataset, SIMILARITY_DATASETS, "similarity")
    check_oov(oov)
    if missing not in ("worst", "drop"):
        raise ValueError(f"missing must be 'worst' or 'drop', got {missing!r}.")
    return _SimilarityScorer(dataset=dataset, oov=oov, lowercase=lowercase, missing=missing)


def make_analogy_scorer(
    dataset="google",
    *,
    method="3cosadd",
    restrict_vocab=30000,
    case_insensitive=True,
    oov="skip",
    missing="wrong",
):
    """Make a scorer from an analogy benchmark, for model selection.

    The scorer has sklearn's signature ``scorer(estimator, X, y=None)`` and
    returns the accuracy of :func:`analogy_accuracy` (greater is better). It
    ignores ``X`` and ``y``: it scores the word vectors of the fitted
    ``estimator`` (its ``wv_``, or those of the last Pipeline step that has
    them). Use it as ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV`
    or :func:`~sklearn.model_selection.cross_validate`, alone or in a dict of
    several metrics.

    Parameters
    ----------
    dataset : "google", Bunch or sequence, default="google"
        The benchmark, as in :func:`analogy_accuracy`.
    method : {"3cosadd", "3cosmul"}, default="3cosadd"
        How to answer a question, as in :func:`analogy_accuracy`.
    restrict_vocab : int or None, default=30000
        Search only the first ``restrict_vocab`` rows (the most frequent words).
    case_insensitive : bool, default=True
        Compare words up to case, as in :func:`analogy_accuracy`.
    oov : {"skip", "vector"}, default="skip"
        How to treat question words outside the searched rows.
    missing : {"wrong", "drop"}, default="wrong"
        ``"wrong"``: the score is the accuracy over all questions, uncovered
        ones counted as wrong (``accuracy_all``), so that a model with a
        smaller vocabulary cannot win by dodging questions. ``"drop"``: the
        accuracy over covered questions (``accuracy``; 0 when none is covered).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None) -> float``; picklable.

    See Also
    --------
    analogy_accuracy : The full result (coverage, sections).
    make_similarity_scorer : A scorer from a word-similarity benchmark.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.evaluation import make_analogy_scorer
    >>> wv = WordVectors(["man", "woman", "king", "queen"],
    ...                  np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]],
    ...                           dtype=np.float32))
    >>> scorer = make_analogy_scorer([("man", "woman", "king", "queen"),
    ...                               ("man", "woman", "prince", "princess")])
    >>> scorer(wv, None)
    0.5
    """
    _check_dataset(dataset, ANALOGY_DATASETS, "analogy")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    check_oov(oov)
    if missing not in ("wrong", "drop"):
        raise ValueError(f"missing must be 'wrong' or 'drop', got {missing!r}.")
    return _AnalogyScorer(
        dataset=dataset,
        method=method,
        restrict_vocab=restrict_vocab,
        case_insensitive=case_insensitive,
        oov=oov,
        missing=missing,
    )

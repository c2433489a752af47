"""Word similarity: Spearman correlation of cosine similarities with human scores."""

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from skembed.datasets import load_simlex999, load_wordsim353
from skembed.evaluation._vectors import (
    check_oov,
    composed_vector,
    find_word_vectors,
    normed_vectors,
)

__all__ = ["SimilarityResult", "word_similarity_score"]

SIMILARITY_DATASETS = {"wordsim353": load_wordsim353, "simlex999": load_simlex999}
MISSING_OPTIONS = ("drop", "worst")

# Below any cosine similarity, so that an uncovered pair ranks as least similar.
_WORST_SIMILARITY = -2.0


@dataclass(frozen=True)
class SimilarityResult:
    """Result of :func:`word_similarity_score`.

    Attributes
    ----------
    spearman : float
        Spearman rank correlation of the model's cosine similarities with the
        human scores; NaN when fewer than two pairs are scored or either side
        is constant.
    pvalue : float
        Two-sided p-value of ``spearman`` (from :func:`scipy.stats.spearmanr`).
    coverage : float
        ``n_found / n_total``: the fraction of pairs whose two words have vectors.
    n_found : int
        Number of pairs whose two words have vectors.
    n_total : int
        Number of pairs in the dataset.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.evaluation import word_similarity_score
    >>> wv = WordVectors(["cat", "dog", "car"],
    ...                  np.array([[1, 0], [0.8, 0.6], [0, 1]], dtype=np.float32))
    >>> result = word_similarity_score(wv, [("cat", "dog", 8.0), ("cat", "car", 1.0),
    ...                                     ("cat", "zebra", 5.0)])
    >>> result.n_found, result.n_total, round(result.coverage, 3)
    (2, 3, 0.667)
    """

    spearman: float
    pvalue: float
    coverage: float
    n_found: int
    n_total: int


def similarity_data(dataset):
    """Return ``(pairs, scores)`` from a dataset name, a Bunch or rows of (w1, w2, score)."""
    if isinstance(dataset, str):
        loader = SIMILARITY_DATASETS.get(dataset)
        if loader is None:
            raise ValueError(
                f"Unknown similarity dataset {dataset!r}; use one of "
                f"{sorted(SIMILARITY_DATASETS)}, or pass load_wordsim353(path=...) for "
                "a file of your own."
            )
        dataset = loader()
    if hasattr(dataset, "pairs") and hasattr(dataset, "scores"):
        pairs = [(str(w1), str(w2)) for w1, w2 in dataset.pairs]
        scores = np.asarray(dataset.scores, dtype=np.float64)
    else:
        pairs, scores = [], []
        for row in dataset:
            if isinstance(row, str) or len(row) != 3:
                raise ValueError(
                    "A similarity dataset given as a sequence must hold (word1, word2, "
                    f"score) rows; got {row!r}."
                )
            pairs.append((str(row[0]), str(row[1])))
            scores.append(float(row[2]))
        scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (len(pairs),):
        raise ValueError(f"Got {len(pairs)} pairs but scores of shape {scores.shape}.")
    return pairs, scores


def word_similarity_score(
    model, dataset="wordsim353", *, oov="skip", lowercase=True, missing="drop"
):
    """Score word vectors on a word-similarity benchmark (Spearman correlation).

    The cosine similarity of each pair's two vectors is compared, by rank,
    with the human scores.

    Parameters
    ----------
    model : WordVectors, estimator or Pipeline
        Word vectors, a fitted estimator with a ``wv_`` attribute, or a fitted
        Pipeline: the last step with fitted word vectors is used.
    dataset : {"wordsim353", "simlex999"}, Bunch or sequence, default="wordsim353"
        A bundled benchmark by name, a Bunch from :func:`~skembed.datasets.load_wordsim353`
        or :func:`~skembed.datasets.load_simlex999` (possibly read from your own
        file with ``path=``), or a sequence of ``(word1, word2, score)`` rows.
    oov : {"skip", "vector"}, default="skip"
        How to look up a word outside the vocabulary. ``"skip"``: it has no
        vector. ``"vector"``: ask ``model.get_vector`` for one (subword models
        such as fastText compose it from character n-grams); the pair stays
        uncovered if that raises KeyError.
    lowercase : bool, default=True
        Look each word up as given and, when absent, lowercased.
    missing : {"drop", "worst"}, default="drop"
        What happens to uncovered pairs. ``"drop"``: the correlation is taken
        over the covered pairs only (the usual report; read it together with
        ``coverage``). ``"worst"``: uncovered pairs rank as the least similar
        of all (tied with each other), so that they count against the model
        and a smaller vocabulary cannot score higher by dodging hard pairs.

    Returns
    -------
    result : SimilarityResult
        ``spearman``, ``pvalue``, ``coverage``, ``n_found`` and ``n_total``.

    See Also
    --------
    make_similarity_scorer : The same score as a scorer for model selection.
    skembed.datasets.load_wordsim353 : WordSimilarity-353 pairs.
    skembed.datasets.load_simlex999 : SimLex-999 pairs.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.evaluation import word_similarity_score
    >>> wv = WordVectors(["cat", "dog", "car"],
    ...                  np.array([[1, 0], [0.8, 0.6], [0, 1]], dtype=np.float32))
    >>> pairs = [("cat", "dog", 8.0), ("dog", "car", 3.0), ("cat", "car", 1.0),
    ...          ("cat", "zebra", 5.0)]
    >>> result = word_similarity_score(wv, pairs)
    >>> float(result.spearman), result.n_found, result.n_total
    (1.0, 3, 4)
    """
    check_oov(oov)
    if missing not in MISSING_OPTIONS:
        raise ValueError(f"missing must be one of {MISSING_OPTIONS}, got {missing!r}.")
    wv = find_word_vectors(model)
    pairs, human = similarity_data(dataset)
    normed = normed_vectors(wv)
    key_to_index = wv.key_to_index
    cache = {}

    def unit_vector(word):
        if word not in cache:
            row = key_to_index.get(word)
            if row is None and lowercase:
                row = key_to_index.get(word.lower())
            if row is not None:
                cache[word] = normed[row]
            elif oov == "vector":
                cache[word] = composed_vector(wv, word, lowercase)
            else:
                cache[word] = None
        return cache[word]

    n_total = len(pairs)
    found = np.zeros(n_total, dtype=bool)
    left, right = [], []
    for i, (word1, word2) in enumerate(pairs):
        vector1, vector2 = unit_vector(word1), unit_vector(word2)
        if vector1 is not None and vector2 is not None:
            found[i] = True
            left.append(vector1)
            right.append(vector2)
    n_found = int(found.sum())
    similarity = np.full(n_total, _WORST_SIMILARITY)
    if n_found:
        similarity[found] = np.einsum(
            "ij,ij->i", np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
        )
    if missing == "drop":
        similarity, human = similarity[found], human[found]
    spearman, pvalue = _spearman(similarity, human)
    return SimilarityResult(
        spearman=spearman,
        pvalue=pvalue,
        coverage=n_found / n_total if n_total else float("nan"),
        n_found=n_found,
        n_total=n_total,
    )


def _spearman(x, y):
    if len(x) < 2 or np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan"), float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        result = stats.spearmanr(x, y)
    return float(result.statistic), float(result.pvalue)

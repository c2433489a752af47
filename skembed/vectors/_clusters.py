"""Clusters of words and documents: k-means or agglomerative on unit vectors."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from skembed.utils._pandas import require_pandas
from skembed.vectors._index import _unit_rows

if TYPE_CHECKING:
    import pandas

__all__ = ["ClusterResult", "cluster_documents", "cluster_words"]

METHODS = ("kmeans", "agglomerative")


@dataclass(frozen=True)
class ClusterResult:
    """Clusters of words or documents and the figures used to judge them.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per item: ``word`` (or ``document``), ``cluster``, and
        ``distance``, the Euclidean distance of its unit vector to its
        cluster's centre (the mean of the members' unit vectors).
    silhouette : float
        Mean silhouette coefficient (cosine), in [-1, 1]; NaN when there are
        fewer than 2 clusters or no cluster with 2 items.
    top_words : dict of int to list of str
        Per cluster, the words nearest its centre (for documents: the
        vocabulary words nearest the centre).
    centres : ndarray of shape (n_clusters, vector_size)

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors import cluster_words
    >>> wv = WordVectors(["a", "b", "c", "d"],
    ...                  np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1]], dtype=np.float32))
    >>> result = cluster_words(wv, 2, random_state=0)
    >>> sorted(sorted(words) for words in result.top_words.values())
    [['a', 'b'], ['c', 'd']]
    """

    table: "pandas.DataFrame"
    silhouette: float
    top_words: dict
    centres: np.ndarray


def _labels(rows, n_clusters, method, random_state, params):
    from sklearn.cluster import AgglomerativeClustering, KMeans

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, int | np.integer):
        raise ValueError(f"n_clusters must be an integer, got {n_clusters!r}.")
    if not 1 <= n_clusters <= len(rows):
        raise ValueError(
            f"n_clusters must be between 1 and the number of items ({len(rows)}), "
            f"got {n_clusters}."
        )
    if method == "kmeans":
        model = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state, **params)
    else:
        model = AgglomerativeClustering(n_clusters=n_clusters, **params)
    return model.fit_predict(rows)


def _result(rows, labels, n_clusters, names, name_column, wv, topn):
    from sklearn.metrics import silhouette_score

    pd = require_pandas("cluster_words and cluster_documents")

    centres = np.stack(
        [rows[labels == c].mean(axis=0) if np.any(labels == c) else np.zeros(rows.shape[1])
         for c in range(n_clusters)]
    ).astype(np.float32)  # fmt: skip
    distance = np.linalg.norm(rows - centres[labels], axis=1)
    table = pd.DataFrame({name_column: names, "cluster": labels, "distance": distance})
    n_labels = len(np.unique(labels))
    silhouette = (
        float(silhouette_score(rows, labels, metric="cosine"))
        if 2 <= n_labels <= len(rows) - 1
        else float("nan")
    )
    top_words = {}
    for c in range(n_clusters):
        if wv is None:
            members = table[table["cluster"] == c].sort_values("distance", kind="stable")
            top_words[c] = list(members[name_column][:topn])
        else:
            top_words[c] = [w for w, _ in wv.most_similar(centres[c], topn=topn)]
    return ClusterResult(table, silhouette, top_words, centres)


def cluster_words(wv, n_clusters, method="kmeans", words=None, topn=10, random_state=None,
                  **params):  # fmt: skip
    """Cluster words by their unit vectors with scikit-learn.

    Parameters
    ----------
    wv : WordVectors
    n_clusters : int
    method : {"kmeans", "agglomerative"}, default="kmeans"
        ``KMeans`` (``n_init=10``) or ``AgglomerativeClustering`` (Ward
        linkage by default) on the L2-normalised vectors.
    words : list of str, default=None
        The words to cluster (all of ``wv`` when None); a word outside the
        vocabulary raises a KeyError naming it.
    topn : int, default=10
        Words listed per cluster in ``top_words``.
    random_state : int, RandomState instance or None, default=None
        Seed of k-means.
    **params
        Further parameters of the scikit-learn estimator (``linkage``, ...).

    Returns
    -------
    ClusterResult
        ``table`` (a pandas DataFrame: needs ``skembed[pandas]``) has columns
        ``word``, ``cluster``, ``distance``.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors import cluster_words
    >>> wv = WordVectors(["a", "b", "c", "d"],
    ...                  np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1]], dtype=np.float32))
    >>> result = cluster_words(wv, 2, method="agglomerative")
    >>> list(result.table.columns), result.silhouette > 0.9
    (['word', 'cluster', 'distance'], True)
    """
    require_pandas("cluster_words")  # before the clustering work, not after it
    words = list(wv.index_to_key) if words is None else [str(w) for w in words]
    rows = _unit_rows(np.stack([wv.get_vector(w) for w in words]) if words else np.zeros((0, 1)))
    labels = _labels(rows, n_clusters, method, random_state, params)
    return _result(rows, labels, int(n_clusters), words, "word", None, topn)


def cluster_documents(vectorizer, documents, n_clusters, method="kmeans", topn=10,
                      random_state=None, **params):  # fmt: skip
    """Cluster documents by the unit vectors a fitted vectorizer gives them.

    Parameters
    ----------
    vectorizer : fitted skembed vectorizer or Pipeline ending in one
        Used as given, never refitted.
    documents : iterable of str
    n_clusters : int
    method : {"kmeans", "agglomerative"}, default="kmeans"
    topn : int, default=10
        Vocabulary words nearest each cluster's centre, in ``top_words``.
    random_state : int, RandomState instance or None, default=None
    **params
        Further parameters of the scikit-learn estimator.

    Returns
    -------
    ClusterResult
        ``table`` (a pandas DataFrame: needs ``skembed[pandas]``) has columns
        ``document`` (position in ``documents``), ``cluster``, ``distance``.

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.vectors import cluster_documents
    >>> docs = ["cats and dogs", "dogs and cats", "stocks and bonds", "bonds and stocks"] * 10
    >>> vec = Word2VecVectorizer(vector_size=8, min_count=1, epochs=5, random_state=0).fit(docs)
    >>> result = cluster_documents(vec, docs[:4], 2, random_state=0)
    >>> result.table["cluster"].nunique(), len(result.table)
    (2, 4)
    """
    from sklearn.utils.validation import check_is_fitted

    from skembed.vectors._search import _last_step

    require_pandas("cluster_documents")
    check_is_fitted(vectorizer)
    if isinstance(documents, str):
        raise ValueError("documents must be a list of documents, got a single string.")
    rows = _unit_rows(vectorizer.transform(list(documents)), "document vectors")
    labels = _labels(rows, n_clusters, method, random_state, params)
    wv = getattr(_last_step(vectorizer), "wv_", None)
    if wv is not None and wv.vector_size != rows.shape[1]:
        wv = None  # the document vectors are not in the word space (e.g. concatenated)
    result = _result(rows, labels, int(n_clusters), list(range(len(rows))), "document", wv, topn)
    if wv is None:
        result = ClusterResult(result.table, result.silhouette, {}, result.centres)
    return result

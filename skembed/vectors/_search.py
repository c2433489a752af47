"""Semantic search over documents with a fitted vectorizer, and query expansion."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skembed.text._analyzer import build_analyzer
from skembed.vectors._index import ExactIndex

__all__ = ["DocumentIndex"]


def _last_step(vectorizer):
    """The step that embeds: the vectorizer, or the last step of a pipeline."""
    steps = getattr(vectorizer, "steps", None)
    return steps[-1][1] if steps else vectorizer


class DocumentIndex:
    """Search documents by meaning: the vectorizer's document vectors in a neighbour index.

    Parameters
    ----------
    vectorizer : fitted skembed vectorizer or Pipeline ending in one
        Used as given (never refitted): its ``transform`` embeds the documents
        and the queries.
    indexer : index, default=None
        Unfitted index to hold the document vectors (:class:`ExactIndex` when
        None; :class:`NNDescentIndex` for large collections).

    Attributes
    ----------
    index_ : index
        The fitted index; its keys are document ids, positions in the
        documents given to :meth:`fit` and then :meth:`add`.
    n_documents_ : int

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.vectors import DocumentIndex
    >>> docs = ["the cat sat on the mat", "dogs chase cats", "stocks fell on the market"] * 20
    >>> vec = Word2VecVectorizer(vector_size=8, min_count=1, epochs=2, random_state=0).fit(docs)
    >>> index = DocumentIndex(vec).fit(docs[:3])
    >>> hits = index.search("stocks fell on the market", topn=2)
    >>> hits[0][0], len(hits)
    (2, 2)
    >>> [word for word, weight in index.expand_query(["cat"], topn=2)][0]
    'cat'
    """

    def __init__(self, vectorizer, indexer=None):
        self.vectorizer = vectorizer
        self.indexer = indexer

    def _transform(self, documents, name):
        if isinstance(documents, str):
            raise ValueError(
                f"{name} must be a list of documents, got a single string; wrap it in a list."
            )
        vectors = np.asarray(self.vectorizer.transform(list(documents)), dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(
                f"The vectorizer's transform gave shape {vectors.shape}; DocumentIndex "
                "needs dense document vectors of shape (n_documents, n_features)."
            )
        return vectors

    def fit(self, documents):
        """Embed ``documents`` with the fitted vectorizer and index them.

        Parameters
        ----------
        documents : iterable of str
            Document ``i`` gets id ``i``.

        Returns
        -------
        self : DocumentIndex
        """
        check_is_fitted(self.vectorizer)
        vectors = self._transform(documents, "documents")
        indexer = ExactIndex() if self.indexer is None else self.indexer
        self.index_ = indexer.fit(vectors)
        self.n_documents_ = len(vectors)
        return self

    def add(self, documents):
        """Index more documents; they get the next ids.

        Parameters
        ----------
        documents : iterable of str

        Returns
        -------
        self : DocumentIndex
        """
        self._check_fitted()
        vectors = self._transform(documents, "documents")
        ids = range(self.n_documents_, self.n_documents_ + len(vectors))
        self.index_.add(list(ids), vectors)
        self.n_documents_ += len(vectors)
        return self

    def _check_fitted(self):
        if not hasattr(self, "index_"):
            raise ValueError("This DocumentIndex is not fitted yet; call fit(documents) first.")

    def _word_vectors(self):
        wv = getattr(_last_step(self.vectorizer), "wv_", None)
        if wv is None:
            raise TypeError(
                f"{type(_last_step(self.vectorizer)).__name__} has no word vectors (wv_); "
                "query expansion needs a fitted skembed vectorizer."
            )
        return wv

    def search(self, query, topn=10):
        """Return the ``topn`` documents closest (cosine) to ``query``.

        Parameters
        ----------
        query : str or list of (str, float)
            Text embedded by the vectorizer, or weighted words (the output of
            :meth:`expand_query`) embedded as the weighted mean of their unit
            word vectors.
        topn : int, default=10

        Returns
        -------
        list of (int, float)
            Document ids and cosine similarities, best first.
        """
        self._check_fitted()
        if isinstance(query, str):
            vector = self._transform([query], "query")[0]
        else:
            wv = self._word_vectors()
            pairs = [(word, float(weight)) for word, weight in query if word in wv]
            if not pairs:
                raise ValueError("query has no word in the vocabulary.")
            vector = sum(weight * wv.get_vector(word, norm=True) for word, weight in pairs)
        indices, similarities = self.index_.query(vector, topn)
        keys = self.index_.keys_
        return [(int(keys[i]), float(s)) for i, s in zip(indices[0], similarities[0], strict=True)]

    def expand_query(self, words, topn=5):
        """Add each word's ``topn`` nearest neighbours, weighted by their cosine.

        Parameters
        ----------
        words : str or list of str
            A query text (split by the vectorizer's analyzer) or its words.
        topn : int, default=5
            Neighbours added per word.

        Returns
        -------
        list of (str, float)
            The query's words with weight 1.0 first, then the neighbours by
            decreasing weight (a word reached twice keeps its largest weight);
            words outside the vocabulary are left out.
        """
        wv = self._word_vectors()
        if isinstance(words, str):
            words = build_analyzer(_last_step(self.vectorizer))(words)
        weights = {}
        for word in words:
            if word in wv:
                weights[word] = 1.0
        for word in list(weights):
            for neighbour, similarity in wv.most_similar(word, topn=topn):
                if weights.get(neighbour, -np.inf) < similarity:
                    weights[neighbour] = similarity
        return sorted(weights.items(), key=lambda item: -item[1])

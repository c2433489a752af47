"""What every skembed vectorizer shares: text parameters, validation, fit/transform plumbing."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._corpus import build_vocabulary, encode_documents, encode_with_vocabulary, remap
from ._pooling import POOLING_MODES, pool, smooth_idf
from ._text import DEFAULT_TOKEN_PATTERN, TEXT_CONSTRAINTS, build_analyzer, iter_tokens
from ._training import resolve_n_threads

__all__ = ["BaseEmbeddingVectorizer"]


class BaseEmbeddingVectorizer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Base class of skembed's vectorizers; not for direct use.

    Subclasses implement ``_train(corpus, words, counts, rng)``, which must set
    ``wv_``, ``loss_curve_`` and ``n_iter_``.
    """

    _parameter_constraints: dict = {
        **TEXT_CONSTRAINTS,
        "vector_size": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "max_vocab_size": [Interval(Integral, 1, None, closed="left"), None],
        "max_final_vocab": [Interval(Integral, 1, None, closed="left"), None],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "pooling": [StrOptions(set(POOLING_MODES))],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        vector_size=100,
        window=5,
        min_count=5,
        max_vocab_size=None,
        max_final_vocab=None,
        epochs=5,
        pooling="mean",
        input="content",
        encoding="utf-8",
        decode_error="strict",
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        stop_words=None,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.max_vocab_size = max_vocab_size
        self.max_final_vocab = max_final_vocab
        self.epochs = epochs
        self.pooling = pooling
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.token_pattern = token_pattern
        self.stop_words = stop_words
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ----------------------------------------------------------------- sklearn
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags

    @property
    def _n_features_out(self):
        return self.wv_.vector_size

    @property
    def vocabulary_(self):
        """dict of str to int: Row of each word in ``wv_`` (derived from ``wv_``)."""
        check_is_fitted(self, "wv_")
        return self.wv_.key_to_index

    # -------------------------------------------------------------- fit/transform
    def _analyze(self, X):
        return iter_tokens(X, build_analyzer(self), self.input)

    def _encode_for_fit(self, X):
        corpus, words, counts = encode_documents(self._analyze(X), self.max_vocab_size)
        if corpus.n_documents == 0:
            raise ValueError("X is empty: fit needs at least one document.")
        if corpus.n_tokens == 0:
            raise ValueError(
                "X contains no tokens: every document is empty after analysis "
                "(check token_pattern, stop_words, preprocessor and tokenizer)."
            )
        final_words, final_counts, mapping = build_vocabulary(
            words, counts, self.min_count, self.max_final_vocab
        )
        if not final_words:
            top = int(np.argmax(counts))
            raise ValueError(
                f"min_count={self.min_count} removed every word: the most frequent word "
                f"{words[top]!r} occurs {counts[top]} time(s). Lower min_count "
                f"(at most {counts[top]}) or give more text."
            )
        return remap(corpus, mapping), final_words, final_counts

    def _fit_corpus(self, X):
        corpus, words, counts = self._encode_for_fit(X)
        self._train(corpus, words, counts, check_random_state(self.random_state))
        self.idf_ = smooth_idf(corpus, len(words))
        return corpus

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn word vectors from raw documents.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents (or file names / file objects, see ``input``); a
            generator is read once.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted vectorizer.
        """
        self._fit_corpus(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn word vectors, then return the pooled vector of each training document.

        Equals ``fit(X).transform(X)`` but reads ``X`` only once, so it works
        on a generator.

        Parameters
        ----------
        X : iterable of str of length n_documents
        y : None
            Ignored.

        Returns
        -------
        X_new : ndarray of shape (n_documents, vector_size), dtype float32
        """
        return self._pool(self._fit_corpus(X))

    def transform(self, X):
        """Return the pooled word vector of each document.

        Words outside the vocabulary are skipped; a document with no known
        word gets a row of zeros.

        Parameters
        ----------
        X : iterable of str of length n_documents

        Returns
        -------
        X_new : ndarray of shape (n_documents, vector_size), dtype float32
        """
        check_is_fitted(self, "wv_")
        return self._pool(*self._encode_for_transform(X))

    def _encode_for_transform(self, X):
        """Return ``(corpus, vectors, weights)``: X's tokens as rows of ``vectors``.

        Here unknown words are dropped and rows are ``wv_.vectors``; subword
        models override this to give unseen words rows of their own.
        """
        corpus = encode_with_vocabulary(self._analyze(X), self.wv_.key_to_index)
        return corpus, self.wv_.vectors, self.idf_

    def _pool(self, corpus, vectors=None, idf=None):
        vectors = self.wv_.vectors if vectors is None else vectors
        idf = self.idf_ if idf is None else idf
        weights = idf if self.pooling == "tfidf" else None
        return pool(vectors, corpus, self.pooling, weights, resolve_n_threads(self.n_jobs))


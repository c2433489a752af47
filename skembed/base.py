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
from ._training import numba_threads, resolve_n_threads

__all__ = ["BaseEmbeddingVectorizer"]

# the fixed protocol of score(): window, noise words, noise exponent, seed
SCORE_WINDOW = 5
SCORE_NEGATIVE = 5
SCORE_NS_EXPONENT = 0.75
SCORE_SEED = 0


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

    def score(self, X, y=None):
        """Return the mean held-out log-likelihood of X's (word, context) pairs.

        A fixed protocol, independent of the hyper-parameters being searched, so
        that ``GridSearchCV(scoring=None)`` compares settings fairly: every
        (centre, context) pair within a window of 5 (never shrunk, never
        subsampled) scores ``log s(u_context . v_centre)`` plus
        ``log s(-u_context . v_noise)`` for 5 noise words drawn from the
        training unigram^0.75 distribution with a fixed seed.  A pair with a word
        outside the vocabulary scores ``6 log(1/2)``, the figure of a model that
        knows nothing, so a vocabulary cut by ``min_count`` cannot win by
        dodging rare words.  Greater is better; deterministic.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Held-out documents.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean log-likelihood per pair (at most 0).
        """
        from ._kernels._random import seed_states
        from ._kernels._score import sgns_log_likelihood
        from .word2vec import noise_table

        check_is_fitted(self, "wv_")
        corpus = encode_with_vocabulary(self._analyze(X), self.wv_.key_to_index, unknown=-1)
        syn0, syn1 = self._score_vectors()
        prob, index = noise_table(self.wv_.counts, SCORE_NS_EXPONENT)
        n_docs = corpus.n_documents
        ll = np.zeros(n_docs)
        pairs = np.zeros(n_docs, dtype=np.int64)
        with numba_threads(resolve_n_threads(self.n_jobs)):
            sgns_log_likelihood(
                corpus.tokens, corpus.offsets, syn0, syn1, prob, index, SCORE_WINDOW,
                SCORE_NEGATIVE, seed_states(SCORE_SEED, n_docs),
                (1 + SCORE_NEGATIVE) * np.log(0.5), ll, pairs,
            )  # fmt: skip
        if pairs.sum() == 0:
            raise ValueError("X has no (word, context) pair to score: give longer documents.")
        return float(ll.sum() / pairs.sum())

    def _score_vectors(self):
        """Return the (input, output) matrices that ``score`` evaluates."""
        return self.wv_.vectors, self._output_vectors

    def _pool(self, corpus, vectors=None, idf=None):
        vectors = self.wv_.vectors if vectors is None else vectors
        idf = self.idf_ if idf is None else idf
        weights = idf if self.pooling == "tfidf" else None
        return pool(vectors, corpus, self.pooling, weights, resolve_n_threads(self.n_jobs))


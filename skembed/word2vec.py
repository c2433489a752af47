"""Word2VecVectorizer: word2vec (skip-gram, negative sampling) as a scikit-learn transformer."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._corpus import make_chunks
from ._kernels import _sgns
from ._kernels._random import build_alias
from ._kernels._sigmoid import make_tables
from ._text import DEFAULT_TOKEN_PATTERN
from ._training import LinearSchedule, resolve_n_threads, train_chunks
from .base import BaseEmbeddingVectorizer
from .word_vectors import WordVectors

__all__ = ["Word2VecVectorizer"]

_DEFAULT_LEARNING_RATE = {"skipgram": 0.025, "cbow": 0.05}


def keep_probabilities(counts, sample):
    """Return word2vec's subsampling keep probability of each word (float32).

    ``p = (sqrt(c / (s * T)) + 1) * (s * T) / c`` for a word seen ``c`` times
    among ``T`` tokens, as word2vec's C tool and gensim compute it; values of
    1 or more mean "always keep".  ``sample=0`` keeps everything.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones(len(counts), dtype=np.float32)
    threshold = sample * counts.sum()
    return ((np.sqrt(counts / threshold) + 1.0) * threshold / counts).astype(np.float32)


def noise_table(counts, exponent):
    """Return the alias table ``(prob, index)`` of the unigram^exponent noise distribution."""
    weights = np.asarray(counts, dtype=np.float64) ** exponent
    prob = np.empty(len(weights), dtype=np.float64)
    index = np.empty(len(weights), dtype=np.int32)
    build_alias(weights, prob, index)
    return prob, index


class Word2VecVectorizer(BaseEmbeddingVectorizer):
    """Learn word2vec embeddings from raw text and turn documents into dense vectors.

    Skip-gram with negative sampling (Mikolov et al. 2013), trained by numba
    kernels; ``transform`` pools the vectors of each document's words.

    Parameters
    ----------
    algorithm : {"skipgram"}, default="skipgram"
        Training algorithm.
    vector_size : int, default=100
        Dimension of the word vectors.
    window : int, default=5
        Maximum distance between a word and its context; each word draws a
        window uniformly from 1 to ``window``, as in word2vec.
    min_count : int, default=5
        Words seen fewer times are ignored.
    max_vocab_size : int, default=None
        Bound on distinct words held while counting; rare words are pruned on
        the way (as gensim).
    max_final_vocab : int, default=None
        Keep only this many most frequent words.
    negative : int, default=5
        Noise words drawn per positive example.
    ns_exponent : float, default=0.75
        Exponent of the unigram noise distribution.
    sample : float, default=1e-3
        Subsampling threshold of frequent words (0 disables it).
    epochs : int, default=5
        Passes over the corpus.
    learning_rate : float or "auto", default="auto"
        Initial learning rate; "auto" is 0.025 for skip-gram.
    min_learning_rate : float, default=1e-4
        Learning rate reached at the end of training (linear decay).
    pooling : {"mean", "sum", "max", "tfidf"}, default="mean"
        How ``transform`` combines a document's word vectors ("tfidf": mean
        weighted by ``idf_``).
    input, encoding, decode_error, strip_accents, lowercase, preprocessor, \
tokenizer, token_pattern, stop_words
        Text parameters with :class:`~sklearn.feature_extraction.text.CountVectorizer`'s
        meaning, except that ``token_pattern`` defaults to ``r"(?u)\\b\\w+\\b"``
        (single letters are kept).
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, subsampling, windows and noise draws.
    n_jobs : int, default=None
        Training threads: None means 1 (reproducible), -1 all cores.  More
        than one thread updates the vectors lock-free and is not
        bit-reproducible.
    verbose : int, default=0
        Show a progress bar when positive.

    Attributes
    ----------
    wv_ : WordVectors
        The learned word vectors, most frequent word first.
    vocabulary_ : dict of str to int
        Row of each word in ``wv_`` (derived from ``wv_``).
    idf_ : ndarray of shape (n_words,), float32
        Smoothed inverse document frequency of each word in the training documents.
    loss_curve_ : list of float
        Mean loss per (word, context) pair in each epoch.
    n_iter_ : int
        Epochs run.
    train_time_ : float
        Seconds spent in the training kernels.
    words_per_second_ : float
        In-vocabulary training tokens processed per second (all epochs).

    See Also
    --------
    sklearn.feature_extraction.text.TfidfVectorizer : Sparse bag-of-words features.

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 50
    >>> vec = Word2VecVectorizer(vector_size=8, min_count=1, random_state=0)
    >>> vec.fit_transform(docs).shape
    (100, 8)
    >>> "cat" in vec.wv_
    True
    """

    _parameter_constraints: dict = {
        **BaseEmbeddingVectorizer._parameter_constraints,
        "algorithm": [StrOptions({"skipgram"})],
        "negative": [Interval(Integral, 1, None, closed="left")],
        "ns_exponent": [Interval(Real, None, None, closed="neither")],
        "sample": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "min_learning_rate": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        algorithm="skipgram",
        vector_size=100,
        window=5,
        min_count=5,
        max_vocab_size=None,
        max_final_vocab=None,
        negative=5,
        ns_exponent=0.75,
        sample=1e-3,
        epochs=5,
        learning_rate="auto",
        min_learning_rate=1e-4,
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
        super().__init__(
            vector_size=vector_size,
            window=window,
            min_count=min_count,
            max_vocab_size=max_vocab_size,
            max_final_vocab=max_final_vocab,
            epochs=epochs,
            pooling=pooling,
            input=input,
            encoding=encoding,
            decode_error=decode_error,
            strip_accents=strip_accents,
            lowercase=lowercase,
            preprocessor=preprocessor,
            tokenizer=tokenizer,
            token_pattern=token_pattern,
            stop_words=stop_words,
            random_state=random_state,
            n_jobs=n_jobs,
            verbose=verbose,
        )
        self.algorithm = algorithm
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.sample = sample
        self.learning_rate = learning_rate
        self.min_learning_rate = min_learning_rate

    def _learning_rate(self):
        if self.learning_rate == "auto":
            return _DEFAULT_LEARNING_RATE[self.algorithm]
        return float(self.learning_rate)

    def _train(self, corpus, words, counts, rng):
        n_words, dim = len(words), self.vector_size
        # word2vec's initialisation: uniform in [-0.5, 0.5) / dim; output weights zero
        syn0 = ((rng.random_sample((n_words, dim)) - 0.5) / dim).astype(np.float32)
        syn1 = np.zeros((n_words, dim), dtype=np.float32)
        keep = keep_probabilities(counts, self.sample)
        alias_prob, alias_index = noise_table(counts, self.ns_exponent)
        sig, log_sig = make_tables()
        seg_offsets = corpus.segments()
        chunk_segs = make_chunks(seg_offsets)
        chunk_words = np.diff(seg_offsets[chunk_segs])
        max_seg = int(np.diff(seg_offsets).max(initial=1))
        tokens = corpus.tokens

        def step(lo, hi, lrs, seeds, loss_out, count_out, parallel):
            kernel = _sgns.sgns_parallel if parallel else _sgns.sgns_serial
            kernel(
                lo, hi, chunk_segs, seg_offsets, tokens, syn0, syn1, keep, alias_prob,
                alias_index, self.window, self.negative, lrs, seeds, sig, log_sig, max_seg,
                loss_out, count_out,
            )  # fmt: skip

        start = self._learning_rate()
        result = train_chunks(
            step,
            chunk_words,
            epochs=self.epochs,
            schedule=LinearSchedule(start, min(self.min_learning_rate, start)),
            rng=rng,
            n_threads=resolve_n_threads(self.n_jobs),
            verbose=self.verbose,
        )
        self.wv_ = WordVectors(words, syn0, counts)
        self._output_vectors = syn1
        self.loss_curve_ = result.loss_curve
        self.n_iter_ = result.n_epochs
        self.train_time_ = result.seconds
        self.words_per_second_ = result.words_per_second

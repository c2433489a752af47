"""FastTextWordVectors: word vectors that compose unseen words from character n-grams."""

import numpy as np

from skembed._subwords import (
    EOS,
    build_subword_table,
    char_ngrams,
    ngram_ids,
    subwords_enabled,
)
from skembed.word_vectors import WordVectors

__all__ = ["FastTextWordVectors"]

# Above this many multiply-adds, composing in-vocabulary vectors uses all threads
# (rows are independent, so the result is identical).
_PARALLEL_WORK = 1 << 25


class FastTextWordVectors(WordVectors):
    """Word vectors with fastText subwords: every word, seen or not, gets a vector.

    A word's vector is the mean of its own row (in-vocabulary words only) and
    the rows of its character n-grams, each n-gram hashed into one of
    ``bucket`` rows, exactly as facebook fastText's ``get_word_vector``
    computes it.

    Parameters
    ----------
    words : sequence of str of length n_words
        The vocabulary, in row order.
    vectors_vocab : array-like of shape (n_words, vector_size)
        The trained rows of the words themselves (not yet averaged with
        their n-grams).
    vectors_ngrams : array-like of shape (bucket, vector_size)
        The n-gram bucket rows.
    min_n : int, default=3
        Shortest character n-gram.
    max_n : int, default=6
        Longest character n-gram.  ``min_n <= 0``, ``max_n <= 0``,
        ``max_n < min_n`` or an empty ``vectors_ngrams`` switch subwords off:
        words are then their own rows, and unseen words get a zero vector.
    counts : array-like of shape (n_words,), default=None
        Corpus frequency of each word.

    Attributes
    ----------
    vectors : ndarray of shape (n_words, vector_size), dtype float32
        Composed vectors of the vocabulary (what fastText writes in ``.vec``).
    vectors_vocab : ndarray of shape (n_words, vector_size), dtype float32
        View of the words' own rows.
    vectors_ngrams : ndarray of shape (bucket, vector_size), dtype float32
        View of the n-gram rows.
    min_n, max_n, bucket : int
    index_to_key, key_to_index, counts
        As in :class:`~skembed.word_vectors.WordVectors`.

    See Also
    --------
    skembed.word_vectors.WordVectors : Vectors without subwords.
    skembed.fasttext_io.load_fasttext_bin : Read a whole fastText model.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.fasttext_vectors import FastTextWordVectors
    >>> rng = np.random.default_rng(0)
    >>> wv = FastTextWordVectors(["cat", "dog"], rng.normal(size=(2, 4)),
    ...                          rng.normal(size=(50, 4)), min_n=2, max_n=3)
    >>> wv.get_vector("cats").shape  # unseen: composed from its n-grams
    (4,)
    >>> wv.get_subwords("cat")[0]
    ['cat', '<c', '<ca', 'ca', 'cat', 'at', 'at>', 't>']
    """

    def __init__(self, words, vectors_vocab, vectors_ngrams, *, min_n=3, max_n=6, counts=None):
        vectors_vocab = np.asarray(vectors_vocab, dtype=np.float32)
        vectors_ngrams = np.asarray(vectors_ngrams, dtype=np.float32)
        if vectors_vocab.ndim != 2 or vectors_ngrams.ndim != 2:
            raise ValueError("vectors_vocab and vectors_ngrams must be 2-dimensional.")
        if vectors_vocab.shape[1] != vectors_ngrams.shape[1]:
            raise ValueError(
                f"vectors_vocab has {vectors_vocab.shape[1]} columns but vectors_ngrams has "
                f"{vectors_ngrams.shape[1]}."
            )
        input_matrix = np.concatenate([vectors_vocab, vectors_ngrams])
        self._setup(words, input_matrix, vectors_vocab.shape[0], min_n, max_n, counts)

    @classmethod
    def _from_input_matrix(cls, words, input_matrix, *, min_n, max_n, counts=None):
        """Build from fastText's input matrix (words' rows, then n-gram rows), without copying."""
        self = cls.__new__(cls)
        self._setup(words, input_matrix, len(words), min_n, max_n, counts)
        return self

    def _setup(self, words, input_matrix, nwords, min_n, max_n, counts):
        words = [str(w) for w in words]
        input_matrix = np.ascontiguousarray(input_matrix, dtype=np.float32)
        if input_matrix.ndim != 2 or input_matrix.shape[0] < nwords:
            raise ValueError(f"input matrix of shape {input_matrix.shape} has too few rows.")
        if nwords != len(words):
            raise ValueError(f"words has {len(words)} entries but there are {nwords} word rows.")
        self._input = input_matrix
        self.min_n = int(min_n)
        self.max_n = int(max_n)
        # index_to_key must exist before composing; WordVectors.__init__ sets it again
        self.index_to_key = words
        vectors = self._compose_vocabulary()
        super().__init__(words, vectors, counts)

    @property
    def bucket(self):
        """int: Number of n-gram rows."""
        return self._input.shape[0] - len(self.index_to_key)

    @property
    def vectors_vocab(self):
        """ndarray of shape (n_words, vector_size): the words' own rows."""
        return self._input[: len(self.index_to_key)]

    @property
    def vectors_ngrams(self):
        """ndarray of shape (bucket, vector_size): the n-gram rows."""
        return self._input[len(self.index_to_key) :]

    @property
    def subwords_enabled(self):
        """bool: Whether words are composed with character n-grams."""
        return subwords_enabled(self.min_n, self.max_n, self.bucket)

    def _table(self):
        nwords = len(self.index_to_key)
        return build_subword_table(self.index_to_key, self.min_n, self.max_n, self.bucket, nwords)

    def _compose_vocabulary(self):
        from skembed._kernels._subwords import compose_vectors, compose_vectors_parallel

        indptr, indices = self._table()
        out = np.empty((len(self.index_to_key), self._input.shape[1]), dtype=np.float32)
        kernel = compose_vectors
        if indices.size * self._input.shape[1] > _PARALLEL_WORK:
            kernel = compose_vectors_parallel
        kernel(indptr, indices, self._input, out)
        return out

    def _unseen_ngram_ids(self, word):
        if word == EOS:  # fastText gives its end-of-line token no n-grams
            return np.empty(0, dtype=np.int32)
        return ngram_ids(word, self.min_n, self.max_n, self.bucket, len(self.index_to_key))

    def _unseen_vector(self, word):
        ids = self._unseen_ngram_ids(word)
        if ids.size == 0:
            return np.zeros(self.vector_size, dtype=np.float32)
        total = self._input[ids].sum(axis=0, dtype=np.float32)
        return total * np.float32(1.0 / ids.size)

    def get_subwords(self, word):
        """Return the pieces of ``word`` and their rows, as fastText's ``get_subwords``.

        Parameters
        ----------
        word : str

        Returns
        -------
        subwords : list of str
            The word itself when it is in the vocabulary, then its n-grams.
        ids : ndarray of shape (len(subwords),), dtype int32
            Their rows in the input matrix (word rows, then ``n_words +``
            n-gram bucket).
        """
        if word == EOS:
            pieces, ids = [], self._unseen_ngram_ids(word)
        else:
            pieces = char_ngrams(word, self.min_n, self.max_n) if self.subwords_enabled else []
            ids = self._unseen_ngram_ids(word)
        index = self.key_to_index.get(word)
        if index is not None:
            pieces = [word] + pieces
            ids = np.concatenate([np.array([index], dtype=np.int32), ids])
        return pieces, ids

    # pickling: the input matrix is the one source of truth; composed vectors are rebuilt
    def __getstate__(self):
        state = super().__getstate__()
        state.pop("vectors", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.vectors = self._compose_vocabulary()
        self._build_index()

    def save(self, path):
        """Save to a ``.npz`` file (written to a temporary name, then renamed)."""
        from skembed.word_vectors import _atomic_write

        arrays = dict(
            words=np.array(self.index_to_key, dtype=str),
            input_matrix=self._input,
            ngram_range=np.array([self.min_n, self.max_n], dtype=np.int64),
        )
        if self.counts is not None:
            arrays["counts"] = self.counts
        _atomic_write(path, lambda fh: np.savez(fh, **arrays))

    @classmethod
    def load(cls, path):
        """Load vectors saved by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            if "input_matrix" not in data.files:
                raise ValueError(f"{path}: not saved by FastTextWordVectors.save.")
            counts = data["counts"] if "counts" in data.files else None
            min_n, max_n = data["ngram_range"].tolist()
            return cls._from_input_matrix(
                data["words"].tolist(),
                data["input_matrix"],
                min_n=min_n,
                max_n=max_n,
                counts=counts,
            )

    @classmethod
    def load_word2vec_format(cls, path, binary=False, encoding="utf-8"):
        """Refuse: a ``.vec`` or word2vec file holds no n-gram rows.

        Use :meth:`WordVectors.load_word2vec_format
        <skembed.word_vectors.WordVectors.load_word2vec_format>` for such files
        and :meth:`load_fasttext_bin` for a fastText ``.bin``.
        """
        raise TypeError(
            f"{path}: a word2vec/.vec file has no subword information; read it with "
            "WordVectors.load_word2vec_format, or read the .bin with "
            "FastTextWordVectors.load_fasttext_bin."
        )

    @classmethod
    def load_fasttext_bin(cls, path):
        """Read the word vectors of a facebook fastText ``.bin`` model.

        Parameters
        ----------
        path : str or path-like
            An unsupervised fastText model (``skipgram`` or ``cbow``).

        Returns
        -------
        wv : FastTextWordVectors

        See Also
        --------
        skembed.fasttext_io.load_fasttext_bin : Also returns the output matrix
            and the hyper-parameters.
        """
        from skembed.fasttext_io import load_fasttext_bin

        model = load_fasttext_bin(path)
        return cls._from_input_matrix(
            model.words,
            model.input_matrix,
            min_n=model.min_n,
            max_n=model.max_n,
            counts=model.counts,
        )

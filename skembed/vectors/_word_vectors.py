"""WordVectors: a vocabulary with one float32 vector per word, and queries on it."""

import copy

import numpy as np

from skembed.vectors import _queries

__all__ = ["WordVectors"]


class WordVectors:
    """Word vectors with lookup, nearest-neighbour queries and file export.

    Parameters
    ----------
    words : sequence of str of length n_words
        The vocabulary, in row order (by convention most frequent first).
    vectors : array-like of shape (n_words, vector_size)
        One row per word; stored as C-contiguous float32, or float16 when given
        as float16 (half the memory; lookups and queries still compute and
        return float32).
    counts : array-like of shape (n_words,), default=None
        Corpus frequency of each word, when known.

    Attributes
    ----------
    index_to_key : list of str
        The words, in row order.
    key_to_index : dict of str to int
        Row of each word.
    vectors : ndarray of shape (n_words, vector_size), dtype float32 (or float16)
    counts : ndarray of shape (n_words,), dtype int64, or None

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> wv = WordVectors(["king", "queen", "apple"],
    ...                  np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32))
    >>> wv.most_similar("king", topn=1)[0][0]
    'queen'
    >>> "apple" in wv, "pear" in wv
    (True, False)
    """

    def __init__(self, words, vectors, counts=None):
        self._set([str(w) for w in words], vectors, counts)

    @classmethod
    def _from_strings(cls, words, vectors):
        """Build from a list of str, taken as it is (file readers, whose words are decoded)."""
        self = cls.__new__(cls)
        self._set(words, vectors, None)
        return self

    def _set(self, words, vectors, counts):
        # float16 is kept as given (a half-precision model); every other type becomes float32
        dtype = np.float16 if getattr(vectors, "dtype", None) == np.float16 else np.float32
        vectors = np.ascontiguousarray(vectors, dtype=dtype)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be 2-dimensional, got shape {vectors.shape}.")
        if vectors.shape[0] != len(words):
            raise ValueError(
                f"words has {len(words)} entries but vectors has {vectors.shape[0]} rows."
            )
        if counts is not None:
            counts = np.asarray(counts, dtype=np.int64)
            if counts.shape != (len(words),):
                raise ValueError(f"counts must have shape ({len(words)},), got {counts.shape}.")
        self.index_to_key = words
        self.vectors = vectors
        self.counts = counts
        self._build_index()

    def _build_index(self):
        words = self.index_to_key
        self.key_to_index = dict(zip(words, range(len(words)), strict=True))
        if len(self.key_to_index) != len(self.index_to_key):
            raise ValueError("words contains duplicates.")
        self._normed = None

    # pickling: plain arrays and the word list; derived lookups are rebuilt
    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("key_to_index", None)
        state.pop("_normed", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._build_index()

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, word):
        return word in self.key_to_index

    def __iter__(self):
        return iter(self.index_to_key)

    def __repr__(self):
        return f"{type(self).__name__}(n_words={len(self)}, vector_size={self.vector_size})"

    def __deepcopy__(self, memo):
        """Return a copy; deep-copied on its own, it shares the arrays as read-only views.

        scikit-learn's ``clone`` deep-copies each parameter value on its own,
        once per candidate of a search: then the vocabulary lists are copied
        and the matrices are not.  Neither the copy nor its users can write
        into the shared matrices; changes made to the original in place show
        through the copy.

        Deep-copied as part of another object (a fitted estimator whose
        ``wv_`` it is), it is copied in full, so that the copy can go on
        training on its own.
        """
        new = type(self).__new__(type(self))
        share = not memo  # the root of this deep copy, as clone copies a parameter value
        memo[id(self)] = new
        for name, value in self.__dict__.items():
            new.__dict__[name] = _shared(value, memo) if share else copy.deepcopy(value, memo)
        if share:
            new._normed = None  # derived from the shared vectors, which may change in place
        return new

    def __getitem__(self, words):
        """Return the vector of a word, or the stacked vectors of a list of words (read-only)."""
        if isinstance(words, str):
            return self.get_vector(words)
        return _read_only(np.stack([self.get_vector(w) for w in words]))

    @property
    def vector_size(self):
        """int: Number of dimensions of each vector."""
        return self.vectors.shape[1]

    @property
    def words(self):
        """list of str: The vocabulary, in row order (same as ``index_to_key``)."""
        return self.index_to_key

    def get_index(self, word):
        """Return the row of ``word``; raise KeyError when it is not in the vocabulary."""
        try:
            return self.key_to_index[word]
        except KeyError:
            raise KeyError(f"word {word!r} not in vocabulary") from None

    def get_vector(self, word, norm=False):
        """Return the vector of ``word`` (float32, shape (vector_size,)).

        This is the one place that decides what a word outside the vocabulary
        gets: here a KeyError; subword models compose a vector instead.

        Parameters
        ----------
        word : str
        norm : bool, default=False
            Return the unit-length vector.

        Returns
        -------
        vector : ndarray of shape (vector_size,), dtype float32
            Read-only (a view of ``vectors`` for a vocabulary word): normalising
            it in place would change the model.  ``vector.copy()`` gives a
            writable copy.
        """
        index = self.key_to_index.get(word)
        if index is not None:
            vector = self.vectors[index]
            if vector.dtype != np.float32:  # half-precision storage: answer in float32
                vector = vector.astype(np.float32)
        else:
            vector = self._unseen_vector(word)
        if norm:
            length = np.linalg.norm(vector)
            vector = (vector / length).astype(np.float32) if length > 0 else vector.copy()
        return _read_only(vector)

    def _unseen_vector(self, word):
        raise KeyError(f"word {word!r} not in vocabulary")

    def clear_cache(self):
        """Forget derived data (unit vectors); call after changing ``vectors`` in place."""
        self._normed = None

    def get_normed_vectors(self):
        """Return the vectors scaled to unit length (zero rows stay zero); cached."""
        if self._normed is None:
            vectors = self.vectors.astype(np.float32, copy=False)  # float16: compute in float32
            lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
            lengths[lengths == 0] = 1.0
            self._normed = (vectors / lengths).astype(np.float32)
        return self._normed

    def similarity(self, word1, word2):
        """Return the cosine similarity of two words."""
        a = self.get_vector(word1, norm=True)
        b = self.get_vector(word2, norm=True)
        return float(np.dot(a, b))

    def most_similar(
        self, positive=None, negative=None, topn=10, restrict_vocab=None, indexer=None
    ):
        """Return the ``topn`` words closest (cosine) to the mean of the query.

        The query is the mean of the unit vectors of ``positive`` minus those
        of ``negative``; words given as strings are left out of the answer.
        See :func:`skembed.vectors._queries.most_similar`.

        Parameters
        ----------
        positive : str, ndarray or list of them, default=None
        negative : str, ndarray or list of them, default=None
        topn : int, default=10
        restrict_vocab : int, default=None
            Search only the first ``restrict_vocab`` rows (the most frequent words).
        indexer : index, default=None
            Answer from this index (:class:`~skembed.vectors.ExactIndex`,
            :class:`~skembed.vectors.NNDescentIndex`, or any object with their
            ``query`` and ``keys_``) instead of scanning every row; the words come
            from its ``keys_``, so words added to it are answers too.

        Returns
        -------
        list of (str, float)
            Words and cosine similarities, most similar first.
        """
        return _queries.most_similar(self, positive, negative, topn, restrict_vocab, indexer)

    def most_similar_batch(self, queries, topn=10, restrict_vocab=None):
        """Answer many queries (words or rows of vectors) with one matrix product.

        See :func:`skembed.vectors._queries.most_similar_batch`.
        """
        return _queries.most_similar_batch(self, queries, topn, restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Return the best answers under 3CosMul (Levy and Goldberg, 2014).

        See :func:`skembed.vectors._queries.most_similar_cosmul`.
        """
        return _queries.most_similar_cosmul(self, positive, negative, topn, restrict_vocab)

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """Return the ``topn`` words closest to ``vector``.

        See :func:`skembed.vectors._queries.similar_by_vector`.
        """
        return _queries.similar_by_vector(self, vector, topn, restrict_vocab)

    def similar_by_word(self, word, topn=10, restrict_vocab=None):
        """Return the ``topn`` words closest to ``word`` (the word itself left out)."""
        return _queries.most_similar(self, [word], None, topn, restrict_vocab)

    def analogy(self, a, b, c, topn=1, restrict_vocab=None):
        """Answer "``a`` is to ``b`` as ``c`` is to ?" (``b - a + c``).

        See :func:`skembed.vectors._queries.analogy`.
        """
        return _queries.analogy(self, a, b, c, topn, restrict_vocab)

    def doesnt_match(self, words):
        """Return the word farthest from the mean of ``words``.

        See :func:`skembed.vectors._queries.doesnt_match`.
        """
        return _queries.doesnt_match(self, words)

    def interpolate(self, a, b, steps=5, topn=1, restrict_vocab=None):
        """Return the words nearest to ``steps`` points between ``a`` and ``b``.

        See :func:`skembed.vectors._queries.interpolate`.
        """
        return _queries.interpolate(self, a, b, steps, topn, restrict_vocab)

    # ------------------------------------------------------------------ files
    def _npz_arrays(self):
        arrays = dict(words=self.index_to_key, vectors=self.vectors)
        if self.counts is not None:
            arrays["counts"] = self.counts
        return arrays

    @classmethod
    def _from_npz_arrays(cls, arrays, path):
        """Build from the arrays of an ``.npz`` (``words`` a list), checked by its reader."""
        return cls(arrays["words"], arrays["vectors"], arrays.get("counts"))

    def save(self, path, format=None):
        """Save to a file; the format follows ``format`` or the suffix (``.npz`` by default).

        A thin wrapper of :func:`skembed.vectors.save`: written to a temporary
        name in the same folder, then renamed.
        """
        from skembed.vectors.io import save

        save(self, path, format="npz" if format is None and _no_suffix(path) else format)

    @classmethod
    def load(cls, path, format=None):
        """Load vectors from any registered format (see :func:`skembed.vectors.load`)."""
        from skembed.vectors.io import load

        vectors = load(path, format=format)
        if not isinstance(vectors, cls):
            raise TypeError(
                f"{path} holds {type(vectors).__name__}, not {cls.__name__}; "
                "read it with skembed.vectors.load."
            )
        return vectors

    def save_word2vec_format(self, path, binary=False):
        """Write the word2vec text (``binary=False``) or binary format.

        The first line is ``n_words vector_size``; each further line holds a
        word and its values (text), or a word, a space and the raw float32
        little-endian values (binary), as word2vec's C tool writes them.
        """
        self.save(path, format="word2vec-binary" if binary else "word2vec")

    @classmethod
    def load_word2vec_format(cls, path, binary=False, encoding="utf-8", unicode_errors="strict",
                             limit=None):  # fmt: skip
        """Read the word2vec text or binary format (as written by word2vec, gensim, fastText).

        ``unicode_errors`` (e.g. "replace") reads words that are not valid
        ``encoding``; ``limit`` reads the first ``limit`` rows only.
        """
        from skembed.vectors.io import load

        return load(path, format="word2vec-binary" if binary else "word2vec", encoding=encoding,
                    unicode_errors=unicode_errors, limit=limit)  # fmt: skip


def _read_only(array):
    """Return a read-only view of ``array`` (its base keeps its own flags)."""
    view = array.view()
    view.flags.writeable = False
    return view


def _shared(value, memo):
    """Deep-copy ``value``, except that arrays become read-only views of the same memory."""
    if isinstance(value, np.ndarray) and value.dtype != object:
        return _read_only(value)
    if isinstance(value, tuple):
        return tuple(_shared(v, memo) for v in value)
    if isinstance(value, list | dict) and not any(
        isinstance(v, np.ndarray) for v in (value.values() if isinstance(value, dict) else value)
    ):
        return copy.copy(value)  # words and indices: strings and ints are immutable
    return copy.deepcopy(value, memo)


def _no_suffix(path):
    import os

    return not os.path.splitext(os.fspath(path))[1]

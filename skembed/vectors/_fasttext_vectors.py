"""FastTextWordVectors: word vectors that compose unseen words from character n-grams."""

import numpy as np

from skembed.text._subwords import (
    EOS,
    build_subword_table,
    char_ngrams,
    ngram_ids,
    subwords_enabled,
)
from skembed.utils._threads import call_kernel
from skembed.vectors._word_vectors import WordVectors

__all__ = ["FastTextWordVectors", "first_use"]

# Above this many multiply-adds, composing in-vocabulary vectors uses the threads it is
# given (rows are independent, so the result is identical); by default it is given one,
# so that loading or unpickling never starts numba's thread pool (fork safety).
_PARALLEL_WORK = 1 << 25


def first_use(indices, nwords):
    """Return the distinct rows ``>= nwords`` of ``indices`` in order of first appearance.

    Parameters
    ----------
    indices : ndarray of int
        Rows, e.g. a subword table's (words ordered by frequency).
    nwords : int
        Rows below it (the words' own) are left out.

    Returns
    -------
    rows : ndarray of shape (n_distinct,), dtype int64
    """
    indices = np.asarray(indices, dtype=np.int64)
    ngram = indices[indices >= nwords]
    rows, first = np.unique(ngram, return_index=True)
    return rows[np.argsort(first, kind="stable")]


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
        The n-gram bucket rows.  Stored as float32, or float16 when both
        matrices are given as float16 (half the memory; composition, lookups
        and queries still compute and return float32).
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
        Composed vectors of the vocabulary (what fastText writes in ``.vec``);
        float32 also from float16 rows (derived, never pickled or saved, so
        the rows read back from a file compose the same vectors).
    vectors_vocab : ndarray of shape (n_words, vector_size), dtype float32 (or float16)
        View of the words' own rows.
    vectors_ngrams : ndarray of shape (bucket, vector_size), dtype float32 (or float16)
        View of the n-gram rows.
    min_n, max_n, bucket : int
    index_to_key, key_to_index, counts
        As in :class:`~skembed.vectors._word_vectors.WordVectors`.

    See Also
    --------
    skembed.vectors._word_vectors.WordVectors : Vectors without subwords.
    skembed.vectors.io._fasttext_bin.load_fasttext_bin : Read a whole fastText model.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.vectors._fasttext_vectors import FastTextWordVectors
    >>> rng = np.random.default_rng(0)
    >>> wv = FastTextWordVectors(["cat", "dog"], rng.normal(size=(2, 4)),
    ...                          rng.normal(size=(50, 4)), min_n=2, max_n=3)
    >>> wv.get_vector("cats").shape  # unseen: composed from its n-grams
    (4,)
    >>> wv.get_subwords("cat")[0]
    ['cat', '<c', '<ca', 'ca', 'cat', 'at', 'at>', 't>']
    """

    def __init__(self, words, vectors_vocab, vectors_ngrams, *, min_n=3, max_n=6, counts=None):
        matrices = (vectors_vocab, vectors_ngrams)
        half = all(getattr(m, "dtype", None) == np.float16 for m in matrices)
        dtype = np.float16 if half else np.float32
        vectors_vocab = np.asarray(vectors_vocab, dtype=dtype)
        vectors_ngrams = np.asarray(vectors_ngrams, dtype=dtype)
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
    def _from_input_matrix(
        cls, words, input_matrix, *, min_n, max_n, counts=None, ngram_rows=None, bucket=None
    ):
        """Build from fastText's input matrix (words' rows, then n-gram rows), without copying.

        With ``ngram_rows`` (distinct bucket ids, in any order), the n-gram rows
        are those buckets only, out of ``bucket``: a compacted model (see
        :meth:`compact`).
        """
        self = cls.__new__(cls)
        self._setup(words, input_matrix, len(words), min_n, max_n, counts, ngram_rows, bucket)
        return self

    def _setup(self, words, input_matrix, nwords, min_n, max_n, counts, ngram_rows=None,
               bucket=None):  # fmt: skip
        words = [str(w) for w in words]
        # float16 is kept as given (a half-precision model); every other type becomes float32
        half = getattr(input_matrix, "dtype", None) == np.float16
        input_matrix = np.ascontiguousarray(input_matrix, dtype=np.float16 if half else np.float32)
        if input_matrix.ndim != 2 or input_matrix.shape[0] < nwords:
            raise ValueError(f"input matrix of shape {input_matrix.shape} has too few rows.")
        if nwords != len(words):
            raise ValueError(f"words has {len(words)} entries but there are {nwords} word rows.")
        self._ngram_rows = None
        self._bucket = None
        if ngram_rows is not None:
            ngram_rows = np.asarray(ngram_rows, dtype=np.int64)
            if bucket is None:
                raise ValueError("a compacted model needs its nominal bucket.")
            if ngram_rows.shape != (input_matrix.shape[0] - nwords,):
                raise ValueError(
                    f"ngram_rows has {ngram_rows.size} entries but there are "
                    f"{input_matrix.shape[0] - nwords} n-gram rows."
                )
            if ngram_rows.size and (
                ngram_rows.min() < 0
                or ngram_rows.max() >= bucket
                or np.unique(ngram_rows).size != ngram_rows.size
            ):
                raise ValueError("ngram_rows must be distinct bucket ids in [0, bucket).")
            self._ngram_rows = ngram_rows
            self._bucket = int(bucket)
        self._input = input_matrix
        self.min_n = int(min_n)
        self.max_n = int(max_n)
        # index_to_key must exist before composing; WordVectors.__init__ sets it again
        self.index_to_key = words
        vectors = self._compose_vocabulary()
        super().__init__(words, vectors, counts)

    @property
    def bucket(self):
        """int: Number of hash buckets (n-gram rows before any compaction)."""
        if self.is_compact:
            return self._bucket
        return self._input.shape[0] - len(self.index_to_key)

    @property
    def is_compact(self):
        """bool: Whether only some n-gram buckets are stored (see :meth:`compact`)."""
        return getattr(self, "_ngram_rows", None) is not None

    @property
    def ngram_rows(self):
        """ndarray of shape (n_stored_ngram_rows,), dtype int64: bucket of each n-gram row."""
        if self.is_compact:
            return self._ngram_rows
        return np.arange(self.bucket, dtype=np.int64)

    @property
    def vectors_vocab(self):
        """ndarray of shape (n_words, vector_size): the words' own rows."""
        return self._input[: len(self.index_to_key)]

    @property
    def vectors_ngrams(self):
        """ndarray of shape (n_stored_ngram_rows, vector_size): the n-gram rows.

        All ``bucket`` rows, or those of :attr:`ngram_rows` in a compacted model.
        """
        return self._input[len(self.index_to_key) :]

    @property
    def subwords_enabled(self):
        """bool: Whether words are composed with character n-grams."""
        return subwords_enabled(self.min_n, self.max_n, self.bucket)

    def _to_stored(self, ids):
        """Map input-matrix rows of fastText's layout to stored rows, dropping missing buckets.

        Returns ``(rows, kept)``: the stored rows of the kept entries, and a
        mask over ``ids``.  Without compaction this is the identity.
        """
        ids = np.asarray(ids)
        if not self.is_compact:
            return ids, np.ones(ids.shape, dtype=bool)
        nwords = len(self.index_to_key)
        order = self.__dict__.get("_ngram_order")
        if order is None:  # derived lookup, not pickled
            order = self._ngram_order = np.argsort(self._ngram_rows, kind="stable")
        sorted_rows = self._ngram_rows[order]
        buckets = ids.astype(np.int64) - nwords
        is_ngram = buckets >= 0
        pos = np.minimum(np.searchsorted(sorted_rows, buckets), max(sorted_rows.size - 1, 0))
        kept = ~is_ngram
        if sorted_rows.size:
            kept |= is_ngram & (sorted_rows[pos] == buckets)
            stored = nwords + order[pos]
        else:
            stored = ids
        rows = np.where(is_ngram, stored, ids)[kept]
        return rows.astype(ids.dtype, copy=False), kept

    def _table(self):
        """Return the CSR ``(indptr, indices)`` of each word's stored rows (cached)."""
        cached = self.__dict__.get("_table_cache")
        if cached is not None:
            return cached
        nwords = len(self.index_to_key)
        indptr, indices = build_subword_table(
            self.index_to_key, self.min_n, self.max_n, self.bucket, nwords
        )
        if self.is_compact:
            indices, kept = self._to_stored(indices)
            if not kept.all():
                # a vocabulary word must compose as in fastText's layout, and training
                # must reach every row it uses
                owner = np.repeat(np.arange(nwords), np.diff(indptr))[~kept][0]
                raise ValueError(
                    f"a compacted model must store the buckets of every n-gram of its "
                    f"vocabulary; word {self.index_to_key[owner]!r} has some missing."
                )
        self._table_cache = (indptr, indices)
        return indptr, indices

    def clear_cache(self, n_threads=1):
        """Recompose ``vectors`` from the rows (after they were trained in place).

        Parameters
        ----------
        n_threads : int, default=1
            numba threads to compose with when the work is large; 1 never starts
            numba's thread pool, so the process can still fork.
        """
        self.vectors = self._compose_vocabulary(n_threads)
        super().clear_cache()

    def _compose_vocabulary(self, n_threads=1):
        from skembed.text._kernels._subwords import compose_vectors, compose_vectors_parallel

        indptr, indices = self._table()
        matrix, indices = self._float32_rows(indices)
        out = np.empty((len(self.index_to_key), self._input.shape[1]), dtype=np.float32)
        if indices.size * self._input.shape[1] <= _PARALLEL_WORK:
            n_threads = 1
        call_kernel(
            compose_vectors, compose_vectors_parallel, n_threads, indptr, indices, matrix, out
        )
        # float32 also from float16 rows: the same rows read back from a file (widened to
        # float32) compose the same vectors
        return out

    def _float32_rows(self, indices):
        """Return ``(matrix, indices)``: float32 rows that ``indices`` reach, and their rows.

        The stored matrix itself when it is float32; for float16 rows (which
        the kernels cannot take) a float32 copy of the rows used, and
        ``indices`` renumbered into it.
        """
        if self._input.dtype == np.float32:
            return self._input, indices
        used, inverse = np.unique(indices, return_inverse=True)
        matrix = self._input[used].astype(np.float32)
        return matrix, inverse.reshape(-1).astype(indices.dtype, copy=False)

    def _unseen_ngram_ids(self, word, *, with_mask=False):
        if word == EOS:  # fastText gives its end-of-line token no n-grams
            ids = np.empty(0, dtype=np.int32)
        else:
            ids = ngram_ids(word, self.min_n, self.max_n, self.bucket, len(self.index_to_key))
        ids, kept = self._to_stored(ids)
        return (ids, kept) if with_mask else ids

    def _unseen_vector(self, word):
        ids, kept = self._unseen_ngram_ids(word, with_mask=True)
        if kept.size == 0:
            return np.zeros(self.vector_size, dtype=np.float32)
        if ids.size == kept.size:
            rows = self._input[ids].astype(np.float32, copy=False)  # float16 rows: sum in float32
        else:
            # a compacted model's dropped buckets are zero rows, as in the full matrix it
            # writes: the same rows, summed in the same order, give the same bits
            rows = np.zeros((kept.size, self.vector_size), dtype=np.float32)
            rows[kept] = self._input[ids]
        total = rows.sum(axis=0, dtype=np.float32)
        return total * np.float32(1.0 / kept.size)

    def get_subwords(self, word):
        """Return the pieces of ``word`` and their rows, as fastText's ``get_subwords``.

        Parameters
        ----------
        word : str

        Returns
        -------
        subwords : list of str
            The word itself when it is in the vocabulary, then its n-grams
            (in a compacted model, those whose bucket is stored).
        ids : ndarray of shape (len(subwords),), dtype int32
            Their rows in the input matrix (word rows, then ``n_words +``
            n-gram bucket, or ``n_words +`` position in :attr:`ngram_rows`
            when compacted).
        """
        if word == EOS:
            pieces, ids = [], self._unseen_ngram_ids(word)
        else:
            pieces = char_ngrams(word, self.min_n, self.max_n) if self.subwords_enabled else []
            ids, kept = self._unseen_ngram_ids(word, with_mask=True)
            pieces = [p for p, k in zip(pieces, kept, strict=True) if k]
        index = self.key_to_index.get(word)
        if index is not None:
            pieces = [word] + pieces
            ids = np.concatenate([np.array([index], dtype=np.int32), ids])
        return pieces, ids

    def unseen_vectors(self, words):
        """Compose the vectors of many words from their n-grams alone, in one pass.

        Parameters
        ----------
        words : sequence of str of length n
            Words, usually outside the vocabulary (a vocabulary word gets the
            mean of its n-gram rows here, without its own row).

        Returns
        -------
        vectors : ndarray of shape (n, vector_size), dtype float32
            The mean of each word's n-gram rows, as :meth:`get_vector`
            composes an unseen word (in a compacted model a dropped bucket
            counts as a zero row); zero for a word with none.
        n_ngrams : ndarray of shape (n,), dtype int64
            Number of stored n-gram rows in each mean (0: no n-gram, or all
            dropped by compaction, and then a zero vector).
        """
        from skembed.text._kernels._subwords import compose_vectors

        words = [str(w) for w in words]
        nwords = len(self.index_to_key)
        n = len(words)
        indptr, indices = build_subword_table(words, self.min_n, self.max_n, self.bucket, n)
        # each word's first entry is its position in ``words``, not a row: drop it, and
        # move the n-gram rows to after this model's ``nwords`` word rows
        is_ngram = np.ones(indices.size, dtype=bool)
        is_ngram[indptr[:-1]] = False
        owner = np.repeat(np.arange(n), np.diff(indptr))[is_ngram]
        stored, kept = self._to_stored(indices[is_ngram].astype(np.int64) - n + nwords)
        n_ngrams = np.bincount(owner[kept], minlength=n).astype(np.int64)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner, minlength=n), out=indptr[1:])
        matrix = self._input
        if kept.all() and matrix.dtype == np.float32:
            indices = stored
        else:
            # dropped buckets count as zero rows, as in the full matrix a compacted model
            # writes: gather the rows these words use (in float32, also from float16 rows)
            # and one zero row, then compose
            used, remapped = np.unique(stored, return_inverse=True)
            matrix = np.zeros((used.size + 1, self.vector_size), dtype=np.float32)
            matrix[: used.size] = self._input[used]
            indices = np.full(kept.size, used.size, dtype=np.int64)
            indices[kept] = remapped
        out = np.empty((n, self.vector_size), dtype=np.float32)
        compose_vectors(indptr, indices.astype(np.int32, copy=False), matrix, out)
        return out, n_ngrams

    def compact(self):
        """Return a copy that stores only the n-gram rows that vocabulary words use.

        Training reads and writes only the buckets of the vocabulary's
        n-grams; every other bucket keeps its random initialisation, which is
        noise in the vector of an unseen word.  The copy drops those buckets,
        which then count as zero rows: an unseen word's vector is the sum of
        its stored n-gram rows divided by the number of all its n-grams
        (fastText's mean over the full matrix that :meth:`full_input_matrix`
        rebuilds, so a ``.bin`` round trip changes no vector), and a word
        with no stored n-gram gets a zero vector.  In-vocabulary vectors are
        unchanged, bit for bit.

        Returns
        -------
        wv : FastTextWordVectors
            With ``n_words + n_used`` rows instead of ``n_words + bucket``; the
            n-gram rows are in order of first use by the vocabulary (most
            frequent words first), which keeps the rows trained most together.
        """
        nwords = len(self.index_to_key)
        _, indices = self._table()
        used_stored = first_use(indices, nwords)
        used = self.ngram_rows[used_stored - nwords]
        matrix = np.concatenate([self.vectors_vocab, self._input[used_stored]])
        return type(self)._from_input_matrix(
            self.index_to_key, matrix, min_n=self.min_n, max_n=self.max_n, counts=self.counts,
            ngram_rows=used, bucket=self.bucket,
        )  # fmt: skip

    def full_input_matrix(self):
        """Return the input matrix in fastText's layout: ``n_words + bucket`` rows.

        A compacted model's dropped buckets come back as zero rows, which is
        what they count as in the compacted model: fastText reading this
        matrix composes every word, seen or not, as the compacted model does.

        Returns
        -------
        matrix : ndarray of shape (n_words + bucket, vector_size)
            The stored matrix itself when the model is not compacted; of the
            stored dtype (float32, or float16 in a half-precision model, which
            the ``.bin`` writer widens to float32).
        """
        if not self.is_compact:
            return self._input
        nwords = len(self.index_to_key)
        full = np.zeros((nwords + self.bucket, self.vector_size), dtype=self._input.dtype)
        full[:nwords] = self.vectors_vocab
        full[nwords + self._ngram_rows] = self.vectors_ngrams
        return full

    # pickling: the input matrix is the one source of truth; composed vectors are rebuilt
    def __getstate__(self):
        state = super().__getstate__()
        for derived in ("vectors", "_table_cache", "_ngram_order"):
            state.pop(derived, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.vectors = self._compose_vocabulary()
        self._build_index()

    def _npz_arrays(self):
        arrays = dict(
            words=self.index_to_key,
            input_matrix=self._input,
            ngram_range=np.array([self.min_n, self.max_n], dtype=np.int64),
        )
        if self.counts is not None:
            arrays["counts"] = self.counts
        if self.is_compact:
            arrays["ngram_rows"] = self._ngram_rows
            arrays["bucket"] = np.array(self.bucket, dtype=np.int64)
        return arrays

    @classmethod
    def _from_npz_arrays(cls, arrays, path):
        """Build from the arrays of an ``.npz`` (``words`` a list), checked by its reader."""
        min_n, max_n = arrays["ngram_range"].tolist()
        compact = "ngram_rows" in arrays
        return cls._from_input_matrix(
            arrays["words"],
            arrays["input_matrix"],
            min_n=min_n,
            max_n=max_n,
            counts=arrays.get("counts"),
            ngram_rows=arrays["ngram_rows"] if compact else None,
            bucket=int(arrays["bucket"]) if compact else None,
        )

    @classmethod
    def load_word2vec_format(cls, path, binary=False, encoding="utf-8"):
        """Refuse: a ``.vec`` or word2vec file holds no n-gram rows.

        Use :meth:`WordVectors.load_word2vec_format
        <skembed.vectors._word_vectors.WordVectors.load_word2vec_format>` for such files
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
        skembed.vectors.io._fasttext_bin.load_fasttext_bin : Also returns the output matrix
            and the hyper-parameters.
        """
        from skembed.vectors.io._fasttext_bin import read_fasttext_vectors

        return read_fasttext_vectors(path)

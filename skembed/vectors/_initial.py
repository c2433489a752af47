"""Pre-trained vectors as the starting point of training: the one loader and the one rule.

Every estimator that takes ``initial_vectors=`` (a path to any format that
:func:`skembed.vectors.load` reads, or a :class:`~skembed.WordVectors`) goes
through these functions, so they all mean the same thing:

* the vectors fix the dimension: ``vector_size`` gives way to the file's;
* the vocabulary is the union: the corpus words that pass ``min_count`` (in
  their usual order), then the words found only in the file, in the file's
  order, with a count of 0 (they are never trained on, and keep their vectors);
* a corpus word found in the file starts from its pre-trained row, any other
  word from a fresh random row; the output weights start as usual.
"""

import os

import numpy as np

__all__ = ["as_initial_vectors", "initial_dimension", "union_vocabulary", "copy_initial_rows"]


def as_initial_vectors(value, name="initial_vectors"):
    """Return the :class:`~skembed.WordVectors` that ``value`` names (None stays None).

    Parameters
    ----------
    value : str, path-like, WordVectors or None
        A file any registered format reads, or vectors already in memory.
    name : str, default="initial_vectors"
        The parameter's name, for error messages.

    Returns
    -------
    WordVectors or None

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors._initial import as_initial_vectors
    >>> wv = WordVectors(["a", "b"], np.eye(2, dtype=np.float32))
    >>> as_initial_vectors(wv) is wv
    True
    """
    from skembed.vectors._word_vectors import WordVectors

    if value is None or isinstance(value, WordVectors):
        vectors = value
    elif isinstance(value, str | os.PathLike):
        from skembed.vectors.io import load

        vectors = load(value)
    elif hasattr(value, "wv_") or hasattr(value, "get_params"):
        raise TypeError(
            f"{name} takes word vectors, not an estimator: pass its fitted vectors "
            f"({name}=estimator.wv_) or a file path."
        )
    else:
        raise TypeError(f"{name} must be a path or a WordVectors, got {type(value).__name__}.")
    if vectors is not None:
        if len(vectors) == 0:
            raise ValueError(f"{name} holds no word.")
        if not np.isfinite(vectors.vectors).all():
            raise ValueError(f"{name} holds non-finite values (NaN or inf).")
    return vectors


def initial_dimension(vector_size, initial):
    """Return the width of the trained vectors: the initial vectors' when given."""
    return int(vector_size) if initial is None else int(initial.vector_size)


def union_vocabulary(words, counts, initial):
    """Append the words found only in ``initial`` (count 0) to the corpus vocabulary.

    Parameters
    ----------
    words : list of str
        The corpus vocabulary, in row order.
    counts : ndarray of shape (len(words),), dtype int64
    initial : WordVectors or None

    Returns
    -------
    words : list of str
    counts : ndarray of int64

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors._initial import union_vocabulary
    >>> wv = WordVectors(["b", "z"], np.eye(2, dtype=np.float32))
    >>> union_vocabulary(["a", "b"], np.array([5, 3]), wv)
    (['a', 'b', 'z'], array([5, 3, 0]))
    """
    counts = np.asarray(counts, dtype=np.int64)
    if initial is None:
        return list(words), counts
    known = set(words)
    extra = [w for w in initial.index_to_key if w not in known]
    return list(words) + extra, np.concatenate([counts, np.zeros(len(extra), np.int64)])


def copy_initial_rows(matrix, words, initial):
    """Overwrite the rows of ``matrix`` whose word is in ``initial``; return their mask.

    Parameters
    ----------
    matrix : ndarray of shape (len(words), dim), float32
        Freshly initialised rows, changed in place.
    words : list of str
        The word of each row.
    initial : WordVectors or None

    Returns
    -------
    pretrained : ndarray of shape (len(words),), bool
        True for the rows copied from ``initial``.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.vectors._initial import copy_initial_rows
    >>> wv = WordVectors(["b"], np.array([[7, 7]], dtype=np.float32))
    >>> m = np.zeros((2, 2), np.float32)
    >>> copy_initial_rows(m, ["a", "b"], wv).tolist(), m.tolist()
    ([False, True], [[0.0, 0.0], [7.0, 7.0]])
    """
    pretrained = np.zeros(len(words), dtype=bool)
    if initial is None:
        return pretrained
    if matrix.shape[1] != initial.vector_size:
        raise ValueError(
            f"initial_vectors have {initial.vector_size} dimensions but the model has "
            f"{matrix.shape[1]}."
        )
    index = initial.key_to_index
    rows = np.array([index.get(w, -1) for w in words], dtype=np.int64)
    pretrained = rows >= 0
    matrix[pretrained] = initial.vectors[rows[pretrained]]
    return pretrained

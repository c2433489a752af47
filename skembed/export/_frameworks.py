"""Word vectors as the arrays of a deep-learning framework's embedding layer."""

import numpy as np

__all__ = ["embedding_arrays"]


def embedding_arrays(wv, padding=False):
    """Return ``(matrix, word_index)`` for ``torch.nn.Embedding`` or a Keras ``Embedding``.

    Neither framework is needed here: the arrays are NumPy, and the layers take
    them as they are (see the guide)::

        torch.nn.Embedding.from_pretrained(torch.from_numpy(matrix), padding_idx=0)
        keras.layers.Embedding(*matrix.shape, mask_zero=True,
                               embeddings_initializer=keras.initializers.Constant(matrix))

    Parameters
    ----------
    wv : WordVectors or FastTextWordVectors
        E.g. a fitted vectorizer's ``wv_``, or ``skembed.vectors.load(path)``.
        For fastText the rows are the composed vocabulary vectors.
    padding : bool, default=False
        Reserve row 0 as a zero row for padding (Keras ``mask_zero=True``,
        torch ``padding_idx=0``); words then start at row 1.

    Returns
    -------
    matrix : ndarray of shape (n_words + padding, vector_size), dtype float32
        A copy: training the layer leaves ``wv`` unchanged.
    word_index : dict of str to int
        Row of each word in ``matrix``.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed.export import embedding_arrays
    >>> from skembed.vectors import WordVectors
    >>> wv = WordVectors(["cat", "dog"], np.eye(2, 3, dtype=np.float32))
    >>> matrix, word_index = embedding_arrays(wv, padding=True)
    >>> matrix.shape, word_index
    ((3, 3), {'cat': 1, 'dog': 2})
    >>> matrix[word_index["dog"]].tolist()
    [0.0, 1.0, 0.0]
    """
    vectors = np.asarray(wv.vectors, dtype=np.float32)
    offset = 1 if padding else 0
    matrix = np.zeros((vectors.shape[0] + offset, vectors.shape[1]), dtype=np.float32)
    matrix[offset:] = vectors
    word_index = {word: i + offset for i, word in enumerate(wv.index_to_key)}
    return matrix, word_index

"""Paired rows for the aligners: from a seed dictionary, identical strings, or documents."""

import numpy as np

__all__ = ["dictionary_pairs", "document_pairs", "identical_pairs"]


def _check_vectors(wv, name):
    if not (hasattr(wv, "key_to_index") and hasattr(wv, "vectors")):
        raise TypeError(
            f"{name} must be a WordVectors (a fitted vectorizer's wv_), got {type(wv).__name__}."
        )
    return wv


def _stack(source, target, pairs, name):
    if not pairs:
        raise ValueError(f"no pair of {name} has both words in the vocabularies.")
    rows_x = [source.key_to_index[a] for a, _ in pairs]
    rows_y = [target.key_to_index[b] for _, b in pairs]
    return source.vectors[rows_x], target.vectors[rows_y], pairs


def dictionary_pairs(source, target, pairs):
    """Return the vectors of the word pairs of a seed dictionary found in both vocabularies.

    Parameters
    ----------
    source : WordVectors
        Source word vectors (for instance ``vectorizer.wv_``).
    target : WordVectors
        Target word vectors.
    pairs : iterable of (str, str)
        ``(source word, target word)`` translations; a word may appear in
        several pairs.  Pairs with a word outside its vocabulary are dropped.

    Returns
    -------
    X : ndarray of shape (n_pairs, source.vector_size)
        Source vectors.
    Y : ndarray of shape (n_pairs, target.vector_size)
        The matching target vectors.
    kept : list of (str, str)
        The pairs used, in the order of ``pairs``.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.alignment import dictionary_pairs
    >>> en = WordVectors(["king", "land"], np.eye(2, dtype=np.float32))
    >>> es = WordVectors(["tierra", "rey"], np.eye(2, dtype=np.float32))
    >>> X, Y, kept = dictionary_pairs(en, es, [("king", "rey"), ("queen", "reina")])
    >>> kept, Y
    ([('king', 'rey')], array([[0., 1.]], dtype=float32))
    """
    source, target = _check_vectors(source, "source"), _check_vectors(target, "target")
    kept = []
    for pair in pairs:
        if isinstance(pair, str) or len(pair) != 2:
            raise ValueError(f"pairs must hold (source word, target word) pairs, got {pair!r}.")
        a, b = pair
        if a in source.key_to_index and b in target.key_to_index:
            kept.append((a, b))
    return _stack(source, target, kept, "pairs")


def identical_pairs(source, target, *, min_length=1, max_rank=None):
    """Return the vectors of the strings found in both vocabularies (the unsupervised seed).

    Names, numbers and loanwords are spelt alike in many languages, so the
    words two vocabularies share make a seed dictionary with no supervision
    (Smith et al. 2017; Artetxe et al. 2017).  Some are false friends (the
    Spanish "son" means "are"); refinement (``refine=``) and a length floor
    reduce their weight.

    Parameters
    ----------
    source : WordVectors
        Source word vectors.
    target : WordVectors
        Target word vectors.
    min_length : int, default=1
        Shorter strings are skipped (short words are the likeliest false
        friends).
    max_rank : int, default=None
        Only the first ``max_rank`` words of each vocabulary (the most
        frequent, in frequency order) are considered; None considers all.

    Returns
    -------
    X : ndarray of shape (n_pairs, source.vector_size)
        Source vectors.
    Y : ndarray of shape (n_pairs, target.vector_size)
        The matching target vectors.
    words : list of str
        The shared strings, in the source's row order.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.alignment import identical_pairs
    >>> en = WordVectors(["the", "david", "moses"], np.eye(3, dtype=np.float32))
    >>> es = WordVectors(["el", "david", "moisés"], np.eye(3, dtype=np.float32))
    >>> X, Y, words = identical_pairs(en, es, min_length=3)
    >>> words
    ['david']
    """
    source, target = _check_vectors(source, "source"), _check_vectors(target, "target")
    if min_length < 1:
        raise ValueError(f"min_length must be at least 1, got {min_length!r}.")
    if max_rank is not None and max_rank < 1:
        raise ValueError(f"max_rank must be a positive integer or None, got {max_rank!r}.")
    source_words = list(source.key_to_index)[:max_rank]
    target_words = set(list(target.key_to_index)[:max_rank])
    words = [w for w in source_words if len(w) >= min_length and w in target_words]
    pairs = _stack(source, target, [(w, w) for w in words], "identical strings")
    return pairs[0], pairs[1], words


def document_pairs(source_vectorizer, target_vectorizer, source_documents, target_documents):
    """Return the pooled vectors of paired documents, one vectorizer per side.

    Row ``i`` of both outputs describes the same item: a verse and its
    translation, a caption and its image's text, a page in two versions.

    Parameters
    ----------
    source_vectorizer : fitted transformer
        Turns source documents into vectors (``transform``), for instance a
        fitted ``Word2VecVectorizer``.
    target_vectorizer : fitted transformer
        Turns target documents into vectors.
    source_documents : iterable of str of length n_pairs
        Source documents.
    target_documents : iterable of str of length n_pairs
        Their counterparts, in the same order.

    Returns
    -------
    X : ndarray of shape (n_pairs, n_source_features)
        Pooled source documents.
    Y : ndarray of shape (n_pairs, n_target_features)
        Pooled target documents.

    Examples
    --------
    >>> from skembed import Word2VecVectorizer
    >>> from skembed.alignment import document_pairs
    >>> en = ["the king and the land", "the son of the king"] * 20
    >>> es = ["el rey y la tierra", "el hijo del rey"] * 20
    >>> vec_en = Word2VecVectorizer(vector_size=8, min_count=1, random_state=0).fit(en)
    >>> vec_es = Word2VecVectorizer(vector_size=6, min_count=1, random_state=0).fit(es)
    >>> X, Y = document_pairs(vec_en, vec_es, en[:2], es[:2])
    >>> X.shape, Y.shape
    ((2, 8), (2, 6))
    """
    for name, docs in (("source_documents", source_documents),
                       ("target_documents", target_documents)):  # fmt: skip
        if isinstance(docs, str):
            raise ValueError(f"{name} must be an iterable of documents, not a single string.")
    source_documents, target_documents = list(source_documents), list(target_documents)
    if len(source_documents) != len(target_documents):
        raise ValueError(
            f"source_documents and target_documents must be paired, got {len(source_documents)} "
            f"and {len(target_documents)} documents."
        )
    X = np.asarray(source_vectorizer.transform(source_documents))
    Y = np.asarray(target_vectorizer.transform(target_documents))
    return X, Y

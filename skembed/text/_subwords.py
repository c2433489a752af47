"""Character n-grams and their hashed rows, exactly as facebook fastText computes them.

fastText represents a word ``w`` by the row of ``w`` itself plus one row per
character n-gram of ``"<" + w + ">"``; an n-gram's row is
``nwords + fasttext_hash(ngram) % bucket``.  Three details decide whether a
model trained elsewhere can be read back bit-for-bit:

* The hash is 32-bit FNV-1a over the UTF-8 bytes, except that each byte is
  read as a *signed* char and sign-extended before the XOR, so bytes >= 0x80
  mix in as ``0xFFFFFF80 | b`` (fastText kept this quirk of its first release
  so that published models stay valid).
* A "character" is a UTF-8 lead byte plus the continuation bytes
  (``b & 0xC0 == 0x80``) after it, so n is counted in code points for valid
  UTF-8, and invalid bytes are grouped the same way fastText groups them.
* All n-grams with ``min_n <= n <= max_n`` are kept, in order of start
  position then length, duplicates included, except the two one-character
  n-grams ``"<"`` and ``">"``.  The whole token ``"<w>"`` is an n-gram too when
  it is short enough.

Strings are turned into bytes with UTF-8 and ``errors="surrogateescape"``, so
a word decoded from a fastText file with that error handler hashes to its
original bytes.  The word ``"</s>"`` (fastText's end-of-line token) never gets
n-grams.

skembed's convention for switching subwords off is ``min_n <= 0``,
``max_n <= 0``, ``max_n < min_n`` or ``bucket <= 0``.  fastText treats
``minn=0`` like ``minn=1`` instead; :func:`fasttext_ngram_range` maps a
fastText file's settings onto skembed's.
"""

import numpy as np

__all__ = [
    "EOS",
    "fasttext_hash",
    "char_ngrams",
    "ngram_ids",
    "build_subword_table",
    "fasttext_ngram_range",
    "subwords_enabled",
]

EOS = "</s>"
_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619
_INT32_MAX = np.iinfo(np.int32).max


def _as_bytes(word):
    if isinstance(word, bytes | bytearray | memoryview):
        return bytes(word)
    return str(word).encode("utf-8", "surrogateescape")


def subwords_enabled(min_n, max_n, bucket=1):
    """Return whether ``(min_n, max_n, bucket)`` asks for any character n-gram.

    Parameters
    ----------
    min_n : int
        Shortest n-gram, in characters.
    max_n : int
        Longest n-gram, in characters.
    bucket : int, default=1
        Number of hash buckets.

    Returns
    -------
    enabled : bool
        False when ``min_n <= 0``, ``max_n <= 0``, ``max_n < min_n`` or
        ``bucket <= 0``.
    """
    return min_n > 0 and max_n > 0 and max_n >= min_n and bucket > 0


def fasttext_ngram_range(minn, maxn, bucket):
    """Map fastText's ``minn``, ``maxn`` and ``bucket`` onto skembed's convention.

    fastText keeps n-grams with ``minn <= n <= maxn`` for ``n >= 1``, so
    ``minn <= 0`` means the same as ``minn = 1`` there, while skembed reads
    ``min_n = 0`` as "no subwords".  ``maxn <= 0`` switches subwords off in
    both (fastText's supervised default).

    Parameters
    ----------
    minn, maxn, bucket : int
        The values stored in a fastText model.

    Returns
    -------
    min_n, max_n : int
        Equivalent skembed values; ``(0, 0)`` when no n-gram is produced.
    """
    min_n = max(int(minn), 1)
    max_n = int(maxn)
    if not subwords_enabled(min_n, max_n, bucket):
        return 0, 0
    return min_n, max_n


def fasttext_hash(word):
    """Return fastText's 32-bit hash of a string or of raw bytes.

    FNV-1a, with each byte sign-extended from ``int8`` to ``uint32`` before
    the XOR, as in fastText's ``Dictionary::hash``.

    Parameters
    ----------
    word : str or bytes
        Text is encoded as UTF-8 (``errors="surrogateescape"``).

    Returns
    -------
    h : int
        The hash, in ``[0, 2**32)``.

    Examples
    --------
    >>> from skembed.text._subwords import fasttext_hash
    >>> fasttext_hash("foobar")  # ASCII: the standard FNV-1a value
    3214735720
    >>> fasttext_hash("é") == fasttext_hash(b"\\xc3\\xa9")
    True
    """
    h = _FNV_OFFSET
    for byte in _as_bytes(word):
        h ^= byte if byte < 0x80 else byte | 0xFFFFFF00
        h = (h * _FNV_PRIME) & 0xFFFFFFFF
    return h


def _ngram_spans(token, min_n, max_n):
    """Yield ``(start, stop)`` byte spans of the n-grams of ``token`` (``b"<w>"``)."""
    # fastText groups a byte with the continuation bytes that follow it
    bounds = [i for i, b in enumerate(token) if (b & 0xC0) != 0x80 or i == 0]
    bounds.append(len(token))
    n_chars = len(bounds) - 1
    for k in range(n_chars):
        for n in range(max(min_n, 1), min(max_n, n_chars - k) + 1):
            if n == 1 and (k == 0 or k == n_chars - 1):
                continue  # the lone "<" and ">"
            yield bounds[k], bounds[k + n]


def char_ngrams(word, min_n, max_n):
    """Return the character n-grams of ``"<" + word + ">"``, in fastText's order.

    Parameters
    ----------
    word : str or bytes
        The word, without the ``<`` and ``>`` markers.
    min_n : int
        Shortest n-gram, in characters (UTF-8 code points).
    max_n : int
        Longest n-gram, in characters.

    Returns
    -------
    ngrams : list of str
        By start position, then by length; duplicates are kept.  Empty when
        subwords are switched off (see :func:`subwords_enabled`).  The
        end-of-line token ``"</s>"`` is not treated specially here.

    Examples
    --------
    >>> from skembed.text._subwords import char_ngrams
    >>> char_ngrams("café", 3, 4)
    ['<ca', '<caf', 'caf', 'café', 'afé', 'afé>', 'fé>']
    """
    if not subwords_enabled(min_n, max_n):
        return []
    token = b"<" + _as_bytes(word) + b">"
    return [
        token[a:b].decode("utf-8", "surrogateescape") for a, b in _ngram_spans(token, min_n, max_n)
    ]


def ngram_ids(word, min_n, max_n, bucket, nwords):
    """Return the matrix rows of the n-grams of ``word`` (not its own row).

    Parameters
    ----------
    word : str or bytes
        The word, without the ``<`` and ``>`` markers.
    min_n, max_n : int
        Range of n-gram lengths, in characters.
    bucket : int
        Number of hash buckets (rows reserved for n-grams).
    nwords : int
        Number of word rows placed before the n-gram rows.

    Returns
    -------
    ids : ndarray of shape (n_ngrams,), dtype int32
        ``nwords + fasttext_hash(ngram) % bucket`` for each n-gram of
        :func:`char_ngrams`, in the same order.

    Examples
    --------
    >>> from skembed.text._subwords import ngram_ids
    >>> ngram_ids("hi", 3, 3, bucket=1000, nwords=10).tolist()
    [162, 766]
    """
    if not subwords_enabled(min_n, max_n, bucket):
        return np.empty(0, dtype=np.int32)
    token = b"<" + _as_bytes(word) + b">"
    ids = [
        nwords + fasttext_hash(token[a:b]) % bucket for a, b in _ngram_spans(token, min_n, max_n)
    ]
    return np.asarray(ids, dtype=np.int32)


def build_subword_table(words, min_n, max_n, bucket, nwords, *, eos=EOS):
    """Return, for every word, its own row followed by its n-gram rows (CSR).

    Row ``i`` of the table is fastText's ``getSubwords(i)``:
    ``[i] + ngram_ids(words[i], ...)``.  The hashing runs in a numba kernel
    over all words at once.

    Parameters
    ----------
    words : sequence of str or bytes of length n_words
        The vocabulary, in row order.
    min_n, max_n : int
        Range of n-gram lengths, in characters.
    bucket : int
        Number of hash buckets.
    nwords : int
        Number of word rows placed before the n-gram rows (usually
        ``len(words)``).
    eos : str or None, default="</s>"
        A word that gets no n-grams (fastText's end-of-line token); None
        for none.

    Returns
    -------
    indptr : ndarray of shape (n_words + 1,), dtype int64
        Word ``i`` owns ``indices[indptr[i]:indptr[i + 1]]``.
    indices : ndarray of shape (indptr[-1],), dtype int32
        Matrix rows; the first of each word's slice is the word's own row.
    """
    from skembed.text._kernels._subwords import count_subwords, fill_subwords

    n_words = len(words)
    if n_words > nwords:
        raise ValueError(f"nwords={nwords} is smaller than the number of words ({n_words}).")
    if nwords + max(bucket, 0) > _INT32_MAX:
        raise ValueError(f"nwords + bucket = {nwords + bucket} does not fit in int32.")
    encoded = [
        w.encode("utf-8", "surrogateescape") if isinstance(w, str) else _as_bytes(w) for w in words
    ]
    lengths = np.fromiter((len(e) + 2 for e in encoded), dtype=np.int64, count=n_words)
    offsets = np.zeros(n_words + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = np.frombuffer(b"".join(b"<" + e + b">" for e in encoded), dtype=np.uint8)
    enabled = np.full(n_words, subwords_enabled(min_n, max_n, bucket), dtype=np.bool_)
    if eos is not None and n_words:
        eos = _as_bytes(eos)
        enabled &= np.fromiter((e != eos for e in encoded), dtype=np.bool_, count=n_words)
    min_n, max_n, bucket = int(min_n), int(max_n), max(int(bucket), 1)

    counts = np.empty(n_words, dtype=np.int64)
    count_subwords(data, offsets, min_n, max_n, enabled, counts)
    indptr = np.zeros(n_words + 1, dtype=np.int64)
    np.cumsum(counts + 1, out=indptr[1:])
    indices = np.empty(indptr[-1], dtype=np.int32)
    fill_subwords(data, offsets, min_n, max_n, bucket, nwords, enabled, indptr, indices)
    return indptr, indices

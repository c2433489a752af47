"""The Spanish Reina-Valera Bible (1909), verse-aligned with the King James Bible."""

from skembed.datasets._kjv import _load_bible

__all__ = ["load_rv1909"]

_FILE = "rv1909.tsv.gz"

_DESCR = """\
Reina-Valera 1909 Bible corpus
------------------------------

The Spanish Reina-Valera translation of the Bible (1909 revision), one verse
per sample: 31,084 verses in 66 books, about 700,000 words. A real
non-English corpus (accents, inverted punctuation) and, with the King James
Bible of ``load_kjv``, a parallel corpus: same book names, same labels.

**Alignment**: where this translation numbers verses differently from the
King James Version a verse can be missing or merged into its neighbour
(31,084 verses against 31,102), so join the two on ``book``, ``chapter`` and
``verse`` rather than by row position.

**Labels** (choose one as ``target``): ``book``, ``testament`` or ``group``,
exactly as in ``load_kjv``.

**Source and terms**: public domain; extracted from Debian's
``sword-text-sparv`` package (version 2.60) with ``diatheke``, markup and
Strong's number tags removed.
"""


def load_rv1909(*, return_X_y=False, as_frame=False, target="book"):
    """Load the Spanish Reina-Valera Bible (1909), one verse per sample.

    =================   ==============================
    Samples (verses)    31,084
    Classes             66 books, 2 testaments, 9 groups
    Words               about 700,000
    =================   ==============================

    The rows carry the same ``book``, ``chapter`` and ``verse`` keys, book
    names and labels as :func:`load_kjv`, so the two corpora join by key.
    Read more in the ``DESCR`` attribute of the returned Bunch.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch object.
    as_frame : bool, default=False
        If True, ``data`` is a pandas Series of verse texts (named ``"text"``),
        ``target`` a pandas Series, and the Bunch gains a ``frame``
        DataFrame with one row per verse and the columns ``book``,
        ``chapter``, ``verse``, ``text``, ``testament``, ``group`` and
        ``target``.  Needs pandas (``pip install 'skembed[pandas]'``).
    target : {"book", "testament", "group"}, default="book"
        Which label becomes ``target``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes of :func:`load_kjv`'s
        Bunch (``data``, ``target``, ``target_names``, ``book``,
        ``chapter``, ``verse``, ``testament``, ``group``, ``frame``,
        ``DESCR``), of length 31,084.

    (data, target) : tuple if ``return_X_y`` is True
        The verse texts and the codes of the chosen label.

    See Also
    --------
    load_kjv : The King James Bible, the English side of the parallel corpus.

    Examples
    --------
    >>> from skembed.datasets import load_rv1909
    >>> rv = load_rv1909(target="testament")
    >>> len(rv.data), rv.target_names
    (31084, ['old', 'new'])
    >>> rv.data[0]
    'EN el principio crió Dios los cielos y la tierra.'
    >>> print(rv.book[0], rv.chapter[0], rv.verse[0])
    Genesis 1 1
    """
    return _load_bible(
        _FILE,
        _DESCR,
        return_X_y=return_X_y,
        as_frame=as_frame,
        target=target,
        loader="load_rv1909",
    )

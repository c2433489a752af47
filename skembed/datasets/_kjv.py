"""The King James Bible, one verse per row, with book, testament and group labels."""

import gzip
from functools import lru_cache

import numpy as np
from sklearn.utils import Bunch

from skembed.datasets._base import read_data_bytes
from skembed.utils._pandas import require_pandas

__all__ = ["load_kjv"]

_FILE = "kjv.tsv.gz"
_HEADER = ["book", "chapter", "verse", "text"]

# Book -> group, in canonical (file) order. The groups follow the usual Protestant
# division of the canon; Acts, the one historical book of the New Testament, is a
# group of its own rather than being merged with the Old Testament histories.
_BOOK_GROUPS = {
    "Genesis": "law",
    "Exodus": "law",
    "Leviticus": "law",
    "Numbers": "law",
    "Deuteronomy": "law",
    "Joshua": "history",
    "Judges": "history",
    "Ruth": "history",
    "1 Samuel": "history",
    "2 Samuel": "history",
    "1 Kings": "history",
    "2 Kings": "history",
    "1 Chronicles": "history",
    "2 Chronicles": "history",
    "Ezra": "history",
    "Nehemiah": "history",
    "Esther": "history",
    "Job": "poetry",
    "Psalms": "poetry",
    "Proverbs": "poetry",
    "Ecclesiastes": "poetry",
    "Song of Solomon": "poetry",
    "Isaiah": "major_prophets",
    "Jeremiah": "major_prophets",
    "Lamentations": "major_prophets",
    "Ezekiel": "major_prophets",
    "Daniel": "major_prophets",
    "Hosea": "minor_prophets",
    "Joel": "minor_prophets",
    "Amos": "minor_prophets",
    "Obadiah": "minor_prophets",
    "Jonah": "minor_prophets",
    "Micah": "minor_prophets",
    "Nahum": "minor_prophets",
    "Habakkuk": "minor_prophets",
    "Zephaniah": "minor_prophets",
    "Haggai": "minor_prophets",
    "Zechariah": "minor_prophets",
    "Malachi": "minor_prophets",
    "Matthew": "gospels",
    "Mark": "gospels",
    "Luke": "gospels",
    "John": "gospels",
    "Acts": "acts",
    "Romans": "epistles",
    "1 Corinthians": "epistles",
    "2 Corinthians": "epistles",
    "Galatians": "epistles",
    "Ephesians": "epistles",
    "Philippians": "epistles",
    "Colossians": "epistles",
    "1 Thessalonians": "epistles",
    "2 Thessalonians": "epistles",
    "1 Timothy": "epistles",
    "2 Timothy": "epistles",
    "Titus": "epistles",
    "Philemon": "epistles",
    "Hebrews": "epistles",
    "James": "epistles",
    "1 Peter": "epistles",
    "2 Peter": "epistles",
    "1 John": "epistles",
    "2 John": "epistles",
    "3 John": "epistles",
    "Jude": "epistles",
    "Revelation": "apocalyptic",
}
BOOKS = tuple(_BOOK_GROUPS)
GROUPS = tuple(dict.fromkeys(_BOOK_GROUPS.values()))
TESTAMENTS = ("old", "new")
_N_OLD_TESTAMENT = 39  # Genesis .. Malachi

_DESCR = """\
King James Bible corpus
-----------------------

The King James Version of the Bible (1611), one verse per
sample: 31,102 verses in 66 books, about 790,000 words. A real English corpus
small enough to train word embeddings on quickly, with labels for a downstream
classification task.

**Labels** (choose one as ``target``):

- ``book``: the 66 books, in canonical order (39 Old Testament, 27 New).
- ``testament``: ``"old"`` (Genesis to Malachi) or ``"new"`` (Matthew to
  Revelation).
- ``group``: ``law`` (Genesis-Deuteronomy), ``history`` (Joshua-Esther),
  ``poetry`` (Job-Song of Solomon), ``major_prophets`` (Isaiah-Daniel),
  ``minor_prophets`` (Hosea-Malachi), ``gospels`` (Matthew-John), ``acts``
  (Acts), ``epistles`` (Romans-Jude) and ``apocalyptic`` (Revelation).

Verses of a book are contiguous, so shuffle (or stratify) before splitting
into training and test sets.

**Source and terms**: public domain; extracted from Debian's ``bible-kjv-text``
package (version 4.38).
"""


@lru_cache(maxsize=2)
def _parse_bible(file):
    """Parse a bundled Bible file once; return read-only arrays (callers copy).

    The files share one layout (``book``, ``chapter``, ``verse``, ``text``, book names
    spelled as in :data:`BOOKS`), so translations are joined on those three keys.
    """
    lines = gzip.decompress(read_data_bytes(file)).decode("utf-8").splitlines()
    header = lines[0].split("\t")
    if header != _HEADER:
        raise ValueError(f"{file}: expected header {_HEADER}, got {header}.")
    book_index = {book: i for i, book in enumerate(BOOKS)}
    n = len(lines) - 1
    book_codes = np.empty(n, dtype=np.int8)
    chapters = np.empty(n, dtype=np.int16)
    verses = np.empty(n, dtype=np.int16)
    texts = []
    for row, line in enumerate(lines[1:]):
        fields = line.split("\t")
        try:
            book, chapter, verse, text = fields
            book_codes[row] = book_index[book]
            chapters[row] = int(chapter)
            verses[row] = int(verse)
        except (ValueError, KeyError):
            raise ValueError(f"{file}, line {row + 2}: malformed row {line!r}.") from None
        texts.append(text)
    for array in (book_codes, chapters, verses):
        array.flags.writeable = False
    return book_codes, chapters, verses, tuple(texts)


def load_kjv(*, return_X_y=False, as_frame=False, target="book"):
    """Load the King James Bible, one verse per sample (classification).

    =================   ==============================
    Samples (verses)    31,102
    Classes             66 books, 2 testaments, 9 groups
    Words               about 790,000
    =================   ==============================

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
        Dictionary-like object, with the following attributes.

        data : list of str of length 31,102, or pandas Series
            The verse texts, in canonical order.
        target : ndarray of shape (31,102,), dtype int64, or pandas Series
            Codes of the chosen label; ``target_names[target]`` gives the names.
        target_names : list of str
            Names of the classes of ``target``, in canonical order.
        book : ndarray of shape (31,102,), dtype object
            Book of each verse (e.g. ``"Song of Solomon"``, ``"1 Kings"``).
        chapter : ndarray of shape (31,102,), dtype int64
            Chapter number of each verse within its book.
        verse : ndarray of shape (31,102,), dtype int64
            Number of each verse within its chapter.
        testament : ndarray of shape (31,102,), dtype object
            ``"old"`` or ``"new"``.
        group : ndarray of shape (31,102,), dtype object
            Book group (``"law"``, ``"history"``, ``"poetry"``, ...).
        frame : pandas DataFrame of shape (31,102, 7), or None
            Only when ``as_frame=True``.
        DESCR : str
            Description of the corpus.

    (data, target) : tuple if ``return_X_y`` is True
        The verse texts and the codes of the chosen label.

    Examples
    --------
    >>> from skembed.datasets import load_kjv
    >>> kjv = load_kjv(target="testament")
    >>> len(kjv.data), kjv.target_names
    (31102, ['old', 'new'])
    >>> kjv.data[0]
    'In the beginning God created the heaven and the earth.'
    """
    return _load_bible(
        _FILE, _DESCR, return_X_y=return_X_y, as_frame=as_frame, target=target, loader="load_kjv"
    )


def _load_bible(file, descr, *, return_X_y, as_frame, target, loader):
    """Build the Bunch (or ``(data, target)``) of a bundled Bible file; see `load_kjv`."""
    targets = ("book", "testament", "group")
    if target not in targets:
        raise ValueError(f"target must be one of {targets}, got {target!r}.")
    pd = require_pandas(f"{loader}(as_frame=True)") if as_frame else None
    book_codes, chapters, verses, texts = _parse_bible(file)
    book_codes = book_codes.astype(np.int64)
    testament_codes = (book_codes >= _N_OLD_TESTAMENT).astype(np.int64)
    group_of_book = np.array([GROUPS.index(_BOOK_GROUPS[b]) for b in BOOKS], dtype=np.int64)
    group_codes = group_of_book[book_codes]
    codes = {"book": book_codes, "testament": testament_codes, "group": group_codes}
    names = {"book": BOOKS, "testament": TESTAMENTS, "group": GROUPS}

    def labels(kind):
        return np.array(names[kind], dtype=object)[codes[kind]]

    bunch = Bunch(
        data=list(texts),
        target=codes[target].copy(),
        target_names=list(names[target]),
        book=labels("book"),
        chapter=chapters.astype(np.int64),
        verse=verses.astype(np.int64),
        testament=labels("testament"),
        group=labels("group"),
        frame=None,
        DESCR=descr,
    )
    if as_frame:

        def categorical(kind):
            return pd.Categorical.from_codes(codes[kind], categories=list(names[kind]))

        frame = pd.DataFrame(
            {
                "book": categorical("book"),
                "chapter": bunch.chapter,
                "verse": bunch.verse,
                "text": bunch.data,
                "testament": categorical("testament"),
                "group": categorical("group"),
                "target": bunch.target,
            }
        )
        bunch.frame = frame
        bunch.data = frame["text"]
        bunch.target = frame["target"]
    if return_X_y:
        return bunch.data, bunch.target
    return bunch

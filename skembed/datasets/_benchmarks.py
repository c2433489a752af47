"""Word similarity and analogy benchmarks: WordSim-353, SimLex-999, Google analogies."""

import os
from functools import lru_cache

import numpy as np
from sklearn.utils import Bunch

from skembed.datasets._base import data_file
from skembed.utils._pandas import require_pandas

__all__ = ["load_google_analogies", "load_simlex999", "load_wordsim353"]

_WORDSIM353_DESCR = """\
WordSimilarity-353
------------------

353 English word pairs, each with the mean relatedness judged by 13 to 16
people on a 0-10 scale (``tiger``/``cat`` 7.35, ``king``/``cabbage`` 0.23).
It mixes similarity with relatedness (``cup``/``coffee`` scores high). Models
are compared by the Spearman correlation of their cosine similarities with
the human scores.

Source: Finkelstein et al., "Placing Search in Context: The Concept
Revisited", ACM TOIS 20(1), 2002. Freely distributed for research; the copy
distributed with gensim's test data.
"""

_SIMLEX999_DESCR = """\
SimLex-999
----------

999 English word pairs (666 noun, 222 verb and 111 adjective pairs) scored on
a 0-10 scale for genuine similarity rather than relatedness: ``coast``/
``shore`` scores high, ``car``/``tyre`` low. Models are compared by the
Spearman correlation of their cosine similarities with the human scores.

Source: Hill, Reichart and Korhonen, "SimLex-999: Evaluating Semantic Models
with (Genuine) Similarity Estimation", Computational Linguistics 41(4), 2015.
Freely distributed for research; the copy distributed with gensim's test
data.
"""

_GOOGLE_DESCR = """\
Google analogy test set
-----------------------

19,544 questions "a is to b as c is to d" (``Athens Greece Baghdad Iraq``) in
14 sections: 5 semantic (capitals, currencies, cities in states, family) with
8,869 questions and 9 syntactic (``gram1-adjective-to-adverb`` ...
``gram9-plural-verbs``) with 10,675 questions. A model answers with the word
nearest to b - a + c (3CosAdd) or by 3CosMul, excluding a, b and c.

Source: Mikolov, Chen, Corrado and Dean, "Efficient Estimation of Word
Representations in Vector Space", 2013. Apache License 2.0, as in the word2vec
distribution.
"""

_USER_DESCR = "Word pairs with human scores, read from {path}.\n"
_USER_ANALOGY_DESCR = "Analogy questions read from {path}.\n"


def _read_lines(path, bundled):
    """Return ``(name, lines)`` for a user path, or for the bundled file when path is None."""
    if path is None:
        return bundled, data_file(bundled).read_text(encoding="utf-8").splitlines()
    with open(path, encoding="utf-8") as fh:
        return os.fspath(path), fh.read().splitlines()


def _parse_pairs(name, lines):
    pairs, scores = [], []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split("\t") if "\t" in stripped else stripped.split()
        fields = [f.strip() for f in fields]
        try:
            word1, word2, score = fields
            score = float(score)
        except ValueError:
            raise ValueError(
                f"{name}, line {number}: expected 'word1<TAB>word2<TAB>score', got {line!r}."
            ) from None
        if not word1 or not word2:
            raise ValueError(f"{name}, line {number}: empty word in {line!r}.")
        pairs.append((word1, word2))
        scores.append(score)
    return tuple(pairs), np.array(scores, dtype=np.float64)


@lru_cache(maxsize=4)
def _bundled_pairs(filename):
    return _parse_pairs(*_read_lines(None, filename))


def _load_pairs(path, filename, descr, as_frame, loader):
    pd = require_pandas(f"{loader}(as_frame=True)") if as_frame else None
    if path is None:
        pairs, scores = _bundled_pairs(filename)
        scores = scores.copy()
    else:
        pairs, scores = _parse_pairs(*_read_lines(path, filename))
        descr = _USER_DESCR.format(path=os.fspath(path))
    bunch = Bunch(pairs=list(pairs), scores=scores, frame=None, DESCR=descr)
    if as_frame:
        bunch.frame = pd.DataFrame(
            {
                "word1": [p[0] for p in pairs],
                "word2": [p[1] for p in pairs],
                "score": scores,
            }
        )
    return bunch


_PAIRS_DOC = """Load {title}, word pairs with human similarity scores.

    Parameters
    ----------
    path : str or path-like, default=None
        Read this file instead of the bundled copy. It must have the same
        layout: one pair a line, ``word1<TAB>word2<TAB>score`` (or separated
        by spaces), lines starting with ``#`` and blank lines ignored.
    as_frame : bool, default=False
        If True, the Bunch also holds ``frame``, a pandas DataFrame with the
        columns ``word1``, ``word2`` and ``score``.
        Needs pandas (``pip install 'skembed[pandas]'``).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        pairs : list of (str, str) of length n_pairs
            The word pairs, in file order ({n_pairs} in the bundled file).
        scores : ndarray of shape (n_pairs,), dtype float64
            The human score of each pair ({scale}).
        frame : pandas DataFrame of shape (n_pairs, 3), or None
            Only when ``as_frame=True``.
        DESCR : str
            Description and source of the data.

    Raises
    ------
    ValueError
        If a line is malformed; the message names the file and line number.

    See Also
    --------
    skembed.evaluation.word_similarity_score : Score word vectors on these pairs.

    Examples
    --------
    >>> from skembed.datasets import {func}
    >>> data = {func}()
    >>> len(data.pairs)
    {n_pairs}
    >>> data.pairs[0], float(data.scores[0])
    {first}
    """


def load_wordsim353(*, path=None, as_frame=False):
    return _load_pairs(path, "wordsim353.tsv", _WORDSIM353_DESCR, as_frame, "load_wordsim353")


def load_simlex999(*, path=None, as_frame=False):
    return _load_pairs(path, "simlex999.txt", _SIMLEX999_DESCR, as_frame, "load_simlex999")


load_wordsim353.__doc__ = _PAIRS_DOC.format(
    title="WordSimilarity-353",
    func="load_wordsim353",
    n_pairs=353,
    scale="mean relatedness, 0 to 10",
    first="(('love', 'sex'), 6.77)",
)
load_simlex999.__doc__ = _PAIRS_DOC.format(
    title="SimLex-999",
    func="load_simlex999",
    n_pairs=999,
    scale="similarity, 0 to 10",
    first="(('old', 'new'), 1.58)",
)


def _parse_analogies(name, lines):
    questions, section_of = [], []
    sections = []
    current = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(":"):
            current = stripped[1:].strip()
            if not current:
                raise ValueError(f"{name}, line {number}: empty section name.")
            if current not in sections:
                sections.append(current)
            continue
        fields = stripped.split()
        if len(fields) != 4:
            raise ValueError(f"{name}, line {number}: expected 4 words 'a b c d', got {line!r}.")
        if current is None:
            raise ValueError(f"{name}, line {number}: question before the first ': section' line.")
        questions.append(tuple(fields))
        section_of.append(current)
    return tuple(questions), tuple(section_of), tuple(sections)


@lru_cache(maxsize=1)
def _bundled_analogies():
    return _parse_analogies(*_read_lines(None, "questions-words.txt"))


def load_google_analogies(path=None, *, as_frame=False):
    """Load the Google analogy test set ("a is to b as c is to d").

    Parameters
    ----------
    path : str or path-like, default=None
        Read this file instead of the bundled ``questions-words.txt``. It must
        have the same layout: ``: section-name`` lines, each followed by
        questions of four whitespace-separated words ``a b c d``; blank lines
        and lines starting with ``#`` are ignored.
    as_frame : bool, default=False
        If True, the Bunch also holds ``frame``, a pandas DataFrame with the
        columns ``a``, ``b``, ``c``, ``d``, ``section`` and ``semantic``.
        Needs pandas (``pip install 'skembed[pandas]'``).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        questions : list of (str, str, str, str) of length n_questions
            The questions ``(a, b, c, d)``, in file order (19,544 in the
            bundled file).
        section : ndarray of shape (n_questions,), dtype object
            Section name of each question.
        sections : list of str
            Section names in file order (14 in the bundled file).
        semantic : ndarray of shape (n_questions,), dtype bool
            True for semantic questions: those whose section name does not
            start with ``"gram"`` (in the bundled file, the first 5 sections),
            False for the syntactic ``gram*`` sections.
        frame : pandas DataFrame of shape (n_questions, 6), or None
            Only when ``as_frame=True``.
        DESCR : str
            Description and source of the data.

    Raises
    ------
    ValueError
        If a line is malformed; the message names the file and line number.

    See Also
    --------
    skembed.evaluation.analogy_accuracy : Answer these questions with word vectors.

    Examples
    --------
    >>> from skembed.datasets import load_google_analogies
    >>> data = load_google_analogies()
    >>> len(data.questions), len(data.sections), int(data.semantic.sum())
    (19544, 14, 8869)
    >>> data.questions[0]
    ('Athens', 'Greece', 'Baghdad', 'Iraq')
    """
    pd = require_pandas("load_google_analogies(as_frame=True)") if as_frame else None
    if path is None:
        questions, section_of, sections = _bundled_analogies()
        descr = _GOOGLE_DESCR
    else:
        questions, section_of, sections = _parse_analogies(
            *_read_lines(path, "questions-words.txt")
        )
        descr = _USER_ANALOGY_DESCR.format(path=os.fspath(path))
    section = np.array(section_of, dtype=object)
    semantic = np.array([not s.startswith("gram") for s in section_of], dtype=bool)
    bunch = Bunch(
        questions=list(questions),
        section=section,
        sections=list(sections),
        semantic=semantic,
        frame=None,
        DESCR=descr,
    )
    if as_frame:
        frame = pd.DataFrame(list(questions), columns=["a", "b", "c", "d"])
        frame["section"] = pd.Categorical(section, categories=list(sections))
        frame["semantic"] = semantic
        bunch.frame = frame
    return bunch

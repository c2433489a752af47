"""Word analogies ("a is to b as c is to d") answered by 3CosAdd or 3CosMul, in batches."""

from dataclasses import dataclass, field
from numbers import Integral
from typing import NamedTuple

import numpy as np

from skembed.datasets import load_google_analogies
from skembed.evaluation._vectors import (
    check_oov,
    composed_vector,
    find_word_vectors,
    normed_vectors,
)

__all__ = ["AnalogyResult", "SectionScore", "analogy_accuracy"]

ANALOGY_DATASETS = {"google": load_google_analogies}
METHODS = ("3cosadd", "3cosmul")

# Levy and Goldberg (2014): epsilon in the 3CosMul denominator.
_COSMUL_EPSILON = 1e-3
# Questions per block are chosen so that one (block, n_vocab) float32 score
# matrix stays near this many entries (32 MiB): big enough for efficient
# matrix products, small enough that 3CosMul's few temporaries stay cheap.
_BLOCK_ENTRIES = 1 << 23
_MAX_BLOCK = 2048


class SectionScore(NamedTuple):
    """Counts for one section of an analogy dataset.

    Examples
    --------
    >>> from skembed.evaluation import SectionScore
    >>> score = SectionScore(n_correct=3, n_found=4, n_total=5)
    >>> score.accuracy
    0.75
    """

    n_correct: int
    n_found: int
    n_total: int

    @property
    def accuracy(self):
        """float: ``n_correct / n_found`` (NaN when nothing was covered)."""
        return self.n_correct / self.n_found if self.n_found else float("nan")


@dataclass(frozen=True)
class AnalogyResult:
    """Result of :func:`analogy_accuracy`.

    Attributes
    ----------
    accuracy : float
        Fraction of covered questions answered correctly (NaN if none covered).
    accuracy_all : float
        Fraction of all questions answered correctly, uncovered ones counted
        as wrong.
    coverage : float
        ``n_found / n_total``.
    n_correct : int
        Number of questions answered correctly.
    n_found : int
        Number of covered questions: all four words were found.
    n_total : int
        Number of questions in the dataset.
    semantic_accuracy : float
        ``accuracy`` over the covered semantic questions (NaN if none, or if
        the dataset does not say which questions are semantic).
    syntactic_accuracy : float
        ``accuracy`` over the covered syntactic questions.
    sections : dict of str to SectionScore
        ``(n_correct, n_found, n_total)`` for each section, in dataset order;
        ``pandas.DataFrame(result.sections).T`` makes a table of it.
    predictions : list of str or None
        The answer given to each question, None where it was not covered.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.evaluation import analogy_accuracy
    >>> wv = WordVectors(["man", "woman", "king", "queen"],
    ...                  np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]],
    ...                           dtype=np.float32))
    >>> result = analogy_accuracy(wv, [("man", "woman", "king", "queen"),
    ...                                ("man", "woman", "king", "empress")])
    >>> result.n_correct, result.n_found, result.n_total, result.accuracy_all
    (1, 1, 2, 0.5)
    >>> result.predictions
    ['queen', None]
    """

    accuracy: float
    accuracy_all: float
    coverage: float
    n_correct: int
    n_found: int
    n_total: int
    semantic_accuracy: float
    syntactic_accuracy: float
    sections: dict
    predictions: list = field(repr=False)


def analogy_data(dataset):
    """Return ``(questions, section, section_names, semantic or None)``."""
    if isinstance(dataset, str):
        loader = ANALOGY_DATASETS.get(dataset)
        if loader is None:
            raise ValueError(
                f"Unknown analogy dataset {dataset!r}; use one of {sorted(ANALOGY_DATASETS)}, "
                "or pass load_google_analogies(path=...) for a file of your own."
            )
        dataset = loader()
    if hasattr(dataset, "questions"):
        questions = list(dataset.questions)
        section = getattr(dataset, "section", None)
        semantic = getattr(dataset, "semantic", None)
    else:
        questions, section, semantic = list(dataset), None, None
    for question in questions:
        if isinstance(question, str) or len(question) != 4:
            raise ValueError(
                f"An analogy question must be 4 words (a, b, c, d); got {question!r}."
            )
    questions = [tuple(str(w) for w in q) for q in questions]
    if section is None:
        section = np.full(len(questions), "all", dtype=object)
    section = np.asarray(section, dtype=object)
    # declared sections first (a declared section may hold no question), in order
    names = [*getattr(dataset, "sections", []), *section.tolist()]
    names = list(dict.fromkeys(names))
    if semantic is not None:
        semantic = np.asarray(semantic, dtype=bool)
    for name, array in (("section", section), ("semantic", semantic)):
        if array is not None and array.shape != (len(questions),):
            raise ValueError(f"{name} must have one entry per question.")
    return questions, section, names, semantic


class _Vocabulary:
    """The searched rows of the model, grouped by spelling (or by case-folded spelling).

    Candidate answers are rows; a word of a question belongs to a group, and an
    answer is right when its row is in the group of ``d``. Without case folding
    every row is its own group.
    """

    def __init__(self, words, case_insensitive):
        self.case_insensitive = case_insensitive
        n_rows = len(words)
        if case_insensitive:
            self.group_index = {}
            groups = np.empty(n_rows, dtype=np.int64)
            for row, word in enumerate(words):
                groups[row] = self.group_index.setdefault(word.lower(), len(self.group_index))
            # the first row of a group is its most frequent spelling
            self.first_row = np.unique(groups, return_index=True)[1]
        else:
            self.group_index = {word: row for row, word in enumerate(words)}
            groups = np.arange(n_rows, dtype=np.int64)
            self.first_row = groups
        self.group_of_row = groups
        n_groups = len(self.first_row)
        self.members = np.argsort(groups, kind="stable")
        self.member_ptr = np.zeros(n_groups + 1, dtype=np.int64)
        np.cumsum(np.bincount(groups, minlength=n_groups), out=self.member_ptr[1:])

    def group(self, word):
        """Return the group id of ``word``, or -1 when it is not among the rows."""
        key = word.lower() if self.case_insensitive else word
        return self.group_index.get(key, -1)

    def excluded(self, groups):
        """Return ``(question, row)`` index arrays of every row of the given groups.

        ``groups`` has shape (n_questions, k); entries of -1 exclude nothing.
        """
        question = np.repeat(np.arange(groups.shape[0]), groups.shape[1])
        groups = groups.ravel()
        keep = groups >= 0
        question, groups = question[keep], groups[keep]
        starts = self.member_ptr[groups]
        sizes = self.member_ptr[groups + 1] - starts
        offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return np.repeat(question, sizes), self.members[np.repeat(starts, sizes) + offsets]


def analogy_accuracy(
    model,
    dataset="google",
    *,
    method="3cosadd",
    restrict_vocab=30000,
    case_insensitive=True,
    oov="skip",
):
    """Answer word analogies "a is to b as c is to d" and report the accuracy.

    The answer to a question is the vocabulary word ``x``, other than ``a``,
    ``b`` and ``c``, that maximizes

    - 3CosAdd: ``cos(x, b) - cos(x, a) + cos(x, c)``, that is, the word nearest
      to ``b - a + c`` (Mikolov et al., 2013), or
    - 3CosMul: ``cos'(x, b) * cos'(x, c) / (cos'(x, a) + 0.001)`` with cosines
      shifted to [0, 1] as ``cos' = (cos + 1) / 2`` (Levy and Goldberg, 2014).

    Questions are answered in blocks by matrix products against the searched
    rows, so the 19,544 Google questions over 30,000 words take seconds.

    Parameters
    ----------
    model : WordVectors, estimator or Pipeline
        Word vectors, a fitted estimator with a ``wv_`` attribute, or a fitted
        Pipeline: the last step with fitted word vectors is used.
    dataset : "google", Bunch or sequence, default="google"
        The bundled Google analogy test set, a Bunch from
        :func:`~skembed.datasets.load_google_analogies` (possibly read from your
        own file with ``path=``), or a sequence of ``(a, b, c, d)`` questions
        (then one section, ``"all"``, and no semantic/syntactic split).
    method : {"3cosadd", "3cosmul"}, default="3cosadd"
        How to combine the three cosines (see above).
    restrict_vocab : int or None, default=30000
        Search only the first ``restrict_vocab`` rows (the most frequent words,
        when rows are ordered by frequency); None searches all. A question is
        covered only if its four words are among these rows, as in gensim and
        word2vec's ``compute-accuracy``.
    case_insensitive : bool, default=True
        Compare words after lowercasing them: each question word stands for
        the most frequent row with its spelling up to case, an answer is right
        when it equals ``d`` up to case, and every case variant of ``a``,
        ``b`` and ``c`` is excluded from the answers.
    oov : {"skip", "vector"}, default="skip"
        How to treat ``a``, ``b`` or ``c`` outside the searched rows.
        ``"skip"``: the question is uncovered. ``"vector"``: ask
        ``model.get_vector`` for its vector (the full vocabulary, or a vector
        composed from subwords); the question is uncovered only if that raises
        KeyError. ``d`` must always be among the searched rows.

    Returns
    -------
    result : AnalogyResult
        ``accuracy``, ``accuracy_all``, ``coverage``, ``n_correct``,
        ``n_found``, ``n_total``, ``semantic_accuracy``,
        ``syntactic_accuracy`` and per-section counts ``sections``.

    See Also
    --------
    make_analogy_scorer : The same score as a scorer for model selection.
    skembed.datasets.load_google_analogies : The Google analogy test set.

    Examples
    --------
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.evaluation import analogy_accuracy
    >>> wv = WordVectors(["man", "woman", "king", "queen"],
    ...                  np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]],
    ...                           dtype=np.float32))
    >>> result = analogy_accuracy(wv, [("man", "woman", "king", "queen")])
    >>> result.accuracy, result.coverage
    (1.0, 1.0)
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    check_oov(oov)
    if restrict_vocab is not None and (
        not isinstance(restrict_vocab, Integral)
        or isinstance(restrict_vocab, bool)
        or restrict_vocab < 1
    ):
        raise ValueError(f"restrict_vocab must be a positive int or None, got {restrict_vocab!r}.")
    wv = find_word_vectors(model)
    questions, section, section_names, semantic = analogy_data(dataset)
    normed = normed_vectors(wv)
    n_rows = len(normed) if restrict_vocab is None else min(restrict_vocab, len(normed))
    candidates = normed[:n_rows]
    vocabulary = _Vocabulary(wv.index_to_key[:n_rows], case_insensitive)

    # Each distinct question word gets one unit vector in `query_vectors`.
    query_vectors, query_index = [], {}

    def query(word):
        """Return ``(query row, group)`` of a question word; query row -1 if absent."""
        group = vocabulary.group(word)
        key = ("group", group) if group >= 0 else ("word", word)
        if key not in query_index:
            if group >= 0:
                vector = candidates[vocabulary.first_row[group]]
            elif oov == "vector":
                vector = composed_vector(wv, word, case_insensitive)
            else:
                vector = None
            query_index[key] = len(query_vectors) if vector is not None else -1
            if vector is not None:
                query_vectors.append(vector)
        return query_index[key], group

    n_total = len(questions)
    covered = np.zeros(n_total, dtype=bool)
    rows = np.empty((n_total, 3), dtype=np.int64)  # query rows of a, b, c
    groups = np.empty((n_total, 4), dtype=np.int64)  # groups of a, b, c, d
    for i, (a, b, c, d) in enumerate(questions):
        group_d = vocabulary.group(d)
        if group_d < 0:
            continue
        (row_a, group_a), (row_b, group_b), (row_c, group_c) = query(a), query(b), query(c)
        if row_a < 0 or row_b < 0 or row_c < 0:
            continue
        covered[i] = True
        rows[i] = row_a, row_b, row_c
        groups[i] = group_a, group_b, group_c, group_d
    rows, groups = rows[covered], groups[covered]

    correct = np.zeros(n_total, dtype=bool)
    predictions = [None] * n_total
    if len(rows):
        query_vectors = np.asarray(query_vectors, dtype=np.float32)
        answers = _answer(query_vectors, candidates, rows, groups[:, :3], vocabulary, method)
        correct[covered] = vocabulary.group_of_row[answers] == groups[:, 3]
        words = wv.index_to_key
        for i, answer in zip(np.flatnonzero(covered), answers.tolist(), strict=True):
            predictions[i] = words[answer]
    return _result(correct, covered, section, section_names, semantic, predictions)


def _answer(query_vectors, candidates, rows, excluded_groups, vocabulary, method):
    """Return the best-scoring candidate row of each question.

    ``rows`` (n_questions, 3) are the rows of a, b and c in ``query_vectors``;
    every row of ``excluded_groups`` (n_questions, 3) is left out of the answers.
    """
    n_questions = len(rows)
    block = int(np.clip(_BLOCK_ENTRIES // max(len(candidates), 1), 1, _MAX_BLOCK))
    candidates_t = candidates.T
    answers = np.empty(n_questions, dtype=np.int64)
    if method == "3cosadd":
        buffer = np.empty((min(block, n_questions), len(candidates)), dtype=np.float32)
    for start in range(0, n_questions, block):
        stop = min(start + block, n_questions)
        a, b, c = rows[start:stop].T
        if method == "3cosadd":
            scores = buffer[: stop - start]
            query = query_vectors[b] - query_vectors[a] + query_vectors[c]
            np.matmul(query, candidates_t, out=scores)
        else:
            # Questions share words (a Google section has tens of distinct words),
            # so take the cosines of the block's distinct words once, then gather.
            distinct, position = np.unique(rows[start:stop], return_inverse=True)
            position = position.reshape(-1, 3)
            cosines = query_vectors[distinct] @ candidates_t
            cosines += 1.0
            cosines *= 0.5
            scores = cosines[position[:, 1]]
            scores *= cosines[position[:, 2]]
            denominator = cosines[position[:, 0]]
            denominator += _COSMUL_EPSILON
            scores /= denominator
        question, row = vocabulary.excluded(excluded_groups[start:stop])
        scores[question, row] = -np.inf
        answers[start:stop] = np.argmax(scores, axis=1)
    return answers


def _result(correct, covered, section, section_names, semantic, predictions):
    n_total = len(correct)
    n_found = int(covered.sum())
    n_correct = int(correct.sum())

    def ratio(numerator, denominator):
        return numerator / denominator if denominator else float("nan")

    sections = {}
    for name in section_names:
        mask = section == name
        sections[name] = SectionScore(
            int(correct[mask].sum()), int(covered[mask].sum()), int(mask.sum())
        )
    if semantic is None:
        semantic_accuracy = syntactic_accuracy = float("nan")
    else:
        semantic_accuracy = ratio(int(correct[semantic].sum()), int(covered[semantic].sum()))
        syntactic_accuracy = ratio(int(correct[~semantic].sum()), int(covered[~semantic].sum()))
    return AnalogyResult(
        accuracy=ratio(n_correct, n_found),
        accuracy_all=ratio(n_correct, n_total),
        coverage=ratio(n_found, n_total),
        n_correct=n_correct,
        n_found=n_found,
        n_total=n_total,
        semantic_accuracy=semantic_accuracy,
        syntactic_accuracy=syntactic_accuracy,
        sections=sections,
        predictions=predictions,
    )

"""Warm start and partial_fit after set_params of a structural parameter."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from skembed import FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer
from tests.training.test_transactions import DOCS, NEW_DOCS, fitted_state

SMALL = dict(vector_size=8, min_count=1, random_state=0, epochs=2)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_negative_switched_on_after_pure_hs_does_not_write_out_of_bounds(method):
    # Once the kernel wrote into an output matrix of shape (0, dim) here and corrupted
    # the heap: run it in a child process so that a crash fails the test, not the suite.
    code = textwrap.dedent(f"""
        from skembed import Word2VecVectorizer
        docs = ["the cat sat on the mat", "the dog sat on the log"] * 50
        model = Word2VecVectorizer(negative=0, hs=True, warm_start=True, min_count=1)
        model.fit(docs)
        model.set_params(negative=5).{method}(docs)
        model.{method}(docs)
        print(model._output_vectors.shape, model._output_vectors_hs.shape)
    """)
    root = Path(__file__).resolve().parents[2]  # this checkout's skembed
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[0] == "(7, 100) (6, 100)"


def test_objectives_switched_on_or_off_are_applied():
    model = Word2VecVectorizer(negative=0, hs=True, warm_start=True, **SMALL).fit(DOCS)
    assert model._output_vectors is None
    model.set_params(negative=5).fit(DOCS)
    # the new objective's output weights start at zero and are trained from there
    assert model._output_vectors.shape == (7, 8) and np.abs(model._output_vectors).sum() > 0
    hs_before = model._output_vectors_hs.copy()
    model.set_params(hs=False).partial_fit(DOCS)
    assert model._output_vectors_hs is None
    model.set_params(hs=True).partial_fit(DOCS)  # once a numba TypingError
    assert model._output_vectors_hs.shape == hs_before.shape
    model.set_params(negative=10).partial_fit(DOCS)  # 5 -> 10: the same matrix
    model.set_params(negative=0).fit(DOCS)
    assert model._output_vectors is None
    assert np.all(np.isfinite(model.wv_.vectors))


def test_switched_objective_with_new_words():
    model = Word2VecVectorizer(hs=False, update_vocabulary=True, **SMALL).fit(DOCS)
    model.set_params(hs=True).partial_fit(NEW_DOCS)
    n = len(model.wv_)
    assert n > 7 and model._output_vectors_hs.shape == (n - 1, 8)
    assert model._output_vectors.shape == (n, 8)


CASES = [
    (lambda: Word2VecVectorizer(**SMALL), "vector_size", 16),
    (lambda: FastTextVectorizer(bucket=500, **SMALL), "vector_size", 16),
    (lambda: FastTextVectorizer(bucket=500, **SMALL), "bucket", 800),
    (lambda: FastTextVectorizer(bucket=500, **SMALL), "min_n", 2),
    (lambda: FastTextVectorizer(bucket=500, **SMALL), "max_n", 4),
    (lambda: FastTextVectorizer(bucket=500, compact=True, **SMALL), "max_n", 5),
    (lambda: GloVeVectorizer(window=3, **SMALL), "vector_size", 4),
]


@pytest.mark.parametrize(("make", "name", "value"), CASES)
@pytest.mark.parametrize("method", ["warm_start", "partial_fit"])
def test_structural_change_is_refused_before_any_state_changes(make, name, value, method):
    model = make().set_params(update_vocabulary=True).fit(DOCS)
    before = fitted_state(model)
    model.set_params(**{name: value})
    with pytest.raises(ValueError, match=rf"{name}={value}.*{name}="):
        if method == "partial_fit":
            model.partial_fit(NEW_DOCS)
        else:
            model.set_params(warm_start=True).fit(NEW_DOCS)
    np.testing.assert_equal(fitted_state(model), before)
    # set back, training continues
    model.set_params(**{name: before["_fitted_structure"][name]}).partial_fit(NEW_DOCS)
    assert model.n_iter_ == before["n_iter_"] + 1


def test_a_fresh_fit_takes_any_structure():
    model = Word2VecVectorizer(**SMALL).fit(DOCS)
    model.set_params(vector_size=16).fit(DOCS)  # warm_start=False: a new model
    assert model.wv_.vectors.shape == (7, 16)


@pytest.mark.parametrize("start", [False, True])
def test_fasttext_compact_is_applied_on_a_warm_start(start):
    model = FastTextVectorizer(bucket=500, compact=start, warm_start=True, **SMALL).fit(DOCS)
    assert model.wv_.is_compact == start
    model.set_params(compact=not start).fit(DOCS)
    assert model.wv_.is_compact == (not start)
    reference = FastTextVectorizer(bucket=500, compact=start, warm_start=True, **SMALL)
    reference.fit(DOCS).fit(DOCS)
    # in-vocabulary vectors do not depend on the layout
    np.testing.assert_allclose(model.wv_.vectors, reference.wv_.vectors, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("cls", [Word2VecVectorizer, FastTextVectorizer])
def test_algorithm_switch_is_applied(cls):
    # skip-gram and CBOW train the same matrices: a warm start may switch between them
    extra = dict(bucket=500) if cls is FastTextVectorizer else {}
    model = cls(warm_start=True, **extra, **SMALL).fit(DOCS)
    before = model.wv_.vectors.copy()
    model.set_params(algorithm="cbow").fit(DOCS)
    assert model.n_iter_ == 4 and not np.array_equal(model.wv_.vectors, before)
    assert np.all(np.isfinite(model.wv_.vectors))

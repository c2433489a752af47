"""Post-processing transformers against NumPy."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skembed.vectors import (
    AllButTheTop,
    Centerer,
    FastTextWordVectors,
    L2Normalizer,
    PowerNormalizer,
    Whitener,
    WordVectors,
)


@pytest.fixture
def wv():
    rng = np.random.default_rng(0)
    # correlated, off-centre, of unequal scales: a common direction as trained vectors have
    mixing = rng.normal(size=(6, 6)) * [5, 3, 1, 1, 0.5, 0.2]
    matrix = rng.normal(size=(400, 6)) @ mixing + 2.0
    return WordVectors([f"w{i}" for i in range(400)], matrix, counts=np.arange(400, 0, -1))


def _cov(matrix):
    matrix = np.asarray(matrix, dtype=np.float64)
    return np.cov(matrix.T, bias=True)


ALL = [L2Normalizer(), Centerer(), PowerNormalizer(), Whitener(), Whitener(method="pca"),
       AllButTheTop(n_components=2)]  # fmt: skip


@pytest.mark.parametrize("transformer", ALL, ids=lambda t: repr(t))
def test_new_vectors_same_words_input_unchanged_and_matrix_input(wv, transformer):
    before = wv.vectors.copy()
    out = clone(transformer).fit_transform(wv)
    assert isinstance(out, WordVectors) and out is not wv
    assert out.index_to_key == wv.index_to_key and out.index_to_key is not wv.index_to_key
    np.testing.assert_array_equal(out.counts, wv.counts)
    assert out.vectors.dtype == np.float32
    np.testing.assert_array_equal(wv.vectors, before)
    fitted = clone(transformer).fit(wv)
    np.testing.assert_allclose(fitted.transform(wv.vectors), out.vectors, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(fitted)).transform(wv).vectors,
                                  fitted.transform(wv).vectors)  # fmt: skip
    with pytest.raises(ValueError, match="dimensions"):
        fitted.transform(np.ones((2, 3)))


def test_l2_centre_power_against_numpy(wv):
    m = wv.vectors.astype(np.float64)
    np.testing.assert_allclose(
        L2Normalizer().fit_transform(wv).vectors, m / np.linalg.norm(m, axis=1)[:, None],
        rtol=1e-6,
    )  # fmt: skip
    np.testing.assert_allclose(Centerer().fit_transform(wv).vectors, m - m.mean(0), atol=1e-5)
    np.testing.assert_allclose(PowerNormalizer(alpha=0.3).fit_transform(wv).vectors,
                               np.sign(m) * np.abs(m) ** 0.3, rtol=1e-6)  # fmt: skip
    # fitted on some rows, applied to others: the mean of the first
    half = Centerer().fit(m[:200])
    np.testing.assert_allclose(half.transform(m[200:]), m[200:] - m[:200].mean(0), atol=1e-5)
    zero = WordVectors(["z", "a"], np.array([[0, 0], [3, 4]], np.float32))
    assert L2Normalizer().fit_transform(zero)["z"].tolist() == [0, 0]


@pytest.mark.parametrize("method", ["pca", "zca"])
def test_whitening_gives_identity_covariance(wv, method):
    out = Whitener(method=method).fit_transform(wv).vectors
    np.testing.assert_allclose(_cov(out), np.eye(6), atol=1e-4)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-4)
    m = wv.vectors.astype(np.float64)
    centred = m - m.mean(0)
    values, axes = np.linalg.eigh(_cov(m))
    if method == "zca":
        # the symmetric whitening matrix C^(-1/2), computed independently
        expected = centred @ axes @ np.diag(values**-0.5) @ axes.T
        np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    else:
        # the principal coordinates, up to each axis's sign
        expected = centred @ axes[:, ::-1] / np.sqrt(values[::-1])
        np.testing.assert_allclose(np.abs(out), np.abs(expected), rtol=1e-4, atol=1e-4)


def test_pca_whitening_keeps_n_components(wv):
    out = Whitener(method="pca", n_components=3).fit_transform(wv.vectors)
    assert out.shape == (400, 3)
    np.testing.assert_allclose(_cov(out), np.eye(3), atol=1e-4)
    with pytest.raises(ValueError, match="n_components applies to method='pca'"):
        Whitener(n_components=3).fit(wv)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_all_but_the_top_removes_the_mean_and_the_top_directions(wv, d):
    abtt = AllButTheTop(n_components=d).fit(wv)
    out = abtt.transform(wv).vectors.astype(np.float64)
    m = wv.vectors.astype(np.float64)
    centred = m - m.mean(0)
    # the top directions by NumPy's SVD of the centred matrix
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    top = vt[:d]
    np.testing.assert_allclose(np.abs(abtt.components_ @ top.T), np.eye(d), atol=1e-6)
    np.testing.assert_allclose(out @ top.T, 0, atol=1e-4)  # those directions are gone
    np.testing.assert_allclose(out, centred - centred @ top.T @ top, atol=1e-4)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-4)
    # the remaining directions keep their variance
    rest = vt[d:]
    np.testing.assert_allclose(_cov(out @ rest.T), _cov(centred @ rest.T), rtol=1e-4, atol=1e-6)


def test_all_but_the_top_default_is_dim_over_100():
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(500, 250))
    assert AllButTheTop().fit(matrix).components_.shape == (2, 250)
    assert AllButTheTop().fit(matrix[:, :50]).components_.shape == (1, 50)
    assert AllButTheTop(n_components=0).fit(matrix).components_.shape == (0, 250)


def test_fasttext_vectors_give_plain_vectors_of_the_vocabulary():
    rng = np.random.default_rng(2)
    ft = FastTextWordVectors(["cat", "dog", "cow"], rng.normal(size=(3, 4)),
                             rng.normal(size=(20, 4)), min_n=2, max_n=3)  # fmt: skip
    out = Centerer().fit_transform(ft)
    assert type(out) is WordVectors
    np.testing.assert_allclose(out.vectors, ft.vectors - ft.vectors.mean(0), atol=1e-6)


@pytest.mark.parametrize(
    "transformer, match",
    [(PowerNormalizer(alpha=0), "alpha"), (Whitener(method="svd"), "method"),
     (Whitener(eps=-1), "eps"), (Whitener(method="pca", n_components=9), "n_components"),
     (AllButTheTop(n_components=7), "n_components")],
)  # fmt: skip
def test_bad_parameters_and_inputs_are_named(wv, transformer, match):
    with pytest.raises(ValueError, match=match):
        transformer.fit(wv)
    with pytest.raises(ValueError, match="NaN"):
        Centerer().fit(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match="shape"):
        Centerer().fit(np.ones(3))

"""The aligners: recovery of planted maps, centring, refinement, and the estimator contract."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import ortho_group
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skembed.alignment import CCAAligner, LeastSquaresAligner, OrthogonalProcrustes

ALIGNERS = [OrthogonalProcrustes(), LeastSquaresAligner(alpha=0.5), CCAAligner(n_components=3)]
each_aligner = pytest.mark.parametrize("aligner", ALIGNERS, ids=lambda a: type(a).__name__)


def _rotated(n=200, d=10, noise=0.0, seed=0, shift=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    Q = ortho_group.rvs(d, random_state=seed)
    Y = X @ Q + shift + noise * rng.normal(size=(n, d))
    return X, Y, Q


@pytest.mark.parametrize("center", [False, True])
def test_procrustes_recovers_an_orthogonal_map_exactly_from_noiseless_pairs(center):
    X, Y, Q = _rotated()
    aligner = OrthogonalProcrustes(center=center).fit(X, Y)
    assert_allclose(aligner.coef_, Q, atol=1e-10)
    X_new = np.random.default_rng(1).normal(size=(5, 10))
    assert_allclose(aligner.transform(X_new) + aligner.target_mean_, X_new @ Q, atol=1e-10)


def test_procrustes_nearly_recovers_the_map_under_noise():
    X, Y, Q = _rotated(n=500, noise=0.1)
    W = OrthogonalProcrustes().fit(X, Y).coef_
    assert_allclose(W.T @ W, np.eye(10), atol=1e-10)  # still a rotation
    error = np.linalg.norm(W - Q) / np.linalg.norm(Q)
    assert error < 0.05
    # a map learnt from shuffled pairs is no rotation close to Q
    shuffled = np.random.default_rng(0).permutation(500)
    W_broken = OrthogonalProcrustes().fit(X, Y[shuffled]).coef_
    assert np.linalg.norm(W_broken - Q) / np.linalg.norm(Q) > 0.5


def test_centring_learnt_in_fit_is_applied_in_transform():
    X, Y, Q = _rotated(shift=5.0)
    aligner = OrthogonalProcrustes().fit(X + 3.0, Y)
    assert_allclose(aligner.source_mean_, X.mean(axis=0) + 3.0)
    assert_allclose(aligner.transform(X + 3.0), aligner.transform_target(Y), atol=1e-10)
    # without centring the rotation cannot absorb the shifts
    plain = OrthogonalProcrustes(center=False).fit(X + 3.0, Y)
    assert np.abs(plain.transform(X + 3.0) - Y).max() > 0.5


def test_normalize_scales_rows_in_fit_and_transform():
    X, Y, Q = _rotated()
    scales = np.random.default_rng(0).uniform(0.5, 5.0, size=(200, 1))
    aligner = OrthogonalProcrustes(normalize=True, center=False).fit(X * scales, Y)
    assert_allclose(aligner.coef_, Q, atol=1e-10)
    mapped = aligner.transform(X * scales)
    assert_allclose(np.linalg.norm(mapped, axis=1), 1.0)


def test_least_squares_maps_between_different_dimensions():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6))
    A = rng.normal(size=(6, 4))
    Y = X @ A + 0.01 * rng.normal(size=(300, 4))
    aligner = LeastSquaresAligner().fit(X, Y)
    assert aligner.coef_.shape == (6, 4)
    assert_allclose(aligner.coef_, A, atol=0.01)
    assert aligner.get_feature_names_out().tolist() == [
        f"leastsquaresaligner{i}" for i in range(4)
    ]
    # the ridge shrinks the map
    ridge = LeastSquaresAligner(alpha=1000.0).fit(X, Y)
    assert np.linalg.norm(ridge.coef_) < 0.8 * np.linalg.norm(aligner.coef_)


def test_procrustes_refuses_different_dimensions_and_names_the_alternatives():
    X = np.ones((5, 3))
    with pytest.raises(ValueError, match="LeastSquaresAligner"):
        OrthogonalProcrustes().fit(X, np.ones((5, 4)))


def test_unpaired_rows_are_refused():
    with pytest.raises(ValueError, match="same number of paired rows"):
        LeastSquaresAligner().fit(np.ones((5, 3)), np.ones((4, 3)))


def test_cca_finds_the_shared_signal_between_spaces_of_different_dimensions():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(500, 3))
    X = np.hstack([Z @ rng.normal(size=(3, 3)), rng.normal(size=(500, 5))])
    Y = np.hstack([Z @ rng.normal(size=(3, 4)), rng.normal(size=(500, 2))])
    Y += 0.05 * rng.normal(size=Y.shape)
    cca = CCAAligner(n_components=3).fit(X, Y)
    assert cca.correlations_.min() > 0.95
    full = CCAAligner().fit(X, Y)
    assert full.n_components_ == 6
    assert full.correlations_[3:].max() < 0.3  # the rest is noise
    # paired items meet in the shared space; unpaired ones do not
    A, B = cca.transform(X[:50]), cca.transform_target(Y[:50])
    paired = np.linalg.norm(A - B, axis=1).mean()
    unpaired = np.linalg.norm(A - B[::-1], axis=1).mean()
    assert paired < 0.3 * unpaired
    with pytest.raises(ValueError, match="n_components=7"):
        CCAAligner(n_components=7).fit(X, Y)


def test_refinement_repairs_a_seed_with_wrong_pairs():
    rng = np.random.default_rng(0)
    source = rng.normal(size=(400, 20))
    Q = ortho_group.rvs(20, random_state=0)
    target = source @ Q + 0.05 * rng.normal(size=(400, 20))
    seed = np.arange(40)
    wrong = seed.copy()
    wrong[:15] = rng.permutation(wrong[:15])  # 15 of the 40 seed pairs are mistaken
    X, Y = source[seed], target[wrong]
    once = OrthogonalProcrustes().fit(X, Y)
    refined = OrthogonalProcrustes(refine=3).fit(X, Y, source=source, target=target)
    error_once = np.linalg.norm(once.coef_ - Q) / np.linalg.norm(Q)
    error_refined = np.linalg.norm(refined.coef_ - Q) / np.linalg.norm(Q)
    assert error_refined < 0.05 < error_once
    assert len(refined.n_refine_pairs_) == 3
    pairs = refined.refine_pairs_
    assert len(pairs) > 300
    assert np.mean(pairs[:, 0] == pairs[:, 1]) > 0.99


def test_refinement_needs_the_whole_spaces():
    X, Y, _ = _rotated()
    with pytest.raises(ValueError, match="refine=2"):
        OrthogonalProcrustes(refine=2).fit(X, Y)
    with pytest.raises(ValueError, match="target must have 10 columns"):
        OrthogonalProcrustes(refine=1).fit(X, Y, source=X, target=Y[:, :5])


@each_aligner
def test_clone_pickle_and_get_params(aligner):
    params = aligner.get_params()
    assert clone(aligner).get_params() == params
    X, Y, _ = _rotated(d=4)
    fitted = clone(aligner).fit(X, Y)
    restored = pickle.loads(pickle.dumps(fitted))
    assert_allclose(restored.transform(X), fitted.transform(X))
    assert_allclose(restored.transform_target(Y), fitted.transform_target(Y))
    assert not hasattr(clone(fitted), "n_features_in_")
    assert set(params) >= {"center", "normalize", "refine", "csls_k", "refine_max_rank"}


@each_aligner
def test_parameters_are_validated_in_fit(aligner):
    X, Y, _ = _rotated(d=4)
    with pytest.raises(InvalidParameterError, match="refine"):
        clone(aligner).set_params(refine=-1).fit(X, Y)


@each_aligner
def test_float32_stays_float32_and_widths_are_checked(aligner):
    X, Y, _ = _rotated(d=4)
    fitted = clone(aligner).fit(X.astype(np.float32), Y.astype(np.float32))
    assert fitted.transform(X.astype(np.float32)).dtype == np.float32
    assert fitted.transform_target(Y.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="features"):
        fitted.transform(X[:, :3])
    with pytest.raises(ValueError, match="target features"):
        fitted.transform_target(Y[:, :3])


@each_aligner
def test_fit_transform_equals_fit_then_transform(aligner):
    X, Y, _ = _rotated(d=4)
    assert_allclose(clone(aligner).fit_transform(X, Y), clone(aligner).fit(X, Y).transform(X))


@each_aligner
def test_every_aligner_refines_on_mutual_neighbours(aligner):
    rng = np.random.default_rng(3)
    source = rng.normal(size=(300, 4))
    target = source @ ortho_group.rvs(4, random_state=3) + 0.02 * rng.normal(size=(300, 4))
    refined = clone(aligner).set_params(refine=2)
    refined.fit(source[:30], target[:30], source=source, target=target)
    assert len(refined.n_refine_pairs_) == 2
    pairs = refined.refine_pairs_
    assert len(pairs) > 150
    assert np.mean(pairs[:, 0] == pairs[:, 1]) > 0.95

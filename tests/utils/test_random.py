import numpy as np
from scipy import stats

from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.utils import _random
from tests.reference import Stream


def test_stream_matches_python_reference():
    state = np.array([12345], dtype=np.uint64)
    ref = Stream(12345)
    for _ in range(100):
        assert int(_random.next_u64(state)) == ref.next_u64()
    for n in (1, 7, 1000):
        assert _random.randbelow(state, n) == ref.randbelow(n)
    assert _random.uniform(state) == ref.uniform()


def test_seed_states_are_distinct_and_nonzero():
    seeds = _random.seed_states(0, 10_000)
    assert len(np.unique(seeds)) == 10_000 and np.all(seeds != 0)
    assert not np.array_equal(seeds, _random.seed_states(1, 10_000))


def test_alias_sampler_follows_noise_distribution_chi_square():
    counts = np.array([1000, 300, 50, 7, 1, 0, 120], dtype=np.float64)
    prob, index = noise_table(counts, 0.75)
    state = np.array([42], dtype=np.uint64)
    n = 200_000
    draws = np.array([_random.sample_alias(state, prob, index) for _ in range(n)])
    expected = counts**0.75 / (counts**0.75).sum() * n
    observed = np.bincount(draws, minlength=len(counts))
    assert observed[5] == 0  # a zero-weight word is never drawn
    mask = expected > 0
    _, p = stats.chisquare(observed[mask], expected[mask])
    assert p > 1e-4


def test_alias_sampler_rejects_wrong_distribution():
    # the same draws tested against the plain unigram distribution must fail
    counts = np.array([1000, 300, 50, 7, 1], dtype=np.float64)
    prob, index = noise_table(counts, 0.75)
    state = np.array([7], dtype=np.uint64)
    n = 100_000
    draws = np.array([_random.sample_alias(state, prob, index) for _ in range(n)])
    _, p = stats.chisquare(np.bincount(draws, minlength=5), counts / counts.sum() * n)
    assert p < 1e-6


def test_uniform_is_uniform_chi_square():
    state = np.array([3], dtype=np.uint64)
    u = np.array([_random.uniform(state) for _ in range(50_000)])
    assert u.min() >= 0.0 and u.max() < 1.0
    _, p = stats.chisquare(np.histogram(u, bins=20, range=(0, 1))[0])
    assert p > 1e-4


def test_keep_probability_formula_and_subsampling_rates():
    counts = np.array([100_000, 10_000, 1000, 10], dtype=np.float64)
    keep = keep_probabilities(counts, 1e-3)
    t = 1e-3 * counts.sum()
    expected = (np.sqrt(counts / t) + 1) * t / counts
    np.testing.assert_allclose(keep, expected, rtol=1e-6)
    assert keep[0] < 0.5 and keep[-1] >= 1.0
    assert np.all(keep_probabilities(counts, 0.0) == 1.0)
    # the kernel's subsampler keeps each word at its rate (chi-square per word)
    from skembed.models._kernels._sgns import subsample_segment

    tokens = np.repeat(np.arange(4, dtype=np.int32), 20_000)
    buf = np.empty(len(tokens), dtype=np.int32)
    state = np.array([11], dtype=np.uint64)
    m = subsample_segment(tokens, 0, len(tokens), keep, state, buf)
    kept = np.bincount(buf[:m], minlength=4)
    for w in range(3):  # the always-kept word has no variance to test
        assert stats.binomtest(int(kept[w]), 20_000, float(keep[w])).pvalue > 1e-4
    assert kept[3] == 20_000

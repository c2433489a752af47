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


def test_float32_draws_equal_one_draw_of_the_whole_shape():
    # the blocks continue the generator's stream, so values and final state are a whole
    # draw's; the blocks (tiny here) only bound the float64 memory held
    for shape, block in [((0, 4), 3), ((5,), 2), ((7, 3), 4), ((200, 31), 1000)]:
        legacy, blocked = np.random.RandomState(3), np.random.RandomState(3)
        want = ((legacy.random_sample(shape) * 2.0 - 1.0) / 31).astype(np.float32)
        got = _random.float32_draws(blocked.random_sample, shape,
                                    lambda x: (x * 2.0 - 1.0) / 31, block=block)  # fmt: skip
        assert got.dtype == np.float32 and got.shape == shape
        np.testing.assert_array_equal(got, want)
        assert legacy.random_sample() == blocked.random_sample()
        whole, parts = np.random.default_rng(5), np.random.default_rng(5)
        want = ((whole.random(shape) - 0.5) / 7).astype(np.float32)
        got = _random.float32_draws(parts.random, shape, lambda x: (x - 0.5) / 7, block=block)
        np.testing.assert_array_equal(got, want)
        assert whole.random() == parts.random()


def test_float32_draws_hold_one_float64_block_not_the_whole_matrix():
    import tracemalloc

    shape, block = (50_000, 100), 1 << 16  # result 20 MB; a float64 draw would be 40 MB
    tracemalloc.start()
    try:
        rows = _random.float32_draws(np.random.RandomState(0).random_sample, shape,
                                     lambda x: x * 2.0 - 1.0, block=block)  # fmt: skip
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= rows.nbytes + 3 * 8 * block + (1 << 16)

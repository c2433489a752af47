import numpy as np
import pytest

from skembed import Word2VecVectorizer
from skembed.corpus._sampling import noise_table
from skembed.models._kernels._score import sgns_log_likelihood
from skembed.utils._random import seed_states
from tests.reference import Stream


def _reference(tokens, offsets, syn0, syn1, prob, index, window, negative, seeds, penalty):
    def log_sig(x):
        return -np.logaddexp(0.0, -x)

    ll, pairs = [], []
    for d in range(len(offsets) - 1):
        stream, total, n = Stream(seeds[d]), 0.0, 0
        doc = tokens[offsets[d] : offsets[d + 1]]
        for i, c in enumerate(doc):
            for j in range(max(0, i - window), min(len(doc), i + window + 1)):
                if j == i:
                    continue
                n += 1
                o = doc[j]
                if c < 0 or o < 0:
                    total += penalty
                    continue
                u = syn0[o].astype(np.float64)
                total += log_sig(u @ syn1[c])
                for _ in range(negative):
                    total += log_sig(-(u @ syn1[stream.alias(prob, index)]))
        ll.append(total)
        pairs.append(n)
    return ll, pairs


def test_score_kernel_equals_reference():
    rng = np.random.default_rng(0)
    n_words, dim = 7, 4
    tokens = rng.integers(-1, n_words, size=40).astype(np.int32)
    offsets = np.array([0, 3, 3, 25, 40], np.int64)
    syn0 = rng.normal(size=(n_words, dim)).astype(np.float32)
    syn1 = rng.normal(size=(n_words, dim)).astype(np.float32)
    prob, index = noise_table(np.arange(1, n_words + 1), 0.75)
    seeds = seed_states(0, 4)
    ll, pairs = np.zeros(4), np.zeros(4, np.int64)
    sgns_log_likelihood(tokens, offsets, syn0, syn1, prob, index, 2, 3, seeds, -9.0, ll, pairs)
    ref_ll, ref_pairs = _reference(tokens, offsets, syn0, syn1, prob, index, 2, 3, seeds, -9.0)
    assert pairs.tolist() == ref_pairs
    np.testing.assert_allclose(ll, ref_ll, rtol=1e-9)


@pytest.fixture(scope="module")
def kjv_split(kjv):
    return kjv.data[::2], kjv.data[1::2][:4000]


@pytest.mark.slow
def test_score_ranks_trained_above_one_epoch_and_untrained(kjv_split):
    train, held_out = kjv_split
    common = dict(vector_size=50, random_state=0, n_jobs=-1)
    untrained = Word2VecVectorizer(epochs=0, **common).fit(train).score(held_out)
    assert untrained == pytest.approx(6 * np.log(0.5), abs=0.01)  # knows nothing
    for params in ({"window": 2, "negative": 5}, {"window": 8, "negative": 10}):
        one = Word2VecVectorizer(epochs=1, **common, **params).fit(train).score(held_out)
        five = Word2VecVectorizer(epochs=5, **common, **params).fit(train).score(held_out)
        assert untrained + 0.5 < one < five


def test_score_is_deterministic_and_penalises_unseen_words(planted):
    docs, _, _ = planted
    model = Word2VecVectorizer(vector_size=16, min_count=1, epochs=3, random_state=0,
                               n_jobs=2).fit(docs)  # fmt: skip
    assert model.score(docs[:50]) == model.score(docs[:50])
    assert model.score(["zzz yyy xxx"]) == pytest.approx(6 * np.log(0.5))
    mixed = [d + " zzz yyy" for d in docs[:50]]
    assert model.score(mixed) < model.score(docs[:50])
    with pytest.raises(ValueError, match="no \\(word, context\\) pair"):
        model.score(["lonely"])


@pytest.mark.slow
def test_grid_search_picks_a_sane_setting_over_a_broken_one(kjv):
    from sklearn.model_selection import GridSearchCV, KFold

    from skembed.evaluation import make_similarity_scorer

    docs = kjv.data[::3]
    grid = [{"epochs": [1], "vector_size": [2]}, {"epochs": [3], "vector_size": [50]}]
    search = GridSearchCV(
        Word2VecVectorizer(random_state=0, n_jobs=1),
        grid,
        scoring={
            "heldout": lambda est, X, y=None: est.score(X),
            "wordsim": make_similarity_scorer("wordsim353"),
        },  # fmt: skip
        refit="heldout",
        cv=KFold(2, shuffle=True, random_state=0),
        n_jobs=2,
    ).fit(docs)
    assert search.best_params_ == {"epochs": 3, "vector_size": 50}
    heldout = search.cv_results_["mean_test_heldout"]
    assert heldout[1] > heldout[0] + 0.1

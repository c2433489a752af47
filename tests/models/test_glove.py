"""GloVeVectorizer: learning, reproducibility, co-occurrence state, score, sklearn contract."""

import doctest
import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import skembed.models._glove
from skembed import GloVeVectorizer
from skembed.corpus._cooccur import count_cooccurrences
from skembed.corpus._encoding import encode_with_vocabulary
from tests.conftest import planted_topics, topic_purity

SMALL = dict(vector_size=16, window=5, min_count=1, epochs=5, random_state=0)


def test_planted_topics_are_learned_and_untrained_control_is_not(planted):
    docs, word_topic, _ = planted
    model = GloVeVectorizer(**{**SMALL, "vector_size": 20, "epochs": 25}).fit(docs)
    control = GloVeVectorizer(**{**SMALL, "vector_size": 20, "epochs": 0}).fit(docs)
    assert topic_purity(model.wv_, word_topic) >= 0.9
    assert topic_purity(control.wv_, word_topic) < 0.5
    assert model.n_iter_ == 25 and len(model.loss_curve_) == 25
    assert control.n_iter_ == 0 and control.loss_curve_ == []


def test_loss_decreases(planted):
    docs, _, _ = planted
    curve = GloVeVectorizer(**{**SMALL, "epochs": 10}).fit(docs).loss_curve_
    assert np.all(np.isfinite(curve))
    assert curve[-1] < 0.2 * curve[0]
    assert np.all(np.diff(curve[:5]) < 0)


def test_same_seed_same_vectors_list_or_generator_and_other_seed_differs(planted):
    docs, _, _ = planted
    a = GloVeVectorizer(**SMALL).fit(docs)
    b = GloVeVectorizer(**SMALL).fit(iter(docs))
    c = GloVeVectorizer(**{**SMALL, "random_state": 1}).fit(docs)
    np.testing.assert_array_equal(a.wv_.vectors, b.wv_.vectors)
    assert a.loss_curve_ == b.loss_curve_
    assert not np.allclose(a.wv_.vectors, c.wv_.vectors)


def test_vector_combinations_show_the_trained_factors(planted):
    docs, _, _ = planted
    models = {
        c: GloVeVectorizer(vector_combination=c, **SMALL).fit(docs)
        for c in ("sum", "word", "context")
    }
    W, C = models["sum"]._glove_params.W, models["sum"]._glove_params.C
    np.testing.assert_array_equal(models["sum"].wv_.vectors, W + C)
    # the option only chooses what wv_ shows: training is the same
    np.testing.assert_array_equal(models["word"].wv_.vectors, W)
    np.testing.assert_array_equal(models["context"].wv_.vectors, C)
    assert models["word"].wv_.vectors is models["word"]._glove_params.W
    assert not np.allclose(W, C)
    with pytest.raises(ValueError, match="The 'vector_combination' parameter"):
        GloVeVectorizer(vector_combination="mean").fit(docs)


@pytest.mark.parametrize("combination", ["sum", "word"])
def test_callbacks_see_the_current_vectors_after_each_epoch(planted, combination):
    docs, _, _ = planted
    seen = []
    record = lambda est, info: seen.append(est.wv_.vectors.copy())  # noqa: E731
    model = GloVeVectorizer(vector_combination=combination, callbacks=[record], **SMALL)
    model.fit(docs)
    assert len(seen) == 5
    assert not np.allclose(seen[0], seen[1])
    np.testing.assert_array_equal(seen[-1], model.wv_.vectors)


def test_store_cooccurrence_equals_count_cooccurrences_of_the_encoded_corpus(planted):
    docs, _, _ = planted
    params = dict(SMALL, window=4, symmetric=False, distance_weighting=False)
    model = GloVeVectorizer(store_cooccurrence=True, **params).fit(docs)
    corpus = encode_with_vocabulary((d.split() for d in docs), model.vocabulary_)
    expected = count_cooccurrences(
        corpus.tokens, corpus.offsets, len(model.wv_), window=4, symmetric=False,
        distance_weighting=False, dtype=np.float32,
    )  # fmt: skip
    X = model.cooccurrence_
    assert X.shape == (len(model.wv_),) * 2 and X.dtype == np.float32
    assert (X != expected).nnz == 0
    assert not hasattr(GloVeVectorizer(**params).fit(docs), "cooccurrence_")
    # a refit without storing forgets the matrix of the earlier fit
    assert not hasattr(model.set_params(store_cooccurrence=False).fit(docs), "cooccurrence_")


def test_small_max_memory_gives_the_same_vectors(planted):
    docs, _, _ = planted
    unbounded = GloVeVectorizer(**SMALL).fit(docs)
    bounded = GloVeVectorizer(max_memory=20_000, **SMALL).fit(docs)
    np.testing.assert_array_equal(bounded.wv_.vectors, unbounded.wv_.vectors)


def test_score_ranks_trained_above_untrained_and_is_deterministic(planted):
    docs, _, _ = planted
    held_out = planted_topics(n_docs=100, seed=1)[0]
    trained = GloVeVectorizer(**{**SMALL, "epochs": 10}).fit(docs)
    untrained = GloVeVectorizer(**{**SMALL, "epochs": 0}).fit(docs)
    assert trained.score(held_out) > untrained.score(held_out)
    assert trained.score(held_out) == trained.score(held_out)
    assert trained.score(held_out) <= 0
    # counts are rescaled to the training corpus size: twice the text, same score
    assert trained.score(docs + docs) == pytest.approx(trained.score(docs), rel=1e-9)
    # unseen words cost the error of a model that knows nothing
    unseen = [d + " zzz qqq" for d in held_out]
    assert trained.score(unseen) < trained.score(held_out)
    search = GridSearchCV(GloVeVectorizer(**SMALL), {"epochs": [0, 10]}, cv=2).fit(docs)
    assert search.best_params_ == {"epochs": 10}


def test_score_follows_the_documented_protocol():
    model = GloVeVectorizer(vector_size=4, window=2, min_count=1, epochs=3, x_max=2.0,
                            random_state=0).fit(["a b c a b", "c b a"])  # fmt: skip
    X = ["a b zz c", "b a"]
    ids = {"a": 0, "b": 1, "c": 2, "zz": 3}
    ids = {w: (model.vocabulary_[w] if w in model.vocabulary_ else 3) for w in ids}
    tokens = np.array([ids[w] for d in X for w in d.split()], dtype=np.int32)
    M = count_cooccurrences(tokens, np.array([0, 4, 6]), 4, window=2).tocoo()
    x = M.data * 8 / 6  # 8 training tokens, 6 held-out ones
    f = np.minimum(1.0, (x / 2.0) ** 0.75)
    W, C, bw, bc = (a.astype(np.float64) for a in model._glove_params[:4])
    known = (M.row < 3) & (M.col < 3)
    i, j = M.row[known], M.col[known]
    pred = np.zeros_like(x)
    pred[known] = np.einsum("ed,ed->e", W[i], C[j]) + bw[i] + bc[j]
    expected = -np.mean(0.5 * f * (pred - np.log(x)) ** 2)
    assert model.score(X) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="no \\(word, context\\) pair"):
        model.score(["a", "b"])


def test_no_nan_on_a_tiny_corpus():
    docs = ["a b", "b a c", "c"]
    for lr in (0.05, 5.0):
        model = GloVeVectorizer(vector_size=4, min_count=1, epochs=50, learning_rate=lr,
                                random_state=0).fit(docs)  # fmt: skip
        assert np.all(np.isfinite(model.wv_.vectors))
        assert np.all(np.isfinite(model.loss_curve_))
        assert np.all(np.isfinite(model.transform(docs)))
        assert np.isfinite(model.score(docs))


def test_a_corpus_without_co_occurring_words_raises_a_clear_error():
    with pytest.raises(ValueError, match="at most one token"):
        GloVeVectorizer(min_count=1).fit(["alpha", "beta", "gamma"])
    # two words per document, but min_count keeps only one of them
    with pytest.raises(ValueError, match="no two in-vocabulary words of X co-occur"):
        GloVeVectorizer(min_count=5).fit([f"common rare{i}" for i in range(6)])


def test_sklearn_contract_clone_params_pickle_and_pandas_output(planted, tmp_path):
    docs, _, _ = planted
    model = GloVeVectorizer(**SMALL)
    assert clone(model).get_params() == model.get_params()
    assert GloVeVectorizer().get_params()["learning_rate_schedule"] == "constant"
    model.set_params(window=3)
    assert model.window == 3
    model.fit(docs)
    names = model.get_feature_names_out()
    assert names.tolist()[:2] == ["glovevectorizer0", "glovevectorizer1"] and len(names) == 16
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(docs[:5]), model.transform(docs[:5]))
    assert restored.vocabulary_ == model.vocabulary_
    assert restored.score(docs) == model.score(docs)
    frame = model.set_output(transform="pandas").transform(docs[:3])
    assert list(frame.columns) == names.tolist() and frame.shape == (3, 16)
    # joblib stores arrays apart: "word" vectors are tied to W again on the next epoch
    word = GloVeVectorizer(vector_combination="word", warm_start=True, **SMALL).fit(docs)
    joblib.dump(word, tmp_path / "m.joblib")
    loaded = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_array_equal(loaded.wv_.vectors, word.wv_.vectors)
    loaded.fit(docs)
    assert loaded.wv_.vectors is loaded._glove_params.W


def test_fit_transform_equals_fit_then_transform(planted):
    docs, _, _ = planted
    a = GloVeVectorizer(**SMALL).fit_transform(d for d in docs)
    b = GloVeVectorizer(**SMALL).fit(docs).transform(docs)
    assert a.dtype == np.float32 and a.shape == (len(docs), 16)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("params", "name"),
    [({"x_max": 0}, "x_max"), ({"weighting_power": -1}, "weighting_power"),
     ({"window": 70_000}, "window"), ({"max_memory": 0}, "max_memory"),
     ({"grad_clip": 0}, "grad_clip"), ({"symmetric": "yes"}, "symmetric")],
)  # fmt: skip
def test_invalid_parameters_use_sklearn_constraint_messages(params, name):
    with pytest.raises(ValueError, match=f"The '{name}' parameter of GloVeVectorizer"):
        GloVeVectorizer(**params).fit(["a b c"])


def test_partial_fit_grows_the_vocabulary_and_keeps_old_ids():
    old_docs, old_topics, _ = planted_topics(n_docs=400, seed=0)
    model = GloVeVectorizer(vector_size=20, window=5, min_count=1, epochs=20,
                            update_vocabulary=True, random_state=0).fit(old_docs)  # fmt: skip
    ids = dict(model.vocabulary_)
    n_old = len(ids)
    rng = np.random.default_rng(1)
    new_docs, new_topic = [], {}
    for d in range(800):
        t = d % 4
        olds = [w for w, k in old_topics.items() if k == t]
        news = [f"t{t}new{i}" for i in range(3)]
        new_topic.update({w: t for w in news})
        new_docs.append(" ".join(rng.choice(olds + news, size=12)))
    for _ in range(10):
        model.partial_fit(new_docs)
    assert all(model.vocabulary_[w] == i for w, i in ids.items())  # old ids unchanged
    assert len(model.wv_) == n_old + len(new_topic)
    assert all(len(a) == len(model.wv_) for a in model._glove_params)
    assert model.n_iter_ == 30
    np.testing.assert_array_equal(model.wv_.vectors, model._glove_params.W + model._glove_params.C)

    def purity(wv):  # each new word's nearest old words come from its own topic
        hits = 0
        for word, topic in new_topic.items():
            sims = sorted(((wv.similarity(word, o), k) for o, k in old_topics.items()),
                          reverse=True)  # fmt: skip
            hits += sum(k == topic for _, k in sims[:5])
        return hits / (5 * len(new_topic))

    assert purity(model.wv_) >= 0.9


def test_partial_fit_without_update_vocabulary_ignores_new_words(planted):
    docs, _, _ = planted
    model = GloVeVectorizer(**SMALL).partial_fit(docs)
    n = len(model.wv_)
    model.partial_fit([d + " brandnew" for d in docs])
    assert len(model.wv_) == n and "brandnew" not in model.wv_
    assert model.n_iter_ == 2


def test_early_stopping_records_one_validation_score_per_epoch(planted):
    docs, _, _ = planted
    model = GloVeVectorizer(early_stopping=True, n_iter_no_change=2, tol=10.0,
                            **{**SMALL, "epochs": 20}).fit(docs)  # fmt: skip
    assert model.n_iter_ == 3  # every epoch after the first stalls by tol
    assert len(model.validation_scores_) == len(model.loss_curve_) == 3
    assert all(np.isfinite(model.validation_scores_))
    improving = GloVeVectorizer(early_stopping=True, tol=0.0, **SMALL).fit(docs)
    assert improving.n_iter_ == 5 and len(improving.validation_scores_) == 5
    assert improving.validation_scores_[-1] > improving.validation_scores_[0]


def test_keep_best_restores_the_best_epoch_in_the_combined_vectors(planted):
    docs, _, _ = planted
    copies = []
    record = lambda est, info: copies.append(est.wv_.vectors.copy())  # noqa: E731
    params = dict(SMALL, epochs=6, early_stopping=True, n_iter_no_change=10, learning_rate=0.5)
    kept = GloVeVectorizer(keep_best=True, callbacks=[record], **params).fit(docs)
    best = int(np.argmax(kept.validation_scores_))
    np.testing.assert_array_equal(kept.wv_.vectors, copies[best])


def test_warm_start_and_weight_decay(planted):
    docs, _, _ = planted
    model = GloVeVectorizer(warm_start=True, **SMALL).fit(docs)
    first = model.wv_.vectors.copy()
    model.fit(docs)
    assert model.n_iter_ == 10 and not np.array_equal(model.wv_.vectors, first)
    decayed = GloVeVectorizer(weight_decay=5.0, **SMALL).fit(docs)
    norm = lambda m: np.linalg.norm(m.wv_.vectors, axis=1).mean()  # noqa: E731
    assert norm(decayed) < 0.8 * norm(GloVeVectorizer(**SMALL).fit(docs))


def _topics_with_shared_words(n_topics=8, per_topic=80, n_shared=40, n_docs=3000, seed=0):
    """Topic words plus shared words that each topic draws with its own preferences.

    GloVe fits only the pairs that occur; with topic words alone every pair of a
    topic occurs about equally often and the biases explain it all.  Shared
    words seen at topic-specific rates give the vectors something to learn.
    """
    rng = np.random.default_rng(seed)
    shared = [f"s{i}" for i in range(n_shared)]
    topics = [[f"t{t}w{i}" for i in range(per_topic)] for t in range(n_topics)]
    prefs = rng.dirichlet(np.full(n_shared, 0.3), size=n_topics)
    docs = []
    for d in range(n_docs):
        t = d % n_topics
        own = rng.random(30) < 0.5
        words = np.where(own, rng.choice(topics[t], 30), rng.choice(shared, 30, p=prefs[t]))
        docs.append(" ".join(words))
    return docs, {w: t for t in range(n_topics) for w in topics[t]}


def test_two_threads_learn_topics_from_several_chunks():
    docs, word_topic = _topics_with_shared_words()
    params = dict(vector_size=20, window=5, min_count=1, n_jobs=2, random_state=0)
    model = GloVeVectorizer(epochs=10, store_cooccurrence=True, **params).fit(docs)
    assert model.cooccurrence_.nnz > skembed.models._glove.CHUNK_ENTRIES  # two chunks or more
    assert np.all(np.isfinite(model.loss_curve_))
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert topic_purity(model.wv_, word_topic) >= 0.9
    control = GloVeVectorizer(epochs=0, **params).fit(docs)
    assert topic_purity(control.wv_, word_topic) < 0.5


def test_docstring_examples():
    result = doctest.testmod(skembed.models._glove, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_zero_model_loss_blockwise_matches_one_pass():
    # The divergence bound is summed block by block (no float64 copy of every
    # count); it must equal the one-pass mean, whatever the block size.
    from skembed.models._glove import _weighted_loss, _zero_model_loss

    values = np.random.default_rng(0).gamma(0.5, 20.0, size=1001).astype(np.float32) + 1e-3
    x = values.astype(np.float64)
    expected = _weighted_loss(np.log(x), x, 10.0, 0.75).mean()
    for block in (1, 7, 1000, 5000):
        assert _zero_model_loss(values, 10.0, 0.75, block=block) == pytest.approx(expected, 1e-12)
    assert _zero_model_loss(values[:0], 10.0, 0.75) == 0.0


def _random_counts(n_words, nnz, seed):
    rng = np.random.default_rng(seed)
    flat = rng.choice(n_words * n_words, size=nnz, replace=False)
    import scipy.sparse as sp

    X = sp.csr_matrix(
        (rng.random(nnz).astype(np.float32) + 0.5, (flat // n_words, flat % n_words)),
        shape=(n_words, n_words),
    )
    X.sort_indices()
    return X


@pytest.mark.parametrize("reuse", [False, True])
def test_shuffled_entries_are_the_rng_permutation_of_the_matrix_entries(reuse):
    from skembed.models._glove import _shuffled_entries

    for nnz, seed in [(0, 0), (1, 1), (37, 2), (2_000, 3)]:
        X = _random_counts(60, nnz, seed)
        coo = X.tocoo()
        original = X.copy()
        rng, twin = np.random.RandomState(seed), np.random.RandomState(seed)
        rows, cols, values = _shuffled_entries(X.copy() if reuse else X, rng, reuse=reuse)
        order = twin.permutation(nnz)  # what the int64 gathers of earlier versions used
        np.testing.assert_array_equal(rows, coo.row[order])
        np.testing.assert_array_equal(cols, coo.col[order])
        np.testing.assert_array_equal(values, coo.data[order])
        assert rows.dtype == cols.dtype == np.int32 and values.dtype == np.float32
        assert rng.random_sample() == twin.random_sample()  # the same draws were used
        if not reuse:
            assert (X != original).nnz == 0  # a matrix someone holds is left as it was


@pytest.mark.parametrize(("reuse", "per_entry"), [(False, 16), (True, 12)])
def test_shuffled_entries_hold_at_most_a_few_new_bytes_an_entry(reuse, per_entry):
    # the order (4), the rows expanded (4) and their shuffled copy (4), then the shuffled
    # columns (4) and values (4), each source released once copied when nobody else holds
    # the matrix; np.take with an int64 order held 28 (a take copies int32 indices)
    import tracemalloc

    from skembed.models._glove import _shuffled_entries

    _shuffled_entries(_random_counts(50, 100, 1), np.random.RandomState(0))  # compile
    tracemalloc.start()
    try:
        held = [_random_counts(2_000, 1_000_000, 0)]  # traced too: its release counts
        matrix, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()  # building the matrix is not the shuffle's
        if reuse:
            _shuffled_entries(held.pop(), np.random.RandomState(0), reuse=True)
        else:
            _shuffled_entries(held[0], np.random.RandomState(0), reuse=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - matrix <= per_entry * 1_000_000 + (1 << 20)


def test_parameters_are_drawn_when_training_starts(monkeypatch):
    # a fresh fit allocates its parameters zeroed (no memory until written) and draws
    # them only once the counts are shuffled: training starts from the full draw
    from skembed.models._kernels._glove import init_glove_params

    seen = {}
    original = skembed.models._glove.GloVeVectorizer._make_step

    def spy(self, rows, cols, values):
        seen["params"] = [a.copy() for a in self._glove_params]
        seen["pending"] = "_pending_seed" in self.__dict__
        return original(self, rows, cols, values)

    monkeypatch.setattr(skembed.models._glove.GloVeVectorizer, "_make_step", spy)
    docs = ["a b c d e f", "b c d e f a", "c d e f a b"] * 5
    model = GloVeVectorizer(vector_size=4, min_count=1, epochs=1, random_state=3).fit(docs)
    assert not seen["pending"] and "_pending_seed" not in model.__dict__
    seed = np.random.RandomState(3).randint(0, 2**31 - 1)  # the fit's first draw
    for got, want in zip(seen["params"], init_glove_params(len(model.wv_), 4, seed), strict=True):
        np.testing.assert_array_equal(got, want)
    assert np.abs(model.wv_.vectors).sum() > 0


def test_a_fit_that_fails_after_the_vocabulary_leaves_no_pending_draw():
    model = GloVeVectorizer(vector_size=4, min_count=3, epochs=1, random_state=0)
    model.fit(["a b c", "a b c", "a b c"])
    before = {k: v for k, v in model.__dict__.items()}
    with pytest.raises(ValueError, match="co-occur"):
        model.fit(["a x", "a y", "a z"])  # min_count 3 keeps "a" alone: nothing co-occurs
    assert "_pending_seed" not in model.__dict__
    assert model.__dict__.keys() == before.keys()
    np.testing.assert_array_equal(model.wv_.vectors, before["wv_"].vectors)

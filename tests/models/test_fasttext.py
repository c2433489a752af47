import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skembed.models._fasttext import FastTextVectorizer
from skembed.text._subwords import ngram_ids
from skembed.vectors._fasttext_vectors import FastTextWordVectors
from skembed.vectors.io._fasttext_bin import load_fasttext_bin
from tests.conftest import topic_purity

SMALL = dict(vector_size=12, min_count=1, epochs=3, bucket=2000, random_state=0)


def spelled_topics(n_topics=4, words_per_topic=8, n_docs=400, doc_len=12, length=8, seed=0):
    """Planted topics whose words are random 8-letter strings (distinct n-grams)."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxy"))  # no "z": misspellings use it
    seen, topic_words = set(), []
    for _ in range(n_topics):
        words = []
        while len(words) < words_per_topic:
            word = "".join(rng.choice(letters, size=length))
            if word not in seen:
                seen.add(word)
                words.append(word)
        topic_words.append(words)
    docs = [" ".join(rng.choice(topic_words[d % n_topics], size=doc_len)) for d in range(n_docs)]
    return docs, {w: t for t in range(n_topics) for w in topic_words[t]}


def misspell(word):
    middle = len(word) // 2
    return word[:middle] + "z" + word[middle + 1 :]


@pytest.fixture(scope="module")
def spelled():
    return spelled_topics()


@pytest.fixture(scope="module")
def fitted(planted):
    docs, _, _ = planted
    return FastTextVectorizer(**SMALL, compact=False).fit(docs)  # fastText's full layout


# ----------------------------------------------------------------- learning
@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_planted_topics_are_learned_and_untrained_control_is_not(spelled, algorithm):
    # conftest's words ("t0w3") spell their topic, which n-grams alone would find
    docs, word_topic = spelled
    params = dict(algorithm=algorithm, vector_size=20, min_count=1, bucket=5000, random_state=0)
    model = FastTextVectorizer(epochs=10, sample=0, **params).fit(docs)
    control = FastTextVectorizer(epochs=0, **params).fit(docs)
    assert topic_purity(model.wv_, word_topic) >= 0.9
    assert topic_purity(control.wv_, word_topic) < 0.5
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert model.n_iter_ == 10 and len(model.loss_curve_) == 10
    assert control.n_iter_ == 0 and control.loss_curve_ == []


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_misspelt_unseen_word_lands_near_its_word_and_shared_ngrams_alone_do_not(
    spelled, algorithm
):
    """The control has the same n-grams (and the same initial rows): sharing them is not enough."""
    docs, word_topic = spelled
    params = dict(algorithm=algorithm, vector_size=20, min_count=1, bucket=5000, random_state=0)
    model = FastTextVectorizer(epochs=10, sample=0, **params).fit(docs)
    control = FastTextVectorizer(epochs=0, **params).fit(docs)

    def scores(wv):
        sims, purity = [], []
        for word, topic in word_topic.items():
            typo = misspell(word)
            assert typo not in wv
            sims.append(wv.similarity(word, typo))
            purity.append(np.mean([word_topic[w] == topic for w, _ in wv.most_similar(typo)[:5]]))
        return np.mean(sims), np.mean(purity)

    sim, purity = scores(model.wv_)
    control_sim, control_purity = scores(control.wv_)
    # measured: trained 0.98 / 1.0, control 0.28 / 0.27 (chance 7/31)
    assert sim > control_sim + 0.4
    assert purity >= 0.9
    assert control_purity < 0.5


def test_unseen_vector_is_the_mean_of_its_ngram_rows(fitted):
    wv = fitted.wv_
    for word in ["t0w1x", "zzz", "é"]:
        assert word not in wv
        rows = ngram_ids(word, 3, 6, wv.bucket, len(wv))
        expected = wv._input[rows].mean(axis=0)
        np.testing.assert_allclose(wv[word], expected, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(wv.unseen_vectors([word])[0][0], wv[word], rtol=1e-6)


def test_vocabulary_vectors_are_the_mean_of_word_and_ngram_rows(fitted):
    wv = fitted.wv_
    word = wv.index_to_key[3]
    rows = np.concatenate([[3], ngram_ids(word, 3, 6, wv.bucket, len(wv))])
    np.testing.assert_allclose(wv[word], wv._input[rows].mean(axis=0), rtol=1e-5, atol=1e-7)
    assert wv.vectors.shape == (len(wv), 12)
    assert wv._input.shape == (len(wv) + 2000, 12)


def test_untouched_buckets_keep_their_random_initialisation_as_in_fasttext(planted):
    docs, _, _ = planted
    full = FastTextVectorizer(**SMALL, compact=False).fit(docs).wv_
    compact = FastTextVectorizer(**{**SMALL, "compact": True}).fit(docs).wv_
    untouched = np.setdiff1d(np.arange(2000), compact.ngram_rows)
    rows = full.vectors_ngrams[untouched]
    assert len(untouched) > 1000
    assert np.all(np.abs(rows) <= 1 / 12) and len(np.unique(rows, axis=0)) == len(rows)
    control = FastTextVectorizer(**{**SMALL, "epochs": 0, "compact": False}).fit(docs).wv_
    np.testing.assert_array_equal(rows, control.vectors_ngrams[untouched])
    # trained buckets moved away from it
    touched = compact.ngram_rows
    assert not np.allclose(full.vectors_ngrams[touched], control.vectors_ngrams[touched])


# ------------------------------------------------------------ reproducibility
def test_same_seed_same_vectors_list_or_generator_and_other_seed_differs(planted):
    docs, _, _ = planted
    a = FastTextVectorizer(**SMALL).fit(docs)
    b = FastTextVectorizer(**SMALL).fit(iter(docs))
    c = FastTextVectorizer(**{**SMALL, "random_state": 1}).fit(docs)
    np.testing.assert_array_equal(a.wv_._input, b.wv_._input)
    np.testing.assert_array_equal(a._output_vectors, b._output_vectors)
    assert a.loss_curve_ == b.loss_curve_
    assert not np.allclose(a.wv_.vectors, c.wv_.vectors)


@pytest.mark.parametrize("bucket", [2000, 150])  # 150: most buckets used
@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_compact_training_equals_full_training(planted, algorithm, bucket):
    docs, _, _ = planted
    params = {**SMALL, "algorithm": algorithm, "bucket": bucket}
    full = FastTextVectorizer(compact=False, **params).fit(docs)
    small = FastTextVectorizer(compact=True, **params).fit(docs)
    assert (bucket == 150) == (len(small.wv_.ngram_rows) > bucket // 4)
    np.testing.assert_array_equal(full.wv_.vectors, small.wv_.vectors)
    np.testing.assert_array_equal(full._output_vectors, small._output_vectors)
    assert small.wv_.is_compact and not full.wv_.is_compact
    assert small.wv_._input.shape[0] == len(small.wv_) + len(small.wv_.ngram_rows)
    np.testing.assert_array_equal(
        full.wv_.vectors_ngrams[small.wv_.ngram_rows], small.wv_.vectors_ngrams
    )
    # compacting afterwards gives the same thing
    later = full.wv_.compact()
    np.testing.assert_array_equal(later._input, small.wv_._input)
    np.testing.assert_array_equal(later.ngram_rows, small.wv_.ngram_rows)
    assert later.bucket == small.wv_.bucket == bucket


def test_two_threads_train_too(planted):
    docs, word_topic, _ = planted
    model = FastTextVectorizer(**{**SMALL, "epochs": 10, "sample": 0, "n_jobs": 2}).fit(docs)
    assert np.all(np.isfinite(model.wv_.vectors))
    assert topic_purity(model.wv_, word_topic) >= 0.9
    assert model.words_per_second_ > 0


# -------------------------------------------------------------- compaction
def test_compacted_model_treats_dropped_ngrams_as_zero_rows(planted):
    docs, _, _ = planted
    wv = FastTextVectorizer(**{**SMALL, "compact": True}).fit(docs).wv_
    stored = set(wv.ngram_rows.tolist())
    checked = 0
    for word in ["qqqq", "t0w1x", "xyzzy", "mat"]:
        buckets = ngram_ids(word, 3, 6, 2000, 0)
        kept = [b for b in buckets if b in stored]
        pieces, ids = wv.get_subwords(word)
        assert len(pieces) == len(ids) == len(kept)
        if kept:
            position = {b: k for k, b in enumerate(wv.ngram_rows.tolist())}
            rows = len(wv) + np.array([position[b] for b in kept])
            # dropped buckets are zero rows: the mean is over all the word's n-grams
            np.testing.assert_allclose(
                wv[word], wv._input[rows].sum(axis=0) / len(buckets), rtol=1e-5
            )
            checked += 1
        else:
            np.testing.assert_array_equal(wv[word], np.zeros(12, np.float32))
    assert checked >= 1
    full = wv.full_input_matrix()
    assert full.shape == (len(wv) + 2000, 12)
    dropped = np.setdiff1d(np.arange(2000), wv.ngram_rows)
    assert np.all(full[len(wv) + dropped] == 0)


def test_compacted_vectors_save_load_and_pickle(tmp_path, planted):
    docs, _, _ = planted
    wv = FastTextVectorizer(**{**SMALL, "compact": True}).fit(docs).wv_
    path = tmp_path / "wv.npz"
    wv.save(path)
    for other in (FastTextWordVectors.load(path), pickle.loads(pickle.dumps(wv))):
        assert other.is_compact and other.bucket == 2000
        np.testing.assert_array_equal(other.vectors, wv.vectors)
        np.testing.assert_array_equal(other["t0w1x"], wv["t0w1x"])


# ---------------------------------------------------------------- transform
def test_transform_gives_unseen_words_their_composed_vectors(fitted, planted):
    docs, _, _ = planted
    wv = fitted.wv_
    X = fitted.transform(["t0w1x", "", docs[0] + " t0w1x", docs[0]])
    np.testing.assert_allclose(X[0], wv["t0w1x"], rtol=1e-6)
    assert np.all(X[1] == 0)
    words = docs[0].split() + ["t0w1x"]
    np.testing.assert_allclose(X[2], np.mean([wv[w] for w in words], axis=0), rtol=1e-5,
                               atol=1e-7)  # fmt: skip
    np.testing.assert_allclose(X[3], np.mean([wv[w] for w in docs[0].split()], axis=0),
                               rtol=1e-5, atol=1e-7)  # fmt: skip


def test_transform_skips_unseen_words_without_any_stored_ngram(planted):
    docs, _, _ = planted
    model = FastTextVectorizer(**{**SMALL, "compact": True}).fit(docs)
    stored = set(model.wv_.ngram_rows.tolist())
    orphan = next(
        w
        for w in ("qqqq", "xxxx", "kkkk", "vvvv", "jjjj")
        if not set(ngram_ids(w, 3, 6, 2000, 0).tolist()) & stored
    )
    X = model.transform([orphan, docs[1] + " " + orphan])
    assert np.all(X[0] == 0)
    np.testing.assert_allclose(X[1], model.transform([docs[1]])[0], rtol=1e-6)


def test_tfidf_pooling_gives_unseen_words_the_largest_idf(planted):
    docs, _, _ = planted
    model = FastTextVectorizer(**{**SMALL, "pooling": "tfidf"}).fit(docs)
    known = docs[0].split()[0]
    X = model.transform([f"{known} t0w1x"])[0]
    w_known = model.idf_[model.vocabulary_[known]]
    w_new = np.log(1 + len(docs)) + 1
    expected = (w_known * model.wv_[known] + w_new * model.wv_["t0w1x"]) / (w_known + w_new)
    np.testing.assert_allclose(X, expected, rtol=1e-5, atol=1e-7)


def test_fit_transform_equals_fit_then_transform_with_rare_words(planted):
    docs, _, _ = planted
    docs = [d + f" rare{i % 3}xx once{i}" for i, d in enumerate(docs[:60])]
    params = {**SMALL, "min_count": 2}
    a = FastTextVectorizer(**params).fit_transform(d for d in docs)
    model = FastTextVectorizer(**params).fit(docs)
    assert "rare0xx" in model.wv_ and "once7" not in model.wv_
    b = model.transform(docs)
    assert a.dtype == np.float32 and a.shape == (60, 12)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
    # the words below min_count count: the rows differ from pooling known words only
    known = [" ".join(w for w in d.split() if w in model.wv_) for d in docs]
    assert not np.allclose(model.transform(known), b)


def test_subwords_switched_off_is_plain_word_vectors(planted):
    docs, _, _ = planted
    for params in ({"min_n": 0}, {"max_n": 0}, {"bucket": 0}):
        model = FastTextVectorizer(**{**SMALL, **params}).fit(docs)
        wv = model.wv_
        assert not wv.subwords_enabled and wv._input.shape == (len(wv), 12)
        np.testing.assert_array_equal(wv.vectors, wv.vectors_vocab)
        assert np.all(wv["t0w1x"] == 0)
        X = model.transform([docs[0] + " t0w1x"])
        np.testing.assert_allclose(X, model.transform([docs[0]]), rtol=1e-6)


# ----------------------------------------------------------- sklearn contract
def test_sklearn_contract_clone_params_pickle_and_pandas_output(planted):
    docs, _, _ = planted
    model = FastTextVectorizer(**SMALL)
    assert clone(model).get_params() == model.get_params()
    model.set_params(min_n=2, max_n=4)
    assert (model.min_n, model.max_n) == (2, 4)
    model.fit(docs)
    names = model.get_feature_names_out()
    assert names.tolist()[:2] == ["fasttextvectorizer0", "fasttextvectorizer1"]
    assert len(names) == 12
    restored = pickle.loads(pickle.dumps(model))
    some = docs[:5] + ["t0w1x unseen words"]
    np.testing.assert_array_equal(restored.transform(some), model.transform(some))
    assert restored.vocabulary_ == model.vocabulary_
    frame = model.set_output(transform="pandas").transform(docs[:3])
    assert list(frame.columns) == names.tolist() and frame.shape == (3, 12)


def test_fitted_state(fitted, planted):
    docs, word_topic, _ = planted
    model = fitted
    assert isinstance(model.wv_, FastTextWordVectors)
    assert set(model.vocabulary_) == set(word_topic)
    assert model._output_vectors.shape == model.wv_.vectors.shape
    assert model.wv_.counts.sum() == sum(len(d.split()) for d in docs)
    assert model.idf_.shape == (len(model.wv_),)
    assert (model.wv_.min_n, model.wv_.max_n, model.wv_.bucket) == (3, 6, 2000)
    assert model.train_time_ > 0 and model.words_per_second_ > 0
    assert not hasattr(model, "_provisional")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"min_n": 4, "max_n": 3}, "max_n=3 is smaller than min_n=4"),
        ({"min_n": -1}, "The 'min_n' parameter of FastTextVectorizer"),
        ({"max_n": 1.5}, "The 'max_n' parameter of FastTextVectorizer"),
        ({"bucket": -5}, "The 'bucket' parameter of FastTextVectorizer"),
        ({"algorithm": "sg"}, "The 'algorithm' parameter of FastTextVectorizer"),
        ({"compact": "yes"}, "The 'compact' parameter of FastTextVectorizer"),
        ({"negative": 0}, "The 'negative' parameter of FastTextVectorizer"),
    ],
)
def test_invalid_parameters_name_the_parameter(params, message):
    with pytest.raises(ValueError, match=message):
        FastTextVectorizer(**params).fit(["a b c"])


def test_bad_documents_raise_clear_errors():
    with pytest.raises(TypeError, match="single str"):
        FastTextVectorizer(min_count=1).fit("a bare string")
    with pytest.raises(ValueError, match="X is empty"):
        FastTextVectorizer(min_count=1).fit([])
    with pytest.raises(ValueError, match=r"min_count=5 removed every word.*'b' occurs 2"):
        FastTextVectorizer(min_count=5).fit(["a b c b"])


# ------------------------------------------------------------------- export
@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_save_fasttext_bin_round_trips_through_skembed(tmp_path, planted, algorithm):
    docs, _, _ = planted
    model = FastTextVectorizer(algorithm=algorithm, compact=False, **SMALL).fit(docs)
    path = tmp_path / "model.bin"
    assert model.save_fasttext_bin(path) is model
    loaded = load_fasttext_bin(path)
    assert loaded.model_name == algorithm and loaded.loss_name == "ns"
    assert (loaded.min_n, loaded.max_n, loaded.bucket, loaded.dim) == (3, 6, 2000, 12)
    np.testing.assert_array_equal(loaded.input_matrix, model.wv_._input)
    np.testing.assert_array_equal(loaded.output_matrix, model._output_vectors)
    wv = loaded.to_word_vectors()
    np.testing.assert_array_equal(wv.vectors, model.wv_.vectors)
    np.testing.assert_array_equal(wv["t0w1x"], model.wv_["t0w1x"])


def test_facebook_fasttext_loads_a_skembed_model(tmp_path, planted):
    fasttext = pytest.importorskip("fasttext", reason="facebook fastText (pip install fasttext)")
    docs, _, _ = planted
    for compact in (False, True):
        model = FastTextVectorizer(**{**SMALL, "compact": compact}).fit(docs)
        path = tmp_path / f"model{compact}.bin"
        model.save_fasttext_bin(path)
        ft = fasttext.load_model(str(path))
        assert ft.words == model.wv_.index_to_key
        for word in model.wv_.index_to_key[:10]:
            np.testing.assert_allclose(ft.get_word_vector(word), model.wv_[word], atol=1e-7)
        for word in ["t0w1x", "qqqq", "matt"]:
            ours, theirs = model.wv_[word], ft.get_word_vector(word)
            # dropped buckets are zero rows there, as they count in a compacted model
            np.testing.assert_allclose(theirs, ours, atol=1e-7)


# --------------------------------------------------- training controls (base)
@pytest.mark.parametrize("compact", [False, True])
def test_partial_fit_grows_the_vocabulary_with_rows_for_new_words(spelled, compact):
    docs, word_topic = spelled
    model = FastTextVectorizer(**{**SMALL, "compact": compact, "update_vocabulary": True,
                                  "bucket": 5000})  # fmt: skip
    model.partial_fit(docs[:200])
    ids = dict(model.vocabulary_)
    typo = misspell(next(iter(word_topic)))
    composed = model.wv_[typo].copy()
    model.partial_fit([d + f" {typo} freshword" for d in docs[200:]])
    assert all(model.vocabulary_[w] == i for w, i in ids.items())
    assert typo in model.wv_ and "freshword" in model.wv_
    assert model.wv_.is_compact == compact and model.wv_.bucket == 5000
    assert model._output_vectors.shape == (len(model.wv_), 12)
    assert not np.allclose(model.wv_[typo], composed)  # it now has a trained row of its own
    rows = np.concatenate([[model.vocabulary_["freshword"]],
                           model.wv_.get_subwords("freshword")[1][1:]])  # fmt: skip
    np.testing.assert_allclose(model.wv_["freshword"], model.wv_._input[rows].mean(axis=0),
                               rtol=1e-5, atol=1e-7)  # fmt: skip


def test_warm_start_continues_and_cold_fit_starts_again(planted):
    docs, _, _ = planted
    model = FastTextVectorizer(**{**SMALL, "epochs": 2, "warm_start": True}).fit(docs)
    first = model.wv_.vectors.copy()
    model.fit(docs)
    assert model.n_iter_ == 4 and not np.array_equal(model.wv_.vectors, first)
    fresh = FastTextVectorizer(**{**SMALL, "epochs": 2}).fit(docs)
    np.testing.assert_array_equal(fresh.wv_.vectors, first)


def test_early_stopping_keep_best_and_callbacks_see_composed_vectors(planted):
    docs, _, _ = planted
    seen = []

    def record(estimator, info):
        wv = estimator.wv_
        expected = wv._compose_vocabulary()
        seen.append(np.array_equal(wv.vectors, expected))

    params = {**SMALL, "epochs": 4, "early_stopping": True, "n_iter_no_change": 10,
              "keep_best": True, "callbacks": [record]}  # fmt: skip
    model = FastTextVectorizer(**params).fit(docs)
    assert len(model.validation_scores_) == 4 and all(seen) and len(seen) == 4
    assert np.isfinite(model.best_validation_score_)
    np.testing.assert_array_equal(model.wv_.vectors, model.wv_._compose_vocabulary())


def test_score_is_higher_after_training(planted):
    docs, _, _ = planted
    trained = FastTextVectorizer(**{**SMALL, "epochs": 5}).fit(docs[:300])
    control = FastTextVectorizer(**{**SMALL, "epochs": 0}).fit(docs[:300])
    assert trained.score(docs[300:]) > control.score(docs[300:]) + 0.1


def test_weight_decay_shrinks_the_rows(planted):
    docs, _, _ = planted
    plain = FastTextVectorizer(**SMALL).fit(docs)
    decayed = FastTextVectorizer(**{**SMALL, "weight_decay": 20.0}).fit(docs)
    assert np.linalg.norm(decayed.wv_.vectors) < 0.9 * np.linalg.norm(plain.wv_.vectors)


def test_gradient_clipping_reaches_the_kernels(planted):
    docs, _, _ = planted
    plain = FastTextVectorizer(**SMALL).fit(docs)
    for params in ({"clip_value": 1e-4}, {"clip_norm": 1e-4}):
        clipped = FastTextVectorizer(**{**SMALL, **params}).fit(docs)
        moved = np.abs(clipped.wv_.vectors - FastTextVectorizer(**{**SMALL, "epochs": 0})
                       .fit(docs).wv_.vectors).max()  # fmt: skip
        assert moved < 0.5 * np.abs(plain.wv_.vectors).max()
        assert np.all(np.isfinite(clipped.wv_.vectors))

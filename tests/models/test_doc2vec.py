import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone

from skembed import Doc2VecVectorizer, WordVectors
from tests.conftest import planted_topics

DOCS, _, LABELS = planted_topics(n_topics=4, words_per_topic=8, n_docs=400, doc_len=20)
SMALL = dict(vector_size=16, min_count=1, sample=0.0, random_state=0)


def _purity(vectors, labels, k=5):
    """Share of each vector's k nearest neighbours (cosine) from its own topic."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sim = unit @ unit.T
    np.fill_diagonal(sim, -2)
    nearest = np.argsort(-sim, axis=1)[:, :k]
    return (labels[nearest] == labels[:, None]).mean()


def _own_rank(inferred, trained):
    """Rank of each trained vector among all of them, seen from the inferred one."""
    a = inferred / np.linalg.norm(inferred, axis=1, keepdims=True)
    b = trained / np.linalg.norm(trained, axis=1, keepdims=True)
    sim = a @ b.T
    return (sim > np.diag(sim)[:, None]).sum(axis=1)


@pytest.mark.parametrize("dm", [True, False])
def test_planted_topics_are_recovered_far_above_an_untrained_control(dm):
    trained = Doc2VecVectorizer(dm=dm, epochs=10, **SMALL).fit(DOCS)
    control = Doc2VecVectorizer(dm=dm, epochs=0, **SMALL).fit(DOCS)
    assert _purity(control.dv_.vectors, LABELS) < 0.4  # chance is 0.25
    assert _purity(control.transform(DOCS), LABELS) < 0.4
    assert _purity(trained.dv_.vectors, LABELS) > 0.65
    assert _purity(trained.transform(DOCS), LABELS) > 0.75


@pytest.mark.parametrize("dm", [False, True])
def test_rows_start_uniform_within_one_over_the_dimension(dm):
    # gensim 4's start for the word rows, and for PV-DBOW's document rows: from half of it,
    # PV-DBOW's document vectors (which alone move the zero-started output rows) stay near
    # zero longer and end worse (KJV verses, 5 epochs: median own-vector rank 1794
    # instead of 1268).  PV-DM's document rows start at half the scale: less of their
    # random start remains in the trained vectors.
    dim = 50
    est = Doc2VecVectorizer(dm=dm, epochs=0, vector_size=dim, min_count=1, random_state=0)
    est.fit(DOCS)
    for rows, scale in ((est.wv_.vectors, 1.0), (est.dv_.vectors, 0.5 if dm else 1.0)):
        magnitude = np.abs(rows) * dim / scale
        assert magnitude.max() <= 1.0
        assert magnitude.max() > 0.99
        assert abs(magnitude.mean() - 0.5) < 0.02  # uniform on [-scale, scale) / dim
    # inferred vectors start at half the scale, as gensim's infer_vector
    start = est.set_params(inference_epochs=0).transform(DOCS[:50]) * dim
    assert 0.45 < np.abs(start).max() <= 0.5


def test_inferred_training_documents_land_near_their_trained_vectors():
    est = Doc2VecVectorizer(dm=False, epochs=30, **SMALL).fit(DOCS)
    ranks = _own_rank(est.transform(DOCS), est.dv_.vectors)
    control = Doc2VecVectorizer(dm=False, epochs=0, **SMALL).fit(DOCS)
    control_ranks = _own_rank(control.transform(DOCS), control.dv_.vectors)
    assert np.median(ranks) <= 1 and (ranks == 0).mean() > 0.5
    assert np.median(control_ranks) > 100  # 400 documents: random is about 200


def test_inference_is_deterministic_across_batches_order_and_threads():
    est = Doc2VecVectorizer(epochs=3, **SMALL).fit(DOCS[:100])
    whole = est.transform(DOCS[:100])
    assert_array_equal(est.transform(DOCS[:100][::-1]), whole[::-1])
    assert_array_equal(est.transform(DOCS[40:45]), whole[40:45])
    assert_array_equal(clone(est).set_params(n_jobs=2).fit(DOCS[:100]).transform(DOCS[:1]).shape,
                       (1, 16))  # fmt: skip
    est.set_params(n_jobs=2)
    assert_array_equal(est.transform(DOCS[:100]), whole)
    # a different fit seed gives different inferred vectors
    other = clone(est).set_params(n_jobs=None, random_state=1).fit(DOCS[:100])
    assert not np.allclose(other.transform(DOCS[:5]), whole[:5])


def test_inference_parameters_default_to_the_training_ones():
    est = Doc2VecVectorizer(epochs=3, **SMALL).fit(DOCS[:50])
    default = est.transform(DOCS[:5])
    est.set_params(inference_epochs=3, inference_learning_rate=0.025)
    assert_array_equal(est.transform(DOCS[:5]), default)
    est.set_params(inference_epochs=7)
    assert not np.allclose(est.transform(DOCS[:5]), default)
    unknown = est.transform(["zzz qqq", DOCS[0]])
    assert not unknown[0].any() and unknown[1].any()  # no known word: zeros


def test_tags_key_the_document_vectors_and_shared_tags_share_a_row():
    tags = [f"doc{i // 2}" for i in range(100)]
    est = Doc2VecVectorizer(epochs=2, **SMALL).fit(DOCS[:100], tags=tags)
    assert est.dv_.index_to_key == [f"doc{i}" for i in range(50)]
    assert est.dv_["doc3"].shape == (16,)
    by_position = Doc2VecVectorizer(epochs=2, **SMALL).fit(DOCS[:100])
    assert by_position.dv_.index_to_key == list(range(100))
    assert by_position.dv_.most_similar(0, topn=3)[0][0] != 0
    with pytest.raises(ValueError, match="tags has 3 entries but X has 100 documents"):
        clone(est).fit(DOCS[:100], tags=["a", "b", "c"])


def test_tags_come_through_metadata_routing_and_labels_never_become_tags():
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    docs, labels = DOCS[:80], LABELS[:80]
    with sklearn.config_context(enable_metadata_routing=True):
        vec = Doc2VecVectorizer(epochs=2, **SMALL).set_fit_request(tags=True)
        pipe = make_pipeline(vec, LogisticRegression())
        pipe.fit(docs, labels, tags=[f"t{i}" for i in range(80)])
        assert pipe[0].dv_.index_to_key[:2] == ["t0", "t1"]
        pipe = make_pipeline(Doc2VecVectorizer(epochs=2, **SMALL), LogisticRegression())
        pipe.fit(docs, labels)
        assert pipe[0].dv_.index_to_key == list(range(80))


def test_partial_fit_appends_rows_keyed_by_position_among_all_documents():
    est = Doc2VecVectorizer(**SMALL)
    est.partial_fit(DOCS[:30])
    first = est.dv_.vectors.copy()
    est.partial_fit(DOCS[30:50])
    assert est.dv_.index_to_key == list(range(50))
    assert_array_equal(est.dv_.vectors[:30], first)  # rows of the first batch stay
    est2 = Doc2VecVectorizer(**SMALL)
    est2.partial_fit(DOCS[:30], tags=["a"] * 30)
    est2.partial_fit(DOCS[30:50], tags=["a"] * 10 + ["b"] * 10)
    assert est2.dv_.index_to_key == ["a", "b"]


def test_early_stopping_infers_the_held_out_documents_into_dv():
    est = Doc2VecVectorizer(epochs=4, early_stopping=True, validation_fraction=0.2, **SMALL)
    est.fit(DOCS[:100])
    assert sorted(est.dv_.index_to_key) == list(range(100))
    assert len(est.validation_scores_) == est.n_iter_ and est.best_validation_score_ < 0


def test_score_is_fixed_protocol_and_prefers_a_trained_model():
    held_out = DOCS[300:340]
    trained = Doc2VecVectorizer(epochs=10, **SMALL).fit(DOCS[:300])
    control = Doc2VecVectorizer(epochs=0, **SMALL).fit(DOCS[:300])
    s = trained.score(held_out)
    assert s == trained.score(held_out)
    assert s == clone(trained).set_params(inference_epochs=50).fit(DOCS[:300]).score(held_out)
    assert s > control.score(held_out) + 1.0
    assert control.score(held_out) == pytest.approx(6 * np.log(0.5), abs=0.05)
    with pytest.raises(ValueError, match="hierarchical-softmax"):
        Doc2VecVectorizer(negative=0, hs=True, epochs=1, **SMALL).fit(DOCS[:20]).score(DOCS[:5])
    with pytest.raises(ValueError, match="two or more words"):
        trained.score(["t0w1"])


def test_hierarchical_softmax_and_dbow_words_train():
    hs = Doc2VecVectorizer(dm=False, negative=0, hs=True, epochs=10, **SMALL).fit(DOCS)
    assert _purity(hs.dv_.vectors, LABELS) > 0.65
    words = Doc2VecVectorizer(dm=False, dbow_words=True, epochs=2, **SMALL).fit(DOCS[:50])
    plain = Doc2VecVectorizer(dm=False, epochs=2, **SMALL).fit(DOCS[:50])
    fresh = Doc2VecVectorizer(dm=False, epochs=0, **SMALL).fit(DOCS[:50])
    assert_array_equal(plain.wv_.vectors, fresh.wv_.vectors)  # PV-DBOW leaves words alone
    assert not np.allclose(words.wv_.vectors, fresh.wv_.vectors)
    with pytest.raises(ValueError, match="negative=0 with hs=False"):
        Doc2VecVectorizer(negative=0, **SMALL).fit(DOCS[:5])


def test_initial_vectors_start_the_word_rows_and_fix_the_dimension():
    rng = np.random.default_rng(0)
    initial = WordVectors(["t0w1", "t1w2", "elsewhere"], rng.normal(size=(3, 6)))
    est = Doc2VecVectorizer(initial_vectors=initial, epochs=0, **SMALL).fit(DOCS[:50])
    assert est.wv_.vector_size == 6 and est.dv_.vector_size == 6
    assert est.transform(DOCS[:2]).shape == (2, 6)
    assert_array_equal(est.wv_["t0w1"], initial["t0w1"])
    assert est.wv_.index_to_key[-1] == "elsewhere" and est.wv_.counts[-1] == 0
    trained = clone(est).set_params(epochs=2).fit(DOCS[:50])
    assert_array_equal(trained.wv_["elsewhere"], initial["elsewhere"])  # never trained on
    assert not np.allclose(trained.wv_["t0w1"], initial["t0w1"])


def test_pickled_model_infers_the_same_vectors():
    import pickle

    est = Doc2VecVectorizer(epochs=2, **SMALL).fit(DOCS[:50])
    restored = pickle.loads(pickle.dumps(est))
    assert_array_equal(restored.transform(DOCS[:10]), est.transform(DOCS[:10]))
    assert restored.dv_.index_to_key == est.dv_.index_to_key


def test_a_long_document_trains_one_row_across_its_segments():
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(50)])
    long_doc = " ".join(rng.choice(words, size=25_000))
    est = Doc2VecVectorizer(dm=False, epochs=1, **SMALL).fit([long_doc, "w1 w2 w3", long_doc])
    assert len(est.dv_) == 3
    assert est.words_per_second_ > 0 and est.loss_curve_[0] > 0


def test_the_rate_decays_by_documents_as_in_gensim():
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(50)])
    long_doc = " ".join(rng.choice(words, size=25_000))  # segments start at 0, 10k, 20k
    short = [" ".join(rng.choice(words, size=100)) for _ in range(100)]  # tokens 25k..35k
    rates = []
    record = lambda est, info: rates.append(info.learning_rate)  # noqa: E731
    Doc2VecVectorizer(
        dm=False, epochs=1, learning_rate=0.1, min_learning_rate=0.0, callbacks=[record], **SMALL
    ).fit([long_doc, *short])
    # the last chunk holds the short documents from token 30k: 1 + 50 of 101 documents
    # come before it (by words it would be 30k of 35k, a rate of 0.1 * 5 / 35)
    assert rates == [pytest.approx(0.1 * (1 - 51 / 101), rel=1e-5)]


def test_parallel_training_and_warm_start_continue_the_same_rows():
    est = Doc2VecVectorizer(epochs=2, n_jobs=2, **SMALL).fit(DOCS[:100])
    assert np.isfinite(est.dv_.vectors).all() and len(est.dv_) == 100
    serial = Doc2VecVectorizer(epochs=2, **SMALL).fit(DOCS[:100])
    before = serial.dv_.vectors.copy()
    serial.set_params(warm_start=True, epochs=1).fit(DOCS[:100])
    assert serial.dv_.index_to_key == list(range(100)) and serial.n_iter_ == 3
    assert not np.allclose(serial.dv_.vectors, before)
    with pytest.raises(ValueError, match="negative=0 differs"):
        serial.set_params(negative=0, hs=True).fit(DOCS[:100])


def test_a_failing_fit_leaves_the_document_vectors_as_they_were():
    def boom(estimator, info):
        raise RuntimeError("stop here")

    est = Doc2VecVectorizer(epochs=2, **SMALL).fit(DOCS[:50])
    keys, vectors = list(est.dv_.index_to_key), est.dv_.vectors.copy()
    est.set_params(callbacks=[boom])
    with pytest.raises(RuntimeError, match="stop here"):
        est.partial_fit(DOCS[50:80])
    assert est.dv_.index_to_key == keys
    assert_array_equal(est.dv_.vectors, vectors)


def test_keep_best_restores_the_best_epoch_and_a_search_compares_scores():
    from sklearn.model_selection import GridSearchCV

    est = Doc2VecVectorizer(epochs=3, early_stopping=True, keep_best=True, n_iter_no_change=5,
                            **SMALL).fit(DOCS[:120])  # fmt: skip
    assert est.best_validation_score_ == max(est.validation_scores_) and len(est.dv_) == 120
    search = GridSearchCV(Doc2VecVectorizer(**SMALL), {"epochs": [0, 5]}, cv=2).fit(DOCS[:120])
    assert search.best_params_ == {"epochs": 5}

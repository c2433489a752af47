"""FastTextClassifier: learning planted labels, losses, reproducibility, scikit-learn tools."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_validate

from skembed import FastTextClassifier, WordVectors

N_CLASSES = 4


def _planted(n_docs=400, seed=0, shuffle_labels=False):
    """Documents of shared filler words; the label is carried by one planted word."""
    rng = np.random.default_rng(seed)
    filler = [f"w{i}" for i in range(60)]
    labels = rng.integers(0, N_CLASSES, size=n_docs)
    docs = []
    for label in labels:
        words = list(rng.choice(filler, size=10))
        words.insert(int(rng.integers(0, 11)), f"marker{label}")
        docs.append(" ".join(words))
    if shuffle_labels:
        labels = rng.permutation(labels)
    return docs, labels


def _small(**params):
    defaults = dict(vector_size=16, epochs=10, bucket=10_000, random_state=0)
    return FastTextClassifier(**{**defaults, **params})


@pytest.mark.parametrize("loss", ["softmax", "hs", "ova"])
def test_learns_a_planted_label_while_a_shuffled_control_stays_at_chance(loss):
    docs, labels = _planted()
    test_docs, test_labels = _planted(seed=1)
    clf = _small(loss=loss).fit(docs, labels)
    assert clf.score(test_docs, test_labels) > 0.95
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    # the same documents with shuffled labels: nothing to learn, held-out accuracy at chance
    shuffled_docs, shuffled = _planted(shuffle_labels=True)
    control = _small(loss=loss).fit(shuffled_docs, shuffled)
    assert control.score(test_docs, test_labels) < 0.25 + 0.12
    # an untrained model (no epoch) knows nothing either
    untrained = _small(loss=loss, epochs=0).fit(docs, labels)
    assert untrained.score(test_docs, test_labels) < 0.25 + 0.12


def test_predictions_are_reproducible_with_one_thread_and_seeded():
    docs, labels = _planted()
    a = _small().fit(docs, labels)
    b = _small(n_jobs=1).fit(docs, labels)
    assert_array_equal(a.predict_proba(docs), b.predict_proba(docs))
    assert_array_equal(a.wv_.vectors, b.wv_.vectors)
    other = _small(random_state=1).fit(docs, labels)
    assert not np.allclose(other.wv_.vectors, a.wv_.vectors)


def test_parallel_training_learns_too():
    docs, labels = _planted(n_docs=2000)
    test_docs, test_labels = _planted(seed=1)
    clf = _small(n_jobs=2).fit(docs, labels)
    assert clf.score(test_docs, test_labels) > 0.95


def test_classifier_api_shapes_and_consistency():
    docs, labels = _planted()
    names = np.array(["ant", "bee", "cat", "dog"])[labels]
    clf = _small().fit(docs, names)
    assert clf.classes_.tolist() == ["ant", "bee", "cat", "dog"]
    proba = clf.predict_proba(docs[:20])
    assert proba.shape == (20, 4)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert_allclose(clf.predict_log_proba(docs[:20]), np.log(proba))
    scores = clf.decision_function(docs[:20])
    assert_array_equal(clf.predict(docs[:20]), clf.classes_[scores.argmax(axis=1)])
    assert_array_equal(proba.argmax(axis=1), scores.argmax(axis=1))
    X = clf.transform(docs[:20])
    assert X.shape == (20, 16) and X.dtype == np.float32
    # the document vectors are what the output layer reads
    assert_allclose(X.astype(np.float64) @ clf._output_vectors.T, scores, rtol=1e-5, atol=1e-6)
    assert_allclose(clone(clf).fit_transform(docs, names), clf.transform(docs), rtol=1e-6)
    # a document without a known word is scored from the end-of-document row alone
    eos_row = clf.wv_["</s>"].astype(np.float64)
    assert_allclose(clf.decision_function(["unknown words only"]),
                    [eos_row @ clf._output_vectors.T], rtol=1e-5, atol=1e-6)  # fmt: skip
    # without it, such a document scores every class alike
    plain = _small(eos_token=None).fit(docs, names)
    assert_allclose(plain.predict_proba(["unknown words only"]), [[0.25] * 4])


def test_binary_decision_function_is_one_column():
    docs, labels = _planted()
    binary = labels % 2
    clf = _small().fit(docs, binary)
    scores = clf.decision_function(docs[:10])
    assert scores.shape == (10,)
    assert_array_equal(clf.predict(docs[:10]), (scores > 0).astype(int))


def test_hierarchical_softmax_probabilities_sum_to_one():
    docs, labels = _planted()
    clf = _small(loss="hs").fit(docs, labels)
    assert clf._output_vectors.shape == (N_CLASSES - 1, 16)
    assert_allclose(clf.predict_proba(docs[:10]).sum(axis=1), 1.0, rtol=1e-6)


def test_one_vs_all_learns_a_multi_label_indicator_matrix():
    rng = np.random.default_rng(0)
    docs, Y = [], np.zeros((600, 3), dtype=int)
    for i in range(600):
        Y[i] = rng.integers(0, 2, size=3)
        words = [f"w{j}" for j in rng.integers(0, 30, size=8)]
        words += [f"tag{k}" for k in np.flatnonzero(Y[i])]
        docs.append(" ".join(rng.permutation(words)))
    clf = _small(loss="ova").fit(docs[:500], Y[:500])
    assert clf.classes_.tolist() == [0, 1, 2]
    pred = clf.predict(docs[500:])
    assert pred.shape == (100, 3)
    assert clf.score(docs[500:], Y[500:]) > 0.9  # every label of a document right
    proba = clf.predict_proba(docs[500:])
    assert_array_equal(pred, (proba > 0.5).astype(int))
    with pytest.raises(ValueError, match="loss='ova'"):
        _small().fit(docs, Y)


def test_word_bigrams_carry_a_label_that_no_single_word_does():
    # the label is the order of two words: "red blue" or "blue red"
    rng = np.random.default_rng(0)
    docs, labels = [], rng.integers(0, 2, size=400)
    for label in labels:
        pair = "red blue" if label else "blue red"
        docs.append(" ".join([*rng.choice([f"w{i}" for i in range(20)], 4), pair]))
    train, test = slice(0, 300), slice(300, 400)
    words_only = _small(word_ngrams=1).fit(docs[train], labels[train])
    bigrams = _small(word_ngrams=2).fit(docs[train], labels[train])
    assert words_only.score(docs[test], labels[test]) < 0.7
    assert bigrams.score(docs[test], labels[test]) > 0.95


def test_eos_token_is_a_word_of_every_document():
    docs, labels = _planted()
    clf = _small().fit(docs, labels)
    assert clf.wv_.counts[clf.vocabulary_["</s>"]] == len(docs)
    assert "</s>" not in _small(eos_token=None).fit(docs, labels).vocabulary_
    # an empty document still reads as empty
    with pytest.raises(ValueError, match="no tokens"):
        _small().fit(["", "!!"], [0, 1])


def test_eos_token_carries_a_label_given_by_the_last_word():
    # the label is whether "key" ends the document or stands inside it; the words after an
    # inner "key" are drawn from many, so only the bigram ("key", "</s>") tells the two apart
    rng = np.random.default_rng(0)
    filler = [f"w{i}" for i in range(2000)]
    docs, labels = [], rng.integers(0, 2, size=600)
    for label in labels:
        words = list(rng.choice(filler, size=6))
        words.insert(6 if label else int(rng.integers(0, 6)), "key")
        docs.append(" ".join(words))
    train, test = slice(0, 400), slice(400, 600)
    ended = _small(bucket=1_000_000).fit(docs[train], labels[train])
    plain = _small(bucket=1_000_000, eos_token=None).fit(docs[train], labels[train])
    assert ended.score(docs[test], labels[test]) > 0.95
    assert plain.score(docs[test], labels[test]) < 0.75


def test_character_ngrams_classify_unseen_word_forms():
    docs, labels = _planted()
    plural = [d.replace("marker", "zzmarker") for d in _planted(seed=1)[0]]
    test_labels = _planted(seed=1)[1]
    with_ngrams = _small(min_n=3, max_n=5, word_ngrams=1).fit(docs, labels)
    without = _small(word_ngrams=1).fit(docs, labels)
    # "zzmarker2" is unseen: only its character n-grams ("ker2>", ...) carry the label
    assert with_ngrams.score(plural, test_labels) > 0.9
    assert without.score(plural, test_labels) < 0.4


def test_partial_fit_needs_classes_first_then_learns():
    docs, labels = _planted()
    test_docs, test_labels = _planted(seed=1)
    clf = _small(learning_rate=0.2)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(docs, labels)
    for start in range(0, 400, 100):
        clf.partial_fit(docs[start : start + 100], labels[start : start + 100],
                        classes=np.arange(5))  # fmt: skip
    for _ in range(5):
        clf.partial_fit(docs, labels)
    assert clf.classes_.tolist() == [0, 1, 2, 3, 4]
    assert clf.n_iter_ == 9
    assert clf.score(test_docs, test_labels) > 0.95
    with pytest.raises(ValueError, match="labels not in classes_"):
        clf.partial_fit(docs[:3], [0, 1, 7])


def test_a_failed_partial_fit_leaves_the_classifier_as_it_was():
    docs, labels = _planted()
    clf = _small().fit(docs, labels)
    before = pickle.dumps(clf)
    proba = clf.predict_proba(docs[:5])

    def stop(estimator, info):
        raise KeyboardInterrupt

    clf.set_params(callbacks=[stop])
    with pytest.raises(KeyboardInterrupt):
        clf.partial_fit(docs + ["brand new words here"], list(labels) + [0])
    clf.set_params(callbacks=None)
    assert_array_equal(clf.predict_proba(docs[:5]), proba)
    assert pickle.dumps(clf) == before


def test_errors_name_what_is_wrong():
    docs, labels = _planted(n_docs=20)
    with pytest.raises(ValueError, match="20 documents but y has 19 labels"):
        _small().fit(docs, labels[:19])
    with pytest.raises(ValueError, match="requires y"):
        _small().fit(docs, None)
    with pytest.raises(ValueError, match="max_n=2 is smaller than min_n=3"):
        _small(min_n=3, max_n=2).fit(docs, labels)


def test_early_stopping_scores_held_out_accuracy():
    docs, labels = _planted()
    clf = _small(early_stopping=True, epochs=30, n_iter_no_change=2, keep_best=True)
    clf.fit(docs, labels)
    assert clf.n_iter_ < 30
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_) > 0.9


def test_pickles_and_works_in_grid_search_and_cross_validate():
    docs, labels = _planted()
    clf = _small().fit(docs, labels)
    restored = pickle.loads(pickle.dumps(clf))
    assert_array_equal(restored.predict_proba(docs), clf.predict_proba(docs))
    search = GridSearchCV(_small(), {"learning_rate": [0.001, 0.5]}, cv=3)
    search.fit(docs, labels)
    assert search.best_params_ == {"learning_rate": 0.5}
    assert search.best_score_ > 0.9
    result = cross_validate(_small(), docs, labels, cv=3, scoring=["accuracy", "f1_macro"])
    assert result["test_accuracy"].min() > 0.9


def _frozen(progress, start, end):
    return np.zeros_like(np.asarray(progress, dtype=np.float64))


def test_initial_vectors_give_the_starting_rows(tmp_path):
    from skembed.vectors import save

    docs, labels = _planted()
    rng = np.random.default_rng(0)
    words = ["marker0", "marker1", "w0", "w5", "only_in_vectors"]
    given = WordVectors(words, rng.normal(size=(5, 7)).astype(np.float32))
    # no training: the rows are the given ones, and the vectors fix the dimension
    untrained = _small(initial_vectors=given, epochs=0).fit(docs, labels)
    assert untrained.wv_.vector_size == 7
    assert untrained.transform(docs[:2]).shape == (2, 7)
    for i, word in enumerate(words):
        assert_array_equal(untrained.wv_[word], given.vectors[i])
    assert untrained.wv_.index_to_key[-1] == "only_in_vectors"  # appended, count 0
    assert untrained.wv_.counts[-1] == 0
    # a frozen rate trains nothing: every row stays as given
    frozen = _small(initial_vectors=given, learning_rate_schedule=_frozen).fit(docs, labels)
    for i, word in enumerate(words):
        assert_array_equal(frozen.wv_[word], given.vectors[i])
    # training moves the corpus words' rows, not those of words only in the vectors
    trained = _small(initial_vectors=given).fit(docs, labels)
    assert not np.allclose(trained.wv_["marker0"], given.vectors[0])
    assert_array_equal(trained.wv_["only_in_vectors"], given.vectors[4])
    # a path works as the vectors themselves
    path = tmp_path / "vectors.txt"
    save(given, path, format="word2vec")
    from_file = _small(initial_vectors=str(path), epochs=0).fit(docs, labels)
    assert_allclose(from_file.wv_["w5"], given.vectors[3], rtol=1e-6)


def test_initial_vectors_help_when_labels_are_few():
    # the vectors place each marker near a word the few labelled documents use
    docs, labels = _planted(n_docs=400)
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(N_CLASSES, 16)).astype(np.float32)
    words = [f"marker{k}" for k in range(N_CLASSES)] + [f"alias{k}" for k in range(N_CLASSES)]
    given = WordVectors(words, np.vstack([centres, centres]))
    aliased = [d.replace("marker", "alias") for d in _planted(seed=1)[0]]
    test_labels = _planted(seed=1)[1]
    with_vectors = _small(initial_vectors=given).fit(docs, labels)
    # "aliasK" never occurs in training: only its given row, shared with "markerK", helps
    assert with_vectors.score(aliased, test_labels) > 0.6
    assert _small().fit(docs, labels).score(aliased, test_labels) < 0.4


@pytest.mark.slow
def test_defaults_reach_tfidf_logistic_regression_on_kjv_groups(kjv):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline

    from skembed.datasets import load_kjv

    X, y = load_kjv(target="group", return_X_y=True)
    X = np.asarray(X, dtype=object)
    train, test = next(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    ours = FastTextClassifier(random_state=0).fit(X[train], y[train]).score(X[test], y[test])
    baseline = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    theirs = baseline.fit(X[train], y[train]).score(X[test], y[test])
    assert ours >= theirs


def test_warm_start_continues_and_refuses_a_changed_structure():
    docs, labels = _planted()
    clf = _small(epochs=2, warm_start=True).fit(docs, labels)
    rows = clf.wv_.vectors.copy()
    clf.fit(docs, labels)
    assert clf.n_iter_ == 4 and len(clf.loss_curve_) == 4
    assert not np.allclose(clf.wv_.vectors, rows)
    for name, value in [("loss", "hs"), ("word_ngrams", 3), ("vector_size", 8),
                        ("eos_token", None)]:  # fmt: skip
        changed = pickle.loads(pickle.dumps(clf)).set_params(**{name: value})
        with pytest.raises(ValueError, match=f"{name}={value!r} differs"):
            changed.fit(docs, labels)


@pytest.mark.parametrize(
    "docs",
    [
        [["a", "b", "a"], ["c", "a"], [], ["d"]],
        [[], ["x", "y"], ["y"]],  # an empty first document
        [["a", "</s>"], ["b"]],  # the token in the first document
        [["a"], ["b", "</s>", "c"], ["</s>"]],  # the token first met later
        [["a", "b"]],
    ],
)
def test_end_token_put_into_an_encoding_equals_encoding_with_it(docs):
    from skembed.corpus._encoding import encode_documents
    from skembed.models._classifier import _with_end_token

    want = encode_documents([[*d, "</s>"] for d in docs])
    got = _with_end_token(*encode_documents([list(d) for d in docs]), "</s>")
    np.testing.assert_array_equal(got[0].tokens, want[0].tokens)
    np.testing.assert_array_equal(got[0].offsets, want[0].offsets)
    assert got[1] == want[1]
    np.testing.assert_array_equal(got[2], want[2])


def test_partial_fit_keeps_each_bucket_row_and_adds_the_new_ones_in_order():
    # a first batch gives rows to its n-gram buckets; a second batch with new words
    # adds rows for its new buckets and leaves every old bucket's row as training left it
    first = ["alpha beta gamma", "beta gamma delta"] * 5
    second = ["epsilon zeta alpha", "eta theta beta"] * 5
    clf = FastTextClassifier(vector_size=8, word_ngrams=2, bucket=997, min_count=1,
                             epochs=1, update_vocabulary=True, random_state=0)  # fmt: skip
    clf.partial_fit(first, [0, 1] * 5, classes=[0, 1])
    old_ids, old_rows = clf._bucket_ids.copy(), clf._ngram_vectors.copy()
    feats = clf._features(*clf._read(second)[:2], len(clf.wv_), {})[1]
    wanted = np.unique(feats[feats >= len(clf.wv_)] - len(clf.wv_))
    new = np.setdiff1d(wanted, old_ids)
    assert len(new) > 0
    clf._rng = np.random.RandomState(3)
    clf._grow_buckets(wanted, clf._rng)
    ids, rows = clf._bucket_ids, clf._ngram_vectors
    assert_array_equal(ids, np.union1d(old_ids, new))  # sorted, distinct, both kept
    assert_array_equal(rows[np.searchsorted(ids, old_ids)], old_rows)
    # the new rows are drawn in bucket order, as the draws of a fresh generator give them
    drawn = clf._new_rows(len(new), rows.shape[1], np.random.RandomState(3))
    assert_array_equal(rows[np.searchsorted(ids, new)], drawn)
    assert rows.dtype == np.float32 and rows.flags.c_contiguous

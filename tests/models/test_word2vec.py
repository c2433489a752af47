import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skembed import Word2VecVectorizer
from tests.conftest import topic_purity

SMALL = dict(vector_size=16, min_count=1, epochs=3, random_state=0)


def test_planted_topics_are_learned_and_untrained_control_is_not(planted):
    docs, word_topic, _ = planted
    model = Word2VecVectorizer(vector_size=20, min_count=1, epochs=10, sample=0,
                               random_state=0).fit(docs)  # fmt: skip
    control = Word2VecVectorizer(vector_size=20, min_count=1, epochs=0, random_state=0).fit(docs)
    purity = topic_purity(model.wv_, word_topic)
    assert purity >= 0.9
    assert topic_purity(control.wv_, word_topic) < 0.5
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert model.n_iter_ == 10 and len(model.loss_curve_) == 10
    assert control.n_iter_ == 0 and control.loss_curve_ == []



@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_word_rows_start_uniform_over_plus_minus_one_over_dim(planted, algorithm):
    # gensim 4's start, twice word2vec.c's range: the narrower one slowed CBOW measurably
    docs, _, _ = planted
    dim = 32
    model = Word2VecVectorizer(algorithm=algorithm, vector_size=dim, min_count=1, epochs=0,
                               random_state=0).fit(docs)  # fmt: skip
    scaled = model.wv_.vectors.astype(np.float64) * dim
    assert scaled.min() >= -1.0 and scaled.max() < 1.0
    assert scaled.min() < -0.95 and scaled.max() > 0.95  # not [-0.5, 0.5) / dim
    # uniform on [-1, 1): mean 0, mean |x| 1/2, a quarter of values beyond +-3/4
    assert abs(scaled.mean()) < 0.06
    assert abs(np.abs(scaled).mean() - 0.5) < 0.04
    assert abs((np.abs(scaled) > 0.75).mean() - 0.25) < 0.04
    assert not model._output_vectors.any()


@pytest.mark.slow
def test_kjv_pipeline_beats_random_vectors_by_a_wide_margin(kjv):
    from sklearn.model_selection import train_test_split

    X_tr, X_te, y_tr, y_te = train_test_split(
        kjv.data, kjv.book, test_size=0.25, random_state=0, stratify=kjv.book
    )

    def accuracy(epochs):
        pipe = make_pipeline(
            Word2VecVectorizer(vector_size=50, epochs=epochs, random_state=0, n_jobs=-1),
            StandardScaler(),  # so the control's tiny random vectors are not penalised
            LogisticRegression(max_iter=300),
        )
        return pipe.fit(X_tr, y_tr).score(X_te, y_te)

    # measured: about 0.19 untrained, 0.30 after 3 epochs (66 books, chance 1.5%)
    trained, untrained = accuracy(3), accuracy(0)
    assert untrained < 0.25
    assert trained > untrained + 0.08


def test_fit_transform_equals_fit_then_transform_and_reads_a_generator_once(planted):
    docs, _, _ = planted
    a = Word2VecVectorizer(**SMALL).fit_transform(d for d in docs)
    b = Word2VecVectorizer(**SMALL).fit(docs).transform(docs)
    assert a.dtype == np.float32 and a.shape == (len(docs), 16)
    np.testing.assert_array_equal(a, b)


def test_same_seed_same_vectors_list_or_generator_and_other_seed_differs(planted):
    docs, _, _ = planted
    a = Word2VecVectorizer(**SMALL).fit(docs).wv_.vectors
    b = Word2VecVectorizer(**SMALL).fit(iter(docs)).wv_.vectors
    c = Word2VecVectorizer(**{**SMALL, "random_state": 1}).fit(docs).wv_.vectors
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


_HASHSEED_SCRIPT = """
import hashlib, sys
from skembed import Word2VecVectorizer
docs = ["alpha beta gamma delta " * 3, "beta gamma epsilon zeta", "zeta eta theta alpha"] * 30
m = Word2VecVectorizer(vector_size=8, min_count=1, epochs=2, random_state=3).fit(docs)
print(hashlib.sha256(m.wv_.vectors.tobytes() + " ".join(m.wv_.index_to_key).encode()).hexdigest())
"""


@pytest.mark.slow
def test_identical_vectors_across_hash_seeds_in_separate_processes():
    digests = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _HASHSEED_SCRIPT], env=env,
                             capture_output=True, text=True, check=True)  # fmt: skip
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_one_huge_document_trains_on_both_cores():
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(2000)])
    doc = " ".join(words[rng.zipf(1.3, size=1_000_000).clip(1, 2000) - 1])
    model = Word2VecVectorizer(vector_size=10, epochs=1, n_jobs=2, random_state=0).fit([doc])
    assert model.n_iter_ == 1 and np.isfinite(model.loss_curve_[0])
    assert model.words_per_second_ > 0
    # the single document was cut into chunks that the two threads share
    from skembed.corpus._encoding import Corpus, make_chunks

    corpus = Corpus(np.zeros(1_000_000, np.int32), np.array([0, 1_000_000]))
    assert len(make_chunks(corpus.segments())) - 1 >= 50


def test_sklearn_contract_clone_params_pickle_and_pandas_output(planted):
    docs, _, _ = planted
    model = Word2VecVectorizer(**SMALL)
    assert clone(model).get_params() == model.get_params()
    model.set_params(window=3)
    assert model.window == 3
    model.fit(docs)
    names = model.get_feature_names_out()
    assert names.tolist()[:2] == ["word2vecvectorizer0", "word2vecvectorizer1"]
    assert len(names) == 16
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.transform(docs[:5]), model.transform(docs[:5]))
    assert restored.vocabulary_ == model.vocabulary_
    frame = model.set_output(transform="pandas").transform(docs[:3])
    assert list(frame.columns) == names.tolist() and frame.shape == (3, 16)


def test_fitted_state(planted):
    docs, word_topic, _ = planted
    model = Word2VecVectorizer(**SMALL).fit(docs)
    assert set(model.vocabulary_) == set(word_topic)
    assert model.vocabulary_ == {w: i for i, w in enumerate(model.wv_.index_to_key)}
    assert model._output_vectors.shape == model.wv_.vectors.shape
    assert model.wv_.counts.sum() == sum(len(d.split()) for d in docs)
    assert np.all(np.diff(model.wv_.counts) <= 0)
    assert model.idf_.shape == (len(model.wv_),)


def test_unknown_words_are_skipped_and_unknown_documents_give_zero_rows(planted):
    docs, _, _ = planted
    model = Word2VecVectorizer(**SMALL).fit(docs)
    X = model.transform(["zzz qqq", "", docs[0] + " zzz"])
    assert np.all(X[0] == 0) and np.all(X[1] == 0)
    np.testing.assert_allclose(X[2], model.transform([docs[0]])[0], rtol=1e-6)


def test_pooling_mean_equals_numpy_mean(planted):
    docs, _, _ = planted
    model = Word2VecVectorizer(**SMALL).fit(docs)
    words = docs[7].split()
    expected = np.mean([model.wv_[w] for w in words], axis=0)
    np.testing.assert_allclose(model.transform([docs[7]])[0], expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        ("a bare string", TypeError, "single str"),
        ([["tokens", "list"]], TypeError, "document 0 is of type list"),
        (["fine", 3], TypeError, "document 1 is of type int"),
        ([], ValueError, "X is empty"),
        (["", "  ", "!!"], ValueError, "no tokens"),
    ],
)
def test_bad_documents_raise_clear_errors(X, error, message):
    with pytest.raises(error, match=message):
        Word2VecVectorizer(min_count=1).fit(X)


def test_min_count_that_empties_the_vocabulary_names_the_parameter():
    with pytest.raises(ValueError, match=r"min_count=5 removed every word.*'b' occurs 2"):
        Word2VecVectorizer(min_count=5).fit(["a b c b"])


@pytest.mark.parametrize(
    ("params", "name"),
    [({"vector_size": 0}, "vector_size"), ({"window": -1}, "window"),
     ({"algorithm": "sg"}, "algorithm"), ({"sample": -0.1}, "sample"),
     ({"learning_rate": "fast"}, "learning_rate"), ({"input": "url"}, "input")],
)  # fmt: skip
def test_invalid_parameters_use_sklearn_constraint_messages(params, name):
    with pytest.raises(ValueError, match=f"The '{name}' parameter of Word2VecVectorizer"):
        Word2VecVectorizer(**params).fit(["a b c"])


def test_input_filename_reads_files(tmp_path):
    paths = []
    for i in range(3):
        path = tmp_path / f"doc{i}.txt"
        path.write_text("the quick brown fox jumps " * 20, encoding="utf-8")
        paths.append(str(path))
    model = Word2VecVectorizer(input="filename", **SMALL).fit(paths)
    assert "fox" in model.wv_
    with pytest.raises(ValueError, match="document 1"):
        Word2VecVectorizer(input="filename", **SMALL).fit([paths[0], str(tmp_path / "nope")])


def test_grid_search_with_process_workers_and_threading_backend(planted):
    docs, _, labels = planted
    from joblib import parallel_backend

    pipe = make_pipeline(Word2VecVectorizer(**{**SMALL, "n_jobs": 2}),
                         LogisticRegression(max_iter=200))  # fmt: skip
    search = GridSearchCV(pipe, {"word2vecvectorizer__window": [2, 4]}, cv=2, n_jobs=2)
    search.fit(docs, labels)
    assert search.best_score_ > 0.9
    with parallel_backend("threading", n_jobs=2):
        scores = cross_val_score(pipe, docs, labels, cv=2)
    assert np.all(scores > 0.9)


@pytest.mark.slow
def test_import_is_fast_and_compiles_nothing():
    code = (
        "import time; t = time.perf_counter(); import skembed; "
        "print(time.perf_counter() - t); import sys; print('numba' in sys.modules)"
    )
    best = min(
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout.split()[0]
        )  # fmt: skip
        for _ in range(3)
    )
    assert best < 1.0
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split()[1] == "False"


# ------------------------------------------------ CBOW and hierarchical softmax (issue 3)
_OBJECTIVES = {
    "skipgram+hs": dict(hs=True, negative=0),
    "skipgram+hs+ns": dict(hs=True),
    "cbow+ns": dict(algorithm="cbow"),
    "cbow+hs": dict(algorithm="cbow", hs=True, negative=0),
    "cbow+hs+ns": dict(algorithm="cbow", hs=True),
    "cbow+ns corrected": dict(algorithm="cbow", cbow_correction=True),
    "cbow+hs corrected": dict(algorithm="cbow", hs=True, negative=0, cbow_correction=True),
    "cbow+ns sum": dict(algorithm="cbow", cbow_mean=False),
}


@pytest.mark.parametrize("params", _OBJECTIVES.values(), ids=_OBJECTIVES.keys())
def test_each_objective_learns_planted_topics_and_its_untrained_control_does_not(planted, params):
    docs, word_topic, _ = planted
    common = dict(vector_size=20, min_count=1, sample=0, random_state=0, **params)
    model = Word2VecVectorizer(epochs=10, **common).fit(docs)
    control = Word2VecVectorizer(epochs=0, **common).fit(docs)
    assert topic_purity(model.wv_, word_topic) >= 0.9
    assert topic_purity(control.wv_, word_topic) < 0.5
    assert model.loss_curve_[-1] < model.loss_curve_[0]


def test_negative_zero_needs_hierarchical_softmax():
    with pytest.raises(ValueError, match=r"negative=0 with hs=False"):
        Word2VecVectorizer(negative=0, min_count=1).fit(["a b c"])
    with pytest.raises(ValueError, match="The 'negative' parameter of Word2VecVectorizer"):
        Word2VecVectorizer(negative=-1, hs=True).fit(["a b c"])
    with pytest.raises(ValueError, match="The 'hs' parameter of Word2VecVectorizer"):
        Word2VecVectorizer(hs="yes").fit(["a b c"])
    with pytest.raises(ValueError, match="The 'cbow_correction' parameter"):
        Word2VecVectorizer(cbow_correction=None).fit(["a b c"])


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_output_weights_of_each_objective_are_kept(planted, algorithm):
    docs, _, _ = planted
    both = Word2VecVectorizer(algorithm=algorithm, hs=True, **SMALL).fit(docs)
    n_words = len(both.wv_)
    assert both._output_vectors.shape == (n_words, 16)
    assert both._output_vectors_hs.shape == (n_words - 1, 16)
    assert np.abs(both._output_vectors).sum() > 0 and np.abs(both._output_vectors_hs).sum() > 0
    pure = Word2VecVectorizer(algorithm=algorithm, hs=True, negative=0, **SMALL).fit(docs)
    assert pure._output_vectors is None
    assert pure._output_vectors_hs.shape == (n_words - 1, 16)
    ns = Word2VecVectorizer(algorithm=algorithm, **SMALL).fit(docs)
    assert ns._output_vectors_hs is None
    # both objectives add their losses
    assert both.loss_curve_[0] > max(ns.loss_curve_[0], pure.loss_curve_[0])
    restored = pickle.loads(pickle.dumps(pure))
    np.testing.assert_array_equal(restored._output_vectors_hs, pure._output_vectors_hs)
    np.testing.assert_array_equal(restored.transform(docs[:3]), pure.transform(docs[:3]))


def test_cbow_options_are_reproducible_and_change_training(planted):
    docs, _, _ = planted

    def vectors(**params):
        return Word2VecVectorizer(**{**SMALL, **params}).fit(docs).wv_.vectors

    plain = vectors(algorithm="cbow")
    np.testing.assert_array_equal(plain, vectors(algorithm="cbow"))
    np.testing.assert_array_equal(plain, vectors(algorithm="cbow", learning_rate=0.05))
    assert not np.allclose(plain, vectors(algorithm="cbow", cbow_correction=True))
    assert not np.allclose(plain, vectors(algorithm="cbow", cbow_mean=False))
    assert not np.allclose(plain, vectors(algorithm="cbow", random_state=1))
    # the correction only concerns a mean; skip-gram ignores both CBOW options
    np.testing.assert_array_equal(
        vectors(algorithm="cbow", cbow_mean=False),
        vectors(algorithm="cbow", cbow_mean=False, cbow_correction=True),
    )
    np.testing.assert_array_equal(vectors(), vectors(cbow_mean=False, cbow_correction=True))


def test_hierarchical_softmax_with_a_single_word_vocabulary():
    model = Word2VecVectorizer(hs=True, negative=0, min_count=1, vector_size=4, epochs=2,
                               random_state=0).fit(["a a a a", "a a"])  # fmt: skip
    assert model._output_vectors_hs.shape == (0, 4)
    assert model.loss_curve_ == [0.0, 0.0]  # an empty path: the word is certain


@pytest.mark.parametrize("params", [dict(hs=True, negative=0), dict(algorithm="cbow", hs=True)])
def test_parallel_kernels_learn_planted_topics(params):
    from tests.conftest import planted_topics

    docs, word_topic, _ = planted_topics(n_docs=4000)  # several chunks for two threads
    model = Word2VecVectorizer(vector_size=20, min_count=1, epochs=3, sample=0, n_jobs=2,
                               random_state=0, **params).fit(docs)  # fmt: skip
    assert np.all(np.isfinite(model.loss_curve_))
    assert topic_purity(model.wv_, word_topic) >= 0.9

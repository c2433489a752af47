"""Fine-tuning: initial_vectors starts training from pre-trained rows, lock_factor slows them."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skembed import Word2VecVectorizer, WordVectors
from skembed.vectors import save

DOCS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog ran in the park",
    "the bird sang on the branch of the tree",
] * 20


def _pretrained(dim=6):
    # "cat" and "dog" are in the corpus, "zebra" only here; "bird" and the others are not here
    words = ["cat", "dog", "zebra", "the"]
    return WordVectors(words, np.random.RandomState(7).standard_normal((4, dim)) * 0.3)


ALGORITHMS = [
    dict(algorithm="skipgram"),
    dict(algorithm="cbow"),
    dict(algorithm="skipgram", hs=True, negative=0),
    dict(algorithm="cbow", hs=True, negative=2, clip_value=0.5),
]


@pytest.mark.parametrize("options", ALGORITHMS, ids=lambda o: "-".join(map(str, o.values())))
def test_lock_factor_zero_keeps_pretrained_rows_bit_identical_while_new_words_train(options):
    initial = _pretrained()
    params = dict(vector_size=50, min_count=1, epochs=3, random_state=0, **options)
    est = Word2VecVectorizer(initial_vectors=initial, lock_factor=0.0, **params).fit(DOCS)
    wv = est.wv_
    assert wv.vector_size == 6  # the vectors fix the dimension
    for word in initial.index_to_key:
        assert_array_equal(wv[word], initial[word])
    # new words moved from their random start: compare with an untrained control
    untrained = Word2VecVectorizer(vector_size=50, min_count=1, epochs=0, random_state=0,
                                   initial_vectors=initial, **options).fit(DOCS)  # fmt: skip
    for word in ["bird", "mat", "park"]:
        assert not np.array_equal(wv[word], untrained.wv_[word])
    for word in initial.index_to_key:
        assert_array_equal(untrained.wv_[word], initial[word])


def test_vocabulary_is_the_union_and_file_only_words_keep_their_vectors():
    initial = _pretrained()
    est = Word2VecVectorizer(vector_size=6, min_count=1, epochs=2, random_state=0,
                             initial_vectors=initial).fit(DOCS)  # fmt: skip
    words = est.wv_.index_to_key
    assert words[-1] == "zebra" and est.wv_.counts[-1] == 0  # only in the file: appended
    assert_array_equal(est.wv_["zebra"], initial["zebra"])
    assert not np.array_equal(est.wv_["cat"], initial["cat"])  # lock_factor=1 trains it


def test_initial_rows_are_the_starting_point_of_training():
    # trained from the initial rows, a word stays nearer to them than a word trained from
    # random rows does; and the seed's random rows are not what it starts from
    initial = _pretrained(dim=20)
    start = dict(vector_size=20, min_count=1, epochs=1, random_state=0, learning_rate=0.002)
    tuned = Word2VecVectorizer(initial_vectors=initial, **start).fit(DOCS)
    scratch = Word2VecVectorizer(**start).fit(DOCS)
    for word in ["cat", "dog", "the"]:
        near = np.linalg.norm(tuned.wv_[word] - initial[word])
        far = np.linalg.norm(scratch.wv_[word] - initial[word])
        assert near < 0.5 * far, word
        assert not np.array_equal(tuned.wv_[word], initial[word])  # but it did train


def test_lock_factor_between_zero_and_one_slows_the_pretrained_rows():
    initial = _pretrained(dim=20)
    moved = []
    for lock in [0.0, 0.1, 1.0]:
        est = Word2VecVectorizer(vector_size=20, min_count=1, epochs=2, random_state=0,
                                 initial_vectors=initial, lock_factor=lock).fit(DOCS)  # fmt: skip
        moved.append(np.linalg.norm(est.wv_[["cat", "dog"]] - initial[["cat", "dog"]]))
    assert moved[0] == 0 < moved[1] < moved[2]


def test_initial_vectors_from_a_file_equal_those_from_memory(tmp_path):
    initial = _pretrained()
    path = tmp_path / "v.npz"
    save(initial, path)
    params = dict(vector_size=6, min_count=1, epochs=1, random_state=0)
    from_file = Word2VecVectorizer(initial_vectors=str(path), **params).fit(DOCS)
    from_memory = Word2VecVectorizer(initial_vectors=initial, **params).fit(DOCS)
    assert_array_equal(from_file.wv_.vectors, from_memory.wv_.vectors)
    assert "_initial_cache" not in vars(from_file)  # the loaded file is not kept


def test_partial_fit_grows_past_the_pretrained_rows_keeping_them_locked():
    initial = _pretrained()
    est = Word2VecVectorizer(vector_size=6, min_count=1, random_state=0, update_vocabulary=True,
                             initial_vectors=initial, lock_factor=0.0)  # fmt: skip
    est.partial_fit(DOCS[:4]).partial_fit(["a fox and a cat ran"] * 5)
    assert "fox" in est.wv_
    assert_array_equal(est.wv_["cat"], initial["cat"])


def test_errors_name_the_parameter(tmp_path):
    with pytest.raises(ValueError, match="lock_factor=0.5 with weight_decay=0.1"):
        Word2VecVectorizer(initial_vectors=_pretrained(), lock_factor=0.5,
                           weight_decay=0.1).fit(DOCS)  # fmt: skip
    with pytest.raises(TypeError, match="'initial_vectors' parameter"):
        Word2VecVectorizer(initial_vectors=Word2VecVectorizer()).fit(DOCS)
    with pytest.raises(ValueError, match="'lock_factor' parameter"):
        Word2VecVectorizer(lock_factor=1.5).fit(DOCS)
    with pytest.raises(OSError, match="missing.txt"):
        Word2VecVectorizer(initial_vectors=str(tmp_path / "missing.txt"), min_count=1).fit(DOCS)


@pytest.mark.parametrize("bucket", [0, 500])
def test_fasttext_words_of_the_file_start_from_their_vectors(bucket):
    from skembed import FastTextVectorizer

    initial = _pretrained()
    params = dict(vector_size=50, min_count=1, bucket=bucket, random_state=0)
    untrained = FastTextVectorizer(epochs=0, initial_vectors=initial, **params).fit(DOCS)
    assert untrained.wv_.vector_size == 6
    for word in initial.index_to_key:  # composed from word and n-gram rows, to rounding
        np.testing.assert_allclose(untrained.wv_[word], initial[word], rtol=1e-5, atol=1e-6)
    assert untrained.wv_.index_to_key[-1] == "zebra"
    params.update(vector_size=6, epochs=1, learning_rate=0.005)
    trained = FastTextVectorizer(initial_vectors=initial, **params).fit(DOCS)
    scratch = FastTextVectorizer(**params).fit(DOCS)
    for word in ["cat", "dog", "the"]:  # trained from the initial rows, not from random ones
        near = np.linalg.norm(trained.wv_[word] - initial[word])
        assert 0 < near < 0.5 * np.linalg.norm(scratch.wv_[word] - initial[word]), word


def test_fasttext_refuses_a_lock_factor_below_one():
    from skembed import FastTextVectorizer

    with pytest.raises(ValueError, match="lock_factor=0.5: FastTextVectorizer trains"):
        FastTextVectorizer(lock_factor=0.5, bucket=100).fit(DOCS)


@pytest.mark.slow
def test_fine_tuning_on_kjv_beats_pretrained_only_and_from_scratch():
    # Pre-train on the Old Testament, adapt to 2,000 New Testament verses, and classify the
    # New Testament's verses by book (27 books; 5-fold shuffled logistic regression).
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, cross_val_score

    from skembed import PretrainedVectorizer
    from skembed.datasets import load_kjv

    kjv = load_kjv()
    texts = np.array(kjv.data, dtype=object)
    new_testament = kjv.testament == "new"
    old, new, y = (
        list(texts[~new_testament]),
        list(texts[new_testament]),
        kjv.target[new_testament],
    )
    adapt = [new[i] for i in np.random.RandomState(0).choice(len(new), 2000, replace=False)]

    pre = Word2VecVectorizer(min_count=5, random_state=0).fit(old)
    models = {
        "pretrained": PretrainedVectorizer(vectors=pre.wv_).fit(adapt),
        "scratch": Word2VecVectorizer(min_count=2, epochs=20, random_state=0).fit(adapt),
        "fine-tuned": Word2VecVectorizer(min_count=2, random_state=0, initial_vectors=pre.wv_).fit(
            adapt
        ),  # fmt: skip
    }
    cv = KFold(5, shuffle=True, random_state=0)
    accuracy = {
        name: cross_val_score(
            LogisticRegression(max_iter=2000), model.transform(new), y, cv=cv
        ).mean()
        for name, model in models.items()
    }
    print(accuracy)
    assert accuracy["fine-tuned"] > accuracy["pretrained"] + 0.01
    assert accuracy["fine-tuned"] > accuracy["scratch"] + 0.005

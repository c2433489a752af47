"""A fastText model gives the same vectors, seen and unseen, after every round trip."""

import pickle

import numpy as np
import pytest

from skembed.text._subwords import ngram_ids
from skembed.vectors import FastTextWordVectors, load, save

UNSEEN = ["qqqq", "t0w1x", "xyzzy", "mat", "catalogue", "é", "dogs", "zz"]


@pytest.fixture(scope="module")
def full():
    rng = np.random.default_rng(0)
    words = ["cat", "cats", "dog", "catalog", "mate", "dogma"]
    return FastTextWordVectors(words, rng.normal(size=(6, 5)), rng.normal(size=(3000, 5)),
                               min_n=3, max_n=5, counts=[6, 5, 4, 3, 2, 1])  # fmt: skip


def _round_trips(wv, tmp_path):
    yield "pickle", pickle.loads(pickle.dumps(wv))
    for name, fmt in (("wv.npz", None), ("wv.bin", "fasttext")):
        save(wv, tmp_path / name, format=fmt)
        yield name, load(tmp_path / name)


def test_compacted_model_gives_the_same_vectors_after_every_round_trip(full, tmp_path):
    compact = full.compact()
    dropped = [w for w in UNSEEN if len(compact.get_subwords(w)[0]) < len(full.get_subwords(w)[0])]
    assert len(dropped) >= 4  # the words that show the rule
    before = {w: compact[w].copy() for w in UNSEEN}
    batch, _ = compact.unseen_vectors(UNSEEN)
    for name, other in _round_trips(compact, tmp_path):
        assert other.is_compact == (name != "wv.bin"), name
        np.testing.assert_array_equal(other.vectors, compact.vectors, err_msg=name)
        for word in UNSEEN:
            np.testing.assert_array_equal(other[word], before[word], err_msg=f"{name} {word}")
        np.testing.assert_array_equal(other.unseen_vectors(UNSEEN)[0], batch, err_msg=name)


def test_dropped_buckets_count_as_zero_rows(full):
    compact = full.compact()
    stored = set(compact.ngram_rows.tolist())
    position = {b: k for k, b in enumerate(compact.ngram_rows.tolist())}
    checked = 0
    for word in UNSEEN:
        buckets = ngram_ids(word, 3, 5, 3000, 0)
        kept = [b for b in buckets if b in stored]
        expected = np.zeros(5)
        if kept:
            rows = len(compact) + np.array([position[b] for b in kept])
            expected = compact._input[rows].sum(axis=0) / len(buckets)  # all n-grams count
            checked += len(kept) < len(buckets)
        np.testing.assert_allclose(compact[word], expected, rtol=1e-5, atol=1e-7)
        vectors, n_ngrams = compact.unseen_vectors([word])
        np.testing.assert_array_equal(vectors[0], compact[word])
        assert n_ngrams[0] == len(kept)
    assert checked >= 2
    # the full model with those buckets zeroed agrees bit for bit
    zeroed = FastTextWordVectors._from_input_matrix(
        full.index_to_key, compact.full_input_matrix(), min_n=3, max_n=5
    )
    for word in UNSEEN:
        np.testing.assert_array_equal(zeroed[word], compact[word])
    np.testing.assert_array_equal(zeroed.vectors, compact.vectors)


def test_uncompacted_model_gives_the_same_vectors_after_every_round_trip(full, tmp_path):
    before = {w: full[w].copy() for w in UNSEEN}
    for name, other in _round_trips(full, tmp_path):
        np.testing.assert_array_equal(other.vectors, full.vectors, err_msg=name)
        for word in UNSEEN:
            np.testing.assert_array_equal(other[word], before[word], err_msg=f"{name} {word}")


def test_a_compacted_model_missing_a_vocabulary_bucket_is_refused(full):
    compact = full.compact()
    with pytest.raises(ValueError, match="every n-gram of its vocabulary"):
        FastTextWordVectors._from_input_matrix(
            compact.index_to_key, compact._input[:-1], min_n=3, max_n=5,
            ngram_rows=compact.ngram_rows[:-1], bucket=3000,
        )  # fmt: skip


def test_a_default_fasttext_model_keeps_only_the_rows_training_touched():
    from skembed import FastTextVectorizer

    docs = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog"] * 20
    model = FastTextVectorizer(vector_size=8, min_count=1, epochs=1, random_state=0).fit(docs)
    wv = model.wv_
    assert wv.is_compact and wv.bucket == 2_000_000
    assert wv._input.shape[0] < 1000  # not 2,000,000 + n_words rows (64 MB)
    blob = pickle.dumps(model)
    assert len(blob) < 200_000
    back = pickle.loads(blob)
    for word in ["cats", "doggo", "zzz", "mat"]:
        np.testing.assert_array_equal(back.wv_[word], wv[word])
    np.testing.assert_array_equal(
        back.transform(["a cats doggo"]), model.transform(["a cats doggo"])
    )

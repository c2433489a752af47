"""Word2VecVectorizer's ``kernel``: batched (shared noise words) and per-pair training."""

import numpy as np
import pytest

from skembed import Word2VecVectorizer
from tests.conftest import planted_topics, topic_purity

COMMON = dict(vector_size=20, min_count=1, sample=0, random_state=0)


def _shuffled(docs, seed=0):
    """The same tokens and document lengths, with the words shuffled across documents."""
    tokens = [doc.split() for doc in docs]
    flat = np.array([w for doc in tokens for w in doc], dtype=object)
    np.random.default_rng(seed).shuffle(flat)
    out, start = [], 0
    for doc in tokens:
        out.append(" ".join(flat[start : start + len(doc)]))
        start += len(doc)
    return out


@pytest.mark.parametrize("n_jobs", [None, 2])
@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_batched_kernel_learns_planted_topics_and_a_shuffled_corpus_does_not(algorithm, n_jobs):
    docs, word_topic, _ = planted_topics(n_docs=2000)  # several chunks for two threads
    params = dict(COMMON, algorithm=algorithm, kernel="batched", epochs=5, n_jobs=n_jobs)
    model = Word2VecVectorizer(**params).fit(docs)
    control = Word2VecVectorizer(**params).fit(_shuffled(docs))
    assert topic_purity(model.wv_, word_topic) >= 0.9
    assert topic_purity(control.wv_, word_topic) < 0.5
    assert model.loss_curve_[-1] < model.loss_curve_[0]


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_kernels_differ_and_pairwise_is_the_default(planted, algorithm):
    docs, _, _ = planted

    def vectors(**params):
        return Word2VecVectorizer(**COMMON, algorithm=algorithm, epochs=2, **params).fit(docs)

    batched = vectors(kernel="batched")
    pairwise = vectors(kernel="pairwise")
    assert not np.allclose(batched.wv_.vectors, pairwise.wv_.vectors)
    np.testing.assert_array_equal(vectors().wv_.vectors, pairwise.wv_.vectors)
    # same seed, same kernel: identical (the serial batched kernel is reproducible)
    np.testing.assert_array_equal(vectors(kernel="batched").wv_.vectors, batched.wv_.vectors)
    # the loss is counted per pair (skip-gram) or per centre word (CBOW) by both kernels
    assert batched.loss_curve_[0] == pytest.approx(pairwise.loss_curve_[0], rel=0.2)


@pytest.mark.parametrize(
    "params", [dict(hs=True), dict(loss="nce"), dict(clip_value=0.1), dict(clip_norm=1.0)]
)
def test_batched_refuses_what_it_does_not_train(planted, params):
    docs, _, _ = planted
    est = Word2VecVectorizer(**COMMON, epochs=1, kernel="batched", **params)
    name = next(iter(params))
    with pytest.raises(ValueError, match=rf"kernel='batched'.*{name}"):
        est.fit(docs)
    assert not hasattr(est, "wv_")


def test_batched_refuses_negative_zero_and_bad_values():
    with pytest.raises(ValueError, match=r"kernel='batched'.*negative=0"):
        Word2VecVectorizer(kernel="batched", negative=0, hs=True).fit(["a b c"])
    with pytest.raises(ValueError, match="The 'kernel' parameter of Word2VecVectorizer"):
        Word2VecVectorizer(kernel="hogbatch").fit(["a b c"])


def test_batched_kernel_keeps_frozen_pretrained_rows_and_applies_dropout(planted):
    from skembed import WordVectors

    docs, _, _ = planted
    first = Word2VecVectorizer(**COMMON, epochs=1).fit(docs)
    words = first.wv_.index_to_key[:5]
    initial = WordVectors(words, first.wv_.vectors[:5].copy())
    tuned = Word2VecVectorizer(**COMMON, epochs=2, kernel="batched", initial_vectors=initial,
                               lock_factor=0.0).fit(docs)  # fmt: skip
    for i, word in enumerate(words):
        np.testing.assert_array_equal(tuned.wv_[word], initial.vectors[i])
    plain = Word2VecVectorizer(**COMMON, epochs=1, kernel="batched").fit(docs)
    dropped = Word2VecVectorizer(**COMMON, epochs=1, kernel="batched", dropout=0.5).fit(docs)
    # dropout reaches the batched kernel
    assert not np.allclose(plain.wv_.vectors, dropped.wv_.vectors)

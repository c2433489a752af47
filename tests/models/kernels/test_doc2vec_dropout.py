"""PV-DM word dropout: the kernel against the full-epoch NumPy reference, and the estimator."""

import numpy as np
import pytest

from skembed import Doc2VecVectorizer
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels import _doc2vec
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states
from tests import reference
from tests.conftest import planted_topics
from tests.models.kernels.test_doc2vec import _no_tree, _problem
from tests.models.test_doc2vec import _purity


def _epoch(dm_mean, dropout, kernel=_doc2vec.doc2vec_serial):
    tokens, _, seg, seg_rows, chunks, counts, syn0, dv, syn1, _ = _problem()
    keep = keep_probabilities(counts, 0.05)
    prob, index = noise_table(counts, 0.75)
    tree = _no_tree(syn0.shape[1])
    sig, log_sig = make_tables()
    n = len(chunks) - 1
    lrs = np.linspace(0.5, 0.1, n).astype(np.float32)
    seeds = seed_states(3, n)
    loss, count = np.zeros(n), np.zeros(n, np.int64)
    k = [a.copy() for a in (syn0, dv, syn1)]
    kernel(0, n, chunks, seg, seg_rows, tokens, k[0], k[1], k[2], keep, prob, index, 3, 3, False,
           *tree, True, dm_mean, False, lrs, seeds, sig, log_sig, 7, loss, count,
           dropout=dropout)  # fmt: skip
    r = [a.copy() for a in (syn0, dv, syn1)]
    ref = reference.doc2vec_epoch(tokens, seg, seg_rows, chunks, r[0], r[1], r[2], keep, prob,
                                  index, 3, 3, False, None, True, dm_mean, False, lrs, seeds,
                                  sig, log_sig, dropout)  # fmt: skip
    return k, r, loss, count, ref, (syn0, dv, syn1)


@pytest.mark.parametrize("dm_mean", [True, False])
@pytest.mark.parametrize("dropout", [0.3, 0.7])
def test_pv_dm_dropout_equals_the_reference_over_a_full_epoch(dm_mean, dropout):
    k, r, loss, count, ref, start = _epoch(dm_mean, dropout)
    assert count.tolist() == [x for _, x in ref]
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    for mine, theirs in zip(k, r, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)
    assert not np.allclose(k[1], start[1])
    plain, *_ = _epoch(dm_mean, None)
    assert not np.allclose(k[0], plain[0], atol=1e-4)  # the draws changed what trained


def test_pv_dm_dropout_parallel_kernel_trains_the_same_examples():
    *_, serial_count, _, _ = _epoch(True, 0.5)
    *_, parallel_count, _, _ = _epoch(True, 0.5, _doc2vec.doc2vec_parallel)
    np.testing.assert_array_equal(serial_count, parallel_count)


def test_pv_dm_dropout_learns_planted_topics():
    docs, _, labels = planted_topics(n_topics=4, words_per_topic=8, n_docs=400, doc_len=20)
    params = dict(vector_size=16, min_count=1, sample=0.0, random_state=0, dropout=0.3)
    trained = Doc2VecVectorizer(epochs=10, **params).fit(docs)
    control = Doc2VecVectorizer(epochs=0, **params).fit(docs)
    assert _purity(control.dv_.vectors, labels) < 0.4  # chance is 0.25
    assert _purity(trained.dv_.vectors, labels) > 0.65
    assert _purity(trained.transform(docs), labels) > 0.75
    default = Doc2VecVectorizer(epochs=2, **{**params, "dropout": 0.0}).fit(docs)
    again = Doc2VecVectorizer(epochs=2, **{**params, "dropout": 0.0}).fit(docs)
    np.testing.assert_array_equal(default.dv_.vectors, again.dv_.vectors)
    dropped = Doc2VecVectorizer(epochs=2, **params).fit(docs)
    assert not np.allclose(default.dv_.vectors, dropped.dv_.vectors)

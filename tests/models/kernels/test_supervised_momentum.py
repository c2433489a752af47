"""The supervised kernels with momentum, against a NumPy reference of the heavy-ball update."""

import numpy as np
import pytest

from skembed.models._kernels import _supervised
from tests.models.kernels.test_supervised import _problem
from tests.reference import supervised_targets

KINDS = [_supervised.SOFTMAX, _supervised.HS, _supervised.OVA]


def _reference(kind, chunk_ids, order, chunk_docs, offsets, feats, params, label_indptr,
               label_indices, tree, lrs, mu, velocities):  # fmt: skip
    """One call of the serial kernel with momentum, written from the heavy-ball update.

    ``params`` and ``velocities`` are ``[word_vecs, ngram_vecs, out_vecs]``, updated in place.
    """
    word_vecs, ngram_vecs, out_vecs = params
    vel_words, vel_ngrams, vel_out = velocities
    n_words = len(word_vecs)
    codes, points, code_indptr = tree
    losses, counts = [], []
    for i, c in enumerate(chunk_ids):
        total, n = 0.0, 0
        lr = float(lrs[i])
        for d in order[chunk_docs[c] : chunk_docs[c + 1]]:
            rows = feats[offsets[d] : offsets[d + 1]]
            if len(rows) == 0:
                continue
            stacked = np.array([word_vecs[r] if r < n_words else ngram_vecs[r - n_words]
                                for r in rows])  # fmt: skip
            hidden = stacked.mean(axis=0).astype(np.float64)
            labels = label_indices[label_indptr[d] : label_indptr[d + 1]]
            loss, targets = supervised_targets(
                kind, out_vecs, hidden, labels, codes, points, code_indptr
            )
            grad = np.zeros_like(hidden)
            for j, positive, p in targets:
                alpha = lr * (float(positive) - p)
                grad += alpha * out_vecs[j]  # read before the row moves
                vel_out[j] = mu * vel_out[j] + (alpha * hidden).astype(np.float32)
                out_vecs[j] += vel_out[j]
            grad /= len(rows)
            for r in rows:  # every entry, a repeated row twice
                vel, row = ((vel_words, word_vecs) if r < n_words
                            else (vel_ngrams, ngram_vecs))  # fmt: skip
                q = r if r < n_words else r - n_words
                vel[q] = mu * vel[q] + grad.astype(np.float32)
                row[q] += vel[q]
            total += loss
            n += 1
        losses.append(total)
        counts.append(n)
    return losses, counts


def _velocities(params, start):
    if start == "zero":
        return [np.zeros_like(a) for a in params]
    rng = np.random.default_rng(5)  # velocities carried over decay only when touched
    return [(rng.normal(size=a.shape) * 0.01).astype(np.float32) for a in params]


_CHUNKS = np.array([2, 0, 3, 1], dtype=np.int64)
_LRS = np.array([0.5, 0.4, 0.3, 0.2], dtype=np.float32)


def _kernel_call(kind, problem, params, kernel=None, chunk_ids=_CHUNKS, lrs=_LRS, **momentum):
    order, chunk_docs, offsets, feats, wv, _, _, lip, lix, tree = problem
    kernel = _supervised.supervised_serial if kernel is None else kernel
    loss = np.zeros(len(chunk_ids))
    count = np.zeros(len(chunk_ids), np.int64)
    kernel(kind, chunk_ids, order, chunk_docs, offsets, feats, len(wv), *params, lip, lix,
           *tree, lrs, loss, count, **momentum)  # fmt: skip
    return loss, count


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mu", [0.5, 0.9])
@pytest.mark.parametrize("start", ["zero", "moving"])
def test_momentum_call_equals_numpy_reference(kind, mu, start):
    problem = _problem(kind)
    order, chunk_docs, offsets, feats, wv, nv, ov, lip, lix, tree = problem
    # the problem repeats rows within documents and shares rows between them
    lists = [feats[a:b] for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    assert any(len(set(x.tolist())) < len(x) for x in lists)
    start_vel = _velocities([wv, nv, ov], start)
    k = [wv.copy(), nv.copy(), ov.copy()]
    kv = [v.copy() for v in start_vel]
    loss, count = _kernel_call(kind, problem, k, momentum=mu, vel_words=kv[0],
                               vel_ngrams=kv[1], vel_out=kv[2])  # fmt: skip
    r = [wv.copy(), nv.copy(), ov.copy()]
    rv = [v.copy() for v in start_vel]
    ref_loss, ref_count = _reference(kind, _CHUNKS, order, chunk_docs, offsets, feats, r, lip,
                                     lix, tree, _LRS, mu, rv)  # fmt: skip
    assert count.tolist() == ref_count
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-5)
    for got, want in zip(k + kv, r + rv, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    for v, v0 in zip(kv, start_vel, strict=True):
        assert np.abs(v - v0).sum() > 0  # word, n-gram and output rows all gathered velocity
    # and it is not plain SGD
    plain = [wv.copy(), nv.copy(), ov.copy()]
    _kernel_call(kind, problem, plain)
    for got, sgd in zip(k, plain, strict=True):
        assert not np.allclose(got, sgd, atol=1e-4)


@pytest.mark.parametrize("kind", KINDS)
def test_momentum_zero_with_velocities_is_plain_sgd(kind):
    problem = _problem(kind, seed=2)
    params = list(problem[4:7])
    a = [x.copy() for x in params]
    vel = [np.zeros_like(x) for x in params]
    a_loss, a_count = _kernel_call(kind, problem, a, momentum=0.0, vel_words=vel[0],
                                   vel_ngrams=vel[1], vel_out=vel[2])  # fmt: skip
    b = [x.copy() for x in params]
    b_loss, b_count = _kernel_call(kind, problem, b)
    np.testing.assert_array_equal(a_count, b_count)
    np.testing.assert_allclose(a_loss, b_loss, rtol=1e-6)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kind", KINDS)
def test_no_velocity_is_the_plain_kernel_bit_for_bit(kind):
    problem = _problem(kind, seed=3)
    params = list(problem[4:7])
    a = [x.copy() for x in params]
    a_out = _kernel_call(kind, problem, a)
    b = [x.copy() for x in params]
    b_out = _kernel_call(kind, problem, b, momentum=0.0, vel_words=None, vel_ngrams=None,
                         vel_out=None)  # fmt: skip
    for x, y in zip([*a, *a_out], [*b, *b_out], strict=True):
        np.testing.assert_array_equal(x, y)


def test_parallel_kernel_with_momentum_trains_the_same_chunks():
    # one chunk per call: no two threads share a row, so the result is the serial one
    kind = _supervised.SOFTMAX
    problem = _problem(kind, seed=1)
    params = list(problem[4:7])
    results = []
    for kernel in (_supervised.supervised_serial, _supervised.supervised_parallel):
        k = [x.copy() for x in params]
        vel = [np.zeros_like(x) for x in params]
        for c in range(4):
            _kernel_call(kind, problem, k, kernel=kernel, chunk_ids=np.array([c], np.int64),
                         lrs=np.array([0.3], np.float32), momentum=0.7, vel_words=vel[0],
                         vel_ngrams=vel[1], vel_out=vel[2])  # fmt: skip
        results.append(k + vel)
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)

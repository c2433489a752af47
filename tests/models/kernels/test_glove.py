"""GloVe kernels against NumPy references, finite differences and planted data."""

import numpy as np
import pytest

from skembed._training._driver import train_chunks
from skembed.models._glove import glove_step
from skembed.models._kernels._glove import (
    GloVeParams,
    glove_chunks_serial,
    init_glove_params,
)
from tests.reference import glove_epoch

X_MAX, ALPHA, CLIP = 100.0, 0.75, 100.0


def _random_params(rng, n_words, dim, scale=0.3):
    params = init_glove_params(n_words, dim, int(rng.integers(1 << 30)))
    for a in params[:4]:  # a random point, larger than the initialisation
        a[...] = rng.normal(scale=scale, size=a.shape)
    for a in params[4:]:  # accumulators as after some training
        a[...] = rng.uniform(1.0, 3.0, size=a.shape)
    return params


def _copy(params):
    return GloVeParams(*(a.copy() for a in params))


def _run(params, rows, cols, values, order, lr, chunk_starts=None):
    """Call the serial kernel directly; return (loss_out, count_out)."""
    if chunk_starts is None:
        chunk_starts = np.array([0, len(order)], dtype=np.int64)
    n_chunks = len(chunk_starts) - 1
    loss_out = np.zeros(n_chunks)
    count_out = np.zeros(n_chunks, dtype=np.int64)
    glove_chunks_serial(
        np.asarray(rows, np.int32),
        np.asarray(cols, np.int32),
        np.asarray(values, np.float64),
        np.asarray(order, np.int64),
        chunk_starts,
        np.full(n_chunks, lr),
        *params,
        X_MAX,
        ALPHA,
        CLIP,
        loss_out,
        count_out,
    )
    return loss_out, count_out


def _reference_steps(params, rows, cols, values, order, lr):
    """Stanford-style AdaGrad, one entry after the other, in float64."""
    W, C, bw, bc, gW, gC, gbw, gbc = (a.astype(np.float64) for a in params)
    loss = 0.0
    for e in order:
        i, j, x = rows[e], cols[e], values[e]
        diff = W[i] @ C[j] + bw[i] + bc[j] - np.log(x)
        fdiff = min(1.0, (x / X_MAX) ** ALPHA) * diff
        loss += 0.5 * fdiff * diff
        sw = np.clip(fdiff * C[j], -CLIP, CLIP) * lr
        sc = np.clip(fdiff * W[i], -CLIP, CLIP) * lr
        sb = np.clip(fdiff, -CLIP, CLIP) * lr
        W[i] -= sw / np.sqrt(gW[i])  # accumulator before the update
        C[j] -= sc / np.sqrt(gC[j])
        bw[i] -= sb / np.sqrt(gbw[i])
        bc[j] -= sb / np.sqrt(gbc[j])
        gW[i] += sw**2
        gC[j] += sc**2
        gbw[i] += sb**2
        gbc[j] += sb**2
    return GloVeParams(W, C, bw, bc, gW, gC, gbw, gbc), loss


@pytest.mark.parametrize(
    "rows, cols, values",
    [
        ([2], [5], [3.5]),  # one entry
        ([0, 1, 0, 3, 3, 2], [1, 1, 0, 2, 2, 4], [0.5, 150.0, 2.0, 1.0, 40.0, 7.0]),
    ],
)
def test_adagrad_step_matches_numpy_reference(rows, cols, values):
    rng = np.random.default_rng(0)
    params = _random_params(rng, 6, 8)
    rows, cols, values = np.array(rows), np.array(cols), np.array(values)
    order = rng.permutation(len(rows))  # repeated rows and columns interact
    expected, expected_loss = _reference_steps(params, rows, cols, values, order, lr=0.05)
    loss_out, count_out = _run(params, rows, cols, values, order, lr=0.05)
    assert count_out[0] == len(rows)
    np.testing.assert_allclose(loss_out[0], expected_loss, rtol=1e-5)
    for got, want, name in zip(params, expected, GloVeParams._fields, strict=True):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6, err_msg=name)


def test_gradient_clipping():
    rng = np.random.default_rng(1)
    params = _random_params(rng, 3, 4, scale=30.0)  # huge diff: gradients clipped
    before = _copy(params)
    rows, cols, values = np.array([0]), np.array([1]), np.array([500.0])
    expected, _ = _reference_steps(params, rows, cols, values, [0], lr=0.1)
    _run(params, rows, cols, values, [0], lr=0.1)
    for got, want in zip(params, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-5)  # values ~ 30
    step = np.abs(params.W[0] - before.W[0]) * np.sqrt(before.gradsq_W[0])
    assert np.all(step <= 0.1 * CLIP * (1 + 1e-6))
    assert np.sum(np.isclose(step, 0.1 * CLIP, rtol=1e-5)) >= 2  # clipped components


def _objective(W, C, bw, bc, rows, cols, values):
    diff = np.einsum("ed,ed->e", W[rows], C[cols]) + bw[rows] + bc[cols] - np.log(values)
    f = np.minimum(1.0, (values / X_MAX) ** ALPHA)
    return 0.5 * np.sum(f * diff**2)


def test_step_follows_finite_difference_gradient():
    # With unit accumulators and a small learning rate, one step moves every
    # parameter by -lr * gradient.  Entries touch distinct rows and columns, so
    # the step over the chunk is the step of the summed objective.
    rng = np.random.default_rng(2)
    n_words, dim = 8, 5
    params = _random_params(rng, n_words, dim)
    for a in params[4:]:
        a[...] = 1.0
    rows, cols = np.array([0, 3, 5]), np.array([2, 6, 1])
    values = np.array([4.0, 0.5, 250.0])
    point = [a.astype(np.float64) for a in params[:4]]

    numeric = [np.zeros_like(a) for a in point]
    h = 1e-6
    for p, g in zip(point, numeric, strict=True):
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = _objective(*point, rows, cols, values)
            p[idx] = old - h
            down = _objective(*point, rows, cols, values)
            p[idx] = old
            g[idx] = (up - down) / (2 * h)

    lr = 1e-3
    before = [a.copy() for a in params[:4]]
    _run(params, rows, cols, values, np.arange(3), lr=lr)
    for name, b, a, g in zip(("W", "C", "bw", "bc"), before, params[:4], numeric, strict=True):
        analytic = (b.astype(np.float64) - a) / lr
        np.testing.assert_allclose(analytic, g, rtol=2e-3, atol=2e-4, err_msg=name)
        touched = rows if name in ("W", "bw") else cols
        assert np.all(np.abs(g[touched]) > 0)


def _planted_cooccurrences(seed=0, n_words=40, rank=3):
    """Counts drawn from a planted log-bilinear model."""
    rng = np.random.default_rng(seed)
    U = rng.normal(size=(n_words, rank))
    V = rng.normal(size=(n_words, rank))
    log_x = U @ V.T / 2 + 2.0
    mask = rng.random((n_words, n_words)) < 0.6
    rows, cols = np.nonzero(mask)
    return rows.astype(np.int32), cols.astype(np.int32), np.exp(log_x[rows, cols])


def _production_epochs(rows, cols, values, params, *, seed, epochs, n_threads=1, lr=0.05,
                       x_max=X_MAX, chunk_size=97):  # fmt: skip
    """Train as GloVeVectorizer does: the production step (entries shuffled once, blocks
    in a new order each epoch) run by the driver at a constant rate; return the losses.

    The step's divergence bound is off: these tests look at the kernels alone.
    """
    order = np.random.default_rng(seed).permutation(len(rows))
    step = glove_step(
        np.asarray(rows, np.int32)[order], np.asarray(cols, np.int32)[order],
        np.asarray(values)[order], params, x_max=x_max, weighting_power=ALPHA,
        grad_clip=CLIP, chunk_entries=chunk_size,
    )  # fmt: skip
    step.max_loss = None
    counted = []
    run = step.run

    def counting_run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel):
        run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel)
        counted.append(int(count_out[lo:hi].sum()))

    step.run = counting_run
    result = train_chunks(
        step, epochs=epochs, schedule=lambda p: np.full(np.shape(p), lr),
        rng=np.random.RandomState(seed), n_threads=n_threads,
    )  # fmt: skip
    assert sum(counted) == epochs * len(rows)  # every entry visited once per epoch
    return np.array(result.loss_curve)


def _train(rows, cols, values, *, seed, epochs, n_threads=1, lr=0.05, dim=10, chunk_size=97):
    n_words = int(max(rows.max(), cols.max())) + 1
    params = init_glove_params(n_words, dim, seed)
    losses = _production_epochs(rows, cols, values, params, seed=seed, epochs=epochs,
                                n_threads=n_threads, lr=lr, chunk_size=chunk_size)  # fmt: skip
    return params, losses


def test_loss_decreases_on_planted_data():
    rows, cols, values = _planted_cooccurrences()
    params, losses = _train(rows, cols, values, seed=0, epochs=40)
    assert losses[-1] < 0.2 * losses[0]
    assert np.all(np.diff(losses[5:]) < 0.05 * losses[0])  # no blow-up on the way
    # The fit explains the planted log-counts better than the untrained start.
    W, C, bw, bc = params[:4]
    pred = np.einsum("ed,ed->e", W[rows], C[cols]) + bw[rows] + bc[cols]
    start = init_glove_params(W.shape[0], W.shape[1], 0)
    pred0 = np.einsum("ed,ed->e", start.W[rows], start.C[cols]) + start.bw[rows] + start.bc[cols]
    assert np.mean((pred - np.log(values)) ** 2) < 0.2 * np.mean((pred0 - np.log(values)) ** 2)


def test_serial_is_reproducible():
    rows, cols, values = _planted_cooccurrences(seed=1)
    a, loss_a = _train(rows, cols, values, seed=7, epochs=3)
    b, loss_b = _train(rows, cols, values, seed=7, epochs=3)
    c, _ = _train(rows, cols, values, seed=8, epochs=3)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(loss_a, loss_b)
    assert not np.array_equal(a.W, c.W)


def test_parallel_runs_and_reduces_loss():
    rows, cols, values = _planted_cooccurrences(seed=2)
    params, losses = _train(rows, cols, values, seed=0, epochs=30, n_threads=2, chunk_size=50)
    assert losses[-1] < 0.3 * losses[0]
    assert all(np.all(np.isfinite(a)) for a in params)


def test_no_nan_on_tiny_corpus_with_large_learning_rate():
    rows = np.array([0, 1, 2, 0, 1, 2, 0], np.int32)
    cols = np.array([1, 2, 0, 0, 1, 2, 2], np.int32)
    values = np.array([1e-3, 1e6, 1.0, 3.0, 1e-8, 50.0, 1e300])
    for lr in (1.0, 100.0, 1e6):
        params, losses = _train(rows, cols, values, seed=3, epochs=50, lr=lr, dim=4)
        assert all(np.all(np.isfinite(a)) for a in params), lr
        assert np.all(np.isfinite(losses)), lr


def test_non_finite_entries_are_skipped():
    rng = np.random.default_rng(4)
    params = _random_params(rng, 4, 3)
    before = _copy(params)
    # log(0) and log(-1) give non-finite differences: nothing moves, nothing counted.
    loss_out, count_out = _run(params, [0, 1], [1, 2], [0.0, -1.0], [0, 1], lr=0.5)
    assert count_out[0] == 0 and loss_out[0] == 0.0
    for x, y in zip(params, before, strict=True):
        np.testing.assert_array_equal(x, y)
    # A vector already overflowed to inf: the entry is skipped, not propagated.
    params.W[0, 0] = np.inf
    loss_out, count_out = _run(params, [0, 2], [1, 3], [5.0, 5.0], [0, 1], lr=0.5)
    assert count_out[0] == 1 and np.isfinite(loss_out[0])
    assert np.all(np.isfinite(params.C)) and np.all(np.isfinite(params.bc))


def test_chunks_and_learning_rates():
    rows, cols, values = _planted_cooccurrences(seed=5, n_words=10)
    order = np.random.default_rng(0).permutation(len(rows))
    starts = np.array([0, 7, 7, 30, len(rows)], dtype=np.int64)  # with an empty chunk
    a = init_glove_params(10, 4, 0)
    b = _copy(a)
    loss_out, count_out = _run(a, rows, cols, values, order, 0.05, chunk_starts=starts)
    np.testing.assert_array_equal(count_out, np.diff(starts))
    whole, _ = _run(b, rows, cols, values, order, 0.05)
    np.testing.assert_allclose(loss_out.sum(), whole[0], rtol=1e-12)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)  # chunking alone changes nothing
    # A zero learning rate in a chunk freezes the parameters during that chunk.
    c = init_glove_params(10, 4, 0)
    before = _copy(c)
    loss_out = np.zeros(1)
    count_out = np.zeros(1, np.int64)
    glove_chunks_serial(
        rows, cols, values, order, starts[:2], np.zeros(1), *c, X_MAX, ALPHA, CLIP,
        loss_out, count_out,
    )  # fmt: skip
    for x, y in zip(c, before, strict=True):
        np.testing.assert_array_equal(x, y)


def test_init_glove_params():
    p = init_glove_params(5, 4, 0)
    q = init_glove_params(5, 4, 0)
    assert all(a.dtype == np.float32 and a.flags.c_contiguous for a in p)
    assert p.W.shape == p.C.shape == (5, 4) and p.bw.shape == p.bc.shape == (5,)
    for a in p[:4]:
        assert np.all(np.abs(a) <= 0.5 / 4)
    for a in p[4:]:
        np.testing.assert_array_equal(a, 1.0)
    np.testing.assert_array_equal(p.W, q.W)
    assert not np.array_equal(p.W, p.C)
    with pytest.raises(ValueError, match="float32"):
        glove_epoch([0], [0], [1.0], GloVeParams(*(a.astype(np.float64) for a in p)), None)


def test_filled_parameters_are_one_draw_in_order_and_fill_in_place():
    # the values of drawing W, C, bw, bc from one generator as float64, in that order
    from skembed.models._kernels._glove import empty_glove_params, fill_glove_params

    n, d, seed = 7, 3, 11
    empty = empty_glove_params(n, d)
    assert all(a.dtype == np.float32 and not a.any() for a in empty)
    filled = fill_glove_params(empty, seed)
    assert all(a is b for a, b in zip(filled, empty, strict=True))  # the same arrays
    rng = np.random.default_rng(seed)
    expected = [((rng.random(shape) - 0.5) / d).astype(np.float32)
                for shape in ((n, d), (n, d), n, n)]  # fmt: skip
    for got, want in zip(filled[:4], expected, strict=True):
        np.testing.assert_array_equal(got, want)
    for a in filled[4:]:
        np.testing.assert_array_equal(a, 1.0)
    for a, b in zip(init_glove_params(n, d, seed), filled, strict=True):
        np.testing.assert_array_equal(a, b)


def _neighbour_topic_accuracy(vectors, topic):
    """Fraction of words whose nearest other word (cosine) shares their topic."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cos = unit @ unit.T
    np.fill_diagonal(cos, -np.inf)
    return np.mean(topic[np.argmax(cos, axis=1)] == topic)


def test_planted_topics_from_a_counted_corpus():
    from skembed.corpus._cooccur import count_cooccurrences

    rng = np.random.default_rng(0)
    n_topics, per_topic = 3, 8
    n_words = n_topics * per_topic
    topic = np.repeat(np.arange(n_topics), per_topic)
    docs = [rng.integers(0, per_topic, size=40) + per_topic * (d % n_topics) for d in range(60)]
    tokens = np.concatenate(docs).astype(np.int32)
    offsets = np.concatenate(([0], np.cumsum([len(d) for d in docs]))).astype(np.int64)
    X = count_cooccurrences(tokens, offsets, n_words, window=5).tocoo()
    params = init_glove_params(n_words, 10, 0)
    # Untrained control: chance is 7/23; random vectors reach 0.125 here.
    control = _neighbour_topic_accuracy(params.W + params.C, topic)
    losses = _production_epochs(X.row, X.col, X.data, params, seed=0, epochs=30, x_max=10.0,
                                chunk_size=64)  # fmt: skip
    assert losses[-1] < 0.01 * losses[0]
    assert control < 0.5
    assert _neighbour_topic_accuracy(params.W + params.C, topic) == 1.0


def test_epoch_visits_the_rng_permutation():
    # glove_epoch gathers the entries into the permutation drawn from `rng`;
    # the same kernel fed that permutation as `order` gives the same result,
    # and so does the in-place variant.
    rows, cols, values = _planted_cooccurrences(seed=6, n_words=12)
    start = init_glove_params(12, 6, 0)
    a, b, c = _copy(start), _copy(start), _copy(start)
    loss_a, n_a = glove_epoch(rows, cols, values, a, np.random.default_rng(5), chunk_size=10**9)
    order = np.random.default_rng(5).permutation(len(rows))
    loss_out, _ = _run(b, rows, cols, values, order, 0.05)
    r, co, v = rows.copy(), cols.copy(), values.copy()
    loss_c, _ = glove_epoch(r, co, v, c, np.random.default_rng(5), in_place=True)
    np.testing.assert_array_equal(r, rows[order])  # permuted in place
    assert n_a == len(rows)
    np.testing.assert_allclose(loss_a, loss_out[0] / len(rows), rtol=1e-12)
    np.testing.assert_allclose(loss_c, loss_a, rtol=1e-12)
    for x, y, z in zip(a, b, c, strict=True):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)
    # An empty `order` visits the entries in storage order.
    d, e = _copy(start), _copy(start)
    _run(d, rows, cols, values, np.arange(len(rows)), 0.05)
    _run(e, rows, cols, values, np.empty(0, np.int64), 0.05, np.array([0, len(rows)]))
    for x, y in zip(d, e, strict=True):
        np.testing.assert_array_equal(x, y)


def test_epoch_rejects_out_of_range_ids():
    params = init_glove_params(3, 2, 0)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="word ids"):
        glove_epoch([0, 3], [1, 1], [1.0, 2.0], params, rng)
    with pytest.raises(ValueError, match="same length"):
        glove_epoch([0, 1], [1], [1.0, 2.0], params, rng)
    assert np.isnan(glove_epoch([], [], [], params, rng)[0])

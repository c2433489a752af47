"""The mini-batched (shared noise words) kernels against a slow NumPy reference."""

import numpy as np
import pytest

from skembed.corpus._encoding import Corpus, make_chunks
from skembed.corpus._sampling import keep_probabilities, noise_table
from skembed.models._kernels import _batched
from skembed.models._kernels._sigmoid import make_tables
from skembed.utils._random import seed_states
from tests import reference
from tests.reference import Stream, log_sigmoid, sigmoid, subsample


def _shared_update(hidden, positives, noise, syn1, lr, sig, log_sig):
    """Mini-batch step: every gradient from the values before the batch; returns (loss, dH)."""
    hidden = np.asarray(hidden, dtype=np.float32)
    old = syn1.copy()
    loss = 0.0
    d_hidden = np.zeros_like(hidden)
    d_out = np.zeros_like(syn1)
    for b, p in enumerate(positives):
        targets = [(p, 1.0)] + [(t, 0.0) for t in noise if t != p]
        for t, label in targets:
            f = np.float32(np.dot(hidden[b].astype(np.float64), old[t].astype(np.float64)))
            loss -= log_sigmoid(f if label else -f, log_sig)
            g = np.float32((np.float32(label) - sigmoid(f, sig)) * np.float32(lr))
            d_hidden[b] += g * old[t]
            d_out[t] += g * hidden[b]
    syn1 += d_out
    return loss, d_hidden


def skipgram_batched_epoch(tokens, seg, chunks, syn0, syn1, keep, prob, index, window, negative,
                           lrs, seeds, sig, log_sig, lock=None, dropout=None):  # fmt: skip
    out = []
    for c in range(len(chunks) - 1):
        stream = Stream(seeds[c])
        loss, pairs = 0.0, 0
        for s in range(chunks[c], chunks[c + 1]):
            sent = subsample(tokens[seg[s] : seg[s + 1]], keep, stream)
            for i, centre in enumerate(sent):
                reach = window - stream.randbelow(window)
                context = []
                for j in range(max(0, i - reach), min(len(sent), i + reach + 1)):
                    if j == i:
                        continue
                    if dropout is not None and stream.uniform() < dropout:
                        continue
                    context.append(sent[j])
                if not context:
                    continue
                noise = [stream.alias(prob, index) for _ in range(negative)]
                hidden = syn0[context].copy()
                part, d_hidden = _shared_update(hidden, [centre] * len(context), noise, syn1,
                                                lrs[c], sig, log_sig)  # fmt: skip
                loss += part
                for b, w in enumerate(context):
                    syn0[w] += d_hidden[b] * (1.0 if lock is None else lock[w])
                pairs += len(context)
        out.append((loss, pairs))
    return out


def _flush(pending, syn0, syn1, prob, index, negative, cbow_mean, cbow_correction, stream, lr,
           sig, log_sig):  # fmt: skip
    """Train the pending CBOW examples against one draw of noise words; empty the list."""
    noise = [stream.alias(prob, index) for _ in range(negative)]
    hidden = []
    for _, context in pending:
        h = syn0[context].sum(axis=0, dtype=np.float32)
        hidden.append(h / np.float32(len(context)) if cbow_mean else h)
    part, d_hidden = _shared_update(np.array(hidden), [p for p, _ in pending], noise, syn1, lr,
                                    sig, log_sig)  # fmt: skip
    for b, (_, context) in enumerate(pending):
        scale = 1.0 / len(context) if cbow_mean and cbow_correction else 1.0
        for w in context:
            syn0[w] += np.float32(scale) * d_hidden[b]
    pending.clear()
    return part


def cbow_batched_epoch(tokens, seg, chunks, syn0, syn1, keep, prob, index, window, negative,
                       cbow_mean, cbow_correction, batch, lrs, seeds, sig, log_sig,
                       dropout=None):  # fmt: skip
    out = []
    for c in range(len(chunks) - 1):
        stream = Stream(seeds[c])
        loss, examples = 0.0, 0
        pending = []  # (centre, context words)
        for s in range(chunks[c], chunks[c + 1]):
            sent = subsample(tokens[seg[s] : seg[s + 1]], keep, stream)
            # batch lanes of ceil(m / batch) positions, read one step of every lane at a time
            stride = -(-len(sent) // batch)
            for i in sorted(range(len(sent)), key=lambda i: (i % stride, i // stride)):
                centre = sent[i]
                reach = window - stream.randbelow(window)
                lo, hi = max(0, i - reach), min(len(sent), i + reach + 1)
                if hi - lo < 2:
                    continue
                context = []
                for j in range(lo, hi):
                    if j == i:
                        continue
                    if dropout is not None and stream.uniform() < dropout:
                        continue
                    context.append(sent[j])
                if not context:
                    continue
                pending.append((centre, context))
                examples += 1
                if len(pending) == batch:
                    loss += _flush(pending, syn0, syn1, prob, index, negative, cbow_mean,
                                   cbow_correction, stream, lrs[c], sig, log_sig)  # fmt: skip
        if pending:
            loss += _flush(pending, syn0, syn1, prob, index, negative, cbow_mean,
                           cbow_correction, stream, lrs[c], sig, log_sig)  # fmt: skip
        out.append((loss, examples))
    return out


def _problem(seed=0, n_words=12, dim=6, n_docs=9):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 15, size=n_docs)
    tokens = rng.zipf(1.5, size=lengths.sum()).clip(1, n_words).astype(np.int32) - 1
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    counts = np.bincount(tokens, minlength=n_words) + 1
    syn0 = ((rng.random((n_words, dim)) - 0.5) / dim).astype(np.float32)
    syn1 = (rng.normal(size=(n_words, dim)) * 0.3).astype(np.float32)
    seg = Corpus(tokens, offsets).segments(max_length=7)
    chunks = make_chunks(seg, target=20)
    return tokens, seg, chunks, counts, syn0, syn1


def _tables(counts, sample):
    keep = keep_probabilities(counts, sample)
    prob, index = noise_table(counts, 0.75)
    return keep, prob, index, *make_tables()


@pytest.mark.parametrize("dropout", [None, 0.3])
@pytest.mark.parametrize("sample", [0.0, 0.05])
@pytest.mark.parametrize("window", [1, 3, 20])  # 20: wider than any segment (7 tokens)
def test_batched_skipgram_equals_numpy_reference(window, sample, dropout):
    tokens, seg, chunks, counts, syn0, syn1 = _problem()
    keep, prob, index, sig, log_sig = _tables(counts, sample)
    n = len(chunks) - 1
    lrs = np.linspace(0.5, 0.1, n).astype(np.float32)
    seeds = seed_states(3, n)
    lock = np.where(np.arange(len(counts)) % 3 == 0, 0.25, 1.0).astype(np.float32)
    loss, count = np.zeros(n), np.zeros(n, np.int64)
    k0, k1 = syn0.copy(), syn1.copy()
    _batched.skipgram_batched_serial(0, n, chunks, seg, tokens, k0, k1, keep, prob, index,
                                     window, 3, lrs, seeds, sig, log_sig, 7, loss, count, lock,
                                     dropout)  # fmt: skip
    r0, r1 = syn0.copy(), syn1.copy()
    ref = skipgram_batched_epoch(tokens, seg, chunks, r0, r1, keep, prob, index, window, 3,
                                 lrs, seeds, sig, log_sig, lock, dropout)  # fmt: skip
    assert count.tolist() == [p for _, p in ref]
    assert count.sum() > 0
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k0, r0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k1, r1, rtol=1e-4, atol=1e-6)
    assert not np.allclose(k0, syn0) and not np.allclose(k1, syn1)


@pytest.mark.parametrize("dropout", [None, 0.3])
@pytest.mark.parametrize(
    ("cbow_mean", "correction"), [(True, False), (True, True), (False, False)]
)
@pytest.mark.parametrize(("batch", "window"), [(1, 3), (4, 3), (3, 20)])
def test_batched_cbow_equals_numpy_reference(batch, window, cbow_mean, correction, dropout):
    tokens, seg, chunks, counts, syn0, syn1 = _problem(seed=2)
    keep, prob, index, sig, log_sig = _tables(counts, 0.05)
    n = len(chunks) - 1
    lrs = np.linspace(0.5, 0.1, n).astype(np.float32)
    seeds = seed_states(4, n)
    loss, count = np.zeros(n), np.zeros(n, np.int64)
    k0, k1 = syn0.copy(), syn1.copy()
    _batched.cbow_batched_serial(0, n, chunks, seg, tokens, k0, k1, keep, prob, index, window, 2,
                                 cbow_mean, correction, batch, lrs, seeds, sig, log_sig, 7, loss,
                                 count, None, dropout)  # fmt: skip
    r0, r1 = syn0.copy(), syn1.copy()
    ref = cbow_batched_epoch(tokens, seg, chunks, r0, r1, keep, prob, index, window, 2, cbow_mean,
                             correction, batch, lrs, seeds, sig, log_sig, dropout)  # fmt: skip
    assert count.tolist() == [e for _, e in ref]
    assert count.sum() > 0
    np.testing.assert_allclose(loss, [x for x, _ in ref], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(k0, r0, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(k1, r1, rtol=1e-4, atol=1e-6)
    assert not np.allclose(k0, syn0)


@pytest.mark.parametrize("batch", [1, 2, 4, 5])
@pytest.mark.parametrize("m", [0, 1, 3, 4, 9, 17])
def test_strided_order_reads_every_position_once_and_spreads_a_batch(m, batch):
    stride = -(-m // batch)
    order = [_batched.strided_position(v, batch, stride) for v in range(stride * batch)]
    kept = [i for i in order if i < m]
    assert sorted(kept) == list(range(m))
    if m:  # the first step reads the first word of every non-empty lane, stride apart
        lanes = -(-m // stride)
        assert kept[:lanes] == [lane * stride for lane in range(lanes)]


def test_one_context_word_without_shared_draws_is_the_per_pair_update():
    # window=1 over a two-word document: each centre has one context word, so a
    # batch of one pair; its draws (window, noise) match the per-pair kernel's
    tokens = np.array([0, 1], np.int32)
    seg = np.array([0, 2], np.int64)
    chunks = np.array([0, 1], np.int64)
    counts = np.array([5, 3])
    keep, prob, index, sig, log_sig = _tables(counts, 0.0)
    rng = np.random.default_rng(1)
    syn0 = rng.normal(size=(2, 4)).astype(np.float32)
    syn1 = rng.normal(size=(2, 4)).astype(np.float32)
    lrs, seeds = np.full(1, 0.2, np.float32), seed_states(7, 1)
    results = []
    for kernel in (_batched.skipgram_batched_serial, reference.sgns_serial):
        a0, a1 = syn0.copy(), syn1.copy()
        loss, count = np.zeros(1), np.zeros(1, np.int64)
        kernel(0, 1, chunks, seg, tokens, a0, a1, keep, prob, index, 1, 1, lrs, seeds, sig,
               log_sig, 2, loss, count)  # fmt: skip
        results.append((a0, a1, loss, count))
    # one noise word per pair: sharing changes nothing, nor does the batched order
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-5)
    np.testing.assert_array_equal(results[0][3], results[1][3])


@pytest.mark.parametrize("algorithm", ["skipgram", "cbow"])
def test_parallel_batched_kernel_trains_the_same_examples(algorithm):
    tokens, seg, chunks, counts, syn0, syn1 = _problem(seed=1)
    keep, prob, index, sig, log_sig = _tables(counts, 0.0)
    n = len(chunks) - 1
    lrs, seeds = np.full(n, 0.1, np.float32), seed_states(5, n)
    counts_out = []
    for parallel in (False, True):
        loss, count = np.zeros(n), np.zeros(n, np.int64)
        a0, a1 = syn0.copy(), syn1.copy()
        if algorithm == "skipgram":
            kernel = (_batched.skipgram_batched_parallel if parallel
                      else _batched.skipgram_batched_serial)  # fmt: skip
            kernel(0, n, chunks, seg, tokens, a0, a1, keep, prob, index, 2, 2, lrs, seeds, sig,
                   log_sig, 7, loss, count)  # fmt: skip
        else:
            kernel = _batched.cbow_batched_parallel if parallel else _batched.cbow_batched_serial
            kernel(0, n, chunks, seg, tokens, a0, a1, keep, prob, index, 2, 2, True, False, 3,
                   lrs, seeds, sig, log_sig, 7, loss, count)  # fmt: skip
        counts_out.append(count)
        assert np.isfinite(loss).all() and np.isfinite(a0).all()
    np.testing.assert_array_equal(counts_out[0], counts_out[1])

"""Slow, obviously-correct references for the numba kernels (pure Python + NumPy).

They consume the same random stream as the kernels (xorshift64* per chunk),
so a full epoch can be compared number by number on tiny inputs.
"""

import numpy as np

from skembed._kernels._sigmoid import MAX_EXP, TABLE_SIZE

M64 = (1 << 64) - 1
SCALE = TABLE_SIZE / (2.0 * MAX_EXP)


class Stream:
    """xorshift64* written with Python integers."""

    def __init__(self, seed):
        self.x = int(seed)

    def next_u64(self):
        x = self.x
        x ^= x >> 12
        x ^= (x << 25) & M64
        x ^= x >> 27
        self.x = x
        return (x * 2685821657736338717) & M64

    def uniform(self):
        return (self.next_u64() >> 11) * (1.0 / 9007199254740992.0)

    def randbelow(self, n):
        return ((self.next_u64() >> 32) * n) >> 32

    def alias(self, prob, index):
        x = self.next_u64()
        col = ((x >> 32) * len(prob)) >> 32
        coin = (x & 0xFFFFFFFF) / 4294967296.0
        return col if coin < prob[col] else int(index[col])


def sigmoid(f, table):
    f = float(f)
    if f >= MAX_EXP:
        return np.float32(1.0)
    if f <= -MAX_EXP:
        return np.float32(0.0)
    return table[int((f + MAX_EXP) * SCALE)]


def log_sigmoid(f, table):
    f = float(f)
    if f >= MAX_EXP:
        return 0.0
    if f <= -MAX_EXP:
        return f
    return float(table[int((f + MAX_EXP) * SCALE)])


def ns_update(h, syn1, target, negative, lr, prob, index, stream, sig, log_sig, grad):
    loss = 0.0
    for d in range(negative + 1):
        if d == 0:
            word, label = target, np.float32(1.0)
        else:
            word = stream.alias(prob, index)
            if word == target:
                continue
            label = np.float32(0.0)
        f = np.float32(np.dot(h.astype(np.float64), syn1[word].astype(np.float64)))
        loss -= log_sigmoid(f if d == 0 else -f, log_sig)
        g = np.float32((label - sigmoid(f, sig)) * np.float32(lr))
        grad += g * syn1[word]
        syn1[word] += g * h
    return loss


def subsample(tokens, keep, stream):
    kept = []
    for w in tokens:
        kp = float(keep[w])
        if kp < 1.0 and stream.uniform() >= kp:
            continue
        kept.append(int(w))
    return kept


def sgns_epoch(tokens, seg_offsets, chunk_segs, syn0, syn1, keep, prob, index, window,
               negative, lrs, seeds, sig, log_sig):  # fmt: skip
    """Skip-gram over all chunks, serially; returns per-chunk (loss, pairs)."""
    out = []
    for c in range(len(chunk_segs) - 1):
        stream = Stream(seeds[c])
        loss, pairs = 0.0, 0
        for s in range(chunk_segs[c], chunk_segs[c + 1]):
            sent = subsample(tokens[seg_offsets[s] : seg_offsets[s + 1]], keep, stream)
            for i, centre in enumerate(sent):
                reach = window - stream.randbelow(window)
                for j in range(max(0, i - reach), min(len(sent), i + reach + 1)):
                    if j == i:
                        continue
                    h = syn0[sent[j]].copy()
                    grad = np.zeros_like(h)
                    loss += ns_update(
                        h, syn1, centre, negative, lrs[c], prob, index, stream, sig, log_sig,
                        grad,
                    )  # fmt: skip
                    syn0[sent[j]] += grad
                    pairs += 1
        out.append((loss, pairs))
    return out

"""The supervised kernels against a plain NumPy reference of fastText's supervised update."""

import numpy as np
import pytest

from skembed.corpus._huffman import huffman_tree
from skembed.models._kernels import _supervised
from skembed.text._subwords import fasttext_hash, ngram_ids
from tests.reference import supervised_targets


def _rows(word_vecs, ngram_vecs, r):
    n_words = len(word_vecs)
    return word_vecs[r] if r < n_words else ngram_vecs[r - n_words]


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _reference(kind, chunk_ids, order, chunk_docs, offsets, feats, word_vecs, ngram_vecs,
               out_vecs, label_indptr, label_indices, tree, lrs):  # fmt: skip
    """One call of the serial kernel, written from fastText's supervised update."""
    codes, points, code_indptr = tree
    losses, counts = [], []
    for i, c in enumerate(chunk_ids):
        total, n = 0.0, 0
        lr = float(lrs[i])
        for d in order[chunk_docs[c] : chunk_docs[c + 1]]:
            rows = feats[offsets[d] : offsets[d + 1]]
            if len(rows) == 0:
                continue
            hidden = np.mean([_rows(word_vecs, ngram_vecs, r) for r in rows], axis=0)
            hidden = hidden.astype(np.float64)
            grad = np.zeros_like(hidden)
            labels = label_indices[label_indptr[d] : label_indptr[d + 1]]
            loss, targets = supervised_targets(
                kind, out_vecs, hidden, labels, codes, points, code_indptr
            )
            for j, positive, p in targets:  # each output row is read before its update
                alpha = lr * (float(positive) - p)
                grad += alpha * out_vecs[j]
                out_vecs[j] += (alpha * hidden).astype(np.float32)
            grad /= len(rows)
            for r in rows:
                row = _rows(word_vecs, ngram_vecs, r)
                row += grad.astype(np.float32)
            total += loss
            n += 1
        losses.append(total)
        counts.append(n)
    return losses, counts


def _problem(kind, seed=0, n_words=10, n_ngrams=7, n_classes=5, dim=6, n_docs=30):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 6, size=n_docs)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    feats = rng.integers(0, n_words + n_ngrams, size=offsets[-1]).astype(np.int32)
    word_vecs = rng.normal(scale=0.3, size=(n_words, dim)).astype(np.float32)
    ngram_vecs = rng.normal(scale=0.3, size=(n_ngrams, dim)).astype(np.float32)
    if kind == _supervised.OVA:  # multi-label: 0 to 2 labels per document
        label_lists = [rng.choice(n_classes, size=rng.integers(0, 3), replace=False)
                       for _ in range(n_docs)]  # fmt: skip
    else:
        label_lists = [[rng.integers(0, n_classes)] for _ in range(n_docs)]
    label_indptr = np.concatenate([[0], np.cumsum([len(x) for x in label_lists])]).astype(np.int64)
    label_indices = np.concatenate([np.asarray(x, np.int32) for x in label_lists]).astype(np.int32)
    counts = np.bincount(label_indices, minlength=n_classes) + 1
    if kind == _supervised.HS:
        tree = tuple(huffman_tree(counts))
        n_out = n_classes - 1
    else:
        tree = (np.zeros(0, np.uint8), np.zeros(0, np.int32), np.zeros(1, np.int64))
        n_out = n_classes
    out_vecs = rng.normal(scale=0.3, size=(n_out, dim)).astype(np.float32)
    order = rng.permutation(n_docs).astype(np.int64)
    chunk_docs = np.array([0, 7, 8, 20, n_docs], dtype=np.int64)
    return (order, chunk_docs, offsets, feats, word_vecs, ngram_vecs, out_vecs, label_indptr,
            label_indices, tree)  # fmt: skip


@pytest.mark.parametrize("kind", [_supervised.SOFTMAX, _supervised.HS, _supervised.OVA])
def test_serial_kernel_equals_numpy_reference(kind):
    order, chunk_docs, offsets, feats, wv, nv, ov, lip, lix, tree = _problem(kind)
    chunk_ids = np.array([2, 0, 3, 1], dtype=np.int64)  # a shuffled visit
    lrs = np.array([0.5, 0.4, 0.3, 0.2], dtype=np.float32)
    k = [wv.copy(), nv.copy(), ov.copy()]
    loss = np.zeros(4)
    count = np.zeros(4, np.int64)
    _supervised.supervised_serial(kind, chunk_ids, order, chunk_docs, offsets, feats, len(wv),
                                  *k, lip, lix, *tree, lrs, loss, count)  # fmt: skip
    r = [wv.copy(), nv.copy(), ov.copy()]
    ref_loss, ref_count = _reference(kind, chunk_ids, order, chunk_docs, offsets, feats, *r, lip,
                                     lix, tree, lrs)  # fmt: skip
    assert count.tolist() == ref_count
    assert count.sum() == (np.diff(offsets) > 0).sum()  # documents without a feature skipped
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-5)
    for got, want, before in zip(k, r, (wv, nv, ov), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        assert not np.allclose(got, before)  # every matrix was trained


def test_parallel_kernel_trains_the_same_chunks():
    # one chunk per call: no two threads share a row, so the result is the serial one
    kind = _supervised.SOFTMAX
    order, chunk_docs, offsets, feats, wv, nv, ov, lip, lix, tree = _problem(kind, seed=1)
    lrs = np.array([0.3], dtype=np.float32)
    results = []
    for kernel in (_supervised.supervised_serial, _supervised.supervised_parallel):
        k = [wv.copy(), nv.copy(), ov.copy()]
        loss, count = np.zeros(1), np.zeros(1, np.int64)
        for c in range(4):
            kernel(kind, np.array([c], np.int64), order, chunk_docs, offsets, feats, len(wv), *k,
                   lip, lix, *tree, lrs, loss, count)  # fmt: skip
        results.append(k)
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_softmax_gradient_matches_finite_differences():
    # one step with a tiny rate moves the output weights by -lr * d(loss)/d(weights)
    rng = np.random.default_rng(3)
    dim, n_classes = 4, 3
    wv = rng.normal(size=(2, dim)).astype(np.float32)
    ov = rng.normal(size=(n_classes, dim)).astype(np.float32)
    feats = np.array([0, 1], np.int32)
    offsets = np.array([0, 2], np.int64)
    lip, lix = np.array([0, 1], np.int64), np.array([2], np.int32)

    def loss_of(out):
        logits = out.astype(np.float64) @ wv.astype(np.float64).mean(axis=0)
        return -(logits[2] - np.log(np.exp(logits).sum()))

    numeric = np.zeros_like(ov, dtype=np.float64)
    for idx in np.ndindex(ov.shape):
        up, down = ov.astype(np.float64), ov.astype(np.float64)
        up[idx] += 1e-5
        down[idx] -= 1e-5
        numeric[idx] = (loss_of(up) - loss_of(down)) / 2e-5
    k = ov.copy()
    lr = 1e-3
    empty = (np.zeros(0, np.uint8), np.zeros(0, np.int32), np.zeros(1, np.int64))
    _supervised.supervised_serial(
        _supervised.SOFTMAX, np.array([0], np.int64), np.array([0], np.int64),
        np.array([0, 1], np.int64), offsets, feats, 2, wv.copy(), np.zeros((0, dim), np.float32),
        k, lip, lix, *empty, np.array([lr], np.float32), np.zeros(1), np.zeros(1, np.int64),
    )  # fmt: skip
    np.testing.assert_allclose((ov - k) / lr, numeric, rtol=1e-2, atol=1e-4)


def _features_reference(docs, vocab, word_ngrams, min_n, max_n, bucket):
    n_words = len(vocab)
    out = []
    for doc in docs:
        feats = []
        for w in doc:
            if w in vocab:
                feats.append(vocab[w])
            if w != "</s>":  # fastText's end-of-line token has no character n-grams
                feats.extend(ngram_ids(w, min_n, max_n, bucket, n_words).tolist())
        hashes = [np.int64(np.int32(np.uint32(fasttext_hash(w)))) for w in doc]
        for i in range(len(doc)):
            h = int(hashes[i]) & 0xFFFFFFFFFFFFFFFF
            for j in range(i + 1, min(i + word_ngrams, len(doc))):
                h = (h * 116049371 + (int(hashes[j]) & 0xFFFFFFFFFFFFFFFF)) & 0xFFFFFFFFFFFFFFFF
                feats.append(n_words + h % bucket)
        out.append(feats)
    return out


@pytest.mark.parametrize(("word_ngrams", "min_n", "max_n"), [(1, 2, 3), (2, 0, 0), (3, 3, 4)])
def test_document_features_equal_a_python_reference(word_ngrams, min_n, max_n):
    from skembed.models._classifier import FastTextClassifier

    docs = [["the", "cat", "sat"], [], ["dogs", "sat", "ñu"], ["cat"], ["ñu", "the", "new", "cat"]]
    words = ["the", "cat", "sat", "dogs", "ñu", "new"]
    tokens = np.array([words.index(w) for d in docs for w in d], np.int32)
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in docs])]).astype(np.int64)
    vocab = {"cat": 0, "the": 1, "sat": 2}  # "dogs", "ñu", "new" are out of the vocabulary
    clf = FastTextClassifier(word_ngrams=word_ngrams, min_n=min_n, max_n=max_n, bucket=97)
    from skembed.corpus._encoding import Corpus

    feat_offsets, feats = clf._features(Corpus(tokens, offsets), words, len(vocab), vocab)
    got = [feats[a:b].tolist() for a, b in zip(feat_offsets[:-1], feat_offsets[1:], strict=True)]
    assert got == _features_reference(docs, vocab, word_ngrams, min_n, max_n, 97)


@pytest.mark.parametrize(("word_ngrams", "min_n", "max_n"), [(2, 0, 0), (3, 2, 3)])
def test_documents_end_with_the_eos_token_as_fastText_lines_do(word_ngrams, min_n, max_n):
    # fastText reads "</s>" at the end of every line: a word row of its own (no character
    # n-grams) and the last word of the n-gram chains
    from skembed.corpus._encoding import encode_documents
    from skembed.models._classifier import FastTextClassifier

    texts = ["the cat sat", "", "dogs sat", "cat"]
    docs = [t.split() + ["</s>"] for t in texts]
    clf = FastTextClassifier(word_ngrams=word_ngrams, min_n=min_n, max_n=max_n, bucket=97,
                             tokenizer=str.split)  # fmt: skip
    corpus, words, counts = clf._encode_documents(texts)
    assert dict(zip(words, counts, strict=True))["</s>"] == len(texts)
    # the same as encoding the token lists with the token appended (the Python path)
    want = encode_documents(docs)
    np.testing.assert_array_equal(corpus.tokens, want[0].tokens)
    assert words == want[1]
    vocab = {"</s>": 0, "cat": 1, "sat": 2}
    feat_offsets, feats = clf._features(corpus, words, len(vocab), vocab)
    got = [feats[a:b].tolist() for a, b in zip(feat_offsets[:-1], feat_offsets[1:], strict=True)]
    assert got == _features_reference(docs, vocab, word_ngrams, min_n, max_n, 97)
    # eos_token=None reads the documents alone
    plain = clf.set_params(eos_token=None)._encode_documents(texts)[1]
    assert "</s>" not in plain


def test_mean_rows_serial_and_parallel_agree_and_skip_empty_documents():
    rng = np.random.default_rng(0)
    wv = rng.normal(size=(3, 4)).astype(np.float32)
    nv = rng.normal(size=(2, 4)).astype(np.float32)
    offsets = np.array([0, 2, 2, 5], np.int64)
    feats = np.array([0, 4, 1, 3, 3], np.int32)
    expected = np.array([(wv[0] + nv[1]) / 2, np.zeros(4), (wv[1] + 2 * nv[0]) / 3])
    for kernel in (_supervised.mean_rows_serial, _supervised.mean_rows_parallel):
        out = np.full((3, 4), np.nan, np.float32)
        kernel(offsets, feats, 3, wv, nv, out)
        np.testing.assert_allclose(out, expected, rtol=1e-6)


def _map_reference(feat_offsets, feats, n_words, bucket_ids):
    """Bucket features to rows with NumPy: a bucket without a row is dropped."""
    out_offsets, out_rows = [0], []
    for d in range(len(feat_offsets) - 1):
        for f in feats[feat_offsets[d] : feat_offsets[d + 1]]:
            if f < n_words:
                out_rows.append(f)
                continue
            i = np.searchsorted(bucket_ids, f - n_words)
            if i < len(bucket_ids) and bucket_ids[i] == f - n_words:
                out_rows.append(n_words + i)
        out_offsets.append(len(out_rows))
    return np.array(out_offsets), np.array(out_rows, dtype=np.int64)


@pytest.mark.parametrize("n_ids", [0, 1, 37])
@pytest.mark.parametrize("in_place", [False, True])
def test_map_bucket_features_matches_reference(n_ids, in_place):
    rng = np.random.default_rng(n_ids)
    n_words, n_buckets = 20, 60
    bucket_ids = np.sort(rng.choice(n_buckets, size=n_ids, replace=False)).astype(np.int64)
    lengths = rng.integers(0, 12, size=30)
    feat_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    feats = rng.integers(0, n_words + n_buckets, size=feat_offsets[-1])
    ref_offsets, ref_rows = _map_reference(feat_offsets, feats, n_words, bucket_ids)
    n_word_feats = int((feats < n_words).sum())
    out_offsets = np.empty_like(feat_offsets)
    if in_place:  # int32 features overwritten by their rows
        feats = feats.astype(np.int32)
        out_rows = feats
        tail = feats.copy()
    else:
        feats = feats.astype(np.int64)
        out_rows = np.full(len(feats), -7, dtype=np.int32)
        tail = out_rows.copy()
    n = _supervised.map_bucket_features(
        feat_offsets, feats, n_words, bucket_ids, out_offsets, out_rows
    )
    np.testing.assert_array_equal(out_offsets, ref_offsets)
    assert n == len(ref_rows)
    np.testing.assert_array_equal(out_rows[:n], ref_rows)
    if n_ids == 0:  # no bucket has a row: only the word features are left
        assert n == n_word_feats
    np.testing.assert_array_equal(out_rows[n:], tail[n:])  # nothing written past the rows

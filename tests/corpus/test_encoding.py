import numpy as np
import pytest

from skembed.corpus._encoding import (
    Corpus,
    build_vocabulary,
    encode_documents,
    encode_with_vocabulary,
    make_chunks,
    remap,
)


def test_provisional_ids_follow_first_occurrence_and_counts_are_exact():
    corpus, words, counts = encode_documents([["b", "a", "b"], [], ["c", "a", "b"]])
    assert words == ["b", "a", "c"]
    assert counts.tolist() == [3, 2, 1]
    assert corpus.tokens.tolist() == [0, 1, 0, 2, 1, 0]
    assert corpus.offsets.tolist() == [0, 3, 3, 6]
    assert corpus.tokens.dtype == np.int32 and corpus.offsets.dtype == np.int64


def test_vocabulary_orders_by_count_then_first_occurrence():
    words = ["x", "y", "z", "w"]
    counts = np.array([2, 5, 2, 5])
    final, final_counts, mapping = build_vocabulary(words, counts, min_count=1)
    assert final == ["y", "w", "x", "z"]
    assert final_counts.tolist() == [5, 5, 2, 2]
    assert mapping.tolist() == [2, 0, 3, 1]


def test_min_count_and_max_final_vocab():
    words = ["x", "y", "z", "w"]
    counts = np.array([2, 5, 1, 3])
    final, _, mapping = build_vocabulary(words, counts, min_count=2)
    assert final == ["y", "w", "x"] and mapping[2] == -1
    final, _, _ = build_vocabulary(words, counts, min_count=1, max_final_vocab=2)
    assert final == ["y", "w"]


def test_remap_drops_unknown_tokens_and_keeps_document_boundaries():
    corpus = Corpus(np.array([0, 1, 2, 1, 2, 2], np.int32), np.array([0, 2, 3, 6], np.int64))
    out = remap(corpus, np.array([-1, 0, 1], np.int32))
    assert out.tokens.tolist() == [0, 1, 0, 1, 1]
    assert out.offsets.tolist() == [0, 1, 2, 5]


def test_max_vocab_size_prunes_rare_words_while_counting():
    docs = [["common", f"rare{i}"] for i in range(50)]
    _, words, counts = encode_documents(docs, max_vocab_size=10)
    alive = [w for w, c in zip(words, counts, strict=True) if c > 0]
    assert "common" in alive
    assert len(alive) <= 11  # bound respected up to the word just added
    assert counts[words.index("common")] == 50


def test_long_documents_are_segmented_never_truncated():
    corpus = Corpus(np.zeros(25_003, np.int32), np.array([0, 3, 3, 25_003], np.int64))
    seg = corpus.segments(max_length=10_000)
    assert seg.tolist() == [0, 3, 10_003, 20_003, 25_003]
    chunks = make_chunks(seg, target=10_000)
    assert chunks[0] == 0 and chunks[-1] == len(seg) - 1
    sizes = np.diff(seg[chunks])
    assert sizes.sum() == 25_003 and sizes.max() <= 20_000


def test_chunks_group_short_documents():
    offsets = np.arange(0, 1001, 10, dtype=np.int64)  # 100 documents of 10 tokens
    seg = Corpus(np.zeros(1000, np.int32), offsets).segments()
    chunks = make_chunks(seg, target=100)
    assert len(chunks) - 1 == 10
    assert np.all(np.diff(seg[chunks]) == 100)


def test_encode_with_fixed_vocabulary_skips_unknown_words():
    corpus = encode_with_vocabulary([["a", "zz", "b"], ["zz"]], {"a": 0, "b": 1})
    assert corpus.tokens.tolist() == [0, 1]
    assert corpus.offsets.tolist() == [0, 2, 2]


def test_subset_selects_documents():
    corpus = Corpus(np.arange(6, dtype=np.int32), np.array([0, 2, 3, 6], np.int64))
    sub = corpus.subset([2, 0])
    assert sub.tokens.tolist() == [3, 4, 5, 0, 1]
    assert sub.offsets.tolist() == [0, 3, 5]


@pytest.mark.parametrize("n_docs", [0, 1])
def test_empty_inputs_encode_to_empty_corpus(n_docs):
    corpus, words, counts = encode_documents([[]] * n_docs)
    assert corpus.n_tokens == 0 and corpus.n_documents == n_docs and words == []


def _remap_reference(corpus, mapping):
    """NumPy: gather, mask, and document bounds from the running count of kept tokens."""
    ids = mapping[corpus.tokens]
    keep = ids >= 0
    kept_before = np.concatenate([[0], np.cumsum(keep)])
    return ids[keep], kept_before[corpus.offsets]


def test_remap_kernel_equals_numpy_on_random_corpora():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n, n_ids = int(rng.integers(0, 60)), int(rng.integers(1, 12))
        tokens = rng.integers(0, n_ids, n).astype(np.int32)
        cuts = np.sort(rng.integers(0, n + 1, rng.integers(0, 7)))  # empty documents too
        offsets = np.concatenate([[0], cuts, [n]]).astype(np.int64)
        mapping = np.where(rng.random(n_ids) < 0.4, -1, rng.integers(0, 50, n_ids))
        mapping = mapping.astype(np.int32)
        out = remap(Corpus(tokens, offsets), mapping)
        want_tokens, want_offsets = _remap_reference(Corpus(tokens, offsets), mapping)
        assert out.tokens.dtype == np.int32 and out.offsets.dtype == np.int64
        np.testing.assert_array_equal(out.tokens, want_tokens)
        np.testing.assert_array_equal(out.offsets, want_offsets)


@pytest.mark.parametrize(
    ("tokens", "offsets", "match"),
    [
        ([0, 3], [0, 2], r"token ids must lie in \[0, 3\)"),
        ([0, -1], [0, 2], r"token ids must lie in \[0, 3\)"),
        ([0, 1], [0, 1], "offsets must run from 0"),
        ([0, 1, 2], [0, 2, 1, 3], "non-decreasing"),
    ],
)
def test_remap_refuses_ids_and_offsets_its_kernel_would_read_out_of_bounds(
    tokens, offsets, match
):
    corpus = Corpus(np.array(tokens, np.int32), np.array(offsets, np.int64))
    with pytest.raises(ValueError, match=match):
        remap(corpus, np.array([0, -1, 1], np.int32))


def test_remap_allocates_only_its_output():
    # NumPy's gather, mask, cumsum and concatenation held about 25 bytes a token;
    # the kernel writes the 4-byte result and the offsets, nothing else
    import tracemalloc

    rng = np.random.default_rng(1)
    n_tokens, n_docs = 2_000_000, 1_000
    corpus = Corpus(
        rng.integers(0, 1000, n_tokens).astype(np.int32),
        np.linspace(0, n_tokens, n_docs + 1).astype(np.int64),
    )
    mapping = np.arange(1000, dtype=np.int32)
    mapping[::2] = -1
    remap(corpus, mapping)  # compiled (or loaded) before measuring
    tracemalloc.start()
    try:
        out = remap(corpus, mapping)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.n_tokens == np.count_nonzero(mapping[corpus.tokens] >= 0)
    assert peak <= out.tokens.nbytes + out.offsets.nbytes + (1 << 16)

"""``max_vocab_size`` pruning: gensim's semantics, at a cost linear in the stream."""

import numpy as np
import pytest

from skembed.corpus._encoding import _Encoder, encode_documents


def _reference(docs, max_vocab_size):
    # the definition, one dict scan per prune: after a document leaves more than
    # max_vocab_size words alive, drop those seen at most min_reduce times (their earlier
    # occurrences count for nothing), then raise min_reduce by one
    index, words, seen, alive = {}, [], [], []
    tokens, offsets, min_reduce = [], [0], 1
    for doc in docs:
        for token in doc:
            i = index.get(token)
            if i is None:
                i = index[token] = len(words)
                words.append(token)
                seen.append(0)
                alive.append(True)
            seen[i] += 1
            tokens.append(i)
        offsets.append(len(tokens))
        if max_vocab_size is not None and len(index) > max_vocab_size:
            for token, i in list(index.items()):
                if seen[i] <= min_reduce:
                    del index[token]
                    alive[i] = False
            min_reduce += 1
    counts = [c if a else 0 for c, a in zip(seen, alive, strict=True)]
    return tokens, offsets, words, counts


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("max_vocab_size", [None, 1, 5, 30, 200])
def test_streaming_pruning_equals_the_dict_scan_definition(seed, max_vocab_size):
    rng = np.random.default_rng(seed)
    # Zipf-like words, so that some survive many prunes and others come back after one
    docs = [
        [f"w{k}" for k in rng.zipf(1.3, size=rng.integers(0, 40)) % 500]
        for _ in range(rng.integers(1, 120))
    ]
    corpus, words, counts = encode_documents(docs, max_vocab_size=max_vocab_size)
    tokens, offsets, ref_words, ref_counts = _reference(docs, max_vocab_size)
    assert words == ref_words
    assert counts.tolist() == ref_counts
    assert corpus.tokens.tolist() == tokens
    assert corpus.offsets.tolist() == offsets


def _examined(n_docs, new_per_doc=60, max_vocab_size=20):
    # every document brings more new words than the cap: a prune after each one
    encoder = _Encoder(max_vocab_size)
    for d in range(n_docs):
        encoder.add([f"d{d}w{i}" for i in range(new_per_doc)] + ["the", "of", "the"])
    encoder.result()
    assert encoder.min_reduce == n_docs + 1  # one prune per document, as gensim
    return encoder.n_examined / encoder.n_tokens


def test_pruning_after_every_document_examines_each_token_a_bounded_number_of_times():
    # before, each prune recounted the whole stream and scanned every id ever given:
    # the work per token grew with the number of documents
    small, large = _examined(50), _examined(400)
    assert small <= 3 and large <= 3
    assert large <= small * 1.1

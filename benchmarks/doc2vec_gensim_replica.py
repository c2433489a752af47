"""Why PV-DBOW's own-vector rank differed from gensim's: a replica of gensim's update.

Trains gensim's Doc2Vec (PV-DBOW, negative sampling) on KJV verses, then
replays the same training in a numba replica of gensim's per-document update
(its 48-bit linear congruential generator seeded per document from the
model's ``RandomState``, its ``cum_table`` and ``sample_int`` tables, the
sigmoid table it indexes at ``(f + 6) * 83``, and the rate it handed each
document).  The replica matches gensim's trained vectors to about 1e-4, which
shows the update is understood.  Then one ingredient at a time is changed:

- ``centre``: skembed's sigmoid table (bin centres, exact scale) instead of
  gensim's;
- ``words``: the rate decayed by words trained (skembed before the fix)
  instead of by documents (gensim's examples-based decay).

Each variant's own-vector rank (median rank of a verse's trained vector seen
from its inferred one) is measured with skembed's inference on the replica's
output rows, so only the training differs.

Usage::

    python benchmarks/doc2vec_gensim_replica.py --seeds 1 2 3

Needs the ``bench`` extra (gensim).
"""

import argparse
import sys

import numba
import numpy as np
from bench_doc2vec import kjv_documents, own_rank

from skembed import Doc2VecVectorizer

_LCG_MULT, _LCG_ADD, _LCG_MASK = 25214903917, 11, (1 << 48) - 1


@numba.njit(cache=False)
def _replay(flat, offs, dv, syn1, cum, sample_int, table, scale, seeds, rates, epochs):
    dim = dv.shape[1]
    work = np.zeros(dim, np.float32)
    buf = np.empty(flat.shape[0] + 1, np.int64)
    mult, add, mask = np.uint64(_LCG_MULT), np.uint64(_LCG_ADD), np.uint64(_LCG_MASK)
    call = 0
    for _ in range(epochs):
        for d in range(offs.shape[0] - 1):
            state = seeds[call]
            alpha = rates[call]
            call += 1
            m = 0
            for p in range(offs[d], offs[d + 1]):  # subsampling, one draw per known word
                draw = state >> np.uint64(16)
                state = (state * mult + add) & mask
                if sample_int[flat[p]] < draw:
                    continue
                buf[m] = flat[p]
                m += 1
            for i in range(m):
                word = buf[i]
                work[:] = 0.0
                for n in range(6):  # 1 positive, 5 noise words
                    if n == 0:
                        target, label = word, np.float32(1.0)
                    else:
                        target = np.searchsorted(cum, (state >> np.uint64(16)) % cum[-1])
                        state = (state * mult + add) & mask
                        if target == word:
                            continue
                        label = np.float32(0.0)
                    f = 0.0
                    for k in range(dim):
                        f += np.float64(dv[d, k]) * np.float64(syn1[target, k])
                    f = np.float32(f)
                    if f <= -6.0 or f >= 6.0:
                        continue
                    g = np.float32((label - table[int((f + np.float32(6.0)) * scale)]) * alpha)
                    for k in range(dim):
                        work[k] += g * syn1[target, k]
                    for k in range(dim):
                        syn1[target, k] += g * dv[d, k]
                for k in range(dim):
                    dv[d, k] += work[k]


def _rates_by_words(docs, epochs, start=0.025, end=1e-4, batch_words=10_000):
    """The rate of each document call when progress counts words (same job batching)."""
    lengths = np.array([len(d) for d in docs])
    total, done, batch, rate, out = lengths.sum() * epochs, 0, 0, start, []
    for _ in range(epochs):
        for n in lengths:
            if batch + n > batch_words:
                done, batch = done + batch, 0
                rate = start - (start - end) * done / total
            batch += n
            out.append(rate)
        done, batch = done + batch, 0
        rate = start - (start - end) * done / total
    return np.array(out, np.float32)


def run(seed, epochs, docs, texts, skembed_model):
    import gensim.models.doc2vec as gensim_doc2vec
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument

    rates = []
    original = gensim_doc2vec.train_document_dbow

    def recording(model, words, tags, alpha, *args, **kwargs):
        rates.append(alpha)
        return original(model, words, tags, alpha, *args, **kwargs)

    gensim_doc2vec.train_document_dbow = recording
    try:
        tagged = [TaggedDocument(d, [i]) for i, d in enumerate(docs)]
        model = Doc2Vec(dm=0, vector_size=100, window=5, negative=5, hs=0, min_count=5,
                        sample=1e-3, alpha=0.025, min_alpha=1e-4, workers=1, seed=seed,
                        epochs=epochs)  # fmt: skip
        model.build_vocab(tagged)
        start_dv, rng_state = model.dv.vectors.copy(), model.random.get_state()
        model.train(tagged, total_examples=len(tagged), epochs=epochs)
    finally:
        gensim_doc2vec.train_document_dbow = original
    replay_rng = np.random.RandomState()
    replay_rng.set_state(rng_state)
    n_calls = len(docs) * epochs
    seeds = np.array([2**24 * replay_rng.randint(0, 2**24) + replay_rng.randint(0, 2**24)
                      for _ in range(n_calls)], dtype=np.uint64)  # fmt: skip
    index = model.wv.key_to_index
    ids = [np.array([index[w] for w in d if w in index], np.int64) for d in docs]
    offs = np.concatenate([[0], np.cumsum([len(t) for t in ids])]).astype(np.int64)
    flat = np.concatenate(ids)
    sample_int = model.wv.expandos["sample_int"].astype(np.uint64)
    cum = model.cum_table.astype(np.uint64)
    gensim_table = np.exp((np.arange(1000, dtype=np.float32) / np.float32(1000) * 2 - 1) * 6)
    gensim_table = (gensim_table / (gensim_table + 1)).astype(np.float32)
    centres = (np.arange(1000) + 0.5) * 0.012 - 6
    centre_table = (1 / (1 + np.exp(-centres))).astype(np.float32)
    perm = np.array([index[w] for w in skembed_model.wv_.index_to_key])

    def rank(dv, syn1):
        skembed_model._output_vectors[:] = syn1[perm]
        return own_rank(skembed_model.transform(texts), dv)[0]

    variants = {
        "gensim (replica)": (gensim_table, 83.0, np.array(rates, np.float32)),
        "centre table": (centre_table, 1000 / 12, np.array(rates, np.float32)),
        "rates by words": (gensim_table, 83.0, _rates_by_words(docs, epochs)),
    }
    out = {"gensim itself": rank(model.dv.vectors, model.syn1neg)}
    for name, (table, scale, variant_rates) in variants.items():
        dv, syn1 = start_dv.copy(), np.zeros_like(model.syn1neg)
        _replay(flat, offs, dv, syn1, cum, sample_int, table, scale, seeds, variant_rates, epochs)
        if name == "gensim (replica)":
            out["replica max |difference|"] = float(np.abs(dv - model.dv.vectors).max())
        out[name] = rank(dv, syn1)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args(argv)
    docs, _ = kjv_documents("verse")
    texts = [" ".join(d) for d in docs]
    # a skembed model with the same vocabulary, for its inference only
    skembed_model = Doc2VecVectorizer(
        dm=False, vector_size=100, window=5, negative=5, min_count=5, sample=1e-3,
        epochs=args.epochs, tokenizer=str.split, lowercase=False, token_pattern=None,
        random_state=0,
    ).fit(texts)  # fmt: skip
    for seed in args.seeds:
        result = run(seed, args.epochs, docs, texts, skembed_model)
        print(f"seed {seed}: " + ", ".join(f"{k} {v:.4g}" for k, v in result.items()))
        sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Do gensim's sigmoid table or its decay by sentences move word2vec's quality?

Two differences between skembed's word2vec and gensim's, found while tracing
Doc2Vec's PV-DBOW gap (``doc2vec_gensim_replica.py``):

- gensim (like word2vec.c) reads its sigmoid table at bin
  ``int((f + 6) * (1000 / 6 / 2))`` with integer division, a scale of 83
  instead of 83.33, so it evaluates the sigmoid about 0.03 below ``f``;
  skembed reads bin centres at the exact scale;
- gensim decays the rate by sentences (examples) trained when given
  ``total_examples``, skembed by words; on KJV the first gives a rate about
  0.6% higher on average.

Each is tried on skembed's word2vec, paired by seed (the same random numbers):
``g83`` swaps in gensim's table, ``lr1.03`` scales the rate by 1.03 (five
times the schedule difference).  Reports WordSim-353, SimLex-999 and the
Google analogies, mean and paired difference against the unchanged model.

Usage::

    python benchmarks/word2vec_gensim_rules.py --seeds 1 2 3 4 5 6
"""

import argparse
import json

import numpy as np
from bench_word2vec import ALPHA, kjv_tokens, quality

import skembed.models._word2vec as word2vec_module
from skembed import Word2VecVectorizer
from skembed.models._kernels import _sigmoid

VARIANTS = ("base", "g83", "lr1.03")


def gensim_tables():
    """skembed's table layout holding the values gensim's lookup returns for each bin."""
    centres = (np.arange(_sigmoid.TABLE_SIZE) + 0.5) / _sigmoid._SCALE - _sigmoid.MAX_EXP
    table = np.exp((np.arange(1000) / 1000 * 2 - 1) * 6)
    table = table / (table + 1)
    sig = table[np.minimum((centres + 6) * 83, 999).astype(int)]
    return sig.astype(np.float32), np.log(sig).astype(np.float32)


def fit(texts, algorithm, seed, variant):
    original = word2vec_module.make_tables
    if variant == "g83":
        word2vec_module.make_tables = gensim_tables
    try:
        scale = 1.03 if variant == "lr1.03" else 1.0
        model = Word2VecVectorizer(
            algorithm=algorithm, vector_size=100, window=5, negative=5, min_count=5,
            sample=1e-3, epochs=5, learning_rate=ALPHA[algorithm] * scale,
            min_learning_rate=1e-4, tokenizer=str.split, lowercase=False, token_pattern=None,
            random_state=seed, n_jobs=1,
        ).fit(texts)  # fmt: skip
    finally:
        word2vec_module.make_tables = original
    return quality(model.wv_)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--algorithms", nargs="+", default=["skipgram", "cbow"])
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    texts = [" ".join(d) for d in kjv_tokens()]
    results = {}
    for algorithm in args.algorithms:
        runs = {v: [fit(texts, algorithm, s, v) for s in args.seeds] for v in VARIANTS}
        results[algorithm] = runs
        for variant in VARIANTS:
            cells = []
            for key in ("wordsim353", "simlex999", "analogy"):
                values = np.array([r[key] for r in runs[variant]])
                diff = values - np.array([r[key] for r in runs["base"]])
                se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
                cells.append(f"{key} {values.mean():.4f} ({diff.mean():+.4f} +- {se:.4f})")
            print(algorithm, variant, " | ".join(cells), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

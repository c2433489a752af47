"""How close fastText vectors of misspelt, unseen words land to the intended word.

skembed's FastTextVectorizer and gensim's FastText train on the same tokens
with the same settings (skip-gram or CBOW, dim 100, window 5, negative 5,
min_count 5, n-grams 3 to 6, ``--bucket`` buckets, sample 1e-3, 5 epochs, one
thread).  Typos are made from frequent words (ranks 100 to 2,000, at least
five letters) by dropping, swapping or replacing one inner letter, keeping
only those that are not corpus words at all.  Each typo's composed vector is
compared by cosine with the composed vectors of the 5,000 most frequent words;
the figure is the rank of the intended word (1: nearest).  Per run, the median
rank over the typos; over all runs of a library, the pooled median, the mean
of log2(rank) and the share of typos whose nearest word is the intended one.

A median over a few dozen typos moves by several ranks from seed to seed, so
use a few hundred typos and several seeds before reading a difference.

Usage::

    python benchmarks/bench_typos.py --seeds 0 1 2 --typos 200
    python benchmarks/bench_typos.py --corpus tokens.txt   # one document per line

Needs the ``bench`` extra (gensim).
"""

import argparse
import time

import numpy as np

LEARNING_RATE = {"skipgram": 0.025, "cbow": 0.05}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def read_documents(corpus):
    """Token lists: skembed's analyzer over KJV (and Reina-Valera), or a file's lines split."""
    if corpus in ("kjv", "kjv+rv"):
        from skembed import FastTextVectorizer
        from skembed.datasets import load_kjv, load_rv1909

        data = list(load_kjv().data)
        if corpus == "kjv+rv":
            data += list(load_rv1909().data)
        return [list(tokens) for tokens in FastTextVectorizer()._analyze(data)]
    with open(corpus, encoding="utf-8") as f:
        return [line.split() for line in f if line.strip()]


def make_typos(counts, n_typos, seed=123):
    """Return ``[(word, typo)]``: one-letter edits of frequent words that are no corpus word."""
    rng = np.random.default_rng(seed)
    ranked = [w for w, _ in sorted(counts.items(), key=lambda kv: -kv[1])]
    candidates = [w for w in ranked[100:2000] if len(w) >= 5 and w.isalpha()]
    pairs, used = [], set()
    for word in rng.permutation(candidates):
        i = int(rng.integers(1, len(word) - 1))
        kind = int(rng.integers(3))
        if kind == 0:
            typo = word[:i] + word[i + 1 :]
        elif kind == 1:
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            typo = word[:i] + LETTERS[int(rng.integers(26))] + word[i + 1 :]
        if typo != word and typo not in counts and typo not in used:
            pairs.append((str(word), typo))
            used.add(typo)
        if len(pairs) == n_typos:
            break
    return pairs


def train(lib, docs, algorithm, bucket, seed):
    """Return a function from a word to its (composed) vector."""
    settings = dict(vector_size=100, window=5, negative=5, min_count=5, min_n=3, max_n=6,
                    bucket=bucket, sample=1e-3, epochs=5)  # fmt: skip
    if lib == "skembed":
        from skembed import FastTextVectorizer

        model = FastTextVectorizer(
            algorithm=algorithm, learning_rate=LEARNING_RATE[algorithm], tokenizer=str.split,
            lowercase=False, token_pattern=None, random_state=seed, **settings,
        )  # fmt: skip
        model.fit([" ".join(d) for d in docs])
        return model.wv_.get_vector
    from gensim.models import FastText

    model = FastText(
        docs, sg=int(algorithm == "skipgram"), alpha=LEARNING_RATE[algorithm], seed=seed,
        workers=1, **settings,
    )  # fmt: skip
    return model.wv.get_vector


def ranks(vector, typos, top):
    matrix = np.stack([vector(w) for w in top]).astype(np.float64)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    position = {w: i for i, w in enumerate(top)}
    out = []
    for word, typo in typos:
        v = vector(typo).astype(np.float64)
        sims = matrix @ (v / np.linalg.norm(v))
        out.append(int((sims > sims[position[word]]).sum()) + 1)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="kjv", help="kjv, kjv+rv or a token file")
    parser.add_argument("--algorithm", choices=["skipgram", "cbow"], default="skipgram")
    parser.add_argument("--libs", nargs="+", default=["skembed", "gensim"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--typos", type=int, default=200)
    parser.add_argument("--bucket", type=int, default=200_000)
    args = parser.parse_args(argv)

    from collections import Counter

    docs = read_documents(args.corpus)
    counts = Counter(w for d in docs for w in d)
    top = [w for w, _ in counts.most_common(5000)]
    typos = make_typos(counts, args.typos)
    print(f"{sum(counts.values())} tokens, {len(typos)} typos, e.g. {typos[:3]}")
    pooled = {}
    for lib in args.libs:  # a library's seeds in a row, then the next library
        for seed in args.seeds:
            start = time.perf_counter()
            r = ranks(train(lib, docs, args.algorithm, args.bucket, seed), typos, top)
            pooled.setdefault(lib, []).extend(r)
            print(f"{lib} seed {seed}: median rank {np.median(r):g} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)  # fmt: skip
    for lib, r in pooled.items():
        r = np.asarray(r)
        print(f"{lib}: pooled median {np.median(r):g}, mean log2 rank {np.log2(r).mean():.3f}, "
              f"nearest {np.mean(r == 1):.3f}")  # fmt: skip


if __name__ == "__main__":
    main()

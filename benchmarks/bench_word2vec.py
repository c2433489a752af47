"""Word2VecVectorizer against gensim Word2Vec, side by side in one run.

Both libraries get the same token lists (skembed's analyzer is bypassed with
``tokenizer=str.split`` on space-joined tokens) and the same hyper-parameters:
vector_size 100, window 5, negative 5, min_count 5, sample 1e-3, alpha 0.025
(skip-gram) or 0.05 (CBOW), min_alpha 1e-4.  Runs are interleaved (skembed,
gensim, skembed, gensim, ...) and repeated, because this machine's timings
drift between identical runs; the table reports the best and the median.

Throughput is raw corpus tokens x epochs / training seconds, where training
seconds exclude tokenization and vocabulary building on both sides (skembed:
``train_time_``; gensim: the ``train()`` call after ``build_vocab``).  The
``fit`` column is the whole fit (encoding + vocabulary + training) for skembed
and ``build_vocab + train`` for gensim.

Usage::

    python benchmarks/bench_word2vec.py --corpus kjv --repeats 3
    python benchmarks/bench_word2vec.py --corpus zipf --zipf-tokens 10000000 --epochs 1

Needs the ``bench`` extra (gensim).
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

from skembed import Word2VecVectorizer, WordVectors
from skembed.datasets import load_kjv
from skembed.evaluation import analogy_accuracy, word_similarity_score

ALPHA = {"skipgram": 0.025, "cbow": 0.05}


def kjv_tokens():
    vec = Word2VecVectorizer()
    analyzer = vec._analyze(load_kjv().data)
    return [tokens for tokens in analyzer]


def zipf_tokens(n_tokens, n_types, doc_len=1000, seed=0):
    """Zipf(1) over ``n_types`` words, in documents of ``doc_len`` tokens."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_types + 1)
    ids = rng.choice(n_types, size=n_tokens, p=p / p.sum())
    words = np.array([f"w{i}" for i in range(n_types)], dtype=object)
    return [list(words[ids[i : i + doc_len]]) for i in range(0, n_tokens, doc_len)]


def run_skembed(sentences, algorithm, threads, epochs, seed):
    docs = [" ".join(s) for s in sentences]
    model = Word2VecVectorizer(
        algorithm=algorithm, vector_size=100, window=5, negative=5, min_count=5,
        sample=1e-3, epochs=epochs, learning_rate=ALPHA[algorithm], min_learning_rate=1e-4,
        tokenizer=str.split, lowercase=False, token_pattern=None, random_state=seed,
        n_jobs=threads,
    )  # fmt: skip
    start = time.perf_counter()
    model.fit(docs)
    fit = time.perf_counter() - start
    return model.train_time_, fit, model.wv_


def run_gensim(sentences, algorithm, threads, epochs, seed):
    from gensim.models import Word2Vec

    model = Word2Vec(
        vector_size=100, window=5, negative=5, min_count=5, sample=1e-3,
        sg=int(algorithm == "skipgram"), alpha=ALPHA[algorithm], min_alpha=1e-4,
        workers=threads, seed=seed, compute_loss=True,
    )  # fmt: skip
    start = time.perf_counter()
    model.build_vocab(sentences)
    t0 = time.perf_counter()
    model.train(sentences, total_examples=len(sentences), epochs=epochs, compute_loss=True)
    end = time.perf_counter()
    kv = model.wv
    return end - t0, end - start, WordVectors(kv.index_to_key, kv.vectors)


RUNNERS = {"skembed": run_skembed, "gensim": run_gensim}


def quality(wv):
    return {
        "wordsim353": word_similarity_score(wv, "wordsim353").spearman,
        "simlex999": word_similarity_score(wv, "simlex999").spearman,
        "analogy": analogy_accuracy(wv, "google").accuracy,
    }


def bench_speed(sentences, algorithm, threads, epochs, repeats):
    n_tokens = sum(len(s) for s in sentences)
    times = {name: [] for name in RUNNERS}
    fits = {name: [] for name in RUNNERS}
    for rep in range(repeats):
        for name, runner in RUNNERS.items():  # interleaved: A B A B ...
            train, fit, _ = runner(sentences, algorithm, threads, epochs, seed=rep + 1)
            times[name].append(train)
            fits[name].append(fit)
    row = {"algorithm": algorithm, "threads": threads, "tokens": n_tokens, "epochs": epochs}
    for name in RUNNERS:
        row[f"{name}_best_wps"] = n_tokens * epochs / min(times[name])
        row[f"{name}_median_wps"] = n_tokens * epochs / statistics.median(times[name])
        row[f"{name}_fit_best_s"] = min(fits[name])
    row["ratio_best"] = row["skembed_best_wps"] / row["gensim_best_wps"]
    row["ratio_median"] = row["skembed_median_wps"] / row["gensim_median_wps"]
    return row


def bench_quality(sentences, algorithm, threads, epochs, seeds):
    out = {}
    for name, runner in RUNNERS.items():
        scores = [
            quality(runner(sentences, algorithm, threads, epochs, seed)[2]) for seed in seeds
        ]
        out[name] = {k: (float(np.mean([s[k] for s in scores])),
                         float(np.std([s[k] for s in scores]))) for k in scores[0]}  # fmt: skip
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=["kjv", "zipf"], default="kjv")
    parser.add_argument("--zipf-tokens", type=int, default=10_000_000)
    parser.add_argument("--zipf-types", type=int, default=200_000)
    parser.add_argument("--algorithms", nargs="+", default=["skipgram", "cbow"])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quality-seeds", type=int, default=0, help="0: skip quality")
    parser.add_argument("--output", default=None, help="write results as JSON here")
    args = parser.parse_args(argv)

    if args.corpus == "kjv":
        sentences = kjv_tokens()
    else:
        sentences = zipf_tokens(args.zipf_tokens, args.zipf_types)
    n_tokens = sum(len(s) for s in sentences)
    types = len({w for s in sentences for w in s})
    print(f"corpus {args.corpus}: {n_tokens:,} tokens, {types:,} types, {len(sentences):,} docs")
    rows = []
    print("| algorithm | threads | skembed words/s best (median) | gensim words/s best (median) "
          "| ratio best | ratio median |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for algorithm in args.algorithms:
        for threads in args.threads:
            row = bench_speed(sentences, algorithm, threads, args.epochs, args.repeats)
            rows.append(row)
            print(
                f"| {algorithm} | {threads} | {row['skembed_best_wps']:,.0f} "
                f"({row['skembed_median_wps']:,.0f}) | {row['gensim_best_wps']:,.0f} "
                f"({row['gensim_median_wps']:,.0f}) | {row['ratio_best']:.2f}x "
                f"| {row['ratio_median']:.2f}x |",
                flush=True,
            )
    result = {"corpus": args.corpus, "tokens": n_tokens, "types": types, "speed": rows}
    if args.quality_seeds:
        result["quality"] = {}
        for algorithm in args.algorithms:
            q = bench_quality(sentences, algorithm, max(args.threads), args.epochs,
                              range(1, args.quality_seeds + 1))  # fmt: skip
            result["quality"][algorithm] = q
            for name, scores in q.items():
                text = ", ".join(f"{k} {m:.3f}+-{s:.3f}" for k, (m, s) in scores.items())
                print(f"quality {algorithm} {name}: {text}", flush=True)
    if args.output:
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        with open(args.output, "w") as fh:
            json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

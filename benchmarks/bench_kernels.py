"""Word2VecVectorizer's batched and per-pair kernels against gensim, side by side in one run.

Three trainers get the same token lists and hyper-parameters (as in
``bench_word2vec.py``): skembed with ``kernel="batched"`` (shared noise words,
HogBatch), skembed with ``kernel="pairwise"`` (word2vec's per-pair rule) and
gensim's Word2Vec.  Runs are interleaved (batched, pairwise, gensim, batched,
...) for each algorithm and thread count, because timings drift between
identical runs on a shared machine; the table reports the best and the median
of ``--repeats`` runs.  Throughput is raw corpus tokens x epochs / training
seconds (skembed: ``train_time_``; gensim: its ``train()`` call).

``--quality-seeds N`` also trains N seeds of each trainer and reports the mean
and standard deviation of WordSim-353, SimLex-999 and the Google analogies,
so that a speed-up can be read against its cost in quality.

Usage::

    python benchmarks/bench_kernels.py --corpus kjv --repeats 3
    python benchmarks/bench_kernels.py --corpus kjv --repeats 1 --quality-seeds 3
    python benchmarks/bench_kernels.py --repeats 0 --quality-seeds 8 --threads 1 \\
        --runners pairwise batched   # quality only
    python benchmarks/bench_kernels.py --corpus zipf --zipf-tokens 100000 --epochs 1 \\
        --repeats 1   # a smoke run

Needs the ``bench`` extra (gensim).
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_word2vec import ALPHA, kjv_tokens, quality, run_gensim, zipf_tokens  # noqa: E402

from skembed import Word2VecVectorizer  # noqa: E402


def run_skembed(sentences, algorithm, threads, epochs, seed, kernel):
    docs = [" ".join(s) for s in sentences]
    model = Word2VecVectorizer(
        algorithm=algorithm, vector_size=100, window=5, negative=5, min_count=5,
        sample=1e-3, epochs=epochs, learning_rate=ALPHA[algorithm], min_learning_rate=1e-4,
        tokenizer=str.split, lowercase=False, token_pattern=None, random_state=seed,
        n_jobs=threads, kernel=kernel,
    )  # fmt: skip
    start = time.perf_counter()
    model.fit(docs)
    return model.train_time_, time.perf_counter() - start, model.wv_


RUNNERS = {
    "batched": lambda *a, **k: run_skembed(*a, **k, kernel="batched"),
    "pairwise": lambda *a, **k: run_skembed(*a, **k, kernel="pairwise"),
    "gensim": run_gensim,
}


def bench_speed(sentences, algorithm, threads, epochs, repeats, runners):
    n_tokens = sum(len(s) for s in sentences)
    times = {name: [] for name in runners}
    for rep in range(repeats):
        for name in runners:  # interleaved: A B C A B C ...
            train, _, _ = RUNNERS[name](sentences, algorithm, threads, epochs, seed=rep + 1)
            times[name].append(train)
    row = {"algorithm": algorithm, "threads": threads, "tokens": n_tokens, "epochs": epochs}
    for name in runners:
        row[f"{name}_best_wps"] = n_tokens * epochs / min(times[name])
        row[f"{name}_median_wps"] = n_tokens * epochs / statistics.median(times[name])
    return row


def bench_quality(sentences, algorithm, threads, epochs, seeds, runners):
    out = {}
    for name in runners:
        scores = [
            quality(RUNNERS[name](sentences, algorithm, threads, epochs, seed)[2])
            for seed in seeds
        ]
        out[name] = {k: (float(np.mean([s[k] for s in scores])),
                         float(np.std([s[k] for s in scores]))) for k in scores[0]}  # fmt: skip
    return out


def speed_table(sentences, args, names):
    """Print the throughput table (markdown) and return its rows."""
    print("| algorithm | threads | " + " | ".join(f"{n} words/s best (median)" for n in names)
          + " |")  # fmt: skip
    print("|---|---|" + "---|" * len(names))
    rows = []
    for algorithm in args.algorithms:
        for threads in args.threads:
            row = bench_speed(sentences, algorithm, threads, args.epochs, args.repeats, names)
            rows.append(row)
            cells = " | ".join(
                f"{row[f'{n}_best_wps']:,.0f} ({row[f'{n}_median_wps']:,.0f})" for n in names
            )
            print(f"| {algorithm} | {threads} | {cells} |", flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=["kjv", "zipf"], default="kjv")
    parser.add_argument("--zipf-tokens", type=int, default=10_000_000)
    parser.add_argument("--zipf-types", type=int, default=200_000)
    parser.add_argument("--algorithms", nargs="+", default=["skipgram", "cbow"])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--runners", nargs="+", choices=list(RUNNERS), default=list(RUNNERS))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="0: skip speed")
    parser.add_argument("--quality-seeds", type=int, default=0, help="0: skip quality")
    parser.add_argument("--output", default=None, help="write results as JSON here")
    args = parser.parse_args(argv)

    if args.corpus == "kjv":
        sentences = kjv_tokens()
    else:
        sentences = zipf_tokens(args.zipf_tokens, args.zipf_types)
    n_tokens = sum(len(s) for s in sentences)
    print(f"corpus {args.corpus}: {n_tokens:,} tokens, {len(sentences):,} docs")
    names = args.runners
    rows = []
    if args.repeats:
        rows = speed_table(sentences, args, names)
    result = {"corpus": args.corpus, "tokens": n_tokens, "speed": rows}
    if args.quality_seeds:
        result["quality"] = {}
        for algorithm in args.algorithms:
            q = bench_quality(sentences, algorithm, max(args.threads), args.epochs,
                              range(1, args.quality_seeds + 1), names)  # fmt: skip
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

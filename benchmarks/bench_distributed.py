"""skembed.distributed.fit (word2vec, fastText) on a local Dask cluster against one process, KJV.

For each seed: one one-process fit (``n_jobs=None``), then, on a LocalCluster
of ``--workers`` single-threaded worker processes, one distributed fit per
``--syncs`` value (1 is averaging once per epoch, as Spark MLlib does) and
``--averaging`` mode.  Each fit reports WordSim-353 (Spearman, covered pairs), Google analogies
(3CosAdd, covered questions), training seconds, and for distributed fits the
rows and bytes moved per sync and the seconds per round (whole round, and
the slowest worker's kernel time).  The spread between seeds of the
one-process fit is the noise that the distributed fits are judged against.

Timings from a machine shared with other work are rough; quality figures
are not affected.

Usage::

    python benchmarks/bench_distributed.py --workers 2 4 --syncs 1 4 --seeds 0 1 2 3
    python benchmarks/bench_distributed.py --model fasttext --workers 2 --syncs 4 --seeds 0 1
    python benchmarks/bench_distributed.py --epochs 1 --vector-size 16 --seeds 0 --syncs 2 \\
        --max-docs 3000   # smoke run

Needs the ``dask`` extra.
"""

import argparse
import itertools
import json
import statistics
import sys
import time

from skembed import FastTextVectorizer, Word2VecVectorizer
from skembed.datasets import load_kjv
from skembed.evaluation import analogy_accuracy, word_similarity_score

MODELS = {"word2vec": Word2VecVectorizer, "fasttext": FastTextVectorizer}


def quality(vec):
    sim = word_similarity_score(vec, "wordsim353")
    ana = analogy_accuracy(vec, "google")
    return {
        "wordsim353": round(float(sim.spearman), 4),
        "wordsim_coverage": round(float(sim.coverage), 3),
        "analogy": round(float(ana.accuracy), 4),
        "analogy_coverage": round(float(ana.coverage), 3),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="word2vec", choices=sorted(MODELS))
    parser.add_argument("--algorithm", default="skipgram", choices=["skipgram", "cbow"])
    parser.add_argument("--bucket", type=int, default=200_000, help="fastText's n-gram buckets")
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--syncs", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--averaging", nargs="+", default=["adaptive"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--vector-size", type=int, default=100)
    parser.add_argument("--max-docs", type=int, default=None)
    parser.add_argument("--out", default=None, help="write the rows as JSON here")
    args = parser.parse_args(argv)

    import distributed

    from skembed.distributed import fit

    docs = list(load_kjv().data)[: args.max_docs]
    params = dict(
        algorithm=args.algorithm, vector_size=args.vector_size, epochs=args.epochs, min_count=5
    )
    if args.model == "fasttext":
        params["bucket"] = args.bucket
    model = MODELS[args.model]
    rows = []
    for seed in args.seeds:
        vec = model(**params, random_state=seed).fit(docs)
        rows.append({"mode": "one process", "workers": 1, "syncs": None, "seed": seed,
                     "seconds": round(vec.train_time_, 2), **quality(vec)})  # fmt: skip
        print(rows[-1], flush=True)
    for n_workers in args.workers:
        cluster = distributed.LocalCluster(
            processes=True, n_workers=n_workers, threads_per_worker=1, host="127.0.0.1",
            dashboard_address=None,
        )  # fmt: skip
        with cluster, distributed.Client(cluster) as client:
            for seed, syncs, averaging in itertools.product(
                args.seeds, args.syncs, args.averaging
            ):
                tic = time.perf_counter()
                vec, stats = fit(
                    model(**params, random_state=seed), docs, client,
                    syncs_per_epoch=syncs, averaging=averaging, return_stats=True,
                )  # fmt: skip
                rows.append({
                    "mode": f"distributed, {averaging}", "workers": n_workers,
                    "syncs": syncs,
                    "seed": seed, "seconds": round(stats["train_seconds"], 2),
                    "fit_seconds": round(time.perf_counter() - tic, 2), **quality(vec),
                    "rows_per_sync": [round(r) for r in stats["rows_per_sync"]],
                    "bytes_per_sync": round(stats["bytes_per_sync"]),
                    "seconds_per_round": round(stats["seconds_per_round"], 3),
                    "kernel_seconds_per_round": round(stats["kernel_seconds_per_round"], 3),
                    "words_per_worker": list(stats["words_per_worker"].values()),
                })  # fmt: skip
                print(rows[-1], flush=True)
    print("\nmode | workers | syncs/epoch | WordSim-353 mean (min..max) | analogies mean | seeds")
    groups = {}
    for r in rows:
        groups.setdefault((r["mode"], r["workers"], r["syncs"]), []).append(r)
    for (mode, workers, syncs), group in groups.items():
        sim = [r["wordsim353"] for r in group]
        ana = statistics.mean(r["analogy"] for r in group)
        print(f"{mode} | {workers} | {syncs or '-'} | {statistics.mean(sim):.3f} "
              f"({min(sim):.3f}..{max(sim):.3f}) | {ana:.4f} | {len(group)}")  # fmt: skip
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"model": args.model, "params": params, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""skembed.distributed.fit of Doc2VecVectorizer on a local Dask cluster against one process.

KJV chapters (1,189 documents labelled with their book group, as in
``bench_doc2vec.py``), the settings of ``bench_doc2vec.py``.  For each seed:
one one-process fit, then one distributed fit per ``--workers`` and
``--averaging`` on a LocalCluster of single-threaded workers (in-process
threads: quality only, no timing).  Each fit reports the book-group accuracy
(5-fold cross-validated LogisticRegression) of the trained document vectors
and of the vectors ``transform`` infers, and the cosine between the mean
document vectors of the first and the second half of the chapters.

The chapters are in book order, so each worker's shard holds whole books:
an offset shared by the vectors of one shard (see the guide) lines up with
the book groups and can raise the trained vectors' accuracy; the inferred
vectors come from the final word and output vectors alone and are the fair
comparison.

Usage::

    python benchmarks/bench_distributed_doc2vec.py --dm 0 1 --workers 2 4 --seeds 1 2
    python benchmarks/bench_distributed_doc2vec.py --dm 0 --workers 2 --seeds 1 \\
        --averaging hybrid --epochs 1   # smoke run

Needs the ``dask`` extra.
"""

import argparse
import itertools
import json
import os
import sys

import numpy as np

from skembed import Doc2VecVectorizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_doc2vec import group_accuracy, kjv_documents  # noqa: E402


def model(dm, seed, epochs):
    return Doc2VecVectorizer(
        dm=bool(dm), vector_size=100, window=5, negative=5, min_count=5, sample=1e-3,
        epochs=epochs, learning_rate=0.025, min_learning_rate=1e-4, tokenizer=str.split,
        lowercase=False, token_pattern=None, random_state=seed,
    )  # fmt: skip


def measure(vec, texts, groups):
    vectors = vec.dv_.vectors
    first, second = vectors[: len(vectors) // 2].mean(0), vectors[len(vectors) // 2 :].mean(0)
    cosine = first @ second / (np.linalg.norm(first) * np.linalg.norm(second))
    return {
        "accuracy_trained": round(group_accuracy(vectors, groups, 0), 4),
        "accuracy_inferred": round(group_accuracy(vec.transform(texts), groups, 0), 4),
        "halves_cosine": round(float(cosine), 4),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dm", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--averaging", nargs="+", default=["adaptive"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", default=None, help="write the rows as JSON here")
    args = parser.parse_args(argv)

    import distributed

    from skembed.distributed import fit

    docs, groups = kjv_documents("chapter")
    texts = [" ".join(d) for d in docs]
    rows = []
    for dm in args.dm:
        for seed in args.seeds:
            vec = model(dm, seed, args.epochs).fit(texts)
            rows.append({"dm": dm, "seed": seed, "mode": "one process", "workers": 1,
                         **measure(vec, texts, groups)})  # fmt: skip
            print(rows[-1], flush=True)
    for n_workers in args.workers:
        cluster = distributed.LocalCluster(
            processes=False, n_workers=n_workers, threads_per_worker=1, dashboard_address=None
        )
        with cluster, distributed.Client(cluster) as client:
            for dm, seed, averaging in itertools.product(args.dm, args.seeds, args.averaging):
                vec = fit(model(dm, seed, args.epochs), texts, client, averaging=averaging)
                rows.append({"dm": dm, "seed": seed, "mode": averaging, "workers": n_workers,
                             **measure(vec, texts, groups)})  # fmt: skip
                print(rows[-1], flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"epochs": args.epochs, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

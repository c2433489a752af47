"""Two source trees of skembed side by side: did a change cost speed?

Each tree (a checkout of the repository) is imported in its own subprocess
(``PYTHONPATH=<tree>``), which fits every estimator on the King James Bible on
one thread and reports ``train_time_`` (training only: encoding, vocabulary and
compilation excluded) and the whole ``fit`` time.  Runs alternate between the
trees (A B A B ...) and are repeated, because this machine's timings drift by a
third between identical runs; the table gives best and median times and the
ratio of the second tree's best to the first's (above 1: the second is slower).

Usage::

    python benchmarks/bench_versions.py OLD_TREE NEW_TREE --repeats 3

The first run of each tree compiles its kernels (numba's cache lives in the
tree), so an extra untimed warm-up run of each tree precedes the timed ones.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, sys, time
import skembed
from skembed import FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer
from skembed.datasets import load_kjv
docs = load_kjv().data
common = dict(vector_size=100, min_count=5, random_state=0, n_jobs=None)
models = {
    "word2vec-skipgram": lambda: Word2VecVectorizer(algorithm="skipgram", epochs=3, **common),
    "word2vec-cbow": lambda: Word2VecVectorizer(algorithm="cbow", epochs=3, **common),
    "word2vec-hs": lambda: Word2VecVectorizer(negative=0, hs=True, epochs=2, **common),
    "fasttext-skipgram": lambda: FastTextVectorizer(epochs=1, **common),
    "glove": lambda: GloVeVectorizer(epochs=5, **common),
}
out = {"file": skembed.__file__}
for name, make in models.items():
    model = make()
    start = time.perf_counter()
    model.fit(docs)
    out[name] = {"train": model.train_time_, "fit": time.perf_counter() - start}
print(json.dumps(out))
"""


def run(tree):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(tree))
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=tree,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trees", nargs=2, help="the old and the new checkout")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    for tree in args.trees:  # warm-up: compile into each tree's numba cache
        print("warm-up", run(tree)["file"], file=sys.stderr)
    runs = {tree: [] for tree in args.trees}
    for _ in range(args.repeats):
        for tree in args.trees:
            runs[tree].append(run(tree))
    old, new = args.trees
    names = [k for k in runs[old][0] if k != "file"]
    rows = []
    print("| model | old train s best (median) | new train s best (median) | new/old best | "
          "new/old median | old fit s best | new fit s best |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for name in names:
        o = [r[name]["train"] for r in runs[old]]
        n = [r[name]["train"] for r in runs[new]]
        of = min(r[name]["fit"] for r in runs[old])
        nf = min(r[name]["fit"] for r in runs[new])
        row = dict(model=name, old_best=min(o), old_median=statistics.median(o), new_best=min(n),
                   new_median=statistics.median(n), old_fit_best=of, new_fit_best=nf)  # fmt: skip
        rows.append(row)
        ratio_median = statistics.median(n) / statistics.median(o)
        print(f"| {name} | {min(o):.2f} ({statistics.median(o):.2f}) | {min(n):.2f} "
              f"({statistics.median(n):.2f}) | {min(n) / min(o):.2f} | "
              f"{ratio_median:.2f} | {of:.2f} | {nf:.2f} |")  # fmt: skip
    if args.output:
        with open(args.output, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()

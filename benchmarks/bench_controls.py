"""The cost of training controls on throughput (Word2VecVectorizer, KJV, skip-gram).

Runs are interleaved (plain, variant, plain, variant, ...) and repeated; the
table gives the median training time of each variant as a ratio to the plain
fit in the same rounds.  ``train_time_`` covers the kernels and the driver
(progress bar updates included) but not callbacks or validation scoring, so
the whole ``fit`` time is reported too.

Usage::

    python benchmarks/bench_controls.py --repeats 5
"""

import argparse
import contextlib
import io
import os
import statistics
import sys
import time

from skembed import Word2VecVectorizer
from skembed.datasets import load_kjv


def _noop(estimator, info):
    return False


VARIANTS = {
    "plain (verbose=0)": {},
    "progress bar (verbose=1)": {"verbose": 1},
    "callback": {"callbacks": [_noop]},
    "schedule cosine + warm-up": {"learning_rate_schedule": "cosine", "warmup_fraction": 0.1},
    "clip_norm": {"clip_norm": 1.0},
    "weight_decay": {"weight_decay": 0.01},
    "early stopping": {"early_stopping": True, "n_iter_no_change": 100},
}


def run(docs, params, threads):
    model = Word2VecVectorizer(random_state=0, n_jobs=threads, **params)
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):  # the bar's output, not its cost
        model.fit(docs)
    return model.train_time_, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    docs = load_kjv().data
    run(docs, {}, args.threads)  # compile
    rows = []
    for name, params in VARIANTS.items():
        base, variant, base_fit, variant_fit = [], [], [], []
        for _ in range(args.repeats):
            t, f = run(docs, {}, args.threads)
            base.append(t)
            base_fit.append(f)
            t, f = run(docs, params, args.threads)
            variant.append(t)
            variant_fit.append(f)
        ratio = statistics.median(variant) / statistics.median(base)
        fit_ratio = statistics.median(variant_fit) / statistics.median(base_fit)
        rows.append((name, statistics.median(variant), ratio, fit_ratio))
        print(f"| {name} | {statistics.median(variant):.2f} s | {ratio:.3f}x | {fit_ratio:.3f}x |",
              flush=True)  # fmt: skip
    print(f"load average: {os.getloadavg()}")
    return rows


if __name__ == "__main__":
    print("| variant | median training time | training time vs plain | fit time vs plain |")
    print("|---|---|---|---|")
    sys.exit(0 if main() else 1)

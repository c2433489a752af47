"""What fraction of the machine's peak float32 arithmetic each training kernel reaches.

The peak is measured, not taken from a data sheet: the best of ``--repeats``
float32 matrix products (``n x n`` by ``n x n``, ``2 n**3`` flops) through
NumPy's BLAS, limited to 1 and to 2 threads with threadpoolctl.  The kernels
are timed in ordinary fits on KJV (``train_time_``, the kernel's wall time;
reading and vocabulary excluded); the number of examples each trained is
counted by wrapping the driver's kernel call (the ``count_out`` it fills).

The flops of one example are the arithmetic of its update, counted as one
multiply and one add per element of a dot product or an axpy, with the
window of the fit (``d`` dimensions, ``k`` noise words):

============================  ============================================
skip-gram, negative sampling  ``(k + 1) * 6 d + 2 d`` per (context, centre)
                              pair: per output row a dot product, the
                              input's gradient and the row's update; then
                              the input row's update
CBOW, negative sampling       ``(k + 1) * 6 d + 3 C d`` per centre, ``C``
                              the mean context size (measured): the mean of
                              the context rows and the update of each
fastText skip-gram            ``(k + 1) * 6 d + 3 G d`` per pair, ``G`` the
                              mean rows of an input word (the word and its
                              n-gram buckets, measured)
GloVe (AdaGrad)               ``16 d`` per entry: a dot product, and per
                              factor row the gradient, the squared-gradient
                              sum and the scaled step
============================  ============================================

The counts leave out sigmoid lookups, random draws, subsampling, bounds of
windows and every memory access, which are what bound these kernels: the
fraction says how far from compute-bound they are, not how well they run.

Run it on a quiet machine: the peak and the kernels are timed in the same
process, one after the other.

Usage::

    python benchmarks/bench_flops.py                 # KJV, 1 and 2 threads
    python benchmarks/bench_flops.py --epochs 1 --max-docs 5000   # smoke run

Writes ``benchmarks/results/flops.json`` and ``flops.md`` unless ``--no-save``.
"""

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def peak_gflops(threads, n=2048, repeats=5):
    """Best float32 GEMM rate, in Gflop/s, on ``threads`` BLAS threads."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    best = np.inf
    with threadpool_limits(limits=threads, user_api="blas"):
        a @ b  # warm up (threads started, pages touched)
        for _ in range(repeats):
            start = time.perf_counter()
            a @ b
            best = min(best, time.perf_counter() - start)
    return 2.0 * n**3 / best / 1e9


class ExampleCounter:
    """Wraps the driver's kernel calls of one fit and sums the examples they report."""

    def __init__(self):
        self.examples = 0

    def install(self):
        import skembed.models._base as base

        original = base.train_chunks
        counter = self

        def counting_train_chunks(step, *args, **kwargs):
            run = step.run

            def counted(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel):
                run(lo, hi, chunks, lrs, seeds, loss_out, count_out, parallel)
                counter.examples += int(np.asarray(count_out[lo:hi]).sum())

            step.run = counted
            return original(step, *args, **kwargs)

        base.train_chunks = counting_train_chunks
        return lambda: setattr(base, "train_chunks", original)


def mean_context(docs, estimator):
    """Mean context size of a CBOW centre (window shrunk uniformly, cut at the document ends).

    Measured on the documents before subsampling, which shortens them: an upper bound.
    """
    window = estimator.window
    lengths = np.array([len(tokens) for tokens in estimator._analyze(docs[:2000])])
    total = 0.0
    for n in lengths[lengths > 1]:
        i = np.arange(n)[:, None]
        reach = np.arange(1, window + 1)[None, :]
        total += (np.minimum(i, reach) + np.minimum(n - 1 - i, reach)).mean(axis=1).sum()
    return total / max(int(lengths[lengths > 1].sum()), 1)


def mean_input_rows(estimator):
    """Mean rows of a fastText input word (its word row and its n-gram buckets), by frequency."""
    wv = estimator.wv_
    counts = np.asarray(wv.counts, dtype=np.float64)
    indptr, _ = wv._table()  # each word's stored rows: its own and its n-grams' buckets
    rows = np.diff(indptr)
    return float((rows * counts).sum() / counts.sum())


def flops_per_example(algo, est, docs):
    d, k = est.vector_size, getattr(est, "negative", 0)
    if algo == "skipgram":
        return (k + 1) * 6 * d + 2 * d, {}
    if algo == "cbow":
        c = mean_context(docs, est)
        return (k + 1) * 6 * d + 3 * c * d, {"mean_context": round(c, 2)}
    if algo == "fasttext":
        g = mean_input_rows(est)
        return (k + 1) * 6 * d + 3 * g * d, {"mean_input_rows": round(g, 2)}
    return 16 * d, {}


def make(algo, threads, epochs, seed):
    from skembed import FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer

    common = dict(vector_size=100, min_count=5, epochs=epochs, random_state=seed, n_jobs=threads)
    if algo in ("skipgram", "cbow"):
        return Word2VecVectorizer(algorithm=algo, window=5, negative=5, **common)
    if algo == "fasttext":
        return FastTextVectorizer(algorithm="skipgram", window=5, negative=5, **common)
    return GloVeVectorizer(window=10, **common)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    kernels = ["skipgram", "cbow", "fasttext", "glove"]
    parser.add_argument("--algorithms", nargs="+", default=kernels, choices=kernels)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2, help="fits per setting (best kept)")
    parser.add_argument("--max-docs", type=int, default=None)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)

    from skembed.datasets import load_kjv

    docs = list(load_kjv().data)[: args.max_docs]
    peaks = {t: peak_gflops(t) for t in args.threads}
    print("peak Gflop/s:", {t: round(p, 1) for t, p in peaks.items()}, flush=True)
    rows = []
    for algo in args.algorithms:
        for threads in args.threads:
            best = None
            for seed in range(args.repeats):
                counter = ExampleCounter()
                restore = counter.install()
                try:
                    est = make(algo, threads, args.epochs, seed).fit(docs)
                finally:
                    restore()
                rate = counter.examples / est.train_time_
                if best is None or rate > best[0]:
                    best = (rate, est, counter.examples)
            rate, est, examples = best
            fpe, extra = flops_per_example(algo, est, docs)
            gflops = rate * fpe / 1e9
            rows.append({
                "algorithm": algo, "threads": threads, "examples": examples,
                "examples_per_second": round(rate), "flops_per_example": round(fpe),
                "gflops": round(gflops, 2), "peak_gflops": round(peaks[threads], 1),
                "fraction_of_peak": round(gflops / peaks[threads], 4), **extra,
            })  # fmt: skip
            print(rows[-1], flush=True)
    lines = [
        "# Fraction of measured peak float32 flops reached by each kernel (KJV)",
        "",
        f"Peak: best float32 GEMM through NumPy's BLAS, {', '.join(f'{t} thread(s) {p:.1f} Gflop/s' for t, p in peaks.items())}. "  # noqa: E501
        f"Fits: {args.epochs} epochs, dim 100, best of {args.repeats}. Produced by benchmarks/bench_flops.py.",  # noqa: E501
        "",
        "| kernel | threads | examples/s | flops/example | Gflop/s | fraction of peak |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['algorithm']} | {r['threads']} | {r['examples_per_second']:,} | "
                     f"{r['flops_per_example']:,} | {r['gflops']:.2f} | "
                     f"{100 * r['fraction_of_peak']:.1f}% |")  # fmt: skip
    report = "\n".join(lines) + "\n"
    print(report)
    if not args.no_save:
        meta = {"machine": platform.platform(), "cpus": os.cpu_count(), "epochs": args.epochs,
                "python": sys.version.split()[0]}  # fmt: skip
        with open(os.path.join(HERE, "results", "flops.json"), "w") as f:
            json.dump({"meta": meta, "peaks": peaks, "rows": rows}, f, indent=1)
        with open(os.path.join(HERE, "results", "flops.md"), "w") as f:
            f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

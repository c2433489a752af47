"""Peak memory of word2vec on corpora larger than memory (``memory=`` and ``input="filename"``).

Generates corpora of 10M and 100M tokens on disk: words ``w<rank>`` drawn from
a Zipf law (exponent ``--zipf``) over ``--vocab`` word types, in files of
``--file-tokens`` tokens (one document a file; a line every 1,000 tokens).
For each size, fits ``Word2VecVectorizer(max_final_vocab=100000, memory=...,
input="filename", epochs=1)`` twice, each in a fresh subprocess so that its
peak resident set (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own:

- ``encode+fit``: the cache folder is empty, so the fit tokenizes the files in
  one streaming pass, writes the encoded corpus, then trains;
- ``cached fit``: the encoded corpus is read back from the folder.

Memory-mapped pages count in the resident set, so a fit that mapped its whole
corpus would grow by the corpus's int32 size (400 MB at 100M tokens); the
target is a growth from 10M to 100M tokens below a tenth of that (40 MB).
Run it on a quiet machine: other processes do not change a process's own
peak RSS, but a machine short of memory reclaims pages and hides growth.

Usage::

    python benchmarks/bench_out_of_core.py                     # 10M and 100M tokens
    python benchmarks/bench_out_of_core.py --sizes 20000 200000 --vocab 5000   # smoke run

Writes ``benchmarks/results/out_of_core.json`` unless ``--no-save``.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

_CHILD = """
import json, resource, sys, time
from skembed.models._word2vec import Word2VecVectorizer
folder, cache, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
est = Word2VecVectorizer(
    input="filename", memory=cache, max_final_vocab=100000, min_count=1, epochs=1,
    vector_size=100, random_state=0, n_jobs=threads,
).fit([folder])
seconds = time.perf_counter() - start
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print(json.dumps({
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20,
    "seconds": seconds, "n_words": len(est.wv_), "words_trained": int(est._words_trained),
}))
"""


def generate(folder, n_tokens, vocab, zipf, file_tokens, seed=0):
    """Write ``n_tokens`` Zipf-drawn words into files of ``file_tokens`` tokens."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocab + 1) ** zipf
    cdf = np.cumsum(p / p.sum())
    names = np.array([f"w{i}" for i in range(vocab)])
    written, k = 0, 0
    while written < n_tokens:
        n = min(file_tokens, n_tokens - written)
        ids = np.minimum(np.searchsorted(cdf, rng.random(n)), vocab - 1)
        words = names[ids]
        lines = (" ".join(words[i : i + 1000]) for i in range(0, n, 1000))
        with open(os.path.join(folder, f"part-{k:05d}.txt"), "w") as fh:
            fh.write("\n".join(lines))
            fh.write("\n")
        written += n
        k += 1
    return k


def fit_in_subprocess(folder, cache, threads):
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, folder, cache, str(threads)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[10e6, 100e6])
    parser.add_argument("--vocab", type=int, default=500_000, help="word types drawn from")
    parser.add_argument("--zipf", type=float, default=1.0, help="Zipf exponent")
    parser.add_argument("--file-tokens", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workdir", default=None, help="where the corpora go (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpora")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)

    workdir = args.workdir or tempfile.mkdtemp(prefix="skembed-ooc-")
    rows = []
    try:
        for size in args.sizes:
            n_tokens = int(size)
            folder = os.path.join(workdir, f"corpus-{n_tokens}")
            cache = os.path.join(workdir, f"cache-{n_tokens}")
            start = time.perf_counter()
            n_files = generate(folder, n_tokens, args.vocab, args.zipf, args.file_tokens)
            generated = time.perf_counter() - start
            for label in ("encode+fit", "cached fit"):
                result = fit_in_subprocess(folder, cache, args.threads)
                row = {"n_tokens": n_tokens, "files": n_files, "run": label, **result}
                rows.append(row)
                peak = result["peak_rss_mb"]
                print(
                    f"{n_tokens:>12,} tokens  {label:<10}  peak RSS {peak:8.1f} MB"
                    f"  {result['seconds']:7.1f} s  vocabulary {result['n_words']:,}"
                    f"  (corpus generated in {generated:.0f} s)",
                    flush=True,
                )
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
                shutil.rmtree(cache, ignore_errors=True)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    by_size = {}
    for row in rows:
        by_size.setdefault(row["run"], []).append(row["peak_rss_mb"])
    for label, peaks in by_size.items():
        if len(peaks) > 1:
            largest = max(args.sizes)
            print(
                f"{label}: peak RSS grows by {peaks[-1] - peaks[0]:.1f} MB from the smallest "
                f"to the largest corpus (the target: under {largest * 4 / 10 / 2**20:.1f} MB, "
                "a tenth of the largest corpus's int32 size)"
            )
    if not args.no_save:
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        with open(os.path.join(HERE, "results", "out_of_core.json"), "w") as fh:
            json.dump(
                {
                    "machine": platform.platform(),
                    "python": platform.python_version(),
                    "args": vars(args),
                    "rows": rows,
                },
                fh,
                indent=1,
            )


if __name__ == "__main__":
    main()

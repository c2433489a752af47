"""Loading and writing vector files: skembed.vectors against gensim's KeyedVectors.

A random matrix (float32, normal * 0.1, as trained vectors look) of
``--rows`` x ``--dim`` is written once in the word2vec text and binary
formats (by skembed); then loads are timed interleaved (skembed, gensim,
skembed, ...) after one warm-up load each, and the best of ``--repeats`` is
reported with the ratio.  File sizes of both writers are compared too.

Usage::

    python benchmarks/bench_vector_io.py                       # 1,000,000 x 300
    python benchmarks/bench_vector_io.py --rows 20000 --dim 50 --repeats 1
"""

import argparse
import os
import tempfile
import time

import numpy as np

from skembed.vectors import WordVectors, load, save


def _time(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folder", default=None, help="where the files go (default: a temp dir)")
    parser.add_argument("--formats", nargs="+", choices=["text", "binary"],
                        default=["text", "binary"])  # fmt: skip
    parser.add_argument("--no-gensim-warmup", action="store_true",
                        help="warm up skembed only (gensim compiles nothing, and skembed's "
                        "warm-up already reads the file into the page cache)")  # fmt: skip
    args = parser.parse_args()
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(0)
    words = [f"w{i}_{chr(0xE9)}" for i in range(args.rows)]  # non-ASCII words
    vectors = (rng.standard_normal((args.rows, args.dim), dtype=np.float32) * 0.1).astype(
        np.float32
    )
    wv = WordVectors(words, vectors)
    folder = args.folder or tempfile.mkdtemp(prefix="bench-vector-io-")
    print(f"{args.rows:,} x {args.dim}, best of {args.repeats} (after a warm-up), in {folder}")
    header = f"{'file':<22}{'skembed s':>12}{'gensim s':>12}{'ratio':>9}"
    print(header + f"{'sizes MB (ours/gensim)':>26}")
    for name, fmt, binary in (("word2vec text", "word2vec", False),
                              ("word2vec binary", "word2vec-binary", True)):  # fmt: skip
        if ("binary" if binary else "text") not in args.formats:
            continue
        ours = os.path.join(folder, f"ours.{'bin' if binary else 'txt'}")
        theirs = os.path.join(folder, f"gensim.{'bin' if binary else 'txt'}")
        write_ours = _time(lambda: save(wv, ours, format=fmt))  # noqa: B023 (called at once)
        kv = KeyedVectors(args.dim, dtype=np.float32)
        kv.add_vectors(words, vectors)
        write_theirs = _time(lambda: kv.save_word2vec_format(theirs, binary=binary))  # noqa: B023
        loaders = {
            "skembed": lambda: load(ours, format=fmt),  # noqa: B023
            "gensim": lambda: KeyedVectors.load_word2vec_format(ours, binary=binary),  # noqa: B023
        }
        for key, loader in loaders.items():  # warm-up (numba and the page cache)
            if key == "skembed" or not args.no_gensim_warmup:
                loader()
        best = {key: float("inf") for key in loaders}
        for _ in range(args.repeats):
            for key, loader in loaders.items():
                best[key] = min(best[key], _time(loader))
        back = load(ours, format=fmt)
        assert back.index_to_key == words and np.array_equal(back.vectors, vectors)
        sizes = f"{os.path.getsize(ours) / 1e6:.1f} / {os.path.getsize(theirs) / 1e6:.1f}"
        print(f"{name:<22}{best['skembed']:>12.3f}{best['gensim']:>12.3f}"
              f"{best['gensim'] / best['skembed']:>8.1f}x{sizes:>26}")  # fmt: skip
        print(f"{'  write':<22}{write_ours:>12.3f}{write_theirs:>12.3f}")
    if args.folder is None:
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)


if __name__ == "__main__":
    main()

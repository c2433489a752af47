"""GloVeVectorizer against Stanford's GloVe tool, side by side on the same tokens.

Stanford's code is not part of skembed: fetch https://github.com/stanfordnlp/GloVe,
build it with ``make`` somewhere outside the repository, and pass its ``build``
folder::

    python benchmarks/bench_glove.py --glove-bin /tmp/GloVe/build
    python benchmarks/bench_glove.py --glove-bin /tmp/GloVe/build --corpus kjv --repeats 3

Both sides read the same temporary text file, one document per line, tokens
separated by single spaces (skembed's analyzer is bypassed with
``tokenizer=str.split``), with the settings of Stanford's ``demo.sh`` except
for the vector size: vector size 100, window 15, symmetric, distance
weighting, min_count 5, x_max 10, 15 iterations (fewer on the large corpus,
see ``--zipf-iter``), learning rate 0.05, 2 threads.  Stanford runs
``vocab_count -> cooccur -> shuffle -> glove`` (``-memory 4.0`` as in
``demo.sh``, ``-binary 1``; the vectors are ``W + C``, its default ``-model
2``).

Same windows on both sides: Stanford's ``cooccur`` resets its window at every
newline (``get_word`` returns the line end and ``cooccur`` sets ``j = 0``), so
a window never crosses a line, as skembed's never crosses a document; both
drop out-of-vocabulary tokens before windowing.  The script checks it: the
number of co-occurrence entries (Stanford's ``cooccur`` records, skembed's
entries per epoch) is printed for both and must match.

Timing: each run is a fresh process (numba's cache is warmed beforehand).
"count" is everything before training: for Stanford ``vocab_count + cooccur
+ shuffle``; for skembed reading the file, encoding, vocabulary, counting and
shuffling the entries (``fit`` time minus ``train_time_``).  "train" is
Stanford's ``glove`` (reading the shuffled file each iteration, writing the
binary vectors) and skembed's ``train_time_``.  Runs are interleaved
(skembed, Stanford, skembed, Stanford, ...), best and median are reported;
the machine's load average is printed with the results, since other jobs may
share its cores.

Peak memory: each run is driven by a helper process that starts the work as
its own child processes (the four Stanford tools, or one Python process for
skembed) and reports ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, the
largest resident set of any of them (for skembed this includes the Python
interpreter with NumPy, SciPy, scikit-learn and numba loaded).

Quality (KJV only; the Zipf corpus has no meaning): WordSim-353, SimLex-999
(Spearman) and Google analogies (3CosAdd accuracy) of each run's vectors,
mean and standard deviation over the runs, beside Word2VecVectorizer's
(skip-gram, its defaults: window 5, 5 epochs) on the same tokens.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

SETTINGS = dict(vector_size=100, window=15, min_count=5, x_max=10.0, learning_rate=0.05)
STANFORD_MEMORY = "4.0"


# ------------------------------------------------------------------ corpora
def write_kjv(path):
    from skembed import Word2VecVectorizer
    from skembed.datasets import load_kjv

    analyzer = Word2VecVectorizer()._analyze(load_kjv().data)
    with open(path, "w", encoding="utf-8") as fh:
        for tokens in analyzer:
            if tokens:
                fh.write(" ".join(tokens) + "\n")


def write_zipf(path, n_tokens, n_types, doc_len=1000, seed=0):
    """Zipf(1) over ``n_types`` words, in documents (lines) of ``doc_len`` tokens."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_types + 1)
    ids = rng.choice(n_types, size=n_tokens, p=p / p.sum())
    words = np.array([f"w{i}" for i in range(n_types)], dtype=object)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(0, n_tokens, doc_len):
            fh.write(" ".join(words[ids[i : i + doc_len]]) + "\n")


def corpus_stats(path):
    n_tokens = n_docs = 0
    types = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            tokens = line.split()
            n_tokens += len(tokens)
            n_docs += 1
            types.update(tokens)
    return n_tokens, len(types), n_docs


# ------------------------------------------------------------------ the two sides
def skembed_fit(corpus, workdir, iters, threads, seed):
    """Child process: fit GloVeVectorizer, save the vectors, print timings as JSON."""
    from skembed import GloVeVectorizer

    start = time.perf_counter()
    with open(corpus, encoding="utf-8") as fh:
        docs = fh.read().splitlines()
    model = GloVeVectorizer(
        **SETTINGS, epochs=iters, tokenizer=str.split, lowercase=False, token_pattern=None,
        random_state=seed, n_jobs=threads,
    )  # fmt: skip
    model.fit(docs)
    total = time.perf_counter() - start
    model.wv_.save(os.path.join(workdir, "skembed.npz"))
    return {
        "count_s": total - model.train_time_,
        "train_s": model.train_time_,
        "total_s": total,
        "vocab": len(model.wv_),
        "entries": int(model._words_trained // max(model.n_iter_, 1)),
        "loss": model.loss_curve_[-1],
    }


def stanford_run(glove_bin, corpus, workdir, iters, threads, seed):
    """Run Stanford's four tools as child processes; return timings and the vectors' path."""
    vocab = os.path.join(workdir, "vocab.txt")
    cooc = os.path.join(workdir, "cooccurrence.bin")
    shuf = os.path.join(workdir, "cooccurrence.shuf.bin")
    save = os.path.join(workdir, "vectors")
    tool = lambda name: os.path.join(glove_bin, name)  # noqa: E731

    def run(args, stdin, stdout):
        start = time.perf_counter()
        with open(stdin, "rb") as fin, open(stdout, "wb") if stdout else _null() as fout:
            subprocess.run(args, stdin=fin, stdout=fout, stderr=subprocess.PIPE, check=True,
                           cwd=workdir)  # fmt: skip
        return time.perf_counter() - start

    t_vocab = run([tool("vocab_count"), "-min-count", str(SETTINGS["min_count"]),
                   "-verbose", "0"], corpus, vocab)  # fmt: skip
    t_cooc = run([tool("cooccur"), "-memory", STANFORD_MEMORY, "-vocab-file", vocab,
                  "-verbose", "0", "-window-size", str(SETTINGS["window"]), "-symmetric", "1",
                  "-distance-weighting", "1"], corpus, cooc)  # fmt: skip
    t_shuf = run([tool("shuffle"), "-memory", STANFORD_MEMORY, "-verbose", "0",
                  "-seed", str(seed)], cooc, shuf)  # fmt: skip
    entries = os.path.getsize(cooc) // 16  # struct {int, int, double}
    os.remove(cooc)
    t_glove = run([tool("glove"), "-save-file", save, "-threads", str(threads),
                   "-input-file", shuf, "-x-max", str(SETTINGS["x_max"]), "-iter", str(iters),
                   "-vector-size", str(SETTINGS["vector_size"]), "-eta",
                   str(SETTINGS["learning_rate"]), "-binary", "1", "-vocab-file", vocab,
                   "-verbose", "0", "-seed", str(seed)], shuf, None)  # fmt: skip
    os.remove(shuf)
    count = t_vocab + t_cooc + t_shuf
    return {
        "count_s": count,
        "train_s": t_glove,
        "total_s": count + t_glove,
        "entries": int(entries),
        "stages_s": {"vocab_count": t_vocab, "cooccur": t_cooc, "shuffle": t_shuf},
    }


def _null():
    return open(os.devnull, "wb")


def load_stanford_vectors(workdir):
    """``W + C`` from Stanford's binary output (2 V rows of vector_size + 1 doubles)."""
    from skembed import WordVectors

    with open(os.path.join(workdir, "vocab.txt"), encoding="utf-8") as fh:
        words = [line.split(" ")[0] for line in fh]
    dim = SETTINGS["vector_size"]
    params = np.fromfile(os.path.join(workdir, "vectors.bin"), dtype="<f8")
    params = params.reshape(2 * len(words), dim + 1)
    vectors = params[: len(words), :dim] + params[len(words) :, :dim]
    return WordVectors(words, vectors.astype(np.float32))


def quality(wv):
    from skembed.evaluation import analogy_accuracy, word_similarity_score

    return {
        "wordsim353": word_similarity_score(wv, "wordsim353").spearman,
        "simlex999": word_similarity_score(wv, "simlex999").spearman,
        "analogy": analogy_accuracy(wv, "google").accuracy,
    }


def side(args):
    """Helper process of one run: start the work as children, add their peak memory."""
    workdir = tempfile.mkdtemp(prefix="bench-glove-", dir=args.tmp)
    if args.side == "stanford":
        result = stanford_run(args.glove_bin, args.corpus_file, workdir, args.iters,
                              args.threads, args.seed)  # fmt: skip
    else:
        child = [sys.executable, os.path.abspath(__file__), "_fit", "--corpus-file",
                 args.corpus_file, "--workdir", workdir, "--iters", str(args.iters),
                 "--threads", str(args.threads), "--seed", str(args.seed)]  # fmt: skip
        out = subprocess.run(child, capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
    # Linux reports ru_maxrss in KiB: the largest of the children waited for
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if args.quality:
        if args.side == "stanford":
            wv = load_stanford_vectors(workdir)
        else:
            from skembed import WordVectors

            wv = WordVectors.load(os.path.join(workdir, "skembed.npz"))
        result["quality"] = quality(wv)
    for name in os.listdir(workdir):
        os.remove(os.path.join(workdir, name))
    os.rmdir(workdir)
    print(json.dumps(result))
    return 0


def run_side(name, corpus_file, args, iters, seed, want_quality):
    cmd = [sys.executable, os.path.abspath(__file__), "_side", name, "--corpus-file",
           corpus_file, "--iters", str(iters), "--threads", str(args.threads), "--seed",
           str(seed), "--glove-bin", args.glove_bin, "--tmp", args.tmp]  # fmt: skip
    if want_quality:
        cmd.append("--quality")
    load = os.getloadavg()
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{name} run failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["loadavg_before"] = load
    return result


def word2vec_quality(corpus_file, threads, seeds):
    from skembed import Word2VecVectorizer

    with open(corpus_file, encoding="utf-8") as fh:
        docs = fh.read().splitlines()
    scores, seconds = [], []
    for seed in seeds:
        model = Word2VecVectorizer(vector_size=100, min_count=5, tokenizer=str.split,
                                   lowercase=False, token_pattern=None, random_state=seed,
                                   n_jobs=threads).fit(docs)  # fmt: skip
        scores.append(quality(model.wv_))
        seconds.append(model.train_time_)
    return scores, seconds


# ------------------------------------------------------------------ report
def summarize(values):
    return {"best": min(values), "median": statistics.median(values), "all": values}


def mean_std(runs, key):
    values = [r["quality"][key] for r in runs]
    return float(np.mean(values)), float(np.std(values))


def bench_corpus(name, corpus_file, args, iters, repeats, want_quality):
    n_tokens, n_types, n_docs = corpus_stats(corpus_file)
    print(f"\n## {name}: {n_tokens:,} tokens, {n_types:,} types, {n_docs:,} documents, "
          f"{iters} iterations, {args.threads} threads", flush=True)  # fmt: skip
    runs = {"skembed": [], "stanford": []}
    for rep in range(repeats):
        for who in ("skembed", "stanford"):  # interleaved
            result = run_side(who, corpus_file, args, iters, seed=rep + 1,
                              want_quality=want_quality)  # fmt: skip
            runs[who].append(result)
            print(f"  run {rep + 1} {who}: count {result['count_s']:.2f} s, train "
                  f"{result['train_s']:.2f} s, total {result['total_s']:.2f} s, peak "
                  f"{result['peak_rss_mb']:.0f} MB, entries {result['entries']:,}, load "
                  f"{result['loadavg_before'][0]:.2f}", flush=True)  # fmt: skip
    summary = {"corpus": name, "tokens": n_tokens, "types": n_types, "documents": n_docs,
               "iterations": iters, "threads": args.threads, "runs": runs,
               "skembed_baseline_rss_mb": args.baseline_rss_mb}  # fmt: skip
    for who, results in runs.items():
        summary[who] = {
            key: summarize([r[key] for r in results]) for key in ("count_s", "train_s", "total_s")
        }
        summary[who]["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
        summary[who]["entries"] = results[0]["entries"]
    sk, st = summary["skembed"], summary["stanford"]
    summary["ratio_total_best"] = sk["total_s"]["best"] / st["total_s"]["best"]
    summary["ratio_total_median"] = sk["total_s"]["median"] / st["total_s"]["median"]
    summary["same_entries"] = sk["entries"] == st["entries"]
    if want_quality:
        summary["quality"] = {
            who: {k: mean_std(results, k) for k in ("wordsim353", "simlex999", "analogy")}
            for who, results in runs.items()
        }
        w2v, w2v_seconds = word2vec_quality(corpus_file, args.threads, range(1, repeats + 1))
        summary["quality"]["word2vec"] = {
            k: (float(np.mean([s[k] for s in w2v])), float(np.std([s[k] for s in w2v])))
            for k in ("wordsim353", "simlex999", "analogy")
        }
        summary["word2vec_train_s"] = summarize(w2v_seconds)
    summary["loadavg_after"] = os.getloadavg()
    return summary


NOTES = """\
Settings: vector size 100, window 15, symmetric, distance weighting, min_count 5, x_max 10,
learning rate 0.05, 2 threads, as Stanford's demo.sh (whose vector size is 50).  Both sides
read the same file, one document per line; Stanford's cooccur resets its window at each
newline, so both count the same windows (the entry counts below agree).  "count" is
everything before training (Stanford: vocab_count + cooccur + shuffle; skembed: reading,
encoding, vocabulary, counting and shuffling, i.e. fit time minus train_time_), "train" is
Stanford's glove and skembed's train_time_.  Each run is a fresh process (numba's cache
warm); runs are interleaved skembed, Stanford, skembed, Stanford.  Peak RSS: the largest
child of a helper process (resource.getrusage(RUSAGE_CHILDREN).ru_maxrss).
Produced by benchmarks/bench_glove.py."""


def table(summary):
    sk, st = summary["skembed"], summary["stanford"]
    rows = [
        f"### {summary['corpus']}: {summary['tokens']:,} tokens, {summary['types']:,} types, "
        f"{summary['documents']:,} documents; {summary['iterations']} iterations, "
        f"{summary['threads']} threads",
        "",
        f"co-occurrence entries: skembed {sk['entries']:,}, Stanford {st['entries']:,} "
        f"({'identical' if summary['same_entries'] else 'DIFFERENT'})",
        "",
        "| | count s best (median) | train s best (median) | total s best (median) "
        "| peak RSS MB |",
        "|---|---|---|---|---|",
    ]
    for who, label in (("skembed", "skembed"), ("stanford", "Stanford GloVe")):
        s = summary[who]
        cells = " | ".join(
            f"{s[k]['best']:.2f} ({s[k]['median']:.2f})" for k in ("count_s", "train_s", "total_s")
        )
        rows.append(f"| {label} | {cells} | {s['peak_rss_mb']:.0f} |")
    rows.append(
        f"| ratio skembed / Stanford | | | {summary['ratio_total_best']:.2f}x "
        f"({summary['ratio_total_median']:.2f}x) | |"
    )
    rows += [
        "",
        f"skembed's peak includes {summary['skembed_baseline_rss_mb']:.0f} MB of Python runtime "
        "(interpreter, NumPy, SciPy, scikit-learn, numba; a tiny fit in a fresh process).",
    ]
    if "quality" in summary:
        rows += [
            "",
            "| vectors | WordSim-353 | SimLex-999 | Google analogies |",
            "|---|---|---|---|",
        ]
        labels = {"skembed": "skembed GloVe", "stanford": "Stanford GloVe",
                  "word2vec": "skembed Word2Vec (skip-gram, window 5, 5 epochs)"}  # fmt: skip
        for who, scores in summary["quality"].items():
            cells = " | ".join(
                f"{m:.3f} +- {s:.3f}"
                for m, s in (
                    scores[k] for k in ("wordsim353", "simlex999", "analogy")
                )  # fmt: skip
            )
            rows.append(f"| {labels[who]} | {cells} |")
    before = [r["loadavg_before"][0] for rs in summary["runs"].values() for r in rs]
    rows += ["", f"load average (1 min) before each run: {', '.join(f'{x:.2f}' for x in before)}; "
             f"after: {', '.join(f'{x:.2f}' for x in summary['loadavg_after'])}"]  # fmt: skip
    return "\n".join(rows)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("_side", "_fit"):
        return _internal(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--glove-bin", required=True, help="Stanford GloVe's build folder")
    parser.add_argument("--corpus", nargs="+", choices=["kjv", "zipf"], default=["kjv", "zipf"])
    parser.add_argument("--iter", type=int, default=15, help="iterations on KJV")
    parser.add_argument("--zipf-iter", type=int, default=1, help="iterations on the Zipf corpus")
    parser.add_argument("--zipf-tokens", type=int, default=5_000_000)
    parser.add_argument("--zipf-types", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side on KJV")
    parser.add_argument("--zipf-repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    parser.add_argument("--output-dir", default=None, help="write glove_<corpus>.md/json here")
    args = parser.parse_args(argv)
    args.glove_bin = os.path.abspath(args.glove_bin)
    for name in ("vocab_count", "cooccur", "shuffle", "glove"):
        if not os.access(os.path.join(args.glove_bin, name), os.X_OK):
            parser.error(f"{name} not found in {args.glove_bin}: build Stanford GloVe with make")

    # compile (or load from numba's cache) the kernels once, outside the timed runs
    from skembed import GloVeVectorizer

    GloVeVectorizer(min_count=1, epochs=1, n_jobs=args.threads).fit(["a b c a b"] * 10)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
    args.baseline_rss_mb = baseline_rss()
    print(f"skembed baseline: {args.baseline_rss_mb:.0f} MB after a tiny fit")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-glove-corpus-", dir=args.tmp) as tmp:
        for name in args.corpus:
            path = os.path.join(tmp, f"{name}.txt")
            if name == "kjv":
                write_kjv(path)
                summary = bench_corpus("KJV", path, args, args.iter, args.repeats, True)
            else:
                write_zipf(path, args.zipf_tokens, args.zipf_types)
                summary = bench_corpus(f"Zipf {args.zipf_tokens:,}", path, args,
                                       args.zipf_iter, args.zipf_repeats, False)  # fmt: skip
            text = table(summary)
            print("\n" + text, flush=True)
            text = NOTES + "\n\n" + text
            if args.output_dir:
                os.makedirs(args.output_dir, exist_ok=True)
                stem = os.path.join(args.output_dir, f"glove_{name}")
                with open(stem + ".md", "w") as fh:
                    fh.write(text + "\n")
                with open(stem + ".json", "w") as fh:
                    json.dump(summary, fh, indent=2)
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s")
    return 0


def baseline_rss():
    """Peak resident set of a Python process that imports skembed and fits a tiny model."""
    code = (
        "import resource; from skembed import GloVeVectorizer; "
        "GloVeVectorizer(min_count=1, epochs=1).fit(['a b c a b'] * 10); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def _internal(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["_side", "_fit"])
    parser.add_argument("side", nargs="?", choices=["skembed", "stanford"])
    parser.add_argument("--corpus-file", required=True)
    parser.add_argument("--workdir")
    parser.add_argument("--iters", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--glove-bin")
    parser.add_argument("--tmp", default=tempfile.gettempdir())
    parser.add_argument("--quality", action="store_true")
    args = parser.parse_args(argv)
    if args.mode == "_fit":
        result = skembed_fit(args.corpus_file, args.workdir, args.iters, args.threads, args.seed)
        print(json.dumps(result))
        return 0
    return side(args)


if __name__ == "__main__":
    sys.exit(main())

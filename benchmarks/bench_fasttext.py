"""FastTextVectorizer against facebook fastText and gensim FastText, run side by side.

All three get the same tokens (skembed's analyzer runs once, in the parent;
the tokens are written one document per line, space-separated) and the same
hyper-parameters, each set explicitly because the libraries' defaults differ:
dim 100, window 5, negative 5, min_count 5, n-grams 3 to 6, 2,000,000
buckets, sample (t) 1e-3, learning rate 0.025 (skip-gram) or 0.05 (CBOW)
decaying linearly, 2 threads.

Every run is a fresh process, so that peak memory (``ru_maxrss``) belongs to
that run alone, and runs are interleaved (skembed, fastText, gensim,
skembed, ...) and repeated, because this machine's timings drift.  Repeat
``k`` uses seed ``k`` (fastText's Python binding takes no seed, and its
threads make it vary anyway); the quality columns are means over the repeats.

Throughput is raw corpus tokens x epochs / training seconds:

* skembed: ``train_time_`` (the kernels; no tokenization, vocabulary or the
  final expansion of the bucket matrix);
* gensim: the ``train()`` call (``build_vocab``, which also allocates and
  initialises the bucket matrix, is excluded);
* fastText: the wall time of ``train_unsupervised`` minus that of the same
  call with ``epoch=0`` in the same process (reading the file, building the
  dictionary, allocating and initialising the matrices).

The ``fit`` columns are end to end: skembed ``fit`` (reading strings,
``str.split``, encoding, training, expansion), gensim ``build_vocab`` +
``train``, fastText ``train_unsupervised``.  fastText also trains on the
end-of-line token ``</s>`` it adds to every line (about 4% more tokens on KJV,
0.1% on the Zipf corpus); its rate is not corrected for that.

Peak memory is the maximum resident set size of the run's process, in MiB
(the 2,000,000 x 100 float32 bucket matrix alone is 763 MiB); the ``delta`` is
that peak minus the resident size before training started, after imports and
reading the corpus (gensim's baseline holds the token lists, skembed's the
document strings, fastText's nothing since it reads the file itself).

Usage::

    python benchmarks/bench_fasttext.py                       # KJV + Zipf, ~15 minutes
    python benchmarks/bench_fasttext.py --corpora kjv --repeats 1 --libs skembed gensim

Needs the ``bench`` extra (gensim) and ``pip install fasttext``.
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

LEARNING_RATE = {"skipgram": 0.025, "cbow": 0.05}
COMMON = dict(dim=100, window=5, negative=5, min_count=5, min_n=3, max_n=6, bucket=2_000_000,
              sample=1e-3, threads=2)  # fmt: skip
LIBS = ["skembed", "fasttext", "gensim", "skembed-compact"]
HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- corpora
def kjv_documents():
    from skembed import FastTextVectorizer
    from skembed.datasets import load_kjv

    return [" ".join(tokens) for tokens in FastTextVectorizer()._analyze(load_kjv().data)]


def zipf_documents(n_tokens, n_types, doc_len=1000, seed=0):
    """Zipf(1) over ``n_types`` letter strings, frequent words short (2-4 letters) and rare
    words long (up to 12), in documents of ``doc_len`` tokens."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 5, size=n_types) + (1.5 * np.log10(np.arange(1, n_types + 1)))
    words, seen = [], set()
    for n in lengths.astype(int):
        word = "".join(rng.choice(letters, size=n))
        while word in seen:
            word += rng.choice(letters)
        seen.add(word)
        words.append(word)
    words = np.array(words, dtype=object)
    p = 1.0 / np.arange(1, n_types + 1)
    ids = rng.choice(n_types, size=n_tokens, p=p / p.sum())
    return [" ".join(words[ids[i : i + doc_len]]) for i in range(0, n_tokens, doc_len)]


# ------------------------------------------------------------ one run (child)
def _rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _quality(wv):
    from skembed.evaluation import analogy_accuracy, word_similarity_score

    sim = word_similarity_score(wv, "wordsim353")
    sim_oov = word_similarity_score(wv, "wordsim353", oov="vector")
    analogy = analogy_accuracy(wv, "google")
    return {
        "wordsim353": sim.spearman,
        "wordsim353_coverage": sim.coverage,
        "wordsim353_oov_vector": sim_oov.spearman,
        "analogy": analogy.accuracy,
        "analogy_semantic": analogy.semantic_accuracy,
        "analogy_syntactic": analogy.syntactic_accuracy,
        "analogy_coverage": analogy.coverage,
    }


def child_skembed(spec, lines, compact=False):
    from skembed import FastTextVectorizer

    algorithm = spec["algorithm"]
    model = FastTextVectorizer(
        algorithm=algorithm, vector_size=COMMON["dim"], window=COMMON["window"],
        negative=COMMON["negative"], min_count=COMMON["min_count"], min_n=COMMON["min_n"],
        max_n=COMMON["max_n"], bucket=COMMON["bucket"], sample=COMMON["sample"],
        epochs=spec["epochs"], learning_rate=LEARNING_RATE[algorithm], min_learning_rate=1e-4,
        compact=compact, tokenizer=str.split, lowercase=False, token_pattern=None,
        random_state=spec["seed"], n_jobs=spec.get("threads", COMMON["threads"]),
    )  # fmt: skip
    start = time.perf_counter()
    model.fit(lines)
    fit = time.perf_counter() - start
    return model.train_time_, fit, lambda: model.wv_


def child_gensim(spec, lines):
    from gensim.models import FastText

    from skembed import FastTextWordVectors

    algorithm = spec["algorithm"]
    sentences = [line.split() for line in lines]
    model = FastText(
        vector_size=COMMON["dim"], window=COMMON["window"], negative=COMMON["negative"], hs=0,
        min_count=COMMON["min_count"], min_n=COMMON["min_n"], max_n=COMMON["max_n"],
        bucket=COMMON["bucket"], sample=COMMON["sample"], sg=int(algorithm == "skipgram"),
        alpha=LEARNING_RATE[algorithm], min_alpha=1e-4, ns_exponent=0.75, cbow_mean=1,
        workers=spec.get("threads", COMMON["threads"]), seed=spec["seed"],
    )  # fmt: skip
    start = time.perf_counter()
    model.build_vocab(sentences)
    t0 = time.perf_counter()
    model.train(sentences, total_examples=len(sentences), epochs=spec["epochs"])
    end = time.perf_counter()

    def wv():
        kv = model.wv
        return FastTextWordVectors(kv.index_to_key, kv.vectors_vocab, kv.vectors_ngrams,
                                   min_n=COMMON["min_n"], max_n=COMMON["max_n"])  # fmt: skip

    return end - t0, end - start, wv


def child_fasttext(spec, lines):
    import fasttext

    from skembed import FastTextWordVectors

    algorithm = spec["algorithm"]

    def train(epochs):
        start = time.perf_counter()
        model = fasttext.train_unsupervised(
            spec["path"], model=algorithm, dim=COMMON["dim"], ws=COMMON["window"],
            neg=COMMON["negative"], minCount=COMMON["min_count"], minn=COMMON["min_n"],
            maxn=COMMON["max_n"], bucket=COMMON["bucket"], t=COMMON["sample"],
            lr=LEARNING_RATE[algorithm], epoch=epochs, loss="ns", wordNgrams=1, lrUpdateRate=100,
            thread=spec.get("threads", COMMON["threads"]), verbose=0,
        )  # fmt: skip
        return model, time.perf_counter() - start

    _, setup = train(0)
    model, fit = train(spec["epochs"])

    def wv():
        words = model.words
        matrix = model.get_input_matrix()
        return FastTextWordVectors(words, matrix[: len(words)], matrix[len(words) :],
                                   min_n=COMMON["min_n"], max_n=COMMON["max_n"])  # fmt: skip

    return fit - setup, fit, wv


def run_child(spec):
    # imports first, so that the baseline holds them and the delta is the run's own
    if spec["lib"].startswith("skembed"):
        import skembed.models  # noqa: F401
    else:
        import skembed.vectors  # noqa: F401

        if spec["lib"] == "gensim":
            import gensim.models  # noqa: F401
        else:
            import fasttext  # noqa: F401
    with open(spec["path"], encoding="utf-8") as fh:
        lines = fh.read().splitlines() if spec["lib"] != "fasttext" else []
    before = _rss_kb()
    runner = {
        "skembed": child_skembed,
        "skembed-compact": lambda s, x: child_skembed(s, x, compact=True),
        "gensim": child_gensim,
        "fasttext": child_fasttext,
    }[spec["lib"]]
    train, fit, get_wv = runner(spec, lines)
    peak = _rss_kb()
    out = {"train_s": train, "fit_s": fit, "peak_mb": peak / 1024, "before_mb": before / 1024}
    if spec["quality"]:
        out["quality"] = _quality(get_wv())
    print("RESULT " + json.dumps(out), flush=True)


# ----------------------------------------------------------------- parent
def spawn(spec):
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", json.dumps(spec)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{spec['lib']} run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


def summarise(runs, n_tokens, epochs):
    row = {}
    for lib, results in runs.items():
        train = [r["train_s"] for r in results]
        fit = [r["fit_s"] for r in results]
        row[lib] = {
            "train_wps_best": n_tokens * epochs / min(train),
            "train_wps_median": n_tokens * epochs / statistics.median(train),
            "fit_s_best": min(fit),
            "fit_s_median": statistics.median(fit),
            "peak_mb": max(r["peak_mb"] for r in results),
            "delta_mb": max(r["peak_mb"] - r["before_mb"] for r in results),
            "load": [r["load"] for r in results],
        }
        qualities = [r["quality"] for r in results if "quality" in r]
        if qualities:
            row[lib]["quality"] = {
                k: (float(np.mean([q[k] for q in qualities])),
                    float(np.std([q[k] for q in qualities])))
                for k in qualities[0]
            }  # fmt: skip
    peers = [lib for lib in ("fasttext", "gensim") if lib in row]
    for lib in ("skembed", "skembed-compact"):
        if lib in row and peers:
            for stat in ("best", "median"):
                faster = max(row[p][f"train_wps_{stat}"] for p in peers)
                row[lib][f"ratio_{stat}"] = row[lib][f"train_wps_{stat}"] / faster
                slow = min(row[p][f"fit_s_{stat}"] for p in peers)
                row[lib][f"fit_ratio_{stat}"] = slow / row[lib][f"fit_s_{stat}"]
    return row


def markdown(result):
    lines = [f"# FastTextVectorizer benchmark ({result['date']})", "", result["setup"], ""]
    for corpus in result["corpora"]:
        lines += [
            f"## {corpus['name']}: {corpus['tokens']:,} tokens, {corpus['types']:,} types, "
            f"{corpus['documents']:,} documents, {corpus['epochs']} epoch(s), "
            f"{corpus['repeats']} repeat(s)",
            "",
            f"Load average (1 min) during the runs: {corpus['load_min']:.2f} to "
            f"{corpus['load_max']:.2f} on {os.cpu_count()} cores.",
            "",
            "| algorithm | library | train words/s best (median) | ratio to faster peer "
            "best (median) | fit s best | fit speed-up vs faster peer | peak MiB | delta MiB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for algorithm, row in corpus["speed"].items():
            for lib, r in row.items():
                ratio = (f"{r['ratio_best']:.2f}x ({r['ratio_median']:.2f}x)"
                         if "ratio_best" in r else "")  # fmt: skip
                fit_ratio = f"{r['fit_ratio_best']:.2f}x" if "fit_ratio_best" in r else ""
                lines.append(
                    f"| {algorithm} | {lib} | {r['train_wps_best']:,.0f} "
                    f"({r['train_wps_median']:,.0f}) | {ratio} | {r['fit_s_best']:.1f} "
                    f"| {fit_ratio} | {r['peak_mb']:,.0f} | {r['delta_mb']:,.0f} |"
                )
        has_quality = any("quality" in r for row in corpus["speed"].values() for r in row.values())
        if has_quality:
            lines += [
                "",
                "Quality, mean +- std over the seeds (in-vocabulary words; `oov` column: "
                "unseen words composed from n-grams):",
                "",
                "| algorithm | library | wordsim353 | wordsim353 oov | coverage | analogy | "
                "semantic | syntactic | coverage |",
                "|---|---|---|---|---|---|---|---|---|",
            ]
            for algorithm, row in corpus["speed"].items():
                for lib, r in row.items():
                    q = r.get("quality")
                    if not q:
                        continue

                    def f(k, q=q):
                        return f"{q[k][0]:.3f} +- {q[k][1]:.3f}"

                    lines.append(
                        f"| {algorithm} | {lib} | {f('wordsim353')} | "
                        f"{f('wordsim353_oov_vector')} | {q['wordsim353_coverage'][0]:.2f} | "
                        f"{f('analogy')} | {f('analogy_semantic')} | {f('analogy_syntactic')} "
                        f"| {q['analogy_coverage'][0]:.2f} |"
                    )
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--corpora", nargs="+", default=["kjv", "zipf"])
    parser.add_argument("--algorithms", nargs="+", default=["skipgram", "cbow"])
    parser.add_argument("--libs", nargs="+", default=LIBS)
    parser.add_argument("--repeats", type=int, default=3, help="KJV runs per library (seeds)")
    parser.add_argument("--zipf-repeats", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=5, help="epochs on KJV")
    parser.add_argument("--zipf-epochs", type=int, default=1)
    parser.add_argument("--zipf-tokens", type=int, default=5_000_000)
    parser.add_argument("--zipf-types", type=int, default=120_000)
    parser.add_argument("--threads", type=int, default=COMMON["threads"])
    parser.add_argument("--output", default=os.path.join(HERE, "results", "fasttext_benchmark"),
                        help="write OUTPUT.json and OUTPUT.md")  # fmt: skip
    args = parser.parse_args(argv)
    if args.child:
        run_child(json.loads(args.child))
        return 0

    started = time.perf_counter()
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "setup": (
            "dim 100, window 5, negative 5, min_count 5, n-grams 3-6, bucket 2,000,000, "
            f"sample 1e-3, lr 0.025 skip-gram / 0.05 CBOW (linear decay), {args.threads} "
            "thread(s); "
            f"python {sys.version.split()[0]}, {os.cpu_count()} cores. Each run is a fresh "
            "process; runs interleaved skembed, fastText, gensim, skembed-compact."
        ),
        "corpora": [],
    }
    tmp = tempfile.mkdtemp(prefix="bench-fasttext-")
    for name in args.corpora:
        if name == "kjv":
            docs, epochs, repeats, quality = kjv_documents(), args.epochs, args.repeats, True
        else:
            docs = zipf_documents(args.zipf_tokens, args.zipf_types)
            epochs, repeats, quality = args.zipf_epochs, args.zipf_repeats, False
        path = os.path.join(tmp, f"{name}.txt")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("\n".join(docs) + "\n")
        n_tokens = sum(len(d.split()) for d in docs)
        n_types = len({w for d in docs for w in d.split()})
        print(f"corpus {name}: {n_tokens:,} tokens, {n_types:,} types, {len(docs):,} documents, "
              f"{epochs} epoch(s)", flush=True)  # fmt: skip
        loads, speed = [], {}
        for algorithm in args.algorithms:
            runs = {lib: [] for lib in args.libs}
            for rep in range(repeats):
                for lib in args.libs:  # interleaved
                    with_quality = quality and lib != "skembed-compact"
                    spec = dict(lib=lib, algorithm=algorithm, epochs=epochs, seed=rep + 1,
                                path=path, quality=with_quality,
                                threads=args.threads)  # fmt: skip
                    load = os.getloadavg()[0]
                    res = spawn(spec)
                    res["load"] = load
                    loads.append(load)
                    runs[lib].append(res)
                    print(f"  {algorithm:8s} {lib:15s} seed {rep + 1}: "
                          f"train {res['train_s']:6.2f}s fit {res['fit_s']:6.2f}s "
                          f"peak {res['peak_mb']:7.0f} MB load {load:.2f} "
                          f"[{time.perf_counter() - started:5.0f}s]", flush=True)  # fmt: skip
            speed[algorithm] = summarise(runs, n_tokens, epochs)
        result["corpora"].append(
            dict(name=name, tokens=n_tokens, types=n_types, documents=len(docs), epochs=epochs,
                 repeats=repeats, load_min=min(loads), load_max=max(loads), speed=speed)
        )  # fmt: skip
        os.unlink(path)
    result["seconds"] = time.perf_counter() - started
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output + ".json", "w") as fh:
        json.dump(result, fh, indent=2)
    text = markdown(result)
    with open(args.output + ".md", "w") as fh:
        fh.write(text + f"\nTotal benchmark time: {result['seconds'] / 60:.1f} minutes.\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

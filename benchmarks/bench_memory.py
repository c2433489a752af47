"""Peak memory of every skembed estimator against its peer, and bytes per corpus token.

Each measurement runs in a fresh subprocess, so that its peak resident set
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own.  A second fresh
subprocess per tool imports the same modules and does nothing else; its peak
is subtracted, so the figures are what the fit itself added (corpus,
vocabulary, parameters, buffers), not the interpreter and its libraries.
The "total MB" columns are the whole process's peak, imports included: what a
user's machine has to hold.  They depend on the installation: scikit-learn
imports pandas whenever it is installed (about 60 MB), and skembed does not
need it, so run this from an environment without pandas to see a lean
installation (the JSON records whether each child imported pandas).

Both sides read the same corpus file lazily, one document a line, tokens
already split by skembed's default analyzer (so whitespace splitting gives the
same tokens): skembed gets a generator of lines, gensim ``LineSentence`` /
``TaggedLineDocument``, fastText the file itself.  The exception is
FastTextClassifier, whose ``fit(X, y)`` gets the lines and labels as lists
(counted in its figure).  Settings are the same on
both sides: 100 dimensions, window 5, ``min_count`` 5, 5 negative samples,
``sample`` 1e-3, ``--epochs`` (default 1: the peak does not grow with epochs),
``--threads`` threads (default 2), 2,000,000 fastText buckets, n-grams 3-6.

Pairs:

==========================  ==========================================
skembed                     peer
==========================  ==========================================
Word2Vec skip-gram, CBOW    gensim ``Word2Vec`` (sg=1, sg=0)
FastText skip-gram          gensim ``FastText`` (sg=1)
GloVe (window 10)           none runnable here: the table gives the
                            co-occurrence matrix's size (nnz x 12
                            bytes as skembed trains it, nnz x 16 bytes
                            as Stanford GloVe's ``cooccur`` records)
Doc2Vec PV-DM, PV-DBOW      gensim ``Doc2Vec`` (dm=1, dm=0)
FastTextClassifier          ``fasttext.train_supervised`` (bigrams)
==========================  ==========================================

Corpora: KJV (``skembed.datasets.load_kjv``, one verse a line, about 790k
tokens; the classifier predicts the book) and a generated Zipf(1) corpus
(``--zipf-tokens``, default 5M, over ``--zipf-types`` word types, lines of 1,000
tokens; the classifier gets random labels from 10 classes).

The shell in between parent and child matters on Linux, where ``ru_maxrss``
of an exec'd child starts at the peak of the process it was forked from.
Peak RSS on a shared machine is only rough when memory is short (the kernel
reclaims pages); run it on a quiet machine.

Usage::

    python benchmarks/bench_memory.py                          # KJV and 5M-token Zipf
    python benchmarks/bench_memory.py --corpus zipf --zipf-tokens 100000 --only glove
    python benchmarks/bench_memory.py --kjv-docs 2000 --zipf-tokens 50000   # smoke run

Writes ``benchmarks/results/memory.json`` and ``memory.md`` (``--name`` changes the
stem) unless ``--no-save``.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Child: argv[1] is a JSON spec; prints one JSON line.  With "baseline": true it
# only imports what the fit would import.
_CHILD = r"""
import json, resource, sys, time
spec = json.loads(sys.argv[1])
tool, algo, path, s = spec["tool"], spec["algo"], spec["path"], spec["settings"]
scale = 1 if sys.platform == "darwin" else 1024


def lines():
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield line.rstrip("\n")


def labelled():
    with open(spec["labels"], encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


common = dict(vector_size=s["dim"], window=s["window"], min_count=s["min_count"],
              epochs=s["epochs"])
w2v = dict(negative=5, sample=1e-3, **common)
if tool == "skembed":
    import skembed.models as m
    make = {
        "skipgram": lambda: m.Word2VecVectorizer(algorithm="skipgram", **w2v),
        "cbow": lambda: m.Word2VecVectorizer(algorithm="cbow", **w2v),
        "fasttext": lambda: m.FastTextVectorizer(algorithm="skipgram", negative=5, sample=1e-3,
                                                 bucket=s["bucket"], min_n=3, max_n=6, **common),
        "glove": lambda: m.GloVeVectorizer(vector_size=s["dim"], window=10,
                                           min_count=s["min_count"], epochs=s["epochs"]),
        "doc2vec_dm": lambda: m.Doc2VecVectorizer(dm=True, **w2v),
        "doc2vec_dbow": lambda: m.Doc2VecVectorizer(dm=False, **w2v),
        "classifier": lambda: m.FastTextClassifier(vector_size=s["dim"], word_ngrams=2,
                                                   bucket=s["bucket"], epochs=s["epochs"],
                                                   min_count=1),
    }
    if not spec.get("baseline"):
        est = make[algo]().set_params(random_state=0, n_jobs=s["threads"])
        start = time.perf_counter()
        if algo == "classifier":
            est.fit(list(lines()), labelled())
        else:
            est.fit(lines())
        seconds = time.perf_counter() - start
        extra = {"n_words": len(est.wv_) if hasattr(est, "wv_") else None}
else:
    if algo == "classifier":
        import fasttext
    else:
        from gensim.models import Doc2Vec, FastText, Word2Vec
        from gensim.models.doc2vec import TaggedLineDocument
        from gensim.models.word2vec import LineSentence
    if not spec.get("baseline"):
        g = dict(vector_size=s["dim"], window=s["window"], min_count=s["min_count"],
                 epochs=s["epochs"], negative=5, sample=1e-3, workers=s["threads"], seed=0)
        start = time.perf_counter()
        if algo == "classifier":
            model = fasttext.train_supervised(
                input=spec["labels_file"], dim=s["dim"], wordNgrams=2, bucket=s["bucket"],
                epoch=s["epochs"], minCount=1, thread=s["threads"], verbose=0)
            extra = {"n_words": len(model.words)}
        elif algo in ("doc2vec_dm", "doc2vec_dbow"):
            model = Doc2Vec(TaggedLineDocument(path), dm=int(algo == "doc2vec_dm"), **g)
            extra = {"n_words": len(model.wv)}
        elif algo == "fasttext":
            model = FastText(LineSentence(path), sg=1, bucket=s["bucket"], min_n=3, max_n=6, **g)
            extra = {"n_words": len(model.wv)}
        else:
            model = Word2Vec(LineSentence(path), sg=int(algo == "skipgram"), **g)
            extra = {"n_words": len(model.wv)}
        seconds = time.perf_counter() - start
if spec.get("baseline"):
    seconds, extra = 0.0, {}
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
print(json.dumps({"peak_bytes": peak, "seconds": seconds, "pandas": "pandas" in sys.modules,
                  **extra}))
"""

ALGOS = ["skipgram", "cbow", "fasttext", "glove", "doc2vec_dm", "doc2vec_dbow", "classifier"]
PEER = {
    "skipgram": "gensim Word2Vec sg=1",
    "cbow": "gensim Word2Vec sg=0",
    "fasttext": "gensim FastText sg=1",
    "glove": None,
    "doc2vec_dm": "gensim Doc2Vec dm=1",
    "doc2vec_dbow": "gensim Doc2Vec dm=0",
    "classifier": "fasttext train_supervised",
}


def analyze_lines(texts):
    """Tokens of skembed's default analyzer, one line of space-separated tokens per text."""
    from skembed.models import Word2VecVectorizer
    from skembed.text._analyzer import build_analyzer

    analyzer = build_analyzer(Word2VecVectorizer())
    return [" ".join(analyzer(text)) for text in texts]


def write_corpus(workdir, name, texts, labels):
    """Write ``name.txt`` (one document a line) and ``name.labels`` / ``name.ft`` (labelled)."""
    path = os.path.join(workdir, f"{name}.txt")
    labels_path = os.path.join(workdir, f"{name}.labels")
    ft_path = os.path.join(workdir, f"{name}.ft")
    kept = [(t, y) for t, y in zip(texts, labels, strict=True) if t]
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(t + "\n" for t, _ in kept)
    with open(labels_path, "w", encoding="utf-8") as f:
        f.writelines(f"{y}\n" for _, y in kept)
    with open(ft_path, "w", encoding="utf-8") as f:
        f.writelines(f"__label__{y} {t}\n" for t, y in kept)
    n_tokens = sum(len(t.split()) for t, _ in kept)
    return {"path": path, "labels": labels_path, "labels_file": ft_path, "n_tokens": n_tokens,
            "n_documents": len(kept)}  # fmt: skip


def kjv_corpus(workdir, n_docs=None):
    from skembed.datasets import load_kjv

    texts, books = load_kjv(return_X_y=True)
    texts, books = list(texts)[:n_docs], [str(b).replace(" ", "_") for b in books][:n_docs]
    return write_corpus(workdir, "kjv", analyze_lines(texts), books)


def zipf_corpus(workdir, n_tokens, n_types, doc_len=1000, seed=0):
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_types + 1)
    ids = rng.choice(n_types, size=n_tokens, p=p / p.sum())
    words = np.array([f"w{i}" for i in range(n_types)])
    texts = [" ".join(words[ids[i : i + doc_len]]) for i in range(0, n_tokens, doc_len)]
    labels = rng.integers(0, 10, size=len(texts)).astype(str)
    return write_corpus(workdir, "zipf", texts, labels)


def run_child(spec, timeout):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # Linux carries the peak of the process that forks into the exec'd child's
    # ru_maxrss (the forked copy of the parent's memory): a shell in between, which
    # forks again rather than exec'ing, starts the child from a small process.
    shell = ["/bin/sh", "-c", '"$0" "$@"; exit $?']
    command = [*shell, sys.executable, "-c", _CHILD, json.dumps(spec)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout,
                         check=False)  # fmt: skip
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def glove_matrix(corpus, min_count):
    """nnz of the co-occurrence matrix GloVe (window 10) counts on the corpus."""
    from skembed.corpus._cooccur import count_cooccurrences
    from skembed.models import GloVeVectorizer
    from skembed.text._analyzer import build_analyzer

    analyzer = build_analyzer(GloVeVectorizer(min_count=min_count))
    with open(corpus["path"], encoding="utf-8") as f:
        docs = [analyzer(line) for line in f]
    counts = {}
    for doc in docs:
        for w in doc:
            counts[w] = counts.get(w, 0) + 1
    vocab = {w: i for i, w in enumerate(w for w, c in counts.items() if c >= min_count)}
    ids = [[vocab[w] for w in doc if w in vocab] for doc in docs]
    offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in ids], out=offsets[1:])
    tokens = np.fromiter((i for d in ids for i in d), dtype=np.int32, count=int(offsets[-1]))
    X = count_cooccurrences(tokens, offsets, len(vocab), window=10, dtype=np.float32)
    return int(X.nnz)


def measure(corpus, algo, settings, repeats, timeout):
    row = {"algo": algo, "peer_name": PEER[algo]}
    tools = ["skembed"] + (["peer"] if PEER[algo] else [])
    for tool in tools:
        base = {"tool": tool, "algo": algo, **corpus, "settings": settings}
        baseline = run_child({**base, "baseline": True}, timeout)
        runs = [run_child(base, timeout) for _ in range(repeats)]
        ok = [r for r in runs if "error" not in r]
        if "error" in baseline or not ok:
            row[tool] = {"error": (baseline if "error" in baseline else runs[0])["error"]}
            continue
        fit_bytes = min(r["peak_bytes"] for r in ok) - baseline["peak_bytes"]
        row[tool] = {
            "fit_mb": fit_bytes / 2**20,
            "baseline_mb": baseline["peak_bytes"] / 2**20,
            "total_mb": min(r["peak_bytes"] for r in ok) / 2**20,
            "pandas_imported": ok[0].get("pandas"),
            "bytes_per_token": fit_bytes / max(1, corpus["n_tokens"]),
            "seconds": min(r["seconds"] for r in ok),
            "n_words": ok[0].get("n_words"),
        }
    if algo == "glove":
        nnz = glove_matrix(corpus, settings["min_count"])
        row["glove_nnz"] = nnz
        row["matrix_mb_skembed"] = nnz * 12 / 2**20
        row["matrix_mb_stanford"] = nnz * 16 / 2**20
    return row


def table(name, corpus, rows):
    out = [f"### {name} ({corpus['n_tokens']:,} tokens, {corpus['n_documents']:,} documents)", "",
           "| estimator | skembed MB | bytes/token | total MB | peer | peer MB | bytes/token "
           "| total MB | ratio | total ratio |",
           "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|"]  # fmt: skip

    def cell(side):
        if side is None:
            return "", "", ""
        if "error" in side:
            return "error", "", ""
        total = f"{side['total_mb']:,.0f}" if "total_mb" in side else ""
        return f"{side['fit_mb']:,.0f}", f"{side['bytes_per_token']:,.0f}", total

    for row in rows:
        s_mb, s_bt, s_tot = cell(row.get("skembed"))
        p_mb, p_bt, p_tot = cell(row.get("peer"))
        ratio = total_ratio = ""
        if s_mb not in ("", "error") and p_mb not in ("", "error"):
            ratio = f"{row['skembed']['fit_mb'] / max(row['peer']['fit_mb'], 1e-9):.2f}"
            if s_tot and p_tot:
                total_ratio = f"{row['skembed']['total_mb'] / row['peer']['total_mb']:.2f}"
        peer = row["peer_name"] or "(co-occurrence matrix)"
        if row["algo"] == "glove":
            p_mb = (f"{row['matrix_mb_skembed']:,.0f} (12 B/nnz) / "
                    f"{row['matrix_mb_stanford']:,.0f} (16 B/nnz)")  # fmt: skip
        out.append(
            f"| {row['algo']} | {s_mb} | {s_bt} | {s_tot} | {peer} | {p_mb} | {p_bt} "
            f"| {p_tot} | {ratio} | {total_ratio} |"
        )
    return "\n".join(out) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", nargs="+", choices=["kjv", "zipf"], default=["kjv", "zipf"])
    parser.add_argument("--only", nargs="+", choices=ALGOS, default=ALGOS)
    parser.add_argument("--kjv-docs", type=int, default=None, help="first N verses (smoke runs)")
    parser.add_argument("--zipf-tokens", type=int, default=5_000_000)
    parser.add_argument("--zipf-types", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--bucket", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=1, help="fits per side (min peak kept)")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--name", default="memory", help="stem of the result files")
    args = parser.parse_args(argv)
    settings = {"dim": 100, "window": 5, "min_count": 5, "epochs": args.epochs,
                "threads": args.threads, "bucket": args.bucket}  # fmt: skip
    results, text = {}, []
    with tempfile.TemporaryDirectory() as workdir:
        for name in args.corpus:
            if name == "kjv":
                corpus = kjv_corpus(workdir, args.kjv_docs)
            else:
                corpus = zipf_corpus(workdir, args.zipf_tokens, args.zipf_types)
            rows = []
            for algo in args.only:
                start = time.perf_counter()
                rows.append(measure(corpus, algo, settings, args.repeats, args.timeout))
                took = time.perf_counter() - start
                print(f"{name} {algo}: {json.dumps(rows[-1])} ({took:.0f}s)", file=sys.stderr,
                      flush=True)  # fmt: skip
            info = {k: v for k, v in corpus.items() if k.startswith("n_")}
            results[name] = {"corpus": info, "rows": rows}
            text.append(table(name, corpus, rows))
    report = "\n".join(text)
    print(report)
    if not args.no_save:
        meta = {"settings": settings, "machine": platform.platform(), "cpus": os.cpu_count(),
                "python": sys.version.split()[0]}  # fmt: skip
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        with open(os.path.join(HERE, "results", f"{args.name}.json"), "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=1)
        with open(os.path.join(HERE, "results", f"{args.name}.md"), "w") as f:
            f.write("# Peak RSS of a fit, above the RSS after imports (and in total)\n\n" + report)


if __name__ == "__main__":
    main()

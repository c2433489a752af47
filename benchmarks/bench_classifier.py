"""FastTextClassifier against facebook fastText's train_supervised and TF-IDF + LogisticRegression.

Task: the book group of each verse (9 classes) of the King James Bible
(``load_kjv(target="group")``) and of the Reina-Valera 1909
(``load_rv1909(target="group")``), shuffled stratified k-fold (seed 0).

Every library gets the same tokens: skembed's analyzer runs once, and the
tokens of each verse are joined by spaces; skembed then reads them with
``tokenizer=str.split, lowercase=False``, fastText from a training file
(``__label__<k> tokens``, one verse a line, in the fold's shuffled order),
and TF-IDF with the same split.  fastText and skembed get the same
hyper-parameters, each set explicitly: dim 100, learning rate 0.5 decaying
linearly to 0, 10 epochs, word bigrams, min_count 1, 2,000,000 buckets, no
character n-grams, softmax loss, ``--threads`` threads (skembed's defaults,
see ``FastTextClassifier``'s Notes).  fastText's binding in some builds
produces "Encountered NaN" when it has no bucket (word_ngrams=1 and no
character n-grams): keep ``--word-ngrams`` at 2 or more for it.

Runs are interleaved within each fold (skembed, fastText, TF-IDF, then the
next fold), because timings on a shared machine drift; each fold is one run of
each.  Time is the wall time of the whole fit from tokens (skembed ``fit``:
encoding, features, training; fastText ``train_supervised``: reading its file,
dictionary, training, but not writing the file; TF-IDF: ``fit`` of the
pipeline), and for skembed also ``train_time_`` (the kernels alone).
fastText allocates and initialises its whole ``bucket`` x ``dim`` input
matrix (763 MiB at the settings above) inside ``train_supervised``; skembed
gives rows only to the buckets the training verses use.  Quality
is held-out accuracy and macro-F1, means over the folds.

Usage::

    python benchmarks/bench_classifier.py                     # KJV + RV1909, 5 folds
    python benchmarks/bench_classifier.py --corpora kjv --folds 2 --limit 3000   # a quick look

Needs ``pip install fasttext``.
"""

import argparse
import json
import os
import statistics
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
LIBS = ["skembed", "fasttext", "tfidf"]


def load_corpus(name, limit=None):
    """Return ``(documents as space-joined tokens, labels)`` of a corpus's verses."""
    from skembed import FastTextClassifier
    from skembed.datasets import load_kjv, load_rv1909

    loader = {"kjv": load_kjv, "rv1909": load_rv1909}[name]
    bunch = loader(target="group")
    docs = [" ".join(tokens) for tokens in FastTextClassifier()._analyze(bunch.data)]
    labels = np.asarray(bunch.target)
    if limit is not None and limit < len(docs):
        keep = np.sort(np.random.default_rng(0).permutation(len(docs))[:limit])
        docs, labels = [docs[i] for i in keep], labels[keep]
    return docs, labels


def run_skembed(train_docs, train_y, test_docs, settings, seed):
    from skembed import FastTextClassifier

    clf = FastTextClassifier(
        vector_size=settings["dim"], learning_rate=settings["lr"], epochs=settings["epochs"],
        word_ngrams=settings["word_ngrams"], min_count=1, bucket=settings["bucket"],
        min_learning_rate=0.0, tokenizer=str.split, lowercase=False, random_state=seed,
        n_jobs=settings["threads"],
    )  # fmt: skip
    start = time.perf_counter()
    clf.fit(train_docs, train_y)
    fit_s = time.perf_counter() - start
    return clf.predict(test_docs), {"fit_s": fit_s, "train_s": clf.train_time_}


def run_fasttext(train_docs, train_y, test_docs, settings, seed, folder):
    import fasttext

    path = os.path.join(folder, "train.txt")
    order = np.random.default_rng(seed).permutation(len(train_docs))  # fastText reads in order
    with open(path, "w", encoding="utf-8") as f:
        for i in order:
            f.write(f"__label__{train_y[i]} {train_docs[i]}\n")
    start = time.perf_counter()
    model = fasttext.train_supervised(
        path, dim=settings["dim"], lr=settings["lr"], epoch=settings["epochs"],
        wordNgrams=settings["word_ngrams"], minCount=1, bucket=settings["bucket"], minn=0,
        maxn=0, loss="softmax", thread=settings["threads"], verbose=0, seed=seed,
    )  # fmt: skip
    fit_s = time.perf_counter() - start
    # the list form of predict: the single-line form fails on NumPy 2 in some releases
    labels, _ = model.predict(list(test_docs))
    pred = np.array([int(found[0].replace("__label__", "")) for found in labels])
    return pred, {"fit_s": fit_s}


def run_tfidf(train_docs, train_y, test_docs):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(tokenizer=str.split, lowercase=False, token_pattern=None),
        LogisticRegression(max_iter=1000),
    )
    start = time.perf_counter()
    model.fit(train_docs, train_y)
    fit_s = time.perf_counter() - start
    return model.predict(test_docs), {"fit_s": fit_s}


def bench_corpus(name, args, settings):
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    docs, labels = load_corpus(name, args.limit)
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=0).split(docs, labels)
    runs = {lib: [] for lib in args.libs}
    with tempfile.TemporaryDirectory() as folder:
        for k, (train, test) in enumerate(folds):
            train_docs, test_docs = [docs[i] for i in train], [docs[i] for i in test]
            for lib in args.libs:  # interleaved: one run of each library per fold
                if lib == "skembed":
                    pred, timing = run_skembed(train_docs, labels[train], test_docs, settings, k)
                elif lib == "fasttext":
                    pred, timing = run_fasttext(train_docs, labels[train], test_docs, settings,
                                                k, folder)  # fmt: skip
                else:
                    pred, timing = run_tfidf(train_docs, labels[train], test_docs)
                truth = labels[test]
                timing["accuracy"] = float(accuracy_score(truth, pred))
                timing["macro_f1"] = float(f1_score(truth, pred, average="macro"))
                runs[lib].append(timing)
                figures = ", ".join(f"{key} {value:.4f}" for key, value in timing.items())
                print(f"{name} fold {k} {lib}: {figures}", flush=True)
    summary = {}
    for lib, results in runs.items():
        summary[lib] = {key: statistics.mean(r[key] for r in results) for key in results[0]}
    if "skembed" in summary and "fasttext" in summary:
        summary["fit_time_ratio_skembed_over_fasttext"] = (
            summary["skembed"]["fit_s"] / summary["fasttext"]["fit_s"]
        )
    return {"n_documents": len(docs), "folds": args.folds, "runs": runs, "summary": summary}


def write_markdown(results, settings, path):
    lines = [
        "# FastTextClassifier vs fastText train_supervised vs TF-IDF + LR (book groups)",
        "",
        f"Settings: {settings}. Means over the folds.",
        "",
        "| corpus | library | accuracy | macro-F1 | fit s | train s |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        for lib, s in result["summary"].items():
            if not isinstance(s, dict):
                continue
            lines.append(
                f"| {name} | {lib} | {s['accuracy']:.4f} | {s['macro_f1']:.4f} | "
                f"{s['fit_s']:.2f} | {s.get('train_s', float('nan')):.2f} |"
            )
        ratio = result["summary"].get("fit_time_ratio_skembed_over_fasttext")
        if ratio is not None:
            lines.append(f"| {name} | fit time skembed / fastText | {ratio:.2f} | | | |")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", nargs="+", default=["kjv", "rv1909"])
    parser.add_argument("--libs", nargs="+", default=LIBS, choices=LIBS)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="verses kept (a random slice)")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--word-ngrams", type=int, default=2)
    parser.add_argument("--bucket", type=int, default=2_000_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", default=os.path.join(HERE, "results", "classifier"),
                        help="path without extension: .json and .md are written")  # fmt: skip
    args = parser.parse_args(argv)
    settings = dict(dim=args.dim, lr=args.lr, epochs=args.epochs, word_ngrams=args.word_ngrams,
                    bucket=args.bucket, threads=args.threads)  # fmt: skip
    results = {name: bench_corpus(name, args, settings) for name in args.corpora}
    with open(args.output + ".json", "w", encoding="utf-8") as f:
        json.dump({"settings": settings, "results": results}, f, indent=1)
    write_markdown(results, settings, args.output + ".md")
    print(open(args.output + ".md", encoding="utf-8").read())


if __name__ == "__main__":
    main()

"""Document features for classification: TF-IDF + LogisticRegression against skembed's.

Task: the book group of each verse (9 classes) of the King James Bible
(``load_kjv(target="group")``) and of the Reina-Valera 1909
(``load_rv1909(target="group")``).

Representations, each followed by ``LogisticRegression(max_iter=1000)``
(dense features standardised first):

- ``tfidf``: ``TfidfVectorizer()``;
- ``w2v-mean``, ``w2v-tfidf``, ``w2v-sif``, ``w2v-usif``, ``w2v-minmeanmax``:
  one ``Word2VecVectorizer`` trained per split, its ``wv_`` pooled by
  ``PretrainedVectorizer(pooling=...)`` fitted on the same text (so every
  pooling sees the same vectors; the fit time counts the training once for
  each);
- ``doc2vec``: ``Doc2VecVectorizer`` (its defaults: PV-DM), documents inferred
  by ``transform``;
- ``fasttext-clf``: ``FastTextClassifier()`` alone (with labels; in the
  few-labels setting it starts from the split's word2vec vectors,
  ``initial_vectors``);
- ``tfidf+w2v``: ``FeatureUnion`` of TF-IDF and the standardised
  ``w2v-minmeanmax`` features, weighted ``1 / sqrt(3 * dim)``.

Settings:

- ``all``: shuffled ``StratifiedKFold(--folds, random_state=0)``; every
  representation is fitted on the training fold only;
- ``500``: for each of ``--seeds`` seeds, 500 stratified labeled verses; the
  representations (TF-IDF's vocabulary and idf included) are fitted on all the
  text without labels and frozen (``sklearn.frozen.FrozenEstimator``), the
  classifier on the 500 labeled verses; evaluated on all the other verses.

- ``shift``: shuffled ``StratifiedKFold(--folds)``, but the documents to
  classify are reworded: a random half of the word types (the same for every
  fold) are written differently there (``word`` becomes ``word_v``), as between
  two spellings, editions or sources.  The representations are fitted on the
  labeled documents and the reworded ones together, without labels (the text
  to classify is at hand when the model is fitted); the classifier on the
  labeled documents only.

``--tune-c`` replaces LogisticRegression by ``LogisticRegressionCV`` (C in
0.01 ... 100, 3 inner folds) for every representation, TF-IDF included;
``--window`` sets the window of word2vec and Doc2Vec (a wide window gives
topical vectors).

Reported: accuracy, macro-F1 and fit time (seconds, wall, from text: the
unsupervised fit plus the classifier), means over folds or seeds.

Usage::

    python benchmarks/document_features.py                 # KJV + RV1909, 5 folds, 10 seeds
    python benchmarks/document_features.py --corpora kjv --folds 3 --seeds 2 --max-docs 5000
"""

import argparse
import json
import os
import statistics
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
POOLINGS = ["mean", "tfidf", "sif", "usif", "minmeanmax"]
KEYS = ("accuracy", "macro_f1", "fit_s")
METHODS = ["tfidf", *(f"w2v-{p}" for p in POOLINGS), "doc2vec", "fasttext-clf", "tfidf+w2v"]


def load_corpus(name, max_docs=None):
    """Return ``(verses as an object array, group labels)``, a random slice when ``max_docs``."""
    from skembed.datasets import load_kjv, load_rv1909

    bunch = {"kjv": load_kjv, "rv1909": load_rv1909}[name](target="group")
    docs, labels = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    if max_docs is not None and max_docs < len(docs):
        keep = np.sort(np.random.default_rng(0).permutation(len(docs))[:max_docs])
        docs, labels = docs[keep], labels[keep]
    return docs, labels


TUNE_C = False  # set by --tune-c


def _classifier():
    from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

    if TUNE_C:
        return LogisticRegressionCV(Cs=[0.01, 0.1, 1, 10, 100], cv=3, max_iter=3000)
    return LogisticRegression(max_iter=1000)


def reword(docs, seed=0, fraction=0.5):
    """Return ``docs`` with a random ``fraction`` of word types written as ``word_v``."""
    import re

    from skembed.text import DEFAULT_TOKEN_PATTERN

    pattern = re.compile(DEFAULT_TOKEN_PATTERN)
    types = sorted({w for d in docs for w in pattern.findall(d.lower())})
    rng = np.random.default_rng(seed)
    shifted = set(np.asarray(types, dtype=object)[rng.random(len(types)) < fraction])
    return np.asarray(
        [pattern.sub(lambda m: m[0] + "_v" if m[0].lower() in shifted else m[0], d) for d in docs],
        dtype=object,
    )


def _timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def features(fit_docs, args, seed):
    """Fit every unsupervised representation on ``fit_docs``; return ``{name: (est, seconds)}``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skembed import Doc2VecVectorizer, PretrainedVectorizer, Word2VecVectorizer

    common = dict(
        vector_size=args.dim, epochs=args.epochs, window=args.window, random_state=seed,
        n_jobs=args.n_jobs,
    )  # fmt: skip
    out = {"tfidf": _timed(TfidfVectorizer().fit, fit_docs)}
    w2v, w2v_s = _timed(Word2VecVectorizer(**common).fit, fit_docs)
    for pooling in POOLINGS:
        pooled = PretrainedVectorizer(vectors=w2v.wv_, pooling=pooling, n_jobs=args.n_jobs)
        est, s = _timed(make_pipeline(pooled, StandardScaler()).fit, fit_docs)
        out[f"w2v-{pooling}"] = (est, w2v_s + s)
    if "doc2vec" in args.methods:
        d2v, d2v_s = _timed(
            make_pipeline(Doc2VecVectorizer(**common), StandardScaler()).fit, fit_docs
        )
        out["doc2vec"] = (d2v, d2v_s)
    # the standardised block scaled to about unit row norm, as TF-IDF's rows are: unscaled it
    # outweighs the sparse words and slows LogisticRegression's convergence tenfold
    union = FeatureUnion(
        [("tfidf", out["tfidf"][0]), ("w2v", out["w2v-minmeanmax"][0])],
        transformer_weights={"w2v": 1.0 / np.sqrt(3 * args.dim)},
    )
    out["tfidf+w2v"] = (union, out["tfidf"][1] + out["w2v-minmeanmax"][1])
    out["_wv"] = (w2v.wv_, w2v_s)
    return out


def evaluate(fitted, train_docs, train_y, test_docs, test_y, args, seed, initial_vectors):
    """Fit each classifier on frozen features of the labeled rows; score it on the rest."""
    from sklearn.frozen import FrozenEstimator
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.pipeline import make_pipeline

    from skembed import FastTextClassifier

    rows = {}
    for name in args.methods:
        if name == "fasttext-clf":
            extra = {}
            unsupervised_s = 0.0
            if initial_vectors is not None:
                extra = {"initial_vectors": initial_vectors[0], "vector_size": args.dim}
                unsupervised_s = initial_vectors[1]
            model = FastTextClassifier(random_state=seed, n_jobs=args.n_jobs, **extra)
        else:
            est, unsupervised_s = fitted[name]
            model = make_pipeline(FrozenEstimator(est), _classifier())
        _, fit_s = _timed(model.fit, train_docs, train_y)
        pred = model.predict(test_docs)
        rows[name] = {
            "accuracy": float(accuracy_score(test_y, pred)),
            "macro_f1": float(f1_score(test_y, pred, average="macro")),
            "fit_s": unsupervised_s + fit_s,
        }
        print(f"  {name}: {rows[name]}", flush=True)
    return rows


def bench_corpus(name, args):
    from sklearn.model_selection import StratifiedKFold, train_test_split

    docs, labels = load_corpus(name, args.max_docs)
    runs = {"all": [], "500": [], "shift": []}
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(docs, labels))
    for k, (train, test) in enumerate(folds if "all" in args.settings else []):
        print(f"{name} all labels, fold {k}", flush=True)
        fitted = features(docs[train], args, k)
        runs["all"].append(
            evaluate(fitted, docs[train], labels[train], docs[test], labels[test], args, k, None)
        )
    reworded = reword(docs) if "shift" in args.settings else None
    for k, (train, test) in enumerate(folds if "shift" in args.settings else []):
        print(f"{name} shift of wording, fold {k}", flush=True)
        # the text to classify is at hand, without labels, when the representations are fitted
        fitted = features(np.concatenate([docs[train], reworded[test]]), args, k)
        runs["shift"].append(
            evaluate(fitted, docs[train], labels[train], reworded[test], labels[test], args,
                     k, fitted["_wv"])
        )  # fmt: skip
    for seed in range(args.seeds if "500" in args.settings else 0):
        print(f"{name} {args.labeled} labels, seed {seed}", flush=True)
        labeled, rest = train_test_split(
            np.arange(len(docs)), train_size=args.labeled, stratify=labels, random_state=seed
        )
        fitted = features(docs, args, seed)  # all the text, no labels
        runs["500"].append(
            evaluate(fitted, docs[labeled], labels[labeled], docs[rest], labels[rest], args,
                     seed, fitted["_wv"])
        )  # fmt: skip
    summary = {
        setting: {
            method: {key: statistics.mean(r[method][key] for r in results) for key in KEYS}
            for method in args.methods
        }
        for setting, results in runs.items()
        if results
    }  # fmt: skip
    return {"n_documents": len(docs), "runs": runs, "summary": summary}


def write_markdown(results, args, path):
    label = f"{args.labeled} labels" if args.labeled != 500 else "500 labels"
    lines = [
        "# Document features: TF-IDF + LR against skembed representations (book groups)",
        "",
        f"Settings: {args.label}; corpora {args.corpora}, {args.folds} shuffled stratified folds "
        f"(all labels), {args.seeds} seeds ({label}, representations fitted on all the text), "
        f"dim {args.dim}, window {args.window}, {args.epochs} epochs, n_jobs {args.n_jobs}, "
        f"max docs {args.max_docs}, C {'tuned (LogisticRegressionCV)' if args.tune_c else '1'}. "
        "Means over folds or seeds; fit s includes the unsupervised fit.",
        "",
        "| corpus | labels | representation | accuracy | macro-F1 | fit s |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        for setting, summary in result["summary"].items():
            shown = {"all": "all", "shift": "all, reworded test"}.get(setting, label)
            for method, s in summary.items():
                lines.append(
                    f"| {name} | {shown} | {method} | {s['accuracy']:.3f} | "
                    f"{s['macro_f1']:.3f} | {s['fit_s']:.1f} |"
                )
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", nargs="+", default=["kjv", "rv1909"])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--labeled", type=int, default=500)
    parser.add_argument("--max-docs", type=int, default=None, help="verses kept (a random slice)")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--tune-c", action="store_true", help="LogisticRegressionCV for all")
    parser.add_argument("--settings", nargs="+", default=["all", "500", "shift"],
                        choices=["all", "500", "shift"])  # fmt: skip
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--label", default="full run", help="how the run is described")
    parser.add_argument("--output", default=os.path.join(HERE, "results", "document_features"),
                        help="path without extension: .json and .md are written")  # fmt: skip
    args = parser.parse_args(argv)
    global TUNE_C
    TUNE_C = args.tune_c
    results = {name: bench_corpus(name, args) for name in args.corpora}
    with open(args.output + ".json", "w", encoding="utf-8") as f:
        json.dump({"settings": vars(args), "results": results}, f, indent=1)
    write_markdown(results, args, args.output + ".md")
    print(open(args.output + ".md", encoding="utf-8").read())


if __name__ == "__main__":
    main()

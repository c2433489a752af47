"""Numerical options against the default at equal epochs, on the King James Bible.

For each estimator and option (``loss="nce"``, ``dropout``, ``momentum``,
``storage_dtype="float16"``) the
table gives

* the training speed, words per second (``words_per_second_``);
* WordSim-353 (Spearman, pairs with both words in the vocabulary; word models);
* the cross-validated accuracy of a LogisticRegression that predicts each
  verse's book group (9 classes) from its pooled vector.

The embedding is fitted once on all verses without their labels (as an
unsupervised step would be before a split), then only the classifier is
cross-validated: the accuracy compares representations, not a deployable
pipeline.  Every variant of one estimator shares ``random_state``; several
seeds (``--seeds``) show how much of a difference is noise.

Usage::

    python benchmarks/bench_numerics.py                      # everything, 5 epochs
    python benchmarks/bench_numerics.py --models word2vec --seeds 0 1 2
    python benchmarks/bench_numerics.py --max-docs 2000 --epochs 1   # a smoke run
"""

import argparse
import os
import statistics
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skembed import Doc2VecVectorizer, FastTextVectorizer, Word2VecVectorizer
from skembed.datasets import load_kjv
from skembed.evaluation import word_similarity_score

# (estimator, its common parameters, {variant: parameters})
SUITES = {
    "word2vec": (
        Word2VecVectorizer,
        dict(algorithm="skipgram"),
        {
            "default": {},
            "loss=nce": {"loss": "nce"},
            "dropout=0.1": {"dropout": 0.1},
            "dropout=0.3": {"dropout": 0.3},
            "momentum=0.5": {"momentum": 0.5},
            # a steady gradient moves 1 / (1 - momentum) times further: same effective step
            "momentum=0.9, lr/10": {"momentum": 0.9, "learning_rate": 0.0025},
            "float16 storage": {"storage_dtype": "float16"},
        },
    ),
    "word2vec-cbow": (
        Word2VecVectorizer,
        dict(algorithm="cbow"),
        {
            "default": {},
            "loss=nce": {"loss": "nce"},
            "dropout=0.2": {"dropout": 0.2},
            "momentum=0.5": {"momentum": 0.5},
        },
    ),
    "fasttext": (
        FastTextVectorizer,
        dict(algorithm="skipgram", bucket=200_000),
        {
            "default": {},
            "loss=nce": {"loss": "nce"},
            "dropout=0.2": {"dropout": 0.2},
            "momentum=0.5": {"momentum": 0.5},
            "momentum=0.9, lr/10": {"momentum": 0.9, "learning_rate": 0.0025},
            "float16 storage": {"storage_dtype": "float16"},
        },
    ),
    "doc2vec-dm": (
        Doc2VecVectorizer,
        dict(dm=True),
        {
            "default": {},
            "dropout=0.2": {"dropout": 0.2},
            "momentum=0.5": {"momentum": 0.5},
            # inference keeps plain SGD at its own rate (it defaults to learning_rate)
            "momentum=0.9, lr/10": {
                "momentum": 0.9,
                "learning_rate": 0.0025,
                "inference_learning_rate": 0.025,
            },
            "float16 storage": {"storage_dtype": "float16"},
        },
    ),
}


def _quality(model, features, labels, folds, seed):
    wordsim = np.nan
    if hasattr(model, "wv_") and not isinstance(model, Doc2VecVectorizer):
        wordsim = word_similarity_score(model, "wordsim353").spearman
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    accuracy = cross_val_score(classifier, features, labels, cv=cv).mean()
    return wordsim, accuracy


def run_suite(name, docs, labels, args):
    cls, common, variants = SUITES[name]
    rows = []
    for variant, params in variants.items():
        # compile this variant's kernels first: its timed fits then measure training only
        cls(vector_size=args.vector_size, epochs=1, n_jobs=args.threads, **common,
            **params).fit(docs[:200])  # fmt: skip
        speed, wordsim, accuracy = [], [], []
        for seed in args.seeds:
            model = cls(vector_size=args.vector_size, epochs=args.epochs, n_jobs=args.threads,
                        random_state=seed, **common, **params)  # fmt: skip
            features = model.fit_transform(docs)
            speed.append(model.words_per_second_)
            ws, acc = _quality(model, features, labels, args.folds, seed)
            wordsim.append(ws)
            accuracy.append(acc)
        rows.append((name, variant, statistics.median(speed), np.mean(wordsim),
                     np.mean(accuracy), np.std(accuracy)))  # fmt: skip
        r = rows[-1]
        spread = f" ± {r[5]:.3f}" if len(args.seeds) > 1 else ""
        print(f"| {r[0]} | {r[1]} | {r[2]:,.0f} | {r[3]:.3f} | {r[4]:.3f}{spread} |", flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(SUITES), choices=list(SUITES))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--vector-size", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-docs", type=int, default=None,
                        help="an evenly spaced sample of the verses (smoke runs)")  # fmt: skip
    args = parser.parse_args(argv)
    kjv = load_kjv(target="group")
    docs, labels = list(kjv.data), np.asarray(kjv.target)
    if args.max_docs is not None and args.max_docs < len(docs):
        keep = np.linspace(0, len(docs) - 1, args.max_docs).astype(int)
        docs, labels = [docs[i] for i in keep], labels[keep]
    print(f"{len(docs)} verses, {args.epochs} epochs, vector_size {args.vector_size}, "
          f"seeds {args.seeds}, {args.threads} thread(s)")  # fmt: skip
    spread = " (mean ± sd over seeds)" if len(args.seeds) > 1 else ""
    print(f"| model | variant | words/s | WordSim-353 | group accuracy (CV){spread} |")
    print("|---|---|---|---|---|")
    rows = []
    for name in args.models:
        rows += run_suite(name, docs, labels, args)
    print(f"load average: {os.getloadavg()}")
    return rows


if __name__ == "__main__":
    sys.exit(0 if main() else 1)

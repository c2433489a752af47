"""Half-precision storage (``storage_dtype="float16"``) against float32, on the King James Bible.

For each estimator the same fit (same seed, one thread) runs twice, with
``storage_dtype="float32"`` and ``"float16"``, and the table gives

* the size of each pickle and their ratio;
* the largest difference between the two models' ``transform`` of the first
  verses (float32 in both), next to the largest value, for scale;
* for the classifier, the share of verses whose predicted book group agrees.

Usage::

    python benchmarks/bench_half_precision.py                 # every estimator, 1 epoch
    python benchmarks/bench_half_precision.py --models fasttext doc2vec --epochs 5
    python benchmarks/bench_half_precision.py --max-docs 2000  # a smoke run
"""

import argparse
import pickle

import numpy as np

from skembed import (
    Doc2VecVectorizer,
    FastTextClassifier,
    FastTextVectorizer,
    GloVeVectorizer,
    Word2VecVectorizer,
)
from skembed.datasets import load_kjv

MODELS = {
    "word2vec": Word2VecVectorizer,
    "glove": GloVeVectorizer,
    "fasttext": FastTextVectorizer,
    "doc2vec": Doc2VecVectorizer,
    "classifier": FastTextClassifier,
}
N_TRANSFORM = 500  # verses transformed by both models


def _fit(cls, docs, labels, dtype, epochs):
    model = cls(epochs=epochs, random_state=0, storage_dtype=dtype)
    return model.fit(docs, labels) if cls is FastTextClassifier else model.fit(docs)


def compare(name, docs, labels, epochs):
    """Return one row of the table for estimator ``name``."""
    cls = MODELS[name]
    full = _fit(cls, docs, labels, "float32", epochs)
    half = _fit(cls, docs, labels, "float16", epochs)
    large, small = len(pickle.dumps(full)), len(pickle.dumps(half))
    sample = docs[:N_TRANSFORM]
    X32, X16 = full.transform(sample), half.transform(sample)
    row = dict(
        model=name, float32_mb=large / 1e6, float16_mb=small / 1e6, ratio=small / large,
        max_diff=float(np.abs(X16 - X32).max()), max_value=float(np.abs(X32).max()),
        transform_dtype=str(X16.dtype),
    )  # fmt: skip
    if cls is FastTextClassifier:
        row["agree"] = float(np.mean(full.predict(docs) == half.predict(docs)))
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--max-docs", type=int, default=None, help="evenly spaced verses")
    args = parser.parse_args(argv)
    kjv = load_kjv(target="group")
    docs, labels = list(kjv.data), np.asarray(kjv.target)
    if args.max_docs is not None and args.max_docs < len(docs):
        keep = np.linspace(0, len(docs) - 1, args.max_docs).astype(int)
        docs, labels = [docs[i] for i in keep], labels[keep]
    print(f"{len(docs)} verses, {args.epochs} epoch(s), default parameters otherwise")
    print(f"{'model':<11} {'float32 MB':>10} {'float16 MB':>10} {'ratio':>6} "
          f"{'max |diff|':>10} {'max |x|':>8}  agree")  # fmt: skip
    for name in args.models:
        r = compare(name, docs, labels, args.epochs)
        agree = f"{r['agree']:.4f}" if "agree" in r else ""
        print(f"{r['model']:<11} {r['float32_mb']:>10.2f} {r['float16_mb']:>10.2f} "
              f"{r['ratio']:>6.3f} {r['max_diff']:>10.2e} {r['max_value']:>8.3f}  {agree}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()

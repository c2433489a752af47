"""Few labels, much text
=====================

Few labels, much text: word vectors fitted on every verse, a classifier on 500 of them.

Semi-supervised use of an embedding: the vectorizer learns from all the text
there is (its labels unused), and only the classifier sees labels.  Wrapped in
``sklearn.frozen.FrozenEstimator``, the fitted vectorizer is never refitted by
``clone``, ``Pipeline.fit`` or a ``GridSearchCV``: the pipeline trains the
classifier alone on the labeled rows.  The same word vectors can also start a
``FastTextClassifier`` (``initial_vectors=vectorizer.wv_``).  TF-IDF, its
vocabulary and idf fitted on all the text in the same way, is the baseline.
Run ``python examples/semi_supervised_kjv.py`` (``--small`` for a quick run).
"""

import argparse

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skembed import FastTextClassifier, Word2VecVectorizer
from skembed.datasets import load_kjv


def main(small=False, n_labeled=500, seed=0):
    kjv = load_kjv(target="group")
    X, y = np.asarray(kjv.data, dtype=object), kjv.target
    if small:
        X, y = X[::8], y[::8]
        n_labeled = min(n_labeled, 200)
    # unsupervised: every verse, no label
    vectorizer = Word2VecVectorizer(
        vector_size=30 if small else 100, epochs=2 if small else 5, min_count=2,
        pooling="minmeanmax", random_state=seed,
    ).fit(X)  # fmt: skip
    tfidf = TfidfVectorizer().fit(X)
    # supervised: a stratified handful of labeled verses; evaluated on all the others
    labeled, rest = train_test_split(
        np.arange(len(X)), train_size=n_labeled, stratify=y, random_state=seed
    )
    pipelines = {
        "TF-IDF + LR": make_pipeline(FrozenEstimator(tfidf), LogisticRegression(max_iter=1000)),
        "word2vec minmeanmax + LR": make_pipeline(
            FrozenEstimator(vectorizer), StandardScaler(), LogisticRegression(max_iter=1000)
        ),
        "FastTextClassifier(initial_vectors)": FastTextClassifier(
            initial_vectors=vectorizer.wv_,
            vector_size=vectorizer.vector_size,
            epochs=10 if small else 25,
            random_state=seed,
        ),
    }
    scores = {}
    for name, model in pipelines.items():
        model.fit(X[labeled], y[labeled])
        scores[name] = float(np.mean(model.predict(X[rest]) == y[rest]))
    print(f"{len(X):,} verses, {n_labeled} labeled, evaluated on the other {len(rest):,}")
    for name, score in scores.items():
        print(f"{name:>38}: accuracy {score:.3f}")
    return scores


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="a quick run on 1/8 of the verses")
    main(parser.parse_args().small)

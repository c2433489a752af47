"""Classifying verses with word2vec features
=========================================

Classify Bible verses by book group with word2vec features, cross-validated.

A ``Pipeline`` of ``Word2VecVectorizer`` and ``LogisticRegression`` scored by
5-fold cross-validation: the embedding is refitted inside each fold, so no
word of a test fold leaks into training.  Run ``python examples/classify_kjv.py``
(``--small`` for a quick run).
"""

import argparse

from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skembed import Word2VecVectorizer
from skembed.datasets import load_kjv


def main(small=False):
    kjv = load_kjv(target="group")
    X, y = kjv.data, kjv.target
    if small:
        X, y = X[::8], y[::8]
    pipe = make_pipeline(
        Word2VecVectorizer(vector_size=30 if small else 100, epochs=2 if small else 5,
                           pooling="tfidf", n_jobs=-1, random_state=0),
        StandardScaler(),
        LogisticRegression(max_iter=300 if small else 1000),
    )  # fmt: skip
    cv = StratifiedKFold(n_splits=3 if small else 5, shuffle=True, random_state=0)
    result = cross_validate(pipe, X, y, cv=cv, scoring="accuracy")
    scores = result["test_score"]
    print(f"{len(X):,} verses, {len(set(y))} book groups")
    print(f"accuracy per fold: {', '.join(f'{s:.3f}' for s in scores)}")
    print(f"mean accuracy: {scores.mean():.3f}")
    return scores


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="a quick run on 1/8 of the verses")
    main(parser.parse_args().small)

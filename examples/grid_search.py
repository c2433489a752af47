"""Tuning word2vec with GridSearchCV
=================================

Tune ``window`` and ``vector_size`` with GridSearchCV on intrinsic scores.

Three metrics at once: WordSim-353 similarity, Google analogies (uncovered
questions count as wrong) and the held-out ``score`` (skip-gram log-likelihood
of the test fold).  ``refit="heldout"`` refits the best setting by held-out
score.  Run ``python examples/grid_search.py`` (``--small`` for a quick run).
"""

import argparse

import pandas as pd
from sklearn.model_selection import GridSearchCV, KFold

from skembed import Word2VecVectorizer
from skembed.datasets import load_kjv
from skembed.evaluation import make_analogy_scorer, make_similarity_scorer


def heldout(estimator, X, y=None):
    return estimator.score(X)


def main(small=False):
    X = load_kjv().data
    if small:
        X = X[::6]
    grid = {"window": [2, 5], "vector_size": [20, 50] if small else [50, 100]}
    search = GridSearchCV(
        Word2VecVectorizer(epochs=2 if small else 5, random_state=0, n_jobs=1),
        grid,
        scoring={
            "wordsim": make_similarity_scorer("wordsim353"),
            "analogy": make_analogy_scorer("google"),
            "heldout": heldout,
        },
        refit="heldout",
        cv=KFold(2 if small else 3, shuffle=True, random_state=0),
        n_jobs=2,  # two worker processes; each trains on one thread
    )
    search.fit(X)
    columns = ["params", "mean_test_wordsim", "mean_test_analogy", "mean_test_heldout"]
    table = pd.DataFrame(search.cv_results_)[columns]
    with pd.option_context("display.width", 120, "display.max_colwidth", 40):
        print(table.to_string(index=False))
    print(f"best by held-out score: {search.best_params_}")
    return search


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="a quick run on 1/6 of the verses")
    main(parser.parse_args().small)

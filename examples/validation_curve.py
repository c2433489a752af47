"""A validation curve of vector_size
=================================

Plot a validation curve of ``vector_size`` to a PNG (needs ``pip install skembed[plot]``).

For each vector size, 3-fold cross-validation of the held-out ``score`` of
``Word2VecVectorizer`` on the King James Bible, train and test side by side.
Run ``python examples/validation_curve.py -o curve.png`` (``--small`` for a quick run).
"""

import argparse

import numpy as np
from sklearn.model_selection import KFold, validation_curve

from skembed import Word2VecVectorizer
from skembed.datasets import load_kjv


def main(output="validation_curve.png", small=False):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X = load_kjv().data
    if small:
        X = X[::8]
    sizes = [5, 20, 50] if small else [10, 25, 50, 100, 200]
    train, test = validation_curve(
        Word2VecVectorizer(epochs=1 if small else 5, random_state=0, n_jobs=-1),
        X, None, param_name="vector_size", param_range=sizes,
        cv=KFold(3, shuffle=True, random_state=0),
    )  # fmt: skip
    fig, ax = plt.subplots(figsize=(6, 4))
    for scores, label in ((train, "training documents"), (test, "held-out documents")):
        mean, std = scores.mean(axis=1), scores.std(axis=1)
        ax.plot(sizes, mean, marker="o", label=label)
        ax.fill_between(sizes, mean - std, mean + std, alpha=0.2)
    ax.set_xscale("log")
    ax.set_xlabel("vector_size")
    ax.set_ylabel("score (log-likelihood per pair)")
    ax.set_title("Word2VecVectorizer on the King James Bible")
    ax.legend()
    fig.tight_layout()
    fig.savefig(output, dpi=100)
    best = sizes[int(np.argmax(test.mean(axis=1)))]
    print(f"wrote {output}; best vector_size by held-out score: {best}")
    return train, test


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", default="validation_curve.png")
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    main(args.output, args.small)

"""Pooling modes compared on verse retrieval
=========================================

Find a Bible verse from a reworded copy: mean, tf-idf, SIF and uSIF pooling compared.

Word2vec vectors are trained once on the King James Bible; each of 2,000 verses is
reworded (each word dropped with probability 0.2, or replaced with probability 0.2 by its
nearest neighbour in the vector space) and looked up among all 31,102 verses by cosine
similarity of the pooled vectors.  Every mode pools the same vectors with
``PretrainedVectorizer``; the figure is the share of reworded verses whose nearest verse
is the original (top-1 accuracy).  Run ``python examples/pooling_retrieval_kjv.py``
(``--small`` for a quick run).
"""

import argparse

import numpy as np

from skembed import PretrainedVectorizer, Word2VecVectorizer
from skembed.datasets import load_kjv
from skembed.text._analyzer import build_analyzer


def reword(texts, wv, analyze, n_queries, rng, drop=0.2, replace=0.2):
    """Return the ids of ``n_queries`` verses and their reworded copies."""
    normed = wv.get_normed_vectors()
    nearest = {}

    def neighbour(word):
        if word not in nearest:
            i = wv.key_to_index[word]
            sims = normed @ normed[i]
            sims[i] = -np.inf
            nearest[word] = wv.index_to_key[int(np.argmax(sims))]
        return nearest[word]

    queries = rng.choice(len(texts), n_queries, replace=False)
    copies = []
    for q in queries:
        words = []
        for token in analyze(texts[q]):
            u = rng.random_sample()
            if u < drop:
                continue
            words.append(neighbour(token) if u < drop + replace and token in wv else token)
        copies.append(" ".join(words))
    return queries, copies


def _unit(M):
    norms = np.linalg.norm(M, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return M / norms


def main(small=False):
    texts = list(load_kjv().data)
    if small:
        texts = texts[::4]
    w2v = Word2VecVectorizer(vector_size=50 if small else 100, epochs=3 if small else 5,
                             random_state=0).fit(texts)  # fmt: skip
    queries, copies = reword(
        texts, w2v.wv_, build_analyzer(w2v), 500 if small else 2000, np.random.RandomState(0)
    )
    top1 = {}
    for pooling in ["mean", "tfidf", "sif", "usif"]:
        vec = PretrainedVectorizer(vectors=w2v.wv_, pooling=pooling).fit(texts)
        sims = _unit(vec.transform(copies)) @ _unit(vec.transform(texts)).T
        top1[pooling] = float(np.mean(np.argmax(sims, axis=1) == queries))
        print(f"{pooling:>6}: top-1 accuracy {top1[pooling]:.4f}")
    return top1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="a quarter of the verses")
    main(small=parser.parse_args().small)

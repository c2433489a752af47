"""Aligning English and Spanish vectors
====================================

Align English and Spanish word vectors learnt apart, with no dictionary.

Two ``Word2VecVectorizer`` models are trained separately (different seeds) on
the King James Bible and on the Spanish Reina-Valera (1909).  The strings both
vocabularies share (names such as "david", "jerusalem") seed an
``OrthogonalProcrustes`` map, refined on mutual CSLS nearest neighbours.  Then:

(a) words are translated by nearest neighbour, checked on a hand-made list;
(b) each English verse of a book retrieves its Spanish verse among all of them;
(c) a classifier trained on English verses predicts the book group of Spanish
    verses (zero-shot transfer).

Each figure is printed beside its controls: the unaligned spaces, and a map
learnt from shuffled pairs.  Run ``python examples/align_kjv_rv1909.py``
(``--small`` for a quicker run).
"""

import argparse

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skembed import Word2VecVectorizer
from skembed.alignment import OrthogonalProcrustes, identical_pairs, nearest_neighbors
from skembed.datasets import load_kjv, load_rv1909

# common words of both texts and their Reina-Valera translations; none is spelt alike, so
# none is among the identical strings the map is learnt from
WORD_PAIRS = [
    ("god", "dios"), ("king", "rey"), ("land", "tierra"), ("son", "hijo"), ("lord", "señor"),
    ("house", "casa"), ("people", "pueblo"), ("father", "padre"), ("day", "día"),
    ("man", "hombre"), ("heaven", "cielo"), ("earth", "tierra"), ("water", "agua"),
    ("city", "ciudad"), ("fire", "fuego"), ("word", "palabra"), ("hand", "mano"),
    ("name", "nombre"), ("heart", "corazón"), ("sons", "hijos"), ("brother", "hermano"),
    ("mother", "madre"), ("woman", "mujer"), ("daughter", "hija"), ("blood", "sangre"),
    ("bread", "pan"), ("gold", "oro"), ("silver", "plata"), ("sword", "espada"),
    ("death", "muerte"), ("life", "vida"), ("spirit", "espíritu"), ("priest", "sacerdote"),
    ("temple", "templo"), ("law", "ley"), ("servant", "siervo"), ("prophet", "profeta"),
    ("night", "noche"), ("year", "año"), ("kings", "reyes"), ("seven", "siete"),
    ("three", "tres"), ("two", "dos"), ("thousand", "mil"), ("eyes", "ojos"), ("voice", "voz"),
    ("flesh", "carne"), ("wine", "vino"), ("stone", "piedra"), ("men", "hombres"),
    ("peace", "paz"), ("light", "luz"), ("darkness", "tinieblas"), ("egypt", "egipto"),
    ("moses", "moisés"),
]  # fmt: skip

RETRIEVAL_BOOK = "Genesis"


def load_parallel():
    """The verses both Bibles hold, joined on book, chapter and verse."""
    kjv = load_kjv(as_frame=True, target="group").frame
    rv = load_rv1909(as_frame=True, target="group").frame
    return kjv.merge(rv, on=["book", "chapter", "verse"], suffixes=("_en", "_es"))


def fit_vectorizers(verses, small=False):
    """One vectorizer per language, trained apart with different seeds."""
    params = dict(vector_size=100, epochs=5, pooling="tfidf", n_jobs=-1)
    english = Word2VecVectorizer(random_state=0, **params).fit(verses["text_en"])
    spanish = Word2VecVectorizer(random_state=1, **params).fit(verses["text_es"])
    return english, spanish


def fit_aligner(english, spanish, small=False):
    """A rotation seeded by identical strings and refined without supervision.

    Returns the aligner and a control: the same aligner fitted on the seed pairs
    shuffled, a map of the same kind that aligns nothing.
    """
    X, Y, words = identical_pairs(english.wv_, spanish.wv_)
    aligner = OrthogonalProcrustes(normalize=True, refine=3 if small else 5)
    aligner.fit(X, Y, source=english.wv_.vectors, target=spanish.wv_.vectors)
    shuffled = np.random.default_rng(0).permutation(len(Y))
    control = clone(aligner).set_params(refine=0).fit(X, Y[shuffled])
    return aligner, control, words


def translation_precision(english_wv, spanish_wv, maps=None, ns=(1, 5)):
    """Precision@n of translating ``WORD_PAIRS`` by CSLS nearest neighbour.

    ``maps`` is ``(transform, transform_target)``; None compares the spaces as they are.
    """
    answers = {}
    for en, es in WORD_PAIRS:
        answers.setdefault(en, set()).add(es)
    queries = english_wv[list(answers)]
    candidates = spanish_wv.vectors
    if maps is not None:
        queries, candidates = maps[0](queries), maps[1](candidates)
    indices, _ = nearest_neighbors(queries, candidates, n_neighbors=max(ns), method="csls")
    found = [[spanish_wv.index_to_key[j] in answers[en] for j in row]
             for en, row in zip(answers, indices, strict=True)]  # fmt: skip
    return {n: float(np.mean([any(hits[:n]) for hits in found])) for n in ns}


def retrieval_precision(queries, candidates):
    """Precision@1 of finding row i of ``candidates`` for row i of ``queries`` (CSLS)."""
    indices, _ = nearest_neighbors(queries, candidates, method="csls")
    return float(np.mean(indices[:, 0] == np.arange(len(queries))))


def zero_shot_accuracy(english_features, spanish_features, y, small=False):
    """Train on English verses, test on the held-out Spanish verses' book groups."""
    train, test = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y, random_state=0)
    if small:
        train = train[::2]
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    classifier.fit(english_features[train], y[train])
    return float(classifier.score(spanish_features[test], y[test])), train, test


def main(small=False):
    verses = load_parallel()
    english, spanish = fit_vectorizers(verses, small)
    aligner, control, seed = fit_aligner(english, spanish, small)
    print(f"{len(verses):,} verse pairs; {len(seed)} identical strings seed the map; "
          f"refinement pairs per round: {aligner.n_refine_pairs_}")  # fmt: skip
    figures = {
        "missing pairs": [(en, es) for en, es in WORD_PAIRS
                          if en not in english.wv_ or es not in spanish.wv_],
        "seed": seed,
    }  # fmt: skip

    def mapped(a):
        return (a.transform, a.transform_target)

    figures["words"] = {
        "aligned": translation_precision(english.wv_, spanish.wv_, mapped(aligner)),
        "unaligned": translation_precision(english.wv_, spanish.wv_),
        "random map": translation_precision(english.wv_, spanish.wv_, mapped(control)),
    }
    print(f"(a) word translation, {len(WORD_PAIRS)} pairs (precision@1, @5):")
    for name, p in figures["words"].items():
        print(f"    {name:<10} {p[1]:.3f}  {p[5]:.3f}")

    english_docs = english.transform(verses["text_en"])
    spanish_docs = spanish.transform(verses["text_es"])
    book = (verses["book"] == RETRIEVAL_BOOK).to_numpy()
    figures["verses"] = {
        "aligned": retrieval_precision(
            aligner.transform(english_docs[book]), aligner.transform_target(spanish_docs[book])
        ),
        "unaligned": retrieval_precision(english_docs[book], spanish_docs[book]),
        "random map": retrieval_precision(
            control.transform(english_docs[book]), control.transform_target(spanish_docs[book])
        ),
    }
    print(f"(b) verse retrieval among the {book.sum():,} verses of {RETRIEVAL_BOOK} "
          "(precision@1):")  # fmt: skip
    for name, p in figures["verses"].items():
        print(f"    {name:<10} {p:.3f}")

    y = verses["target_en"].to_numpy()
    aligned, train, test = zero_shot_accuracy(
        aligner.transform(english_docs), aligner.transform_target(spanish_docs), y, small
    )
    unaligned, _, _ = zero_shot_accuracy(english_docs, spanish_docs, y, small)
    control_accuracy, _, _ = zero_shot_accuracy(
        control.transform(english_docs), control.transform_target(spanish_docs), y, small
    )
    spanish_only, _, _ = zero_shot_accuracy(spanish_docs, spanish_docs, y, small)
    figures["zero-shot"] = {
        "aligned": aligned,
        "unaligned": unaligned,
        "random map": control_accuracy,
        "trained on Spanish": spanish_only,
    }
    print(f"(c) book group of {len(test):,} Spanish verses, classifier trained on "
          f"{len(train):,} English verses (accuracy):")  # fmt: skip
    for name, p in figures["zero-shot"].items():
        print(f"    {name:<18} {p:.3f}")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="fewer refinement rounds")
    main(parser.parse_args().small)

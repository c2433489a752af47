"""Align embedding spaces from paired items: cross-lingual words, documents, any two spaces.

Two embeddings trained apart (two languages, two domains, text and image
features) live in unrelated coordinates; a linear map learnt from a few
paired rows makes them comparable.  The aligners are scikit-learn
estimators fitted on paired rows (``fit(X, Y)``); the pair builders make
those rows from a seed dictionary, from the strings two vocabularies share,
or from paired documents; the retrieval functions search one space from the
other by cosine or by CSLS, the hubness-corrected similarity.

Examples
--------
Any two spaces: word vectors and a second feature space (here 12 made-up
"image" features per item) of a different dimension, paired on 30 items.
A map learnt from those pairs finds the features of 10 other items from
their words, and the word of each feature row:

>>> import numpy as np
>>> from skembed import WordVectors
>>> from skembed.alignment import LeastSquaresAligner, nearest_neighbors
>>> rng = np.random.default_rng(0)
>>> words = [f"item{i}" for i in range(40)]
>>> wv = WordVectors(words, rng.normal(size=(40, 8)))
>>> images = wv.vectors @ rng.normal(size=(8, 12)) + 0.1 * rng.normal(size=(40, 12))
>>> aligner = LeastSquaresAligner(alpha=1e-3).fit(wv[words[:30]], images[:30])
>>> queries = aligner.transform(wv[words[30:]])      # words into the image space
>>> found, _ = nearest_neighbors(queries, aligner.transform_target(images[30:]))
>>> bool(np.all(found[:, 0] == np.arange(10)))
True
>>> back, _ = nearest_neighbors(aligner.transform_target(images[30:]), queries)
>>> [words[30 + i] for i in back[:3, 0]]             # images to words
['item30', 'item31', 'item32']
"""

from skembed.alignment._cca import CCAAligner
from skembed.alignment._linear import LeastSquaresAligner, OrthogonalProcrustes
from skembed.alignment._pairs import dictionary_pairs, document_pairs, identical_pairs
from skembed.alignment._retrieval import csls_scores, k_occurrence, nearest_neighbors

__all__ = [
    "CCAAligner",
    "LeastSquaresAligner",
    "OrthogonalProcrustes",
    "csls_scores",
    "dictionary_pairs",
    "document_pairs",
    "identical_pairs",
    "k_occurrence",
    "nearest_neighbors",
]

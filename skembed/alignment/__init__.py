"""Align embedding spaces from paired items: cross-lingual words, documents, any two spaces.

Two embeddings trained apart (two languages, two domains, text and image
features) live in unrelated coordinates; a linear map learnt from a few
paired rows makes them comparable.  The aligners are scikit-learn
estimators fitted on paired rows (``fit(X, Y)``); the pair builders make
those rows from a seed dictionary, from the strings two vocabularies share,
or from paired documents; the retrieval functions search one space from the
other by cosine or by CSLS, the hubness-corrected similarity.
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

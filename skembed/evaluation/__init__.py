"""Intrinsic evaluation of word vectors: word similarity, analogies, and scorers."""

from ._analogy import AnalogyResult, SectionScore, analogy_accuracy
from ._scorers import make_analogy_scorer, make_similarity_scorer
from ._similarity import SimilarityResult, word_similarity_score

__all__ = [
    "AnalogyResult",
    "SectionScore",
    "SimilarityResult",
    "analogy_accuracy",
    "make_analogy_scorer",
    "make_similarity_scorer",
    "word_similarity_score",
]

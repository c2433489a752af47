"""Intrinsic evaluation of word vectors: word similarity, analogies, and scorers."""

from skembed.evaluation._analogy import AnalogyResult, SectionScore, analogy_accuracy
from skembed.evaluation._scorers import make_analogy_scorer, make_similarity_scorer
from skembed.evaluation._similarity import SimilarityResult, word_similarity_score

__all__ = [
    "AnalogyResult",
    "SectionScore",
    "SimilarityResult",
    "analogy_accuracy",
    "make_analogy_scorer",
    "make_similarity_scorer",
    "word_similarity_score",
]

"""Text to tokens: the analyzer shared by every estimator, and fastText subword hashing.

The analyzer is scikit-learn's own (``CountVectorizer(...).build_analyzer()``),
so the text parameters (``lowercase``, ``token_pattern``, ``stop_words``, ...)
behave as in ``TfidfVectorizer``.
"""

from skembed.text._subwords import char_ngrams, fasttext_hash

__all__ = ["char_ngrams", "fasttext_hash"]

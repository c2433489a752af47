"""Text to tokens: the analyzer shared by every estimator, and fastText subword hashing.

The analyzer is scikit-learn's own (``CountVectorizer(...).build_analyzer()``),
so the text parameters (``lowercase``, ``token_pattern``, ``stop_words``, ...)
behave as in ``TfidfVectorizer``.

The text steps map raw documents to documents (one str per input row) and go
before a vectorizer in a pipeline; ``LanguageDetector`` maps documents to
language codes. Their optional packages come with the ``skembed[text]`` extra
and are imported when a step is used, never at import.
"""

from skembed.text._cleaner import TextCleaner
from skembed.text._languages import LanguageDetector, filter_languages, stop_words
from skembed.text._phrases import Phrases
from skembed.text._subword_tokenizer import SubwordTokenizer
from skembed.text._subwords import char_ngrams, fasttext_hash
from skembed.text._tokenizers import Tokenizer, make_token_pattern

__all__ = [
    "LanguageDetector",
    "Phrases",
    "SubwordTokenizer",
    "TextCleaner",
    "Tokenizer",
    "char_ngrams",
    "fasttext_hash",
    "filter_languages",
    "make_token_pattern",
    "stop_words",
]

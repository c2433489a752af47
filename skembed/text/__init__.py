"""Text to tokens: the analyzer shared by every estimator, and fastText subword hashing.

The analyzer is scikit-learn's own (``CountVectorizer(...).build_analyzer()``),
so the text parameters (``lowercase``, ``token_pattern``, ``stop_words``, ...)
behave as in ``TfidfVectorizer``.

The text steps map raw documents to documents (one str per input row) and go
before a vectorizer in a pipeline; ``LanguageDetector`` maps documents to
language codes. Their optional packages come with the ``skembed[text]`` extra
and are imported when a step is used, never at import. The steps themselves
are imported on first use (PEP 562), so importing this package stays cheap.
"""

import importlib

from skembed.text._subwords import char_ngrams, fasttext_hash

_LAZY = {
    "DEFAULT_TOKEN_PATTERN": "skembed.text._analyzer",
    "LanguageDetector": "skembed.text._languages",
    "Phrases": "skembed.text._phrases",
    "SubwordTokenizer": "skembed.text._subword_tokenizer",
    "TextCleaner": "skembed.text._cleaner",
    "Tokenizer": "skembed.text._tokenizers",
    "filter_languages": "skembed.text._languages",
    "make_token_pattern": "skembed.text._tokenizers",
    "stop_words": "skembed.text._languages",
}

__all__ = [
    "DEFAULT_TOKEN_PATTERN",
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


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skembed.text' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))

"""Text to tokens: scikit-learn's word analyzer, and guards on the documents given.

The analyzer is ``CountVectorizer(...).build_analyzer()`` with the estimator's
text parameters, so ``input``, ``encoding``, ``decode_error``,
``strip_accents``, ``lowercase``, ``preprocessor``, ``tokenizer``,
``token_pattern`` and ``stop_words`` mean exactly what they mean in
``TfidfVectorizer``.
"""

from collections.abc import Iterable

from sklearn.feature_extraction.text import CountVectorizer

__all__ = ["TEXT_PARAMETERS", "build_analyzer", "iter_tokens"]

# Unlike CountVectorizer's default r"(?u)\b\w\w+\b", single letters ("a", "i")
# are kept: they are context words that embeddings learn from.
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w+\b"

TEXT_PARAMETERS = (
    "input",
    "encoding",
    "decode_error",
    "strip_accents",
    "lowercase",
    "preprocessor",
    "tokenizer",
    "token_pattern",
    "stop_words",
)


def build_analyzer(estimator):
    """Return a callable turning one document into a list of tokens."""
    params = {name: getattr(estimator, name) for name in TEXT_PARAMETERS}
    return CountVectorizer(analyzer="word", **params).build_analyzer()


def check_documents(X, parameter="X"):
    """Reject a bare string (or bytes) where an iterable of documents is expected."""
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{parameter} must be an iterable of documents (e.g. a list of str), got a single "
            f"{type(X).__name__}; wrap it in a list: [{parameter}]."
        )
    if not isinstance(X, Iterable):
        raise TypeError(f"{parameter} must be an iterable of documents, got {type(X).__name__}.")
    return X


def iter_tokens(X, analyzer, input="content"):
    """Yield the token list of each document of ``X``, naming any document at fault."""
    check_documents(X)
    for i, doc in enumerate(X):
        if input == "content" and not isinstance(doc, (str, bytes)):
            raise TypeError(
                f"document {i} is of type {type(doc).__name__}; with input='content' every "
                "document must be a str (use input='filename' or input='file' for files)."
            )
        try:
            tokens = analyzer(doc)
        except (UnicodeDecodeError, OSError) as exc:
            raise ValueError(f"document {i} ({doc!r:.60}) could not be read: {exc}") from exc
        yield tokens

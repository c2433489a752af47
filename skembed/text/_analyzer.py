"""Text to tokens: scikit-learn's word analyzer, and guards on the documents given.

The analyzer is ``CountVectorizer(...).build_analyzer()`` with the estimator's
text parameters, so ``input``, ``encoding``, ``decode_error``,
``strip_accents``, ``lowercase``, ``preprocessor``, ``tokenizer``,
``token_pattern`` and ``stop_words`` mean exactly what they mean in
``TfidfVectorizer``.
"""

from collections.abc import Iterable

from sklearn.feature_extraction.text import CountVectorizer

from skembed.text._inputs import expand_filenames
from skembed.text._unicode_tables import MARKS

__all__ = ["TEXT_PARAMETERS", "AnalyzedDocuments", "build_analyzer", "iter_tokens"]

# Unlike CountVectorizer's default r"(?u)\b\w\w+\b", single letters ("a", "i")
# are kept: they are context words that embeddings learn from. Combining marks
# (categories Mn, Mc, Me) continue a word, since ``\w`` alone cuts Devanagari,
# Bengali, Thai, ... words at every vowel sign and virama ("हिन्दी" into "ह", "न",
# "द"); on text without marks this matches exactly what r"(?u)\b\w+\b" matches.
# A pure ``re`` pattern, so the core needs no extra package.
DEFAULT_TOKEN_PATTERN = "(?u)\\w[\\w" + MARKS + "]*"

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

# The default analyzer runs compiled (skembed.text._fast_analyzer) wherever the
# encoder can take it; False sends every document through the Python analyzer.
COMPILED = True


class _Analyzer:
    """scikit-learn's analyzer, plus what the compiled encoder needs to replace it.

    ``compiled`` is None unless the text parameters give the default analyzer
    (default ``token_pattern``, no ``preprocessor``, ``tokenizer`` or
    ``strip_accents``); then it holds ``lowercase`` and the stop words, and
    ``decode`` reads one document (a file with ``input="filename"`` or
    ``"file"``) into a str.
    """

    def __init__(self, vectorizer):
        self._analyzer = vectorizer.build_analyzer()
        self.decode = vectorizer.decode
        default = (
            vectorizer.token_pattern == DEFAULT_TOKEN_PATTERN
            and vectorizer.preprocessor is None
            and vectorizer.tokenizer is None
            and vectorizer.strip_accents is None
        )
        self.compiled = None
        if default:
            self.compiled = {
                "lowercase": bool(vectorizer.lowercase),
                "stop_words": vectorizer.get_stop_words(),
            }

    def __call__(self, doc):
        return self._analyzer(doc)


def build_analyzer(estimator):
    """Return a callable turning one document into a list of tokens."""
    params = {name: getattr(estimator, name) for name in TEXT_PARAMETERS}
    return _Analyzer(CountVectorizer(analyzer="word", **params))


def check_documents(X, parameter="X"):
    """Return the documents of ``X``, reading a one-column table as its column.

    A bare string (or bytes) is refused.  A table (a pandas DataFrame, or any
    object with ``columns`` and a 2-d ``shape``) iterates as its column names,
    and a 2-d array as its rows: a one-column one (what a pipeline step with
    ``set_output(transform="pandas")`` hands on) is read as that column, a wider
    one is refused with an error that says to select the text column.
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{parameter} must be an iterable of documents (e.g. a list of str), got a single "
            f"{type(X).__name__}; wrap it in a list: [{parameter}]."
        )
    if not isinstance(X, Iterable):
        raise TypeError(f"{parameter} must be an iterable of documents, got {type(X).__name__}.")
    shape = getattr(X, "shape", None)
    if hasattr(X, "columns") and shape is not None and len(shape) == 2:
        columns = list(X.columns)
        if len(columns) != 1:
            raise ValueError(
                f"{parameter} is a {type(X).__name__} of {len(columns)} columns "
                f"{[str(c) for c in columns[:5]]}{'...' if len(columns) > 5 else ''}; one "
                f"document per row needs one text column: select it, e.g. "
                f"{parameter}[{str(columns[0]) if columns else 'text'!r}]."
            )
        return X[columns[0]]
    ndim = getattr(X, "ndim", 1)
    if ndim == 2 and shape is not None:
        if shape[1] != 1:
            raise ValueError(
                f"{parameter} is a 2-d array of shape {tuple(shape)}; one document per row "
                f"needs one text column: select it, e.g. {parameter}[:, 0]."
            )
        return X[:, 0]
    if ndim != 1:
        raise ValueError(f"{parameter} has {ndim} dimensions; give a 1-d iterable of documents.")
    return X


class AnalyzedDocuments:
    """The token lists of documents, read once, lazily.

    Iterating yields each document's token list through the Python analyzer.
    The encoders of ``skembed.corpus`` look at ``compiled`` first: when it is
    not None they tokenize and encode ``documents()`` in one compiled pass
    instead, with the same result.
    """

    def __init__(self, X, analyzer, input):
        self._X = X
        self._analyzer = analyzer
        self._input = input
        options = getattr(analyzer, "compiled", None)
        self.compiled = options if COMPILED else None

    def __iter__(self):
        return _iter_tokens(self._X, self._analyzer, self._input)

    def documents(self):
        """Yield each document as a str (bytes decoded, files read), naming any at fault."""
        decode, input = self._analyzer.decode, self._input
        X = check_documents(self._X)
        if input == "filename":  # folders and glob patterns stand for their files
            X = expand_filenames(X)
        for i, doc in enumerate(X):
            if input == "content":
                if type(doc) is str:
                    yield doc
                    continue
                _check_content(doc, i)
            try:
                yield decode(doc)
            except (UnicodeDecodeError, OSError) as exc:
                raise ValueError(f"document {i} ({doc!r:.60}) could not be read: {exc}") from exc


def _check_content(doc, i):
    if not isinstance(doc, (str, bytes)):
        raise TypeError(
            f"document {i} is of type {type(doc).__name__}; with input='content' every "
            "document must be a str (use input='filename' or input='file' for files)."
        )


def iter_tokens(X, analyzer, input="content"):
    """Return the token lists of ``X`` (an AnalyzedDocuments), naming any document at fault."""
    return AnalyzedDocuments(X, analyzer, input)


def _iter_tokens(X, analyzer, input):
    X = check_documents(X)
    if input == "filename":  # folders and glob patterns stand for their files
        X = expand_filenames(X)
    for i, doc in enumerate(X):
        if input == "content":
            _check_content(doc, i)
        try:
            tokens = analyzer(doc)
        except (UnicodeDecodeError, OSError) as exc:
            raise ValueError(f"document {i} ({doc!r:.60}) could not be read: {exc}") from exc
        yield tokens

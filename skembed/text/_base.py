"""Shared plumbing of the text steps: document checks, optional imports, the base class."""

import importlib
import re

from sklearn.base import BaseEstimator, TransformerMixin

from skembed.text._analyzer import check_documents

__all__ = ["DocumentTransformer", "import_optional", "iter_documents"]


def import_optional(module, feature):
    """Import ``module`` or raise an ImportError naming the ``skembed[text]`` extra.

    Called when a feature is used (fit, transform), never at import, so
    ``import skembed.text`` works without the optional packages.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{feature} requires the optional package {module.split('.')[0]!r}; install it "
            "with: pip install 'skembed[text]'"
        ) from exc


def iter_documents(X, parameter="X"):
    """Yield ``(index, document)`` for each str of ``X``, naming the first non-str one."""
    check_documents(X, parameter)
    for i, doc in enumerate(X):
        if not isinstance(doc, str):
            raise TypeError(
                f"{parameter}: document {i} is of type {type(doc).__name__}; every document "
                "must be a str."
            )
        yield i, doc


def tokenize_documents(X, token_pattern, lowercase):
    """Return each document of ``X`` as its list of ``token_pattern`` matches."""
    pattern = re.compile(token_pattern)
    return [pattern.findall(doc.lower() if lowercase else doc) for _, doc in iter_documents(X)]


class DocumentTransformer(TransformerMixin, BaseEstimator):
    """Base of the steps that map raw documents to documents, one str per input row.

    Subclasses implement ``_transform_document(doc)``; learned steps also
    override ``fit``. The output is a list of str (what every vectorizer of
    the package takes as ``X``), never shorter than the input: a pipeline
    step may not drop rows.
    """

    def fit(self, X, y=None):
        """Check the parameters and the documents; nothing is learned.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The step itself.
        """
        self._validate_params()
        self._check_dependencies()
        for _ in iter_documents(X):
            pass
        return self

    def transform(self, X):
        """Return the transformed documents, one str per input document.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents.

        Returns
        -------
        documents : list of str of length n_documents
            The transformed documents.
        """
        self._validate_params()
        self._check_dependencies()
        prepared = self._prepare_transform()
        return [self._transform_document(doc, prepared) for _, doc in iter_documents(X)]

    def fit_transform(self, X, y=None):
        """Fit to ``X``, then transform it; reads ``X`` once when it is a list.

        Parameters
        ----------
        X : iterable of str of length n_documents
            Raw documents.
        y : None
            Ignored.

        Returns
        -------
        documents : list of str of length n_documents
            The transformed documents.
        """
        docs = [doc for _, doc in iter_documents(X)]
        return self.fit(docs).transform(docs)

    def _check_dependencies(self):
        """Import the optional packages that the current parameters need."""

    def _prepare_transform(self):
        """Return what ``_transform_document`` needs (compiled patterns, models)."""
        return None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

"""The Examples sections of the public docstrings run and print what they claim."""

import doctest
import importlib

import pytest

MODULES = [
    "skembed.models._word2vec",
    "skembed.models._glove",
    "skembed.models._fasttext",
    "skembed.vectors._word_vectors",
    "skembed.vectors._fasttext_vectors",
    "skembed.datasets",
    "skembed.datasets._kjv",
    "skembed.datasets._benchmarks",
    "skembed.evaluation._similarity",
    "skembed.evaluation._analogy",
    "skembed.evaluation._scorers",
    "skembed.text._subwords",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_estimators_document_an_example():
    from skembed import FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer

    for estimator in (Word2VecVectorizer, GloVeVectorizer, FastTextVectorizer):
        assert ">>> " in estimator.__doc__

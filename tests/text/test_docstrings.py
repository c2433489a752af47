"""The Examples sections of the text steps run and print what they claim."""

import doctest
import importlib

import pytest

MODULES = [
    "skembed.text._cleaner",
    "skembed.text._languages",
    "skembed.text._phrases",
    "skembed.text._subword_tokenizer",
    "skembed.text._tokenizers",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0

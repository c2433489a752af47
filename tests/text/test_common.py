"""Contracts shared by every text step: documents in, one str per row out; clone; pickle."""

import pickle

import pytest
from sklearn.base import clone

import skembed.text
from skembed.datasets import load_kjv
from skembed.text import Phrases, SubwordTokenizer, TextCleaner, Tokenizer

STEPS = [
    TextCleaner(casefold=True, numbers="mask"),
    Tokenizer(unsegmented="bigrams"),
    Phrases(min_count=3, connector_words="english"),
    SubwordTokenizer(vocab_size=300),
]


@pytest.fixture(scope="module")
def docs():
    return load_kjv().data[:600] + ["", "<p>你好 世界</p>", "   "]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: type(s).__name__)
def test_documents_in_documents_out(step, docs):
    fitted = clone(step).fit(docs)
    out = fitted.transform(docs)
    assert isinstance(out, list) and len(out) == len(docs)
    assert all(isinstance(doc, str) for doc in out)
    # a generator is read once and gives the same result
    assert clone(step).fit_transform(iter(docs)) == out
    # fitting twice gives the same step
    assert fitted.fit(docs).transform(docs) == out
    again = pickle.loads(pickle.dumps(fitted))
    assert again.transform(docs[:50]) == out[:50]
    assert clone(step).get_params() == step.get_params()
    assert type(step)(**step.get_params()).get_params() == step.get_params()
    with pytest.raises(TypeError, match="single str"):
        clone(step).fit("a single document")


def test_public_names_resolve_and_are_documented():
    for name in skembed.text.__all__:
        value = getattr(skembed.text, name)
        if isinstance(value, str):  # a constant: documented in the module that defines it
            continue
        assert value.__doc__ and ">>> " in value.__doc__, name
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        skembed.text.Nope  # noqa: B018

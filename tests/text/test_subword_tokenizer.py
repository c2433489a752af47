import pickle
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skembed.datasets import load_kjv
from skembed.text import SubwordTokenizer
from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN


@pytest.fixture(scope="module")
def verses():
    return load_kjv().data[:3000]


def _words(doc):
    return " ".join(re.findall(DEFAULT_TOKEN_PATTERN, doc.lower()))


@pytest.mark.parametrize("model", ["bpe", "wordpiece", "unigram"])
def test_round_trip_and_vocabulary_size(verses, model):
    subwords = SubwordTokenizer(model=model, vocab_size=500).fit(verses)
    assert 100 < len(subwords.vocabulary_) <= 500
    held_out = load_kjv().data[30000:30200]
    units = subwords.transform(held_out)
    assert len(units) == len(held_out)
    # rare words are cut into several units, frequent ones stay whole
    n_units = sum(len(doc.split()) for doc in units)
    assert n_units > sum(len(_words(doc).split()) for doc in held_out)
    assert "the" in units[0].split() or "the" not in _words(held_out[0]).split()
    restored = subwords.inverse_transform(units)
    known = [i for i, doc in enumerate(units) if "[UNK]" not in doc]
    assert len(known) > 0.9 * len(held_out)
    for i in known:
        assert restored[i] == _words(held_out[i])


def test_pickle_keeps_the_vocabulary(verses):
    subwords = SubwordTokenizer(model="wordpiece", vocab_size=300).fit(verses[:500])
    expected = subwords.transform(verses[:50])
    blob = pickle.dumps(subwords)
    assert b"tokenizer_json_" in blob and "_tokenizer" not in subwords.__getstate__()
    again = pickle.loads(blob)
    assert again.transform(verses[:50]) == expected
    assert again.vocabulary_ == subwords.vocabulary_
    assert not hasattr(clone(subwords), "vocabulary_")
    with pytest.raises(NotFittedError):
        SubwordTokenizer().transform(["x"])


def test_parameters_and_errors(verses):
    plain = SubwordTokenizer(vocab_size=200, continuation_prefix="").fit(verses[:300])
    assert "##" not in " ".join(plain.transform(verses[:20]))
    with pytest.raises(ValueError, match="continuation_prefix"):
        plain.inverse_transform(["a b"])
    with pytest.raises(ValueError, match="model"):
        SubwordTokenizer(model="sentencepiece").fit(["x"])
    with pytest.raises(ValueError, match="vocab_size"):
        SubwordTokenizer(vocab_size=1).fit(["x"])


def test_missing_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    subwords = SubwordTokenizer()  # construction never imports
    with pytest.raises(ImportError, match=r"skembed\[text\]"):
        subwords.fit(["some text"])


def test_feeds_a_vectorizer(verses):
    from sklearn.pipeline import make_pipeline

    from skembed import Word2VecVectorizer

    pipe = make_pipeline(
        SubwordTokenizer(vocab_size=300),
        Word2VecVectorizer(
            token_pattern=r"\S+", min_count=1, vector_size=8, epochs=1, random_state=0
        ),
    )
    X = pipe.fit_transform(verses[:300])
    assert X.shape == (300, 8)
    assert any(word.startswith("##") for word in pipe[-1].vocabulary_)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(), min_size=1, max_size=6), st.sampled_from(["bpe", "wordpiece", "unigram"])
)
def test_never_crashes_nor_returns_empty_units(docs, model):
    subwords = SubwordTokenizer(model=model, vocab_size=50, min_frequency=1)
    try:
        out = subwords.fit_transform(docs)
    except ValueError as exc:
        # the unigram model needs one unit per character: a clear error, not a crash
        n_chars = len(set("".join(re.findall(DEFAULT_TOKEN_PATTERN, "\n".join(docs).lower()))))
        assert model == "unigram" and n_chars >= 40 and "vocab_size=50 is too small" in str(exc)
        return
    assert len(out) == len(docs)
    for doc in out:
        assert doc == "" or all(doc.split(" "))

import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer

from skembed import Word2VecVectorizer
from skembed.text import Tokenizer, make_token_pattern
from skembed.text._analyzer import DEFAULT_TOKEN_PATTERN


def _tokens(text, pattern=DEFAULT_TOKEN_PATTERN):
    return re.findall(pattern, text)


def test_default_pattern_keeps_combining_marks():
    assert _tokens("हिन्दी भाषा") == ["हिन्दी", "भाषा"]
    assert _tokens("বাংলা ভাষা") == ["বাংলা", "ভাষা"]
    # the old pattern cut them at every vowel sign
    assert len(_tokens("हिन्दी भाषा", r"(?u)\b\w+\b")) > 2
    # decomposed accents stay inside the word
    assert _tokens("cafe\u0301 nai\u0308ve") == ["cafe\u0301", "nai\u0308ve"]


@pytest.mark.parametrize(
    "text",
    [
        "new_york is a place, isn't it? 3.14 and 42",
        "Ça va? Größe, naïve café; Привет, мир! مرحبا بالعالم",
        "  _under_score_  a b c ... x1y2 __",
    ],
)
def test_default_pattern_is_the_old_one_on_text_without_marks(text):
    assert _tokens(text) == _tokens(text, r"(?u)\b\w+\b")


def test_vectorizers_use_the_default_pattern():
    model = Word2VecVectorizer()
    assert model.token_pattern == DEFAULT_TOKEN_PATTERN
    model.set_params(min_count=1, vector_size=4, epochs=1, random_state=0)
    model.fit(["हिन्दी भाषा new_york"] * 3)
    assert set(model.vocabulary_) == {"हिन्दी", "भाषा", "new_york"}


def test_apostrophes_and_hyphens_parameters():
    text = "Don't go to the well-known O'Neill's—'tis late - ok"
    assert _tokens(text, make_token_pattern()) == _tokens(text)
    assert _tokens(text, make_token_pattern(apostrophes=True)) == [
        "Don't", "go", "to", "the", "well", "known", "O'Neill's", "tis", "late", "ok",
    ]  # fmt: skip
    assert _tokens(text, make_token_pattern(hyphens=True))[5] == "well-known"
    assert "don’t" in _tokens("don’t", make_token_pattern(apostrophes=True))


def test_unsegmented_fallback():
    text = "我爱北京天安门 and 東京 ok ภาษาไทย"
    assert Tokenizer()(text) == ["我爱北京天安门", "and", "東京", "ok", "ภาษาไทย"]
    chars = Tokenizer(unsegmented="characters")(text)
    assert chars[:7] == list("我爱北京天安门") and "and" in chars
    bigrams = Tokenizer(unsegmented="bigrams")(text)
    assert bigrams[:6] == ["我爱", "爱北", "北京", "京天", "天安", "安门"]
    assert bigrams[6:9] == ["and", "東京", "ok"]
    # mixed tokens: the Latin part stays a word
    assert Tokenizer(unsegmented="characters")("abc北京def") == ["abc", "北", "京", "def"]
    # a Thai character keeps its combining marks
    assert Tokenizer(unsegmented="characters")("กิน") == ["กิ", "น"]


def test_tokenizer_as_parameter_and_step():
    docs = ["我爱北京", "北京很大"]
    counts = CountVectorizer(tokenizer=Tokenizer(unsegmented="bigrams"), token_pattern=None)
    assert set(counts.fit(docs).vocabulary_) == {"我爱", "爱北", "北京", "京很", "很大"}
    step = Tokenizer(unsegmented="characters", hyphens=True)
    assert step.fit_transform(["北京  well-known!"]) == ["北 京 well-known"]
    assert step.transform(["x"]) == ["x"]  # stateless
    copy = pickle.loads(pickle.dumps(step))
    assert copy.transform(["北京"]) == ["北 京"]
    assert clone(step).get_params() == step.get_params()
    with pytest.raises(ValueError, match="unsegmented"):
        Tokenizer(unsegmented="letters").fit(["x"])


@settings(max_examples=200, deadline=None)
@given(
    st.text(),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["words", "characters", "bigrams"]),
)
def test_never_crashes_nor_returns_empty_tokens(text, apostrophes, hyphens, unsegmented):
    tokenizer = Tokenizer(apostrophes=apostrophes, hyphens=hyphens, unsegmented=unsegmented)
    tokens = tokenizer(text)
    assert all(tokens) and all(not any(c.isspace() for c in t) for t in tokens)
    # the step's output tokenizes back to the same tokens
    joined = tokenizer.transform([text])[0]
    assert tokenizer(joined) == tokens
    assert all(_tokens(text))

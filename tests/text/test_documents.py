"""Where X is first read: tables and 2-d arrays give their text column, not their names."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline

from skembed import FastTextVectorizer, GloVeVectorizer, Word2VecVectorizer
from skembed.text._analyzer import check_documents

DOCS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog met",
    "the mat and the log",
    "a dog sat on a cat",
]
ESTIMATORS = [Word2VecVectorizer, FastTextVectorizer, GloVeVectorizer]


def _model(cls):
    return cls(vector_size=8, min_count=1, epochs=2, random_state=0)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_one_column_dataframe_is_read_as_its_column(cls):
    frame = pd.DataFrame({"text": DOCS}, index=[10, 11, 12, 13, 14])
    expected = _model(cls).fit(DOCS).transform(DOCS)
    model = _model(cls).fit(frame[["text"]])
    out = model.transform(frame[["text"]])
    assert out.shape == (5, 8)  # before: one row, for the one column name
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(model.transform(frame["text"]), expected)  # a Series
    np.testing.assert_array_equal(_model(cls).fit_transform(frame[["text"]]), expected)
    assert model.score(frame[["text"]]) == model.score(DOCS)


def test_a_series_is_read_as_its_values_whatever_its_index():
    series = pd.Series(DOCS, index=[4, 3, 2, 1, 0], name="text")
    model = _model(Word2VecVectorizer).fit(series)
    np.testing.assert_array_equal(model.transform(series), model.transform(DOCS))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_wider_dataframe_is_refused_with_a_hint_to_select_the_text_column(cls):
    frame = pd.DataFrame({"text": DOCS, "label": range(5)})
    with pytest.raises(ValueError, match=r"2 columns \['text', 'label'\].*select it.*'text'"):
        _model(cls).fit(frame)
    model = _model(cls).fit(DOCS)
    with pytest.raises(ValueError, match="select it"):
        model.transform(frame)
    with pytest.raises(ValueError, match="0 columns"):
        model.transform(frame[[]])


def test_two_d_arrays_one_column_read_wider_refused():
    column = np.array(DOCS, dtype=object)[:, None]
    model = _model(Word2VecVectorizer).fit(column)
    np.testing.assert_array_equal(model.transform(column), model.transform(DOCS))
    with pytest.raises(ValueError, match=r"shape \(5, 2\).*X\[:, 0\]"):
        model.transform(np.column_stack([DOCS, DOCS]))
    with pytest.raises(ValueError, match="3 dimensions"):
        check_documents(np.array(DOCS)[:, None, None])


def test_a_pandas_step_before_the_vectorizer_hands_on_its_column():
    frame = pd.DataFrame({"text": DOCS, "label": list("ababa")}, index=list("vwxyz"))
    select = ColumnTransformer(
        [("text", "passthrough", ["text"])], verbose_feature_names_out=False
    ).set_output(transform="pandas")
    pipe = make_pipeline(select, _model(Word2VecVectorizer).set_output(transform="pandas"))
    out = pipe.fit_transform(frame)
    assert isinstance(out, pd.DataFrame) and out.shape == (5, 8)
    assert list(out.index) == list("vwxyz")
    np.testing.assert_array_equal(
        out.to_numpy(), _model(Word2VecVectorizer).fit(DOCS).transform(DOCS)
    )


def test_other_iterables_pass_through_unchanged():
    for X in (DOCS, tuple(DOCS), np.array(DOCS, dtype=object)):
        assert list(check_documents(X)) == DOCS
    generator = (d for d in DOCS)
    assert check_documents(generator) is generator

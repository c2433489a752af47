import doctest

import numpy as np
import pandas as pd
import pytest

import skembed.datasets._rv1909
from skembed.datasets import load_kjv, load_rv1909
from skembed.datasets._kjv import BOOKS, GROUPS


def test_rv1909_counts_first_and_last_verse():
    rv = load_rv1909()
    assert len(rv.data) == 31084
    assert rv.target.shape == rv.book.shape == rv.chapter.shape == rv.verse.shape == (31084,)
    assert rv.target_names == list(BOOKS)
    assert list(dict.fromkeys(rv.book)) == list(BOOKS)
    assert rv.data[0] == "EN el principio crió Dios los cielos y la tierra."
    assert (rv.book[0], rv.chapter[0], rv.verse[0]) == ("Genesis", 1, 1)
    assert (rv.book[-1], rv.chapter[-1], rv.verse[-1]) == ("Revelation", 22, 21)
    assert rv.data[-1].endswith("Amén.")
    assert "Reina-Valera" in rv.DESCR and rv.frame is None
    assert all(text.strip() for text in rv.data)
    np.testing.assert_array_equal(np.array(rv.target_names, dtype=object)[rv.target], rv.book)


@pytest.mark.parametrize(
    "target, names",
    [("testament", ["old", "new"]), ("group", list(GROUPS)), ("book", list(BOOKS))],
)
def test_rv1909_targets_match_kjv_labels(target, names):
    rv = load_rv1909(target=target)
    assert rv.target_names == names
    np.testing.assert_array_equal(np.array(names, dtype=object)[rv.target], rv[target])


def test_rv1909_joins_kjv_by_key():
    keys = ["book", "chapter", "verse"]
    kjv = load_kjv(as_frame=True).frame
    rv = load_rv1909(as_frame=True).frame
    assert list(rv.columns) == list(kjv.columns)
    assert not rv.duplicated(keys).any()
    joined = rv.merge(kjv, on=keys, how="left", suffixes=("_es", "_en"), indicator=True)
    # every Spanish verse has its English counterpart, with the same labels
    assert (joined["_merge"] == "both").all()
    assert (joined["group_es"].astype(str) == joined["group_en"].astype(str)).all()
    assert (joined["target_es"] == joined["target_en"]).all()
    row = joined.query("book == 'John' and chapter == 3 and verse == 16").iloc[0]
    assert row["text_es"].startswith("Porque de tal manera amó Dios al mundo")
    assert row["text_en"].startswith("For God so loved the world")
    assert len(kjv) - len(rv) == 18


def test_rv1909_return_X_y_as_frame_and_copies():
    X, y = load_rv1909(return_X_y=True, target="testament")
    assert isinstance(X, list) and len(X) == len(y) == 31084 and set(np.unique(y)) == {0, 1}
    X, y = load_rv1909(return_X_y=True, as_frame=True)
    assert isinstance(X, pd.Series) and isinstance(y, pd.Series)
    first = load_rv1909()
    first.data[0] = "cambiado"
    first.verse[0] = 99
    again = load_rv1909()
    assert again.data[0].startswith("EN el principio") and again.verse[0] == 1


def test_rv1909_bad_target():
    with pytest.raises(ValueError, match="target must be one of"):
        load_rv1909(target="verse")


def test_rv1909_docstring_example():
    result = doctest.testmod(skembed.datasets._rv1909, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0

import numpy as np
import pandas as pd
import pytest

from skembed.datasets import (
    load_google_analogies,
    load_kjv,
    load_simlex999,
    load_wordsim353,
)
from skembed.datasets._kjv import BOOKS, GROUPS

# ---------------------------------------------------------------------- KJV


def test_kjv_counts_and_first_verse():
    kjv = load_kjv()
    assert len(kjv.data) == 31102
    assert kjv.target.shape == kjv.book.shape == kjv.chapter.shape == (31102,)
    assert len(set(kjv.book)) == 66
    assert kjv.target_names == list(BOOKS)
    assert kjv.data[0] == "In the beginning God created the heaven and the earth."
    assert (kjv.book[0], kjv.chapter[0], kjv.verse[0]) == ("Genesis", 1, 1)
    assert (kjv.book[-1], kjv.chapter[-1], kjv.verse[-1]) == ("Revelation", 22, 21)
    assert kjv.frame is None
    assert "King James" in kjv.DESCR
    # target codes index target_names
    np.testing.assert_array_equal(np.array(kjv.target_names, dtype=object)[kjv.target], kjv.book)


def test_kjv_book_names_and_groups_cover_the_file():
    kjv = load_kjv()
    # the file's spelling, in canonical order, is exactly our table
    assert list(dict.fromkeys(kjv.book)) == list(BOOKS)
    assert "Psalms" in BOOKS and "Song of Solomon" in BOOKS
    assert set(kjv.group) == set(GROUPS)
    assert len(GROUPS) == 9
    per_book = pd.DataFrame({"book": kjv.book, "group": kjv.group, "t": kjv.testament})
    per_book = per_book.groupby("book", sort=False).agg(["nunique", "first"])
    assert (per_book[("group", "nunique")] == 1).all()
    assert (per_book[("t", "nunique")] == 1).all()
    groups = per_book[("group", "first")]
    expected_sizes = {
        "law": 5,
        "history": 12,
        "poetry": 5,
        "major_prophets": 5,
        "minor_prophets": 12,
        "gospels": 4,
        "acts": 1,
        "epistles": 21,
        "apocalyptic": 1,
    }
    assert groups.value_counts().to_dict() == expected_sizes
    assert groups["Genesis"] == "law" and groups["Deuteronomy"] == "law"
    assert groups["Esther"] == "history" and groups["Job"] == "poetry"
    assert groups["Song of Solomon"] == "poetry" and groups["Daniel"] == "major_prophets"
    assert groups["Malachi"] == "minor_prophets" and groups["John"] == "gospels"
    assert groups["Jude"] == "epistles" and groups["Revelation"] == "apocalyptic"
    testaments = per_book[("t", "first")]
    assert (testaments == "old").sum() == 39 and (testaments == "new").sum() == 27
    assert testaments["Malachi"] == "old" and testaments["Matthew"] == "new"


@pytest.mark.parametrize(
    "target, names",
    [("testament", ["old", "new"]), ("group", list(GROUPS)), ("book", list(BOOKS))],
)
def test_kjv_target_choice(target, names):
    kjv = load_kjv(target=target)
    assert kjv.target_names == names
    labels = np.array(names, dtype=object)[kjv.target]
    np.testing.assert_array_equal(labels, kjv[target])


def test_kjv_return_X_y_and_as_frame():
    X, y = load_kjv(return_X_y=True, target="testament")
    assert isinstance(X, list) and len(X) == len(y) == 31102
    assert set(np.unique(y)) == {0, 1}

    kjv = load_kjv(as_frame=True, target="group")
    frame = kjv.frame
    assert frame.shape == (31102, 7)
    assert list(frame.columns) == [
        "book",
        "chapter",
        "verse",
        "text",
        "testament",
        "group",
        "target",
    ]
    assert list(frame["group"].cat.categories) == list(GROUPS)
    assert isinstance(kjv.data, pd.Series) and kjv.data.iloc[0].startswith("In the beginning")
    assert isinstance(kjv.target, pd.Series)
    X, y = load_kjv(return_X_y=True, as_frame=True)
    assert isinstance(X, pd.Series) and isinstance(y, pd.Series) and len(X) == 31102


def test_kjv_returns_fresh_copies():
    first = load_kjv()
    first.data[0] = "changed"
    first.target[0] = 99
    first.chapter[0] = 99
    second = load_kjv()
    assert second.data[0].startswith("In the beginning")
    assert second.target[0] == 0 and second.chapter[0] == 1


def test_kjv_bad_target():
    with pytest.raises(ValueError, match="target must be one of"):
        load_kjv(target="chapter")


# -------------------------------------------------------- similarity pairs


def test_wordsim353():
    data = load_wordsim353()
    assert len(data.pairs) == 353 and data.scores.shape == (353,)
    assert data.pairs[0] == ("love", "sex") and data.scores[0] == pytest.approx(6.77)
    assert data.scores.min() >= 0 and data.scores.max() <= 10
    assert "WordSimilarity-353" in data.DESCR


def test_simlex999():
    data = load_simlex999()
    assert len(data.pairs) == 999 and data.scores.shape == (999,)
    assert data.pairs[0] == ("old", "new") and data.scores[0] == pytest.approx(1.58)
    assert "SimLex-999" in data.DESCR


def test_similarity_as_frame_and_fresh_copies():
    data = load_simlex999(as_frame=True)
    assert list(data.frame.columns) == ["word1", "word2", "score"]
    assert data.frame.shape == (999, 3)
    data.scores[0] = -5
    data.pairs.clear()
    again = load_simlex999()
    assert again.scores[0] == pytest.approx(1.58) and len(again.pairs) == 999


def test_similarity_user_file(tmp_path):
    path = tmp_path / "mine.tsv"
    path.write_text("# my pairs\n# w1\tw2\tscore\ncat\tdog\t7.5\n\nsun moon  3\n")
    data = load_wordsim353(path=path)
    assert data.pairs == [("cat", "dog"), ("sun", "moon")]
    np.testing.assert_array_equal(data.scores, [7.5, 3.0])
    assert str(path) in data.DESCR
    assert load_simlex999(path=str(path)).pairs == data.pairs


@pytest.mark.parametrize("bad", ["cat\tdog\n", "cat\tdog\tvery\n", "cat\tdog\t1\t2\n"])
def test_similarity_malformed_line_names_file_and_line(tmp_path, bad):
    path = tmp_path / "bad.tsv"
    path.write_text("# header\ncat\tdog\t7.5\n" + bad)
    with pytest.raises(ValueError, match=r"bad\.tsv, line 3"):
        load_wordsim353(path=path)


# ----------------------------------------------------------------- analogies


def test_google_analogies():
    data = load_google_analogies()
    assert len(data.questions) == 19544
    assert len(data.sections) == 14
    assert data.sections[0] == "capital-common-countries"
    assert data.sections[-1] == "gram9-plural-verbs"
    assert data.questions[0] == ("Athens", "Greece", "Baghdad", "Iraq")
    assert data.section.shape == data.semantic.shape == (19544,)
    assert list(dict.fromkeys(data.section)) == data.sections
    semantic_sections = [s for s in data.sections if data.semantic[data.section == s].all()]
    assert semantic_sections == data.sections[:5]
    assert not data.semantic[np.isin(data.section, data.sections[5:])].any()
    assert data.semantic.sum() == 8869
    assert (data.section == "capital-common-countries").sum() == 506
    assert (data.section == "gram9-plural-verbs").sum() == 870


def test_google_analogies_as_frame():
    frame = load_google_analogies(as_frame=True).frame
    assert list(frame.columns) == ["a", "b", "c", "d", "section", "semantic"]
    assert frame.shape == (19544, 6)
    assert frame["semantic"].sum() == 8869


def test_analogies_user_file(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text(": family\nboy girl man woman\n: gram-plural\ncat cats dog dogs\n: empty\n")
    data = load_google_analogies(path)
    assert data.questions == [("boy", "girl", "man", "woman"), ("cat", "cats", "dog", "dogs")]
    assert data.sections == ["family", "gram-plural", "empty"]
    np.testing.assert_array_equal(data.semantic, [True, False])


@pytest.mark.parametrize(
    "text, line",
    [
        (": s\na b c d\na b c\n", 3),
        (": s\na b c d e\n", 2),
        ("a b c d\n: s\n", 1),
    ],
)
def test_analogies_malformed_line_names_file_and_line(tmp_path, text, line):
    path = tmp_path / "q.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"q\.txt, line {line}:"):
        load_google_analogies(path)

"""``input="filename"``: files, folders and glob patterns, one document a file."""

import numpy as np
import pytest

from skembed.models._word2vec import Word2VecVectorizer
from skembed.text._inputs import expand_filenames

TEXTS = {
    "a/1.txt": "the cat sat on the mat",
    "a/2.txt": "the dog sat on the log",
    "a/b/3.txt": "a cat and a dog",
    "a/.hidden": "never read",
    "a/.git/x.txt": "never read either",
    "c.md": "the end",
}


@pytest.fixture
def tree(tmp_path):
    for name, text in TEXTS.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_folder_gives_its_files_sorted_without_hidden_ones(tree):
    found = expand_filenames([tree / "a"])
    assert found == [str(tree / "a/1.txt"), str(tree / "a/2.txt"), str(tree / "a/b/3.txt")]


def test_patterns_files_and_missing_names(tree):
    found = expand_filenames([str(tree / "**/*.txt"), tree / "c.md", str(tree / "nope.txt")])
    assert found == [
        str(tree / "a/1.txt"), str(tree / "a/2.txt"), str(tree / "a/b/3.txt"),
        tree / "c.md", str(tree / "nope.txt"),
    ]  # fmt: skip
    # a file whose name looks like a pattern is read as itself
    odd = tree / "x[1].txt"
    odd.write_text("odd")
    assert expand_filenames([str(odd)]) == [str(odd)]


def test_empty_folder_and_unmatched_pattern_are_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no file"):
        expand_filenames([tmp_path / "empty"])
    with pytest.raises(ValueError, match="matches no file"):
        expand_filenames([str(tmp_path / "*.txt")])


def test_vectorizer_reads_folders_and_patterns(tree):
    params = dict(vector_size=4, min_count=1, epochs=1, random_state=0, input="filename")
    files = [str(tree / "a/1.txt"), str(tree / "a/2.txt"), str(tree / "a/b/3.txt")]
    by_list = Word2VecVectorizer(**params).fit(files)
    by_folder = Word2VecVectorizer(**params).fit([str(tree / "a")])
    by_pattern = Word2VecVectorizer(**params).fit([str(tree / "a/**/*.txt")])
    for other in (by_folder, by_pattern):
        assert other.wv_.index_to_key == by_list.wv_.index_to_key
        np.testing.assert_array_equal(other.wv_.vectors, by_list.wv_.vectors)
    assert "never" not in by_folder.vocabulary_
    # one row per file
    assert by_folder.transform([tree / "a"]).shape == (3, 4)
    with pytest.raises(ValueError, match="nope.txt"):
        Word2VecVectorizer(**params).fit([str(tree / "nope.txt")])

import io

import pytest

from skembed.cli._main import main

TEXT = "\n".join(
    ["the king ruled the land and the queen ruled the sea"] * 60
    + ["water flows to the sea and the river runs to the land"] * 60
)


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(TEXT, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("model", ["word2vec", "fasttext", "glove"])
@pytest.mark.parametrize("suffix", [".npz", ".txt"])
def test_train_then_query_neighbours(tmp_path, corpus, model, suffix):
    out = io.StringIO()
    vectors = str(tmp_path / f"vectors{suffix}")
    argv = ["train", corpus, "-o", vectors, "--model", model, "--vector-size", "8",
            "--min-count", "2", "--epochs", "2", "--threads", "1"]  # fmt: skip
    assert main(argv, out=out) == 0
    assert "written to" in out.getvalue() and "loss per epoch" in out.getvalue()
    out = io.StringIO()
    assert main(["neighbors", vectors, "king", "nonexistentword", "--topn", "3"], out=out) == 0
    lines = out.getvalue().splitlines()
    king = next(line for line in lines if "king:" in line)
    assert len(king.split(":")[1].split(",")) == 3 and "king," not in king
    if model == "fasttext" and suffix == ".npz":
        # the subword model composes a vector for the unseen word
        assert "nonexistentword: (not in vocabulary)" not in out.getvalue()
    else:
        assert "nonexistentword: (not in vocabulary)" in out.getvalue()


def test_fasttext_bin_output_is_read_back(tmp_path, corpus):
    path = str(tmp_path / "model.bin")
    argv = ["train", corpus, "-o", path, "--model", "fasttext", "--vector-size", "8",
            "--min-count", "2", "--epochs", "1", "--threads", "1"]  # fmt: skip
    assert main(argv, out=io.StringIO()) == 0
    out = io.StringIO()
    assert main(["neighbors", path, "kingdom"], out=out) == 0
    assert "kingdom:" in out.getvalue() and "not in vocabulary" not in out.getvalue()


def test_errors_exit_with_status_1_and_a_message(tmp_path, capsys):
    assert main(["train", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "v.txt")]) == 1
    assert "skembed train: error:" in capsys.readouterr().err
    argv = ["train", str(tmp_path / "missing.txt"), "-o", "v.txt", "--model", "glove",
            "--algorithm", "cbow"]  # fmt: skip
    assert main(argv) == 1
    assert "not glove" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_trains_evaluates_and_shows_neighbours():
    out = io.StringIO()
    assert main(["demo", "--epochs", "1", "--vector-size", "20"], out=out) == 0
    text = out.getvalue()
    for expected in ("31,102 verses", "words/s", "epoch 1: loss", "wordsim353", "google",
                     "king:", "water:", "jesus:", "lord:"):  # fmt: skip
        assert expected in text

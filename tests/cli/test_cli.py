import io
import json

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


@pytest.mark.slow
def test_demo_json_prints_one_json_object():
    out = io.StringIO()
    assert main(["--json", "demo", "--epochs", "1", "--vector-size", "20"], out=out) == 0
    result = json.loads(out.getvalue())  # nothing but the object
    assert result["verses"] == 31102 and result["vector_size"] == 20
    assert len(result["loss_curve"]) == 1
    assert set(result["similarity"]) == {"wordsim353", "simlex999"}
    assert -1 <= result["similarity"]["wordsim353"]["spearman"] <= 1
    assert len(result["neighbours"]["king"]) == 6


def test_demo_help_shows_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = capsys.readouterr().out
    assert "default: 5" in text and "default: 100" in text


# ------------------------------------------------------------ expected failures
def _vectors_file(tmp_path):
    import numpy as np

    from skembed.vectors import WordVectors

    path = tmp_path / "v.txt"
    WordVectors(["king", "queen", "sea"], np.eye(3)).save_word2vec_format(path)
    return path


def _damaged(tmp_path):
    """Files that each reader must refuse: (name, content)."""
    good = _vectors_file(tmp_path).read_bytes()
    return {
        "huge.txt": b"1000000000000 300\nking 0.5\n",
        "cut.txt": good[:-3],
        "nan.vec": b"1 2\nking nan 1\n",
        "glove.txt": b"king 1 2\nqueen 1\n",
        "garbage.npz": b"PK\x03\x04 not really a zip",
        "empty.npz": b"",
        "w2v.bin": b"3 10\nking \x00\x00",
        # fastText's magic number, then a cut Args block
        "fasttext.bin": b"\xba\x16\x4f\x2f\x0c\x00\x00\x00\x0a\x00",
        "unknown.xyz": b"whatever",
    }


def _one_line_error(capsys, path):
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("skembed neighbors: error: ")
    assert str(path) in lines[0] and "Traceback" not in captured.err
    return lines[0]


def test_neighbors_on_damaged_files_prints_one_line_and_exits_1(tmp_path, capsys):
    for name, data in _damaged(tmp_path).items():
        path = tmp_path / name
        path.write_bytes(data)
        out = io.StringIO()
        assert main(["neighbors", str(path), "king"], out=out) == 1, name
        _one_line_error(capsys, path)
        assert out.getvalue() == ""


def test_neighbors_missing_file_folder_and_bad_options(tmp_path, capsys):
    missing = tmp_path / "missing.npz"
    assert main(["neighbors", str(missing), "king"]) == 1
    assert "No such file" in _one_line_error(capsys, missing)
    assert main(["neighbors", str(tmp_path) + "/", "king"]) == 1  # a folder, no suffix
    _one_line_error(capsys, tmp_path)
    glove = tmp_path / "glove.txt"
    glove.write_bytes(b"king 1 0\nqueen 0 1\n")
    assert main(["neighbors", str(glove), "king", "--binary"]) == 1  # not word2vec binary
    assert "two integers" in _one_line_error(capsys, glove)
    path = _vectors_file(tmp_path)
    # a usage error: argparse refuses it with status 2 before any file is read
    with pytest.raises(SystemExit) as exited:
        main(["neighbors", str(path), "king", "--topn", "0"])
    assert exited.value.code == 2
    assert "--topn" in capsys.readouterr().err


def test_neighbors_with_no_known_word_exits_1(tmp_path, capsys):
    path = _vectors_file(tmp_path)
    out = io.StringIO()
    assert main(["neighbors", str(path), "pear", "plum"], out=out) == 1
    line = _one_line_error(capsys, path)
    assert "none of the words ['pear', 'plum'] is in the vocabulary" in line
    # one known word is an answer: the unknown ones are listed as such
    assert main(["neighbors", str(path), "pear", "king"], out=io.StringIO()) == 0


def test_train_on_a_corpus_that_is_not_utf8_names_file_and_line(tmp_path, capsys):
    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes(b"the king\nthe caf\xe9 king\n")
    assert main(["train", str(corpus), "-o", str(tmp_path / "v.npz"), "--min-count", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{corpus}, line 2: not valid UTF-8" in err


def test_command_line_process_exits_1_without_traceback(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "huge.txt"
    path.write_bytes(b"1000000000000 300\nking 0.5\n")
    done = subprocess.run(
        [sys.executable, "-m", "skembed", "neighbors", str(path), "king"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"skembed neighbors: error: {path}, line 1: declares 1000000000000 rows, which take at "
        "least 602000000000000 bytes, but only 9 bytes follow (truncated file or false "
        "declaration)."
    ]

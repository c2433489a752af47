"""Every sub-command on small inputs, and the failures a new user met, as regressions."""

import io
import json
import subprocess
import sys

import numpy as np
import pytest

from skembed.cli._main import build_parser, main
from skembed.vectors import WordVectors, load

TEXT = "\n".join(
    ["the king ruled the land and the queen ruled the sea"] * 40
    + ["water flows to the sea and the river runs to the land"] * 40
)
SMALL = ["--vector-size", "8", "--min-count", "2", "--epochs", "1", "--threads", "1"]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(TEXT, encoding="utf-8")
    return str(path)


@pytest.fixture
def vectors(tmp_path):
    path = tmp_path / "v.npz"
    matrix = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0.1, 0.9, 0.1]], np.float32)
    WordVectors(["king", "queen", "sea", "water"], matrix).save(path)
    return str(path)


def run(argv):
    out = io.StringIO()
    status = main(argv, out=out)
    return status, out.getvalue()


def usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv, out=io.StringIO())
    assert exited.value.code == 2
    return capsys.readouterr().err


# ------------------------------------------------------------------ parser and help
def test_version_and_help_show_every_default(capsys):
    import skembed

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"skembed {skembed.__version__}"
    text = build_parser()._subparsers._group_actions[0].choices["train"].format_help()
    text = " ".join(text.split())
    assert "--window VALUE default: 5; 10 (glove)" in text
    assert "--hs, --no-hs default: False; only word2vec, doc2vec" in text
    assert "--threads VALUE, --n-jobs VALUE default: -1" in text
    assert "--encoding ENCODING the corpus files' encoding (default: utf-8)" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "c.txt", "-o", "v.npz", "--threads", "0"],
        ["train", "c.txt", "-o", "v.npz", "--window", "-1"],
        ["train", "c.txt", "-o", "v.npz", "--algorithm", "sideways"],
        ["train", "c.txt", "-o", "v.npz", "--no-such-option"],
        ["similar", "v.npz", "king", "--topn", "-3"],
        ["analogy", "v.npz", "a", "b"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    err = usage_error(argv, capsys)
    assert "usage: skembed" in err and "error:" in err


# ------------------------------------------------------------------------- train
def test_train_reads_standard_input_with_an_encoding(tmp_path, monkeypatch):
    stream = io.TextIOWrapper(io.BytesIO(TEXT.replace("queen", "caf\xe9").encode("latin-1")))
    monkeypatch.setattr(sys, "stdin", stream)
    output = str(tmp_path / "v.txt")
    assert run(["train", "-", "-o", output, "--encoding", "latin-1", *SMALL])[0] == 0
    assert "caf\xe9" in load(output)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TEXT.encode())))
    assert run(["--quiet", "train", "-", "-o", output, *SMALL]) == (0, "")


def test_train_reads_folders_and_globs(tmp_path):
    folder = tmp_path / "texts"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(TEXT)
    (folder / "sub" / "b.txt").write_text("zebra stripes " * 3 + "\n")
    output = str(tmp_path / "v.npz")
    assert run(["train", str(folder), "-o", output, *SMALL])[0] == 0
    assert "zebra" in load(output)  # the file in the sub-folder was read
    assert run(["train", str(folder / "*.txt"), "-o", output, *SMALL])[0] == 0
    assert "zebra" not in load(output) and "king" in load(output)


def test_train_failures_are_one_line(tmp_path, corpus, capsys):
    cases = [
        (["train", str(tmp_path / "none*.txt"), "-o", str(tmp_path / "v.npz")], "no file matches"),
        (
            ["train", corpus, "-o", str(tmp_path / "v.npz"), "--model", "glove", "--hs"],
            "--hs applies to word2vec, doc2vec, not glove",
        ),
        (["train", corpus, "-o", str(tmp_path / "v.npz"), "--format", "nope"], "--format"),
    ]
    for argv, expected in cases:
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and expected in err and "Traceback" not in err


def test_missing_output_folder_fails_before_training(tmp_path, corpus, capsys, monkeypatch):
    from skembed.models import _word2vec

    def refuse(*args, **kwargs):
        raise AssertionError("trained although the output cannot be written")

    monkeypatch.setattr(_word2vec.Word2VecVectorizer, "fit", refuse)
    output = tmp_path / "missing" / "v.npz"
    assert main(["train", corpus, "-o", str(output), *SMALL]) == 1
    err = capsys.readouterr().err
    assert f"-o {output}: the folder {output.parent} does not exist" in err and ".tmp" not in err
    assert main(["train", corpus, "-o", str(tmp_path), *SMALL]) == 1
    assert "is a folder" in capsys.readouterr().err


def test_epochs_0_is_refused(tmp_path, corpus, capsys):
    output = tmp_path / "v.npz"
    argv = ["train", corpus, "-o", str(output), "--epochs", "0", "--min-count", "2"]
    assert main(argv) == 1
    assert "--epochs 0 would write untrained vectors" in capsys.readouterr().err
    assert not output.exists()


def test_binary_output_is_read_back_by_content(tmp_path, corpus):
    output = str(tmp_path / "vec.bin")
    assert run(["train", corpus, "-o", output, "--binary", *SMALL])[0] == 0
    status, text = run(["neighbors", output, "king", "--topn", "2"])
    assert status == 0 and "king:" in text and "not in vocabulary" not in text


def test_queries_are_lowercased_as_the_model_was_trained(tmp_path, corpus):
    output = str(tmp_path / "v.txt")
    assert run(["train", corpus, "-o", output, *SMALL])[0] == 0
    status, text = run(["similar", output, "King", "--topn", "2"])
    assert status == 0 and "not in vocabulary" not in text
    # the run file beside the vectors says the model lowercased; the option overrides it
    assert "lowercase = true" in open(output + ".config.toml").read()
    assert run(["similar", output, "King", "--no-lowercase"])[0] == 1


@pytest.mark.parametrize("model", ["doc2vec", "glove"])
def test_train_other_estimators_and_save_the_model(tmp_path, corpus, model):
    import joblib

    output, saved = str(tmp_path / "v.safetensors"), str(tmp_path / "m.joblib")
    status, text = run(
        ["train", corpus, "--model", model, "-o", output, "--save-model", saved, "--json", *SMALL]
    )
    assert status == 0
    report = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert report["model"] == model and report["vector_size"] == 8
    fitted = joblib.load(saved)
    np.testing.assert_allclose(load(output)["king"], fitted.wv_["king"])


# ---------------------------------------------------------------- run files
def test_config_run_equals_option_run_and_repeats_exactly(tmp_path, corpus):
    config = tmp_path / "run.toml"
    config.write_text(
        'model = "fasttext"\n[params]\nvector_size = 8\nmin_count = 2\n'
        "epochs = 2\nn_jobs = 1\nrandom_state = 3\nwindow = 3\n"
    )
    by_file, by_options, again = (str(tmp_path / f"{n}.npz") for n in ("f", "o", "a"))
    assert run(["train", corpus, "--config", str(config), "-o", by_file])[0] == 0
    argv = [
        "train",
        corpus,
        "--model",
        "fasttext",
        "--vector-size",
        "8",
        "--min-count",
        "2",
        "--epochs",
        "2",
        "--threads",
        "1",
        "--seed",
        "3",
        "--window",
        "3",
        "-o",
        by_options,
    ]
    assert run(argv)[0] == 0
    saved = by_options + ".config.toml"
    text = open(saved).read()
    assert 'model = "fasttext"' in text and "skembed_version" in text and "window = 3" in text
    assert run(["train", corpus, "--config", saved, "-o", again])[0] == 0
    reference = load(by_file).vectors
    np.testing.assert_array_equal(load(by_options).vectors, reference)
    np.testing.assert_array_equal(load(again).vectors, reference)


def test_options_override_the_config_file(tmp_path, corpus):
    config = tmp_path / "run.toml"
    config.write_text(
        'model = "word2vec"\n[params]\nvector_size = 8\nmin_count = 2\nepochs = 1\nn_jobs = 1\n'
    )
    output = str(tmp_path / "v.npz")
    assert (
        run(["train", corpus, "--config", str(config), "--vector-size", "6", "-o", output])[0] == 0
    )
    assert load(output).vectors.shape[1] == 6
    assert "vector_size = 6" in open(output + ".config.toml").read()


@pytest.mark.parametrize(
    "content, expected",
    [
        ("model = \n", "not valid TOML"),
        ('model = "bert"\n', "model='bert' is not one of"),
        ('model = "glove"\n[params]\nhs = true\n', "params.hs is not a parameter"),
        ("[params]\nwindow = -2\n", "params.window: The 'window' parameter"),
        ('colour = "red"\n', "unknown keys ['colour']"),
    ],
)
def test_malformed_config_files_exit_1(tmp_path, corpus, capsys, content, expected):
    config = tmp_path / "run.toml"
    config.write_text(content)
    assert main(["train", corpus, "--config", str(config), "-o", str(tmp_path / "v.npz")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and str(config) in err


# --------------------------------------------------------------------- queries
def test_similar_and_analogy_with_json(vectors):
    status, text = run(["similar", vectors, "king", "--topn", "1", "--json"])
    assert status == 0 and json.loads(text)["king"][0][0] == "queen"
    status, text = run(["analogy", vectors, "king", "queen", "sea", "--topn", "1"])
    assert status == 0 and text.split("\t")[0] == "water"
    status, text = run(["--json", "analogy", vectors, "king", "queen", "sea"])
    assert json.loads(text)[0][0] == "water"
    assert run(["analogy", vectors, "king", "queen", "plum"])[0] == 1


def test_evaluate_a_user_file_as_table_and_json(tmp_path, vectors):
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("king\tqueen\t9\nking\tsea\t1\nsea\twater\t8\nqueen\twater\t2\n")
    status, text = run(["evaluate", vectors, "--similarity", str(pairs)])
    assert status == 0 and text.splitlines()[0].split() == ["dataset", "task", "score", "coverage"]
    status, text = run(["evaluate", vectors, "--similarity", str(pairs), "--json"])
    (row,) = json.loads(text)
    assert row["task"] == "similarity" and row["coverage"] == 1.0 and row["score"] > 0.5
    assert run(["evaluate", vectors, "--similarity", "nosuchset"])[0] == 1


def test_convert_between_formats(tmp_path, vectors):
    target = str(tmp_path / "v.txt")
    assert run(["convert", vectors, target, "--to", "glove"])[0] == 0
    np.testing.assert_allclose(load(target).vectors, load(vectors).vectors, atol=1e-6)
    assert run(["convert", vectors, str(tmp_path / "v.xyz")])[0] == 1


def test_clean_and_tokenize_a_file(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("Hello <b>World</b>\nCaf\xe9 costs 3 euros.\n")
    status, text = run(["clean", str(source), "--casefold"])
    assert status == 0 and text.splitlines()[0] == "hello world"
    target = tmp_path / "out.txt"
    assert run(["tokenize", str(source), "-o", str(target)])[0] == 0
    assert len(target.read_text().splitlines()) == 2


def test_shell_answers_from_its_input_until_the_end(vectors, monkeypatch):
    script = (
        "help\nsimilar King 1\nanalogy king queen sea\nsimilarity king queen\n"
        "doesnt_match king queen water\nsimilar plum\nfly me\n"
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    status, text = run(["shell", vectors])
    assert status == 0
    lines = text.splitlines()
    assert lines[0] == "4 words loaded from " + vectors + "; type help"
    assert "  similar WORD [N]      the N nearest words (default 10)" in lines
    first = lines.index("queen\t0.9939")  # similar King 1, lowercased
    assert lines[first + 1].startswith("water\t")  # the analogy's best answer
    assert lines[first + 2 : first + 4] == ["0.9939", "water"]  # similarity, doesnt_match
    assert "queen\t0.9939" in lines and "0.9939" in lines and "water" in lines
    assert any(line.startswith("error:") and "plum" in line for line in lines)
    assert lines[-1] == "unknown command 'fly'; type help"
    monkeypatch.setattr(sys, "stdin", io.StringIO("quit\nsimilar king\n"))
    assert run(["shell", vectors, "--quiet"]) == (0, "")


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(FileNotFoundError):
        main(["--debug", "similar", str(tmp_path / "missing.npz"), "king"])


@pytest.mark.slow
def test_process_trains_from_a_pipe_and_reports_version(tmp_path):
    output = tmp_path / "v.npz"
    done = subprocess.run(
        [sys.executable, "-m", "skembed", "--quiet", "train", "-", "-o", str(output), *SMALL],
        input=TEXT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert "king" in load(output)
    done = subprocess.run(
        [sys.executable, "-m", "skembed", "train", "-o", str(output), "--threads", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "--threads" in done.stderr


def test_yaml_config_file(tmp_path, corpus):
    pytest.importorskip("yaml")  # the `yaml` extra; the dev extra installs it
    config = tmp_path / "run.yaml"
    config.write_text("model: glove\nparams:\n  vector_size: 5\n  min_count: 2\n  epochs: 1\n")
    output = str(tmp_path / "v.npz")
    assert run(["train", corpus, "--config", str(config), "-o", output])[0] == 0
    assert load(output).vectors.shape[1] == 5
    assert 'model = "glove"' in open(output + ".config.toml").read()


def test_run_file_leaves_out_the_long_default_token_pattern(tmp_path, corpus):
    output = str(tmp_path / "v.npz")
    assert run(["train", corpus, "-o", output, *SMALL])[0] == 0
    text = open(output + ".config.toml").read()
    assert "\ntoken_pattern =" not in text and "# token_pattern: the default of" in text
    assert run(["train", corpus, "-o", output, *SMALL, "--token-pattern", r"\w+"])[0] == 0
    assert 'token_pattern = "\\\\w+"' in open(output + ".config.toml").read()

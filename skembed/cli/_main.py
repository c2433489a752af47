"""The ``skembed`` command: the parser, the dispatch and the one-line errors."""

import argparse
import sys

from skembed.cli._errors import CommandError

__all__ = ["CommandError", "build_parser", "main"]


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Adds "(default: X)" to an option's help unless unset or the help already says it."""

    def _get_help_string(self, action):
        if action.default is None or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def _common():
    """Options every sub-command also accepts after its name (unset: the top level's)."""
    common = argparse.ArgumentParser(add_help=False)
    s = argparse.SUPPRESS
    common.add_argument("-q", "--quiet", action="store_true", default=s, help="print less")
    common.add_argument("--json", action="store_true", default=s, help="print JSON results")
    common.add_argument(
        "--debug", action="store_true", default=s, help="show the traceback of an error"
    )
    return common


def _vectors_argument(parser, common_lowercase=True):
    parser.add_argument("vectors", help="a vectors file (format told from its content)")
    parser.add_argument("--format", default=None, help="the file's format (default: detected)")
    parser.add_argument(
        "--binary", action="store_true", help="word2vec binary (same as --format word2vec-binary)"
    )
    if common_lowercase:
        parser.add_argument(
            "--lowercase",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="lowercase query words not found as typed (default: as the run saved beside "
            "the vectors did, else lowercase)",
        )


def build_parser():
    """Return the argument parser of the ``skembed`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        Sub-commands ``train``, ``evaluate``, ``similar`` (alias ``neighbors``),
        ``analogy``, ``convert``, ``clean``, ``tokenize``, ``demo`` and
        ``shell``; each parsed namespace carries the function that runs it as
        ``func``.

    Examples
    --------
    >>> from skembed.cli import build_parser
    >>> args = build_parser().parse_args(["train", "corpus.txt", "-o", "vectors.npz",
    ...                                   "--window", "3"])
    >>> args.corpus, args.output, args.window, args.min_count
    (['corpus.txt'], 'vectors.npz', 3, None)
    """
    import skembed
    from skembed.cli._config import MODELS, add_model_options
    from skembed.cli._query import run_analogy, run_convert, run_evaluate, run_similar
    from skembed.cli._shell import run_shell
    from skembed.cli._text import run_clean, run_tokenize
    from skembed.cli._train import run_demo, run_train

    fmt = _HelpFormatter
    parser = argparse.ArgumentParser(
        prog="skembed", description="Train and query word embeddings.", formatter_class=fmt
    )
    parser.add_argument("--version", action="version", version=f"skembed {skembed.__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="print less")
    parser.add_argument("--json", action="store_true", help="print JSON results")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)
    common = [_common()]

    def add(name, help, func, **kwargs):
        p = sub.add_parser(name, help=help, parents=common, formatter_class=fmt, **kwargs)
        p.set_defaults(func=func)
        return p

    train = add("train", "train embeddings on text (one document a line)", run_train)
    train.add_argument(
        "corpus",
        nargs="*",
        default=["-"],
        help="files, folders, glob patterns, or - for standard input",
    )
    train.add_argument(
        "--model",
        choices=sorted(MODELS),
        default=None,
        help="the estimator (default: the config file's, else word2vec)",
    )
    train.add_argument(
        "-o",
        "--output",
        required=True,
        help="vectors file; a run file OUTPUT.config.toml is written beside it",
    )
    train.add_argument(
        "--format",
        default=None,
        help="any format of skembed.vectors.save (default: from the suffix)",
    )
    train.add_argument("--binary", action="store_true", help="word2vec binary format")
    train.add_argument(
        "--save-model",
        default=None,
        metavar="PATH",
        help="also write the fitted estimator with joblib",
    )
    train.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="a run file (.toml, or .yaml with PyYAML): model and [params]; options override it",
    )
    train.add_argument("--encoding", default="utf-8", help="the corpus files' encoding")
    train.add_argument("--progress", action="store_true", help="show a progress bar")
    add_model_options(train)

    evaluate = add("evaluate", "score vectors on similarity and analogy sets", run_evaluate)
    _vectors_argument(evaluate, common_lowercase=False)
    evaluate.add_argument(
        "--similarity",
        action="append",
        metavar="SET",
        help="wordsim353, simlex999, or a file of 'word word score' rows "
        "(repeatable; default: both built-in sets and google)",
    )
    evaluate.add_argument(
        "--analogy",
        action="append",
        metavar="SET",
        help="google, or a file in its format (repeatable)",
    )

    for name, aliases in (("similar", ["neighbors"]),):
        similar = add(name, "nearest neighbours of words", run_similar, aliases=aliases)
        _vectors_argument(similar)
        similar.add_argument("words", nargs="+")
        similar.add_argument("--topn", type=_positive_int, default=10)

    analogy = add("analogy", "A is to B as C is to ?", run_analogy)
    _vectors_argument(analogy)
    for word in ("a", "b", "c"):
        analogy.add_argument(word)
    analogy.add_argument("--topn", type=_positive_int, default=5)

    convert = add("convert", "write vectors in another format", run_convert)
    convert.add_argument("source")
    convert.add_argument("target")
    convert.add_argument(
        "--from", dest="from_format", default=None, help="the source's format (default: detected)"
    )
    convert.add_argument(
        "--to",
        dest="to_format",
        default=None,
        help="the target's format (default: from its suffix)",
    )

    for name, func, text in (
        ("clean", run_clean, "TextCleaner"),
        ("tokenize", run_tokenize, "Tokenizer"),
    ):
        p = add(name, f"apply skembed.text.{text} to each line", func)
        p.add_argument("input", nargs="*", default=["-"], help="files, or - for standard input")
        p.add_argument("-o", "--output", default=None, help="default: standard output")
        p.add_argument("--encoding", default="utf-8")
        if name == "clean":
            p.add_argument("--casefold", action="store_true", help="fold case")
            p.add_argument("--strip-accents", action="store_true", help="remove accents")

    demo = add(
        "demo",
        "train on the bundled King James Bible and show results "
        "(the first run includes compiling the kernels)",
        run_demo,
    )
    demo.add_argument(
        "--epochs", type=_positive_int, default=5, help="training epochs (default: 5)"
    )
    demo.add_argument(
        "--vector-size", type=_positive_int, default=100, help="dimensions (default: 100)"
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")

    shell = add("shell", "answer queries on vectors at a prompt", run_shell)
    _vectors_argument(shell)
    return parser


def _message(exc):
    """One line saying what failed; the errors of files name the file (and line or offset)."""
    if isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])  # str(KeyError) adds quotes
    elif isinstance(exc, OSError) and exc.filename is not None:
        text = f"{exc.filename}: {exc.strerror or exc}"
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def main(argv=None, out=None):
    """Run the command line; return the exit status.

    Every expected failure (a missing, unreadable or corrupt file, a format
    that cannot be told, words not in the vocabulary, a bad option value) is
    printed as one line on standard error, and the status is 1; ``--debug``
    shows the traceback instead.  Usage errors exit with status 2.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments (``sys.argv[1:]`` when None).
    out : file object, default=None
        Where results are printed (``sys.stdout`` when None); errors go to
        ``sys.stderr``.

    Returns
    -------
    status : int
        0 on success, 1 for an expected failure (a file that cannot be read,
        a word that is not in the vocabulary).

    Examples
    --------
    >>> import io, os, tempfile
    >>> import numpy as np
    >>> from skembed import WordVectors
    >>> from skembed.cli import main
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "vectors.npz")
    >>> WordVectors(["cat", "dog", "car"],
    ...             np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32)).save(path)
    >>> out = io.StringIO()
    >>> main(["similar", path, "cat", "--topn", "1"], out=out)
    0
    >>> "dog" in out.getvalue()
    True
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args, out or sys.stdout)
    except (OSError, ValueError, KeyError, CommandError) as exc:
        if args.debug:
            raise
        print(f"skembed {args.command}: error: {_message(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

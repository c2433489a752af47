"""The ``skembed`` command: ``demo``, ``train`` and ``neighbors``."""

import argparse
import sys
import time

DEMO_WORDS = ("king", "water", "jesus", "lord")


class CommandError(Exception):
    """An expected failure of a command: reported as one line, exit status 1."""


def _print_neighbours(wv, words, topn, out):
    """Print each word's nearest neighbours; return how many words had a vector."""
    answered = 0
    for word in words:
        try:
            query = wv.get_vector(word)  # subword models compose unseen words
        except KeyError:
            print(f"  {word:>8}: (not in vocabulary)", file=out)
            continue
        answered += 1
        exclude = [word] if word in wv else []
        near = ", ".join(
            w for w, _ in wv.most_similar([query], topn=topn + len(exclude)) if w not in exclude
        )
        print(f"  {word:>8}: {near}", file=out)
    return answered


def _demo(args, out):
    from skembed import Word2VecVectorizer
    from skembed.datasets import load_kjv
    from skembed.evaluation import analogy_accuracy, word_similarity_score

    kjv = load_kjv()
    print(f"King James Bible: {len(kjv.data):,} verses", file=out)
    model = Word2VecVectorizer(
        vector_size=args.vector_size, epochs=args.epochs, random_state=args.seed, n_jobs=-1
    )
    start = time.perf_counter()
    model.fit(kjv.data)
    elapsed = time.perf_counter() - start
    print(
        f"trained skip-gram on {len(model.wv_):,} words in {elapsed:.1f} s "
        f"(kernels {model.train_time_:.1f} s, {model.words_per_second_:,.0f} words/s)",
        file=out,
    )
    for epoch, loss in enumerate(model.loss_curve_, 1):
        print(f"  epoch {epoch}: loss {loss:.4f}", file=out)
    print("evaluation (Spearman rho / accuracy, with coverage):", file=out)
    for name in ("wordsim353", "simlex999"):
        res = word_similarity_score(model, name)
        print(f"  {name:>10}: rho {res.spearman:+.3f}  coverage {res.coverage:.0%}", file=out)
    res = analogy_accuracy(model, "google")
    print(f"  {'google':>10}: acc {res.accuracy:.3f}  coverage {res.coverage:.0%}", file=out)
    print("nearest neighbours:", file=out)
    _print_neighbours(model.wv_, DEMO_WORDS, 6, out)
    return 0


def _read_lines(paths):
    from skembed.utils._files import FileFormatError

    for path in paths:
        with open(path, "rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise FileFormatError(
                        path, f"not valid UTF-8 ({exc.reason} at column {exc.start + 1}).",
                        line=number,
                    ) from None  # fmt: skip


MODELS = {
    "word2vec": ("skembed.models._word2vec", "Word2VecVectorizer"),
    "fasttext": ("skembed.models._fasttext", "FastTextVectorizer"),
    "glove": ("skembed.models._glove", "GloVeVectorizer"),
}


def _train(args, out):
    import importlib

    module, name = MODELS[args.model]
    estimator = getattr(importlib.import_module(module), name)
    params = dict(
        vector_size=args.vector_size,
        min_count=args.min_count,
        random_state=args.seed,
        n_jobs=args.threads,
        verbose=1 if args.progress else 0,
    )
    # unset options keep each model's own defaults (GloVe: window 10, 25 epochs)
    for option in ("window", "epochs", "algorithm"):
        if getattr(args, option) is not None:
            params[option] = getattr(args, option)
    if args.model == "glove" and "algorithm" in params:
        raise ValueError("--algorithm applies to word2vec and fasttext, not glove.")
    model = estimator(**params)
    model.fit(_read_lines(args.corpus))
    if args.output.endswith(".npz"):
        model.wv_.save(args.output)
    elif args.output.endswith(".bin") and args.model == "fasttext":
        model.save_fasttext_bin(args.output)
    else:
        model.wv_.save_word2vec_format(args.output, binary=args.binary)
    print(
        f"{len(model.wv_):,} words x {model.vector_size} written to {args.output} "
        f"({model.words_per_second_:,.0f} words/s; loss per epoch: "
        + ", ".join(f"{x:.4f}" for x in model.loss_curve_)
        + ")",
        file=out,
    )
    return 0


def _load_vectors(path, binary):
    from skembed.vectors import load

    return load(path, format="word2vec-binary" if binary else None)


def _neighbors(args, out):
    if args.topn < 1:
        raise CommandError(f"--topn must be at least 1, got {args.topn}.")
    wv = _load_vectors(args.vectors, args.binary)
    if _print_neighbours(wv, args.words, args.topn, out) == 0:
        raise CommandError(f"{args.vectors}: none of the words {args.words} is in the vocabulary.")
    return 0


def build_parser():
    """Return the argument parser of the ``skembed`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        Sub-commands ``demo``, ``train`` and ``neighbors``; each parsed
        namespace carries the function that runs it as ``func``.

    Examples
    --------
    >>> from skembed.cli import build_parser
    >>> args = build_parser().parse_args(["train", "corpus.txt", "-o", "vectors.npz"])
    >>> args.model, args.corpus, args.output, args.min_count
    ('word2vec', ['corpus.txt'], 'vectors.npz', 5)
    """
    parser = argparse.ArgumentParser(
        prog="skembed", description="Train and query word embeddings."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="train on the bundled King James Bible and show results")
    demo.add_argument("--epochs", type=int, default=5)
    demo.add_argument("--vector-size", type=int, default=100)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_demo)

    train = sub.add_parser("train", help="train embeddings on text files (one document a line)")
    train.add_argument("--model", choices=sorted(MODELS), default="word2vec")
    train.add_argument("--algorithm", choices=["skipgram", "cbow"], default=None)
    train.add_argument("corpus", nargs="+", help="UTF-8 text files")
    train.add_argument("-o", "--output", required=True, help=".npz, or word2vec format")
    train.add_argument("--binary", action="store_true", help="word2vec binary format")
    train.add_argument("--vector-size", type=int, default=100)
    train.add_argument("--window", type=int, default=None)
    train.add_argument("--min-count", type=int, default=5)
    train.add_argument("--epochs", type=int, default=None)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--threads", type=int, default=-1, help="default: all cores")
    train.add_argument("--progress", action="store_true", help="show a progress bar")
    train.set_defaults(func=_train)

    near = sub.add_parser(
        "neighbors", help="nearest neighbours of words in a vectors file (.npz, .vec/.txt, .bin)"
    )
    near.add_argument("vectors")
    near.add_argument("words", nargs="+")
    near.add_argument("--topn", type=int, default=10)
    near.add_argument("--binary", action="store_true")
    near.set_defaults(func=_neighbors)
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
    printed as one line on standard error, and the status is 1.

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
    >>> main(["neighbors", path, "cat", "--topn", "1"], out=out)
    0
    >>> "dog" in out.getvalue()
    True
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args, out or sys.stdout)
    except (OSError, ValueError, KeyError, CommandError) as exc:
        print(f"skembed {args.command}: error: {_message(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

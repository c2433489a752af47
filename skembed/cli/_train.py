"""``skembed train`` and ``skembed demo``."""

import glob
import io
import os
import sys
import time

from skembed.cli._config import (
    COMMAND_DEFAULTS,
    MODELS,
    check_value,
    estimator_class,
    model_parameters,
    read_config,
    write_config,
)
from skembed.cli._errors import CommandError

DEMO_WORDS = ("king", "water", "jesus", "lord")


def expand_inputs(names):
    """Files named by paths, directories (all files below, sorted), globs, or ``-``."""
    found = []
    for name in names:
        if name == "-" or os.path.isfile(name):
            found.append(name)
        elif os.path.isdir(name):
            below = sorted(
                os.path.join(root, f) for root, _, files in os.walk(name) for f in files
            )
            if not below:
                raise CommandError(f"{name}: the folder holds no files.")
            found.extend(below)
        elif glob.has_magic(name):
            matches = sorted(p for p in glob.glob(name, recursive=True) if os.path.isfile(p))
            if not matches:
                raise CommandError(f"{name}: no file matches this pattern.")
            found.extend(matches)
        else:
            raise CommandError(f"{name}: No such file or directory")
    return found


def read_lines(paths, encoding="utf-8"):
    """Yield the decoded lines of the files; a decoding error names file and line."""
    from skembed.utils._files import FileFormatError

    for path in paths:
        fh = sys.stdin.buffer if path == "-" else open(path, "rb")
        label = "<stdin>" if path == "-" else path
        try:
            for number, raw in enumerate(fh, start=1):
                try:
                    yield raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    raise FileFormatError(
                        label,
                        f"not valid {encoding.upper().replace('_', '-')} "
                        f"({exc.reason} at column {exc.start + 1}).",
                        line=number,
                    ) from None
        finally:
            if fh is not sys.stdin.buffer:
                fh.close()


def _check_output(path, option):
    """Refuse an output that cannot be written, before any training."""
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CommandError(f"{option} {path}: is a folder; give a file name.")
    if not os.path.isdir(folder):
        raise CommandError(f"{option} {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK):
        raise CommandError(f"{option} {path}: the folder {folder} is not writable.")


def effective_parameters(args):
    """Return ``(model, params)``: estimator defaults < command defaults < file < options."""
    from_file_model, from_file = (None, {})
    if args.config is not None:
        from_file_model, from_file = read_config(args.config)
    model = args.model or from_file_model or "word2vec"
    if model not in MODELS:
        where = f"{args.config}: " if args.model is None else ""
        raise CommandError(f"{where}model={model!r} is not one of {sorted(MODELS)}.")
    cls = estimator_class(model)
    allowed = model_parameters([model])
    table = model_parameters()
    given = {name: getattr(args, name) for name in table if getattr(args, name) is not None}
    for name in given:
        if name not in allowed:
            flag = "--" + name.replace("_", "-")
            raise CommandError(f"{flag} applies to {', '.join(table[name])}, not {model}.")
    for name, value in from_file.items():
        if name not in allowed or name in ("callbacks", "preprocessor", "tokenizer"):
            raise CommandError(
                f"{args.config}: params.{name} is not a parameter of {cls.__name__} that a "
                f"file can set; expected some of {sorted(allowed)}."
            )
        try:
            check_value(name, value, [cls])
        except ValueError as exc:
            raise CommandError(f"{args.config}: params.{name}: {exc}") from None
    params = {name: d[model] for name, d in allowed.items()}
    params.update({k: v for k, v in COMMAND_DEFAULTS.items() if k in params})
    params.update(from_file)
    params.update(given)
    return model, params


def _save_outputs(model, args, fitted, params):
    from skembed.vectors import save

    wv = fitted.wv_
    fmt = args.format
    if args.binary:
        fmt = "word2vec-binary"
    if args.output.endswith(".bin") and fmt is None:
        fmt = "fasttext" if model == "fasttext" else "word2vec-binary"
    if fmt == "fasttext":
        if model != "fasttext":
            raise CommandError("--format fasttext needs --model fasttext.")
        fitted.save_fasttext_bin(args.output)
    else:
        save(wv, args.output, format=fmt)
    if args.save_model is not None:
        import joblib

        joblib.dump(fitted, args.save_model)
    defaults = {name: d[model] for name, d in model_parameters([model]).items()}
    write_config(args.output + ".config.toml", model, params, defaults)


def run_train(args, out):
    """Train an estimator from files or standard input and write its vectors."""
    model, params = effective_parameters(args)
    if params.get("epochs") == 0:
        raise CommandError("--epochs 0 would write untrained vectors; give at least 1.")
    _check_output(args.output, "-o")
    _check_output(args.save_model, "--save-model")
    if args.format is not None:
        from skembed.vectors.io import FORMATS

        if args.format not in FORMATS:
            raise CommandError(f"--format {args.format!r} is not one of {sorted(FORMATS)}.")
    paths = expand_inputs(args.corpus)
    estimator = estimator_class(model)(**params)
    if args.progress and not args.quiet:
        estimator.set_params(verbose=1)
    estimator.fit(read_lines(paths, args.encoding))
    _save_outputs(model, args, estimator, params)
    wps = getattr(estimator, "words_per_second_", float("nan"))
    losses = list(getattr(estimator, "loss_curve_", []))
    if args.json:
        import json
        import math

        wps = None if math.isnan(wps) else wps  # JSON has no NaN

        print(
            json.dumps(
                {
                    "model": model,
                    "output": args.output,
                    "words": len(estimator.wv_),
                    "vector_size": estimator.vector_size,
                    "words_per_second": wps,
                    "loss_curve": losses,
                    "config": args.output + ".config.toml",
                }
            ),
            file=out,
        )
    elif not args.quiet:
        print(
            f"{len(estimator.wv_):,} words x {estimator.vector_size} written to {args.output} "
            f"({wps:,.0f} words/s; loss per epoch: "
            + ", ".join(f"{x:.4f}" for x in losses)
            + f"); run saved to {args.output}.config.toml",
            file=out,
        )
    return 0


def run_demo(args, out):
    """Train skip-gram on the bundled King James Bible, evaluate it and show neighbours."""
    import json

    from skembed import Word2VecVectorizer
    from skembed.cli._query import print_neighbours
    from skembed.datasets import load_kjv
    from skembed.evaluation import analogy_accuracy, word_similarity_score

    kjv = load_kjv()
    if not args.json:  # with --json, one JSON object and nothing else
        print(f"King James Bible: {len(kjv.data):,} verses", file=out)
        print(
            "(the first run also compiles the numba kernels, which takes a while; later runs "
            "load them from the cache)",
            file=out,
        )
    model = Word2VecVectorizer(
        vector_size=args.vector_size, epochs=args.epochs, random_state=args.seed, n_jobs=-1
    )
    start = time.perf_counter()
    model.fit(kjv.data)
    elapsed = time.perf_counter() - start
    scores = {name: word_similarity_score(model, name) for name in ("wordsim353", "simlex999")}
    analogies = analogy_accuracy(model, "google")
    if args.json:
        neighbours = io.StringIO()
        print_neighbours(model.wv_, DEMO_WORDS, 6, neighbours, lowercase=True, as_json=True)
        result = {
            "verses": len(kjv.data),
            "words": len(model.wv_),
            "vector_size": model.vector_size,
            "seconds": elapsed,
            "train_seconds": model.train_time_,
            "words_per_second": model.words_per_second_,
            "loss_curve": list(model.loss_curve_),
            "similarity": {
                name: {"spearman": res.spearman, "coverage": res.coverage}
                for name, res in scores.items()
            },
            "analogy": {
                "google": {"accuracy": analogies.accuracy, "coverage": analogies.coverage}
            },
            "neighbours": json.loads(neighbours.getvalue()),
        }
        print(json.dumps(result), file=out)
        return 0
    print(
        f"trained skip-gram on {len(model.wv_):,} words in {elapsed:.1f} s, compilation "
        f"included (kernels {model.train_time_:.1f} s, {model.words_per_second_:,.0f} words/s)",
        file=out,
    )
    for epoch, loss in enumerate(model.loss_curve_, 1):
        print(f"  epoch {epoch}: loss {loss:.4f}", file=out)
    print("evaluation (Spearman rho / accuracy, with coverage):", file=out)
    for name, res in scores.items():
        print(f"  {name:>10}: rho {res.spearman:+.3f}  coverage {res.coverage:.0%}", file=out)
    res = analogies
    print(f"  {'google':>10}: acc {res.accuracy:.3f}  coverage {res.coverage:.0%}", file=out)
    print("nearest neighbours:", file=out)
    print_neighbours(model.wv_, DEMO_WORDS, 6, out, lowercase=True)
    return 0

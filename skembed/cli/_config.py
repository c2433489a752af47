"""Estimators by short name, options generated from their parameters, and run files."""

import argparse
import importlib
import inspect
import os

MODELS = {
    "word2vec": ("skembed.models._word2vec", "Word2VecVectorizer"),
    "fasttext": ("skembed.models._fasttext", "FastTextVectorizer"),
    "glove": ("skembed.models._glove", "GloVeVectorizer"),
    "doc2vec": ("skembed.models._doc2vec", "Doc2VecVectorizer"),
}

# parameters that take Python objects or that the command sets itself: the corpus is read
# and decoded by the command (--encoding), and --quiet/--progress decide verbose
EXCLUDED = frozenset(
    {"callbacks", "preprocessor", "tokenizer", "input", "encoding", "decode_error", "verbose"}
)
# short spellings kept from the first version of the command
ALIASES = {"n_jobs": "--threads", "random_state": "--seed"}
# defaults of the command that differ from the estimators' (reproducible seed, all cores)
COMMAND_DEFAULTS = {"random_state": 0, "n_jobs": -1}


def estimator_class(model):
    """Return the estimator class of a short name such as ``"word2vec"``.

    Parameters
    ----------
    model : str
        A key of :data:`MODELS`.

    Returns
    -------
    cls : type

    Examples
    --------
    >>> from skembed.cli._config import estimator_class
    >>> estimator_class("glove").__name__
    'GloVeVectorizer'
    """
    if model not in MODELS:
        raise ValueError(f"model={model!r} is not one of {sorted(MODELS)}.")
    module, name = MODELS[model]
    return getattr(importlib.import_module(module), name)


def parse_literal(text):
    """Read an option's text as None, a bool, an int, a float or else a string.

    Examples
    --------
    >>> from skembed.cli._config import parse_literal
    >>> parse_literal("none"), parse_literal("3"), parse_literal("0.5"), parse_literal("cbow")
    (None, 3, 0.5, 'cbow')
    """
    lowered = text.strip().lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def check_value(name, value, classes):
    """Check one parameter's value against the constraints of any of ``classes``.

    Returns the value; raises ValueError naming the parameter when no class accepts it.

    Examples
    --------
    >>> from skembed.cli._config import check_value, estimator_class
    >>> check_value("window", 3, [estimator_class("word2vec")])
    3
    """
    from sklearn.utils._param_validation import validate_parameter_constraints

    if name == "n_jobs" and value == 0:
        # joblib reads 0 as an error deep inside; refuse it here, naming the option
        raise ValueError("n_jobs=0 would run on no thread; give -1 (all cores) or a count >= 1")
    message = None
    for cls in classes:
        constraints = getattr(cls, "_parameter_constraints", {})
        if name not in constraints:
            continue
        try:
            validate_parameter_constraints(
                {name: constraints[name]}, {name: value}, caller_name=cls.__name__
            )
            return value
        except ValueError as exc:
            message = message or str(exc)
    if message is None:
        return value
    raise ValueError(message)


def _option_type(name, classes):
    def convert(text):
        try:
            return check_value(name, parse_literal(text), classes)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name  # argparse names the type in its messages
    return convert


def model_parameters(models=None):
    """Return ``{name: {model: default}}`` of the parameters offered as options.

    Examples
    --------
    >>> from skembed.cli._config import model_parameters
    >>> model_parameters()["window"]["glove"]
    10
    """
    table = {}
    for model in models or MODELS:
        for p in inspect.signature(estimator_class(model)).parameters.values():
            if p.name not in EXCLUDED:
                table.setdefault(p.name, {})[model] = p.default
    return table


def _default_text(defaults):
    """ "default: 5; 10 (glove)": the most common default, then the models that differ."""
    shown = [repr(v) for v in defaults.values()]
    common = max(shown, key=shown.count)
    others = [f"{r} ({m})" for m, r in zip(defaults, shown, strict=True) if r != common]
    return f"default: {common}" + "".join("; " + o for o in others)


def add_model_options(parser):
    """Add one option per estimator parameter to ``parser`` (default: unset).

    Each option's help gives its default (per model where they differ) and the
    models it applies to.  The values are checked against the estimators'
    ``_parameter_constraints`` as they are parsed.

    Examples
    --------
    >>> import argparse
    >>> from skembed.cli._config import add_model_options
    >>> parser = argparse.ArgumentParser()
    >>> add_model_options(parser)
    >>> parser.parse_args(["--vector-size", "20", "--hs"]).vector_size
    20
    """
    group = parser.add_argument_group("model parameters (see each estimator's documentation)")
    for name, defaults in model_parameters().items():
        classes = [estimator_class(m) for m in defaults]
        flags = ["--" + name.replace("_", "-")]
        if name in ALIASES:
            flags.insert(0, ALIASES[name])
        shown = dict(defaults)
        if name in COMMAND_DEFAULTS:
            shown = {m: COMMAND_DEFAULTS[name] for m in defaults}
        text = _default_text(shown)
        if len(defaults) < len(MODELS):
            text += "; only " + ", ".join(defaults)
        text = text.replace("%", "%%")
        if all(isinstance(v, bool) for v in defaults.values()):
            group.add_argument(
                *flags, dest=name, action=argparse.BooleanOptionalAction, default=None, help=text
            )
        else:
            group.add_argument(
                *flags,
                dest=name,
                type=_option_type(name, classes),
                default=None,
                metavar="VALUE",
                help=text,
            )


def read_config(path):
    """Read a run file: ``model`` and a ``params`` table (TOML, or YAML with PyYAML).

    Returns
    -------
    model : str or None
    params : dict

    Examples
    --------
    >>> import os, tempfile
    >>> from skembed.cli._config import read_config
    >>> path = os.path.join(tempfile.mkdtemp(), "run.toml")
    >>> _ = open(path, "w").write('model = "glove"\\n[params]\\nwindow = 4\\n')
    >>> read_config(path)
    ('glove', {'window': 4})
    """
    path = os.fspath(path)
    with open(path, "rb") as fh:
        raw = fh.read()
    if path.endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            raise ValueError(f"{path}: reading YAML needs PyYAML; use a .toml file") from None
        try:
            data = yaml.safe_load(raw.decode("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML ({exc})") from None
    else:
        import tomllib

        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: not valid TOML ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a table with 'model' and 'params'")
    unknown = sorted(set(data) - {"model", "params", "skembed_version"})
    if unknown:
        raise ValueError(f"{path}: unknown keys {unknown}; expected 'model' and 'params'")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise ValueError(f"{path}: 'params' must be a table of parameters by name")
    return data.get("model"), dict(params)


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


def write_config(path, model, params, defaults=None):
    """Write the effective run as TOML; None values are left out (TOML has no null).

    Python objects (callables) cannot be written and are left out too, and so
    is a long value equal to its default in ``defaults`` (a comment names it).

    Examples
    --------
    >>> import os, tempfile
    >>> from skembed.cli._config import read_config, write_config
    >>> path = os.path.join(tempfile.mkdtemp(), "run.config.toml")
    >>> write_config(path, "word2vec", {"window": 3, "hs": True, "max_vocab_size": None})
    >>> read_config(path)
    ('word2vec', {'window': 3, 'hs': True})
    """
    import skembed

    lines = [
        "# skembed train --config THIS_FILE repeats the run (identical with n_jobs = 1)",
        f'skembed_version = "{skembed.__version__}"',
        f'model = "{model}"',
        "",
        "[params]",
    ]
    defaults = defaults or {}
    for name, value in params.items():
        if value is None:
            continue
        try:
            text = _toml_value(value)
        except TypeError:
            continue  # Python objects (callables) cannot be repeated from a file
        if len(text) > 80 and name in defaults and defaults[name] == value:
            # a long default (the token pattern) would bury the file: the version says it
            lines.append(f"# {name}: the default of skembed {skembed.__version__}")
            continue
        lines.append(f"{name} = {text}")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")

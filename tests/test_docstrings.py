"""Every module's doctests run, and every public name shows a doctested example.

Modules are discovered (``pkgutil.walk_packages``), not listed, so a new module is
collected by being there.  Public names are those of ``skembed.__all__`` and of the
``__all__`` of every public subpackage and module.
"""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import skembed

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# running it would start the command line
NOT_IMPORTABLE = {"skembed.__main__"}

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(skembed.__path__, prefix="skembed.")
    if info.name not in NOT_IMPORTABLE
)


def _is_public(module_name):
    return not any(part.startswith("_") for part in module_name.split(".")[1:])


def _public_names():
    """``(namespace, name, object)`` of every public class and function."""
    names = []
    for module_name in ["skembed", *MODULES]:
        if not _is_public(module_name):
            continue
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            # data (``__version__``, a table of formats) has no docstring of its own
            if inspect.isclass(obj) or inspect.isroutine(obj):
                names.append((module_name, name, obj))
    return names


PUBLIC = _public_names()

# Public names whose module lives where examples are written on other branches
# (vectors/io, _training): strict, so each entry must go once its example lands.
EXAMPLES_PENDING = set()


def test_discovery_covers_the_whole_package():
    assert len(MODULES) >= 40
    for name in (
        "skembed.models._word2vec",
        "skembed.models._params",
        "skembed.models._kernels._sgns",
        "skembed.vectors.io._registry",
        "skembed.corpus._kernels._cooccur",
        "skembed.schedules",
        "skembed.cli._main",
    ):
        assert name in MODULES
    public = {f"{namespace}.{name}" for namespace, name, _ in PUBLIC}
    assert {"skembed.Word2VecVectorizer", "skembed.evaluation.analogy_accuracy"} <= public
    assert EXAMPLES_PENDING <= public


@pytest.mark.parametrize("module_name", MODULES)
def test_module_doctests(module_name):
    module = importlib.import_module(module_name)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in doctest.DocTestFinder().find(module, module_name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0
    # a module that is the home of a public name cannot pass by holding no example
    homes = {
        obj.__module__
        for namespace, name, obj in PUBLIC
        if f"{namespace}.{name}" not in EXAMPLES_PENDING
    }
    if module_name in homes:
        assert result.attempted > 0


@pytest.mark.parametrize(
    "namespace, name, obj",
    [
        pytest.param(
            *entry,
            id=f"{entry[0]}.{entry[1]}",
            marks=(
                [pytest.mark.xfail(strict=True, reason="example pending in its own module")]
                if f"{entry[0]}.{entry[1]}" in EXAMPLES_PENDING
                else []
            ),
        )
        for entry in PUBLIC
    ],
)
def test_public_name_has_an_example(namespace, name, obj):
    doc = inspect.getdoc(obj) or ""
    assert "Examples\n--------" in doc, f"{namespace}.{name} has no Examples section"
    examples = doc.split("Examples\n--------", 1)[1]
    assert ">>> " in examples, f"{namespace}.{name}'s Examples section runs nothing"
    # the example is collected: the docstring belongs to a module that the walk finds
    assert obj.__module__ in MODULES

"""The documentation site builds offline with warnings as errors, and holds what it should.

One build (about a minute: it runs the quick examples of the gallery) serves every
test of this file.
"""

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("sphinx")  # the docs are built where sphinx is installed (dev, CI)
    for extra in ("numpydoc", "myst_parser", "pydata_sphinx_theme", "sphinx_gallery"):
        pytest.importorskip(extra)
    tmp = tmp_path_factory.mktemp("site")
    # the build writes its generated pages into the source folder: build from a copy
    # of docs/ and of examples/ (the gallery's source, beside docs/ as in the tree)
    generated = ("_build", "api", "generated", "auto_examples")
    shutil.copytree(DOCS, tmp / "docs", ignore=shutil.ignore_patterns(*generated))
    shutil.copytree(ROOT / "examples", tmp / "examples")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(tmp / "docs"), str(tmp / "html")],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # this source tree's skembed
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-5000:]
    assert "WARNING" not in done.stderr and "ERROR" not in done.stderr, done.stderr[-5000:]
    return tmp / "html"


def _text(path):
    return path.read_text(encoding="utf-8")


def test_cli_reference_is_generated_from_the_parser(site):
    cli = _text(site / "cli.html")
    assert "skembed train" in cli and "--window" in cli and "skembed shell" in cli


def test_every_public_name_has_a_documented_page(site):
    """Each name of each public ``__all__`` leads from its module's page to its entry."""
    sys.path.insert(0, str(DOCS))
    try:
        api = importlib.import_module("_api_reference")
    finally:
        sys.path.remove(str(DOCS))
    entries = api.api_entries()
    modules = set(entries)
    # the subpackages a user imports, found independently of the generator
    for init in (ROOT / "skembed").rglob("__init__.py"):
        parts = init.parent.relative_to(ROOT).parts
        if not any(p.startswith("_") for p in parts):
            mod = importlib.import_module(".".join(parts))
            assert (".".join(parts) in modules) == bool(getattr(mod, "__all__", None))
    missing = []
    for module_name, rows in entries.items():
        module = importlib.import_module(module_name)
        assert [name for name, _ in rows] == list(module.__all__)
        page = _text(site / "api" / f"{module_name}.html")
        for name, home in rows:
            anchor = f'id="{home}"'
            if home == f"{module_name}.{name}" and not callable(getattr(module, name)):
                found = anchor in page  # a constant, described on its module's page
            else:
                target = site / "generated" / f"{home}.html"
                found = (
                    f"{home}.html" in page
                    and target.exists()
                    and anchor in _text(target)
                    # a docstring was rendered, not an empty stub
                    and re.search(r"<dd><p>\S", _text(target)) is not None
                )
            if not found:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"not documented in the API pages: {missing}"
    assert "skembed.Word2VecVectorizer.fit" in _text(
        site / "generated" / "skembed.Word2VecVectorizer.html"
    )


def test_gallery_runs_the_quick_examples_and_shows_their_output(site):
    gallery = site / "auto_examples"
    examples = sorted(p.stem for p in (ROOT / "examples").glob("*.py"))
    assert examples and all((gallery / f"{name}.html").exists() for name in examples)
    # printed by the scripts themselves while the site was built
    assert "mean accuracy" in _text(gallery / "classify_kjv.html")
    assert "best by held-out score" in _text(gallery / "grid_search.html")
    # the figures drawn by the examples are captured into the pages
    assert (site / "_images" / "sphx_glr_validation_curve_001.png").exists()
    assert (site / "_images" / "sphx_glr_search_kjv_002.png").exists()
    # the one example left out of the run is shown, not run
    assert "sphx-glr-script-out" not in _text(gallery / "align_kjv_rv1909.html")
    assert "sphx-glr-script-out" in _text(gallery / "search_kjv.html")


def test_markdown_pages_and_theory_are_part_of_the_site(site):
    guide = _text(site / "guide.html")
    assert "Word2VecVectorizer" in guide and 'href="#threads-and-fork"' in guide
    assert 'id="threads-and-fork"' in guide  # the guide's own anchors resolve
    assert (site / "architecture.html").exists() and (site / "getting_started.html").exists()
    for page in ("word2vec", "training", "fasttext", "glove", "doc2vec", "classifier",
                 "pooling"):  # fmt: skip
        html = _text(site / "theory" / f"{page}.html")
        assert 'class="math' in html and "References" in html, page
    index = _text(site / "index.html")
    for page in ("getting_started", "guide", "theory/index", "auto_examples/index", "api",
                 "cli", "architecture"):  # fmt: skip
        assert f'href="{page}.html"' in index, page

"""Sphinx configuration: ``python -m sphinx -W -b html docs docs/_build`` builds offline.

Needs ``pip install skembed[docs]``.  The gallery runs the quick examples of
``examples/`` on their small settings (see ``sphinx_gallery_conf``).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # this source tree's skembed
sys.path.insert(0, HERE)  # the local extensions below

import skembed  # noqa: E402

project = "skembed"
author = "the skembed developers"
copyright = "the skembed developers"
release = version = skembed.__version__

extensions = [
    "_api_reference",  # writes api/*.rst, which autosummary then reads
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "_cli_reference",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "**/GALLERY_HEADER.rst", "auto_examples/*.ipynb"]
templates_path = ["_templates"]

# API reference: autosummary pages, numpydoc docstrings
autosummary_generate = True
# _templates/autosummary/class.rst documents every method, skembed's base classes'
# included; scikit-learn's mixins (get_params, set_output, ...) are left to its own site
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks = set()

# Markdown pages: $...$ and $$...$$ math, anchors for the links between sections
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# the gallery: examples/*.py, each run with --small (docs/_gallery.py);
# align_kjv_rv1909.py trains two models and refines a map over several rounds
# (about 20 s even small), so the gallery shows its code without running it
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"^((?!align_kjv_rv1909).)*\.py$",
    "reset_argv": "_gallery.reset_argv",
    "download_all_examples": False,
    "write_computation_times": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
}

html_theme = "pydata_sphinx_theme"
html_title = f"skembed {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path = []


def _skip_request_methods(app, what, name, obj, skip, options):
    # scikit-learn adds set_fit_request, set_transform_request, ... to every estimator
    # (metadata routing); their docstrings point into scikit-learn's own site
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_request_methods)

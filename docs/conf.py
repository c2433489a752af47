"""Sphinx configuration: ``python -m sphinx -W -b html docs docs/_build`` builds offline."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("."))

import skembed  # noqa: E402

project = "skembed"
release = version = skembed.__version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc", "_cli_reference"]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
exclude_patterns = ["_build", "*.md"]
html_theme = "alabaster"

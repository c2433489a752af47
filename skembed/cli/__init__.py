"""The ``skembed`` command line (``python -m skembed``)."""

from skembed.cli._main import build_parser, main

__all__ = ["build_parser", "main"]

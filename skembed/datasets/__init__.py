"""Loaders for the bundled corpora (King James and Reina-Valera Bibles) and benchmarks."""

from skembed.datasets._benchmarks import load_google_analogies, load_simlex999, load_wordsim353
from skembed.datasets._kjv import load_kjv
from skembed.datasets._rv1909 import load_rv1909

__all__ = ["load_google_analogies", "load_kjv", "load_rv1909", "load_simlex999", "load_wordsim353"]

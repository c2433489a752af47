"""Loaders for the bundled corpus (King James Bible) and word-embedding benchmarks."""

from skembed.datasets._benchmarks import load_google_analogies, load_simlex999, load_wordsim353
from skembed.datasets._kjv import load_kjv

__all__ = ["load_google_analogies", "load_kjv", "load_simlex999", "load_wordsim353"]

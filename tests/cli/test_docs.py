"""The documentation site builds offline with warnings as errors."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx")  # the docs are built where sphinx is installed (dev, CI)
    source = tmp_path / "docs"
    # autosummary writes its pages into the source folder: build from a copy
    shutil.copytree(DOCS, source, ignore=shutil.ignore_patterns("_build", "generated"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-q",
            "-b",
            "html",
            str(source),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(DOCS.parent)},  # this source tree's skembed
    )
    assert done.returncode == 0, done.stderr
    cli = (tmp_path / "html" / "cli.html").read_text()
    assert "skembed train" in cli and "--window" in cli and "skembed shell" in cli
    assert (tmp_path / "html" / "generated" / "skembed.Word2VecVectorizer.html").exists()

"""The wheel builds, installs into a fresh environment and its command runs there."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = dist.glob("skembed-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "skembed/cli/_shell.py" in names and "skembed/datasets/data/" in " ".join(names)
    assert any(n.endswith("entry_points.txt") for n in names)
    venv = tmp_path / "venv"
    # the fresh environment sees the installed dependencies and needs no registry
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
        check=True,
        timeout=300,
    )
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run(
        [
            str(bindir / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            # skembed may already be installed where the venv can see it (CI installs it
            # into the interpreter's own site-packages); install the wheel regardless
            "--ignore-installed",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    done = subprocess.run(
        [str(bindir / "skembed"), "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    import skembed

    assert done.returncode == 0 and done.stdout.strip() == f"skembed {skembed.__version__}"
    where = subprocess.run(
        [str(bindir / "python"), "-c", "import skembed; print(skembed.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert str(venv) in where  # the installed wheel, not the source tree

"""Release checks: the sdist and the wheel build, pass ``twine check``, hold the package
data, and the wheel built from the sdist installs into a fresh environment and runs there.

One build (``python -m build``: the sdist, then a wheel built from the unpacked sdist,
as a release makes them) serves every test of this file.
"""

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    pytest.importorskip("build")  # dev extra, like twine below
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (sdist,) = out.glob("skembed-*.tar.gz")
    (wheel,) = out.glob("skembed-*.whl")
    return sdist, wheel


def test_sdist_and_wheel_pass_twine_check(dists):
    pytest.importorskip("twine")
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, dists)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_sdist_holds_the_sources_and_the_package_data(dists):
    sdist, _ = dists
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    data = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "skembed" / "datasets" / "data").iterdir()
        if p.is_file()
    }
    assert data and data <= names, sorted(data - names)
    assert {"pyproject.toml", "README.md", "LICENSE", "skembed/cli/_shell.py"} <= names
    # what a packager builds the docs and runs the tests from (MANIFEST.in)
    assert {"docs/conf.py", "docs/guide.md", "tests/conftest.py", "MANIFEST.in"} <= names
    assert any(n.startswith("examples/") and n.endswith(".py") for n in names)
    assert not any("__pycache__" in n or n.startswith("docs/_build") for n in names)
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "skembed").rglob("*.py")}
    assert modules <= names, sorted(modules - names)[:10]


def test_wheel_built_from_the_sdist_installs_into_a_fresh_venv_and_runs(dists, tmp_path):
    _, wheel = dists
    names = zipfile.ZipFile(wheel).namelist()
    data = [p.name for p in (ROOT / "skembed" / "datasets" / "data").iterdir() if p.is_file()]
    assert all(f"skembed/datasets/data/{name}" in names for name in data)
    assert "skembed/cli/_shell.py" in names
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
    # no PYTHONPATH: the command must find the installed wheel, not this source tree
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def run(*args, timeout=120):
        return subprocess.run(
            [*args], cwd=tmp_path, capture_output=True, text=True, timeout=timeout, env=env
        )

    import skembed

    done = run(str(bindir / "skembed"), "--version")
    assert done.returncode == 0 and done.stdout.strip() == f"skembed {skembed.__version__}"
    where = run(str(bindir / "python"), "-c", "import skembed; print(skembed.__file__)").stdout
    assert str(venv) in where  # the installed wheel, not the source tree
    # the demo trains on the Bible shipped as package data; the first run in a fresh
    # environment also compiles the kernels
    done = run(
        str(bindir / "skembed"), "demo", "--epochs", "1", "--vector-size", "10", timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "31,102 verses" in done.stdout
    assert "nearest neighbours" in done.stdout and "king:" in done.stdout

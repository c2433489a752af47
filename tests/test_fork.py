"""A process that forks after a serial fit or transform can still pool in its children.

numba's thread pools (GNU OpenMP above all) do not survive ``fork``: a child
that enters a parallel region after its parent started the pool dies or hangs,
and ``multiprocessing.Pool.map`` then waits forever.  With ``n_jobs`` None or 1
skembed must therefore never start the pool.  Each check runs in a fresh
interpreter, under a timeout, so that a hang fails the test instead of the run.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ESTIMATORS = ["Word2VecVectorizer", "FastTextVectorizer", "GloVeVectorizer"]

PRELUDE = """
import numba.np.ufunc.parallel as numba_parallel
from skembed import {name}

DOCS = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog"] * 20
"""


def _run(code, timeout=240):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the child process hung for {timeout} s:\n{exc.stdout}\n{exc.stderr}")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("name", ESTIMATORS)
def test_serial_fit_transform_and_score_never_start_numba_threads(name):
    out = _run(
        PRELUDE.format(name=name)
        + f"""
for pooling in ("mean", "max", "tfidf"):
    model = {name}(vector_size=8, min_count=1, epochs=1, pooling=pooling, n_jobs=1)
    model.fit(DOCS)
    model.transform(DOCS)
    model.score(DOCS)
    model.fit_transform(DOCS)
    model.partial_fit(DOCS + ["new words here"])
    model.transform(["unseen words too"])
print(numba_parallel._is_initialized)
"""
    )
    assert out.split() == ["False"]


def test_the_flag_does_see_a_parallel_run():
    # the check above could pass vacuously if the flag never changed: n_jobs=2 sets it
    out = _run(
        PRELUDE.format(name="Word2VecVectorizer")
        + """
Word2VecVectorizer(vector_size=8, min_count=1, epochs=1, n_jobs=2).fit(DOCS).transform(DOCS)
print(numba_parallel._is_initialized)
"""
    )
    assert out.split() == ["True"]


@pytest.mark.parametrize("name", ESTIMATORS)
def test_a_process_forked_after_transform_can_pool(name):
    out = _run(
        PRELUDE.format(name=name)
        + f"""
import multiprocessing

model = {name}(vector_size=8, min_count=1, epochs=1, random_state=0).fit(DOCS)
expected = model.transform(DOCS)
model.score(DOCS)


def work(i):
    return float(abs(model.transform(DOCS[i : i + 3]) - expected[i : i + 3]).max())


if __name__ == "__main__":
    with multiprocessing.get_context("fork").Pool(2) as pool:
        print(max(pool.map(work, range(6))))
"""
    )
    assert float(out.split()[-1]) == 0.0

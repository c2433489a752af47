"""Fuzz every vector file format: a mutated file loads, or is refused with an error naming it.

Valid files of every registered format are mutated (bit flips, truncation,
insertion, deletion, extreme integers, edited header lines, hostile tokens) and
loaded in a child process (``_fuzz_worker.py``), so that a crash fails the test
rather than killing pytest, and a hang (20 s without an answer) fails it too.
The number of examples is ``SKEMBED_FUZZ_EXAMPLES`` (default 600, a few
seconds); the counts are printed at the end (``pytest -s``).
"""

import collections
import os
import pathlib
import select
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skembed.vectors import FastTextWordVectors, WordVectors, save
from skembed.vectors.io import FORMATS
from tests.vectors.io._fasttext_old import to_old_format

ROOT = pathlib.Path(__file__).parents[3]
DATA = ROOT / "tests" / "data" / "fasttext"
EXAMPLES = int(os.environ.get("SKEMBED_FUZZ_EXAMPLES", "600"))
HANG_SECONDS = 20
# every registered format is fuzzed, under its first suffix (so also sniffed by content)
SUFFIX = {name: (spec.suffixes or ("",))[0] for name, spec in FORMATS.items()}
COUNTS = collections.Counter()


class _Seeds(dict):
    def __repr__(self):  # hypothesis prints the arguments of a failing example
        return f"<{len(self)} seed files>"


def _seeds(folder):
    """Write one valid file per format (and a few variants); return {name: (format, bytes)}."""
    rng = np.random.default_rng(0)
    words = ["king", "queen", "caf\u00e9", "\u65e5\u672c", "sea", "x"]
    plain = WordVectors(words, rng.normal(size=(6, 4)), counts=[9, 8, 7, 6, 5, 4])
    sub = FastTextWordVectors(words, rng.normal(size=(6, 4)), rng.normal(size=(16, 4)),
                              min_n=2, max_n=3, counts=[9, 8, 7, 6, 5, 4])  # fmt: skip
    seeds = _Seeds()
    for format in sorted(FORMATS):  # a new format gets fuzzed without a change here
        path = folder / f"seed-{format}{SUFFIX[format]}"
        save(sub if format == "fasttext" else plain, path, format=format)
        seeds[format] = (format, path.read_bytes())
    path = folder / "seed-ft.npz"
    save(sub.compact(), path)
    seeds["npz-fasttext-compact"] = ("npz", path.read_bytes())
    path = folder / "seed-compressed.npz"
    np.savez_compressed(path, words=np.array(words), vectors=plain.vectors)
    seeds["npz-compressed"] = ("npz", path.read_bytes())
    seeds["fasttext-real"] = ("fasttext", (DATA / "tiny_cbow_with_labels.bin").read_bytes())
    # a fastText file from before format version 11 (no signature)
    seeds["fasttext-old"] = ("fasttext", to_old_format(seeds["fasttext"][1]))
    return seeds


_INT32 = [0, 1, -1, 7, 2**16, 2**31 - 1, -(2**31)]
_INT64 = _INT32 + [2**32, 2**63 - 1, -(2**63)]
_TOKENS = [b"nan", b"inf", b"-inf", b"1e39", b"-", b" ", b"  ", b"\n", b"\r\n", b"\xff", b"\0",
           b"\t", b"PK\x03\x04", b"\x93NUMPY"]  # fmt: skip
_HEADERS = [b"1000000000000 4", b"-1 4", b"6 -4", b"0 0", b"6", b"6 4 4", b"", b"7 4", b"5 4",
            b"6 400000", b"2147483647 2147483647"]  # fmt: skip

position = st.integers(0, 2**20)
mutation = st.one_of(
    st.tuples(st.just("flip"), position, st.integers(0, 7)),
    st.tuples(st.just("truncate"), position),
    st.tuples(st.just("insert"), position, st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), position, st.integers(1, 64)),
    st.tuples(st.just("integer"), position, st.one_of(
        st.tuples(st.just("<i"), st.sampled_from(_INT32)),
        st.tuples(st.just("<q"), st.sampled_from(_INT64)),
    )),
    st.tuples(st.just("token"), position, st.sampled_from(_TOKENS)),
    st.tuples(st.just("header"), st.sampled_from(_HEADERS)),
)  # fmt: skip


def mutate(data, mutations):
    data = bytearray(data)
    for kind, *args in mutations:
        at = args[0] % (len(data) + 1) if kind != "header" else 0
        if kind == "flip" and data:
            data[at % len(data)] ^= 1 << args[1]
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = args[1]
        elif kind == "delete":
            del data[at : at + args[1]]
        elif kind == "integer":
            fmt, value = args[1]
            packed = struct.pack(fmt, value)
            data[at : at + len(packed)] = packed
        elif kind == "token":
            data[at : at + len(args[1])] = args[1]
        elif kind == "header":
            end = data.find(b"\n")
            data[: max(end, 0)] = args[0]
    return bytes(data)


class Worker:
    """A child process that loads files; restarted after it dies."""

    def __init__(self, command=None, hang_seconds=HANG_SECONDS):
        self.command = command or [sys.executable, "-m", "tests.vectors.io._fuzz_worker"]
        self.hang_seconds = hang_seconds
        self.process = None

    def start(self):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get(
            "PYTHONPATH", "")]))  # fmt: skip
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, bufsize=1,
        )  # fmt: skip

    def ask(self, format, path):
        if self.process is None or self.process.poll() is not None:
            self.start()
        try:
            self.process.stdin.write(f"{format}\t{path}\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # it died already: the read below says how
        ready, _, _ = select.select([self.process.stdout], [], [], self.hang_seconds)
        if not ready:
            self.stop()
            return f"hang: no answer within {self.hang_seconds} s"
        reply = self.process.stdout.readline().strip()
        if not reply:
            status = self.process.wait(timeout=30)
            stderr = self.process.stderr.read()[-2000:]
            self.process = None
            return f"crash: the loading process ended with status {status}: {stderr}"
        return reply

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture(scope="module")
def worker():
    w = Worker()
    yield w
    w.stop()
    if COUNTS:
        print(f"\nfuzzed vector files: {dict(sorted(COUNTS.items()))}")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    return _seeds(tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def test_seeds_load(worker, seeds, scratch):
    for name, (format, data) in seeds.items():
        path = scratch / f"{name}{SUFFIX[format]}"
        path.write_bytes(data)
        assert worker.ask(format, path) == "ok", name


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), mutations=st.lists(mutation, min_size=1, max_size=4),
       sniff=st.booleans())  # fmt: skip
def test_mutated_files_load_or_are_refused_naming_the_file(worker, seeds, scratch, data,
                                                           mutations, sniff):  # fmt: skip
    name = data.draw(st.sampled_from(sorted(seeds)), label="seed")
    format, original = seeds[name]
    path = scratch / f"mutated-{name}{SUFFIX[format]}"
    path.write_bytes(mutate(original, mutations))
    reply = worker.ask("" if sniff else format, path)
    COUNTS["files"] += 1
    COUNTS[reply.split(" ")[0].rstrip(":")] += 1
    if reply not in ("ok", "error"):
        keep = scratch / "failures"
        keep.mkdir(exist_ok=True)
        shutil.copy(path, keep / path.name)
    assert reply in ("ok", "error"), f"{name} {mutations}: {reply}"


def test_the_harness_reports_a_crash_and_a_hang(tmp_path):
    # a segfault in the loading process is a failure of the test, not of pytest
    crash = Worker([sys.executable, "-c", "import ctypes, sys; sys.stdin.readline(); "
                    "ctypes.string_at(0)"])  # fmt: skip
    reply = crash.ask("npz", tmp_path / "any.npz")
    assert reply.startswith("crash: the loading process ended with status -11")
    hang = Worker([sys.executable, "-c", "import time; time.sleep(60)"], hang_seconds=1)
    assert hang.ask("npz", tmp_path / "any.npz") == "hang: no answer within 1 s"
    assert hang.process is None

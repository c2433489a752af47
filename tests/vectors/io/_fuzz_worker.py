"""Load vector files named on standard input, one per line, and report each outcome.

Run by ``test_fuzz.py`` in a child process, so that a crash (a segfault in a
kernel, an abort) ends this process and fails the test instead of pytest.
Each input line is ``format<TAB>path`` (format empty: chosen by the
registry); each output line is ``ok``, ``error`` (a FileFormatError naming the
file) or ``bad <description>`` (any other outcome).
"""

import sys
import traceback

import numpy as np

from skembed.utils._files import FileFormatError
from skembed.vectors import FastTextWordVectors, load


def _use(wv):
    """Exercise the loaded vectors the way a caller would; return a problem or None."""
    if wv.vectors.shape != (len(wv), wv.vector_size) or wv.vectors.dtype != np.float32:
        return f"vectors of shape {wv.vectors.shape} for {len(wv)} words"
    if not np.isfinite(wv.vectors).all():
        return "non-finite vectors accepted"
    if len(wv):
        wv.get_vector(wv.index_to_key[0])
    if len(wv) > 1:
        with np.errstate(all="ignore"):  # huge finite values may overflow a norm
            wv.most_similar(wv.index_to_key[0], topn=3)
    if isinstance(wv, FastTextWordVectors):
        wv.get_vector("fuzzed-unseen-word")
        wv.unseen_vectors(["ab", "xyzzy", "\u00e9t\u00e9"])
    return None


def main():
    for line in sys.stdin:
        format, path = line.rstrip("\n").split("\t")
        try:
            wv = load(path, format=format or None)
        except FileFormatError as exc:
            reply = "error" if path in str(exc) else f"bad error without the file: {exc}"
        except Exception as exc:  # noqa: BLE001 (every other outcome is a finding)
            last = traceback.extract_tb(exc.__traceback__)[-1]
            reply = f"bad {type(exc).__name__}: {exc} ({last.filename}:{last.lineno})"
        else:
            try:
                problem = _use(wv)
            except Exception as exc:  # noqa: BLE001
                problem = f"{type(exc).__name__} while using the vectors: {exc}"
            reply = "ok" if problem is None else f"bad {problem}"
        print(" ".join(reply.split()), flush=True)


if __name__ == "__main__":
    main()
